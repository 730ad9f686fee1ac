// One error class for the whole package (DESIGN.md §3). `code` is a literal so callers and tests
// switch on it, never on message text. A decode error also says which RFC 5880 §6.8.6 rule the
// packet broke (`reason`), which is what the manager counts when it drops a packet.

/** Append-only. */
export const BfdErrorCode = {
  /** Bytes received from the network break a mandatory RFC 5880 §6.8.6 / §4.1 rule. */
  MalformedPacket: 'MALFORMED_PACKET',
  /** Something we were asked to encode cannot be represented on the wire. */
  EncodeError: 'ENCODE_ERROR',
  /** An option passed to a factory, a session or the CLI is invalid. */
  InvalidOption: 'INVALID_OPTION',
  /** A feature that exists in the RFCs or MetalLB but not here (echo mode, authentication). */
  Unsupported: 'UNSUPPORTED',
  /** A session with the same peer address, kind and port already exists. */
  DuplicateSession: 'DUPLICATE_SESSION',
  /** The manager already holds `maxSessions` sessions. */
  TooManySessions: 'TOO_MANY_SESSIONS',
  /** No session for that peer. */
  UnknownSession: 'UNKNOWN_SESSION',
  /**
   * The receive-side TTL check of RFC 5881 §5 / RFC 5883 §2 (a kernel socket filter) could
   * not be installed on a socket (no FFI on this platform, or setsockopt failed).
   */
  TtlCheckUnavailable: 'TTL_CHECK_UNAVAILABLE',
  /** A socket could not be opened or bound (address in use, address not local, ...). */
  SocketError: 'SOCKET_ERROR',
  /** The manager was used after close(). */
  Closed: 'CLOSED',
} as const;
export type BfdErrorCode = (typeof BfdErrorCode)[keyof typeof BfdErrorCode];

/**
 * Which mandatory receive rule a packet broke (RFC 5880 §6.8.6 in order, plus the §6.7
 * authentication-section lengths). Append-only.
 */
export const DropReason = {
  /** Fewer bytes than the fixed 24-byte header. */
  Truncated: 'truncated',
  /** Version is not 1. */
  Version: 'version',
  /** Length below 24 (26 with A), or above the UDP payload. */
  Length: 'length',
  /** Detect Mult is 0. */
  DetectMult: 'detect-mult',
  /** The Multipoint bit is set. */
  Multipoint: 'multipoint',
  /** My Discriminator is 0. */
  MyDiscriminator: 'my-discriminator',
  /** Your Discriminator is 0 while State is Init or Up. */
  YourDiscriminator: 'your-discriminator',
  /** The authentication section's type or length is inconsistent (RFC 5880 §4.2–§4.4). */
  AuthSection: 'auth-section',
} as const;
export type DropReason = (typeof DropReason)[keyof typeof DropReason];

export interface BfdErrorFields {
  /** For MALFORMED_PACKET: the rule broken. */
  reason?: DropReason;
  /** Free-form structured context (option name, offending value, ...). */
  detail?: Record<string, unknown>;
}

export class BfdError extends Error {
  readonly code: BfdErrorCode;
  readonly reason: DropReason | undefined;
  readonly detail: Record<string, unknown>;

  constructor(code: BfdErrorCode, message: string, fields: BfdErrorFields = {}) {
    super(message);
    this.name = 'BfdError';
    this.code = code;
    this.reason = fields.reason;
    this.detail = fields.detail ?? {};
  }
}

/** Shorthand for an invalid option, naming it. */
export function invalidOption(option: string, message: string, value?: unknown): BfdError {
  return new BfdError(BfdErrorCode.InvalidOption, `${option}: ${message}`, {
    detail: { option, value },
  });
}
