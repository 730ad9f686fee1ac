/** Codes of {@link L2AnnouncerError}. Append-only: codes are part of the public contract. */
export const L2AnnouncerErrorCode = {
  /** An address is not a unicast IPv4 or IPv6 address a host can announce. */
  InvalidAddress: 'INVALID_ADDRESS',
  /** An option is out of range or malformed (an exclusion pattern that is not a regex, ...). */
  InvalidOption: 'INVALID_OPTION',
  /** The announcer is draining or closed: it takes no new addresses. */
  Stopped: 'STOPPED',
} as const;
export type L2AnnouncerErrorCode = (typeof L2AnnouncerErrorCode)[keyof typeof L2AnnouncerErrorCode];

/** The one error class of @ironlb/l2-announcer. Callers branch on `code`, never on the message. */
export class L2AnnouncerError extends Error {
  override readonly name = 'L2AnnouncerError';
  readonly code: L2AnnouncerErrorCode;
  readonly details: Readonly<Record<string, unknown>>;

  constructor(
    code: L2AnnouncerErrorCode,
    message: string,
    details: Record<string, unknown> = {},
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.code = code;
    this.details = details;
  }
}
