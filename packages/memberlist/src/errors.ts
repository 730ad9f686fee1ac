/**
 * The one error class of @ironlb/memberlist. Callers and tests branch on `code`, never on message text
 * (DESIGN.md §3). Decoder errors are the only thing the fuzz tests allow to escape a decode.
 */
export const MemberlistErrorCode = {
  /** Bytes are not a valid protobuf Packet, or a field breaks a hard limit. */
  Decode: 'DECODE',
  /** A value to send does not fit its wire field (a uint32 out of range): never wrapped silently. */
  Encode: 'ENCODE',
  /** The packet's `version` is one this build does not speak. */
  UnsupportedVersion: 'UNSUPPORTED_VERSION',
  /** AES-GCM authentication failed with every key of the keyring (or the envelope is malformed). */
  Auth: 'AUTH',
  /** A stream frame announced a length beyond the hard cap. */
  FrameTooLarge: 'FRAME_TOO_LARGE',
  /** An option is out of range or malformed. */
  InvalidOption: 'INVALID_OPTION',
  /** A "host:port" address could not be parsed. */
  InvalidAddress: 'INVALID_ADDRESS',
  /** A secret is empty or a keyring operation is not allowed (e.g. removing the primary key). */
  InvalidKey: 'INVALID_KEY',
  /** Local metadata exceeds the 512-byte limit (hashicorp's MetaMaxSize). */
  MetaTooLarge: 'META_TOO_LARGE',
  /** A transport could not bind, send or connect. */
  Transport: 'TRANSPORT',
  /** Join reached none of the seed addresses. */
  JoinFailed: 'JOIN_FAILED',
  /** The member was shut down (or has left): start() and join() are refused. */
  Closed: 'CLOSED',
} as const;
export type MemberlistErrorCode = (typeof MemberlistErrorCode)[keyof typeof MemberlistErrorCode];

export class MemberlistError extends Error {
  readonly code: MemberlistErrorCode;
  /** Structured details (field names, limits, addresses) for logs and tests. */
  readonly details: Readonly<Record<string, unknown>>;

  constructor(
    code: MemberlistErrorCode,
    message: string,
    details: Record<string, unknown> = {},
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'MemberlistError';
    this.code = code;
    this.details = details;
  }
}
