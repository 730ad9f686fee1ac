// One error class for the whole package (DESIGN.md §3). `code` is a literal so callers and tests
// switch on it, never on message text. Decode errors also carry what goes on the wire in reply
// (the NOTIFICATION code/subcode/data of RFC 4271 §6) and how RFC 7606 §3 says to handle it.

/** Append-only. */
export const BgpErrorCode = {
  /** Bytes from the peer break RFC 4271 §4 / §6 framing or message rules. */
  MalformedMessage: 'MALFORMED_MESSAGE',
  /** A single frame is larger than the negotiated maximum (RFC 4271 §4.1, RFC 8654). */
  FrameTooLarge: 'FRAME_TOO_LARGE',
  /** The framer's unconsumed backlog exceeded its hard cap. */
  BacklogOverflow: 'BACKLOG_OVERFLOW',
  /** An option passed to a factory or the CLI is invalid. */
  InvalidOption: 'INVALID_OPTION',
  /** A prefix, address, community or ASN string could not be parsed. */
  InvalidValue: 'INVALID_VALUE',
  /** Something we were asked to encode cannot be represented on the wire. */
  EncodeError: 'ENCODE_ERROR',
  /** The speaker was used after stop(). */
  Stopped: 'STOPPED',
} as const;
export type BgpErrorCode = (typeof BgpErrorCode)[keyof typeof BgpErrorCode];

/** RFC 7606 §2 handling classes, plus "none" for errors that are not about a received message. */
export type ErrorHandling = 'session-reset' | 'treat-as-withdraw' | 'attribute-discard' | 'none';

export interface NotificationFields {
  code: number;
  subcode: number;
  data: Uint8Array;
}

export interface BgpErrorFields {
  notification?: NotificationFields;
  handling?: ErrorHandling;
  /** Path attribute type code the error is about, when there is one. */
  attributeType?: number;
  /** Free-form structured context (option name, offending value, ...). */
  detail?: Record<string, unknown>;
}

export class BgpError extends Error {
  readonly code: BgpErrorCode;
  readonly notification: NotificationFields | undefined;
  readonly handling: ErrorHandling;
  readonly attributeType: number | undefined;
  readonly detail: Record<string, unknown>;

  constructor(code: BgpErrorCode, message: string, fields: BgpErrorFields = {}) {
    super(message);
    this.name = 'BgpError';
    this.code = code;
    this.notification = fields.notification;
    this.handling = fields.handling ?? (fields.notification ? 'session-reset' : 'none');
    this.attributeType = fields.attributeType;
    this.detail = fields.detail ?? {};
  }
}

/** Shorthand for a decode error that resets the session with the given NOTIFICATION. */
export function wireError(
  message: string,
  code: number,
  subcode: number,
  data: Uint8Array = new Uint8Array(0),
  extra: Omit<BgpErrorFields, 'notification'> = {},
): BgpError {
  return new BgpError(BgpErrorCode.MalformedMessage, message, {
    ...extra,
    notification: { code, subcode, data },
  });
}
