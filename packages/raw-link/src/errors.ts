/** Codes of {@link RawLinkError}. Append-only: codes are part of the public contract. */
export const RawLinkErrorCode = {
  /** A frame is shorter than its header or declares impossible lengths. */
  Truncated: 'TRUNCATED',
  /** A field holds a value this codec does not accept (bad MAC text, bad address text, ...). */
  Invalid: 'INVALID',
  /** The interface does not exist or cannot be opened for capture. */
  NoSuchInterface: 'NO_SUCH_INTERFACE',
  /** The kernel refused to open or filter the interface (no CAP_NET_RAW, not Ethernet, bad filter). */
  OpenFailed: 'OPEN_FAILED',
  /** Sending a frame failed. */
  SendFailed: 'SEND_FAILED',
  /**
   * The native piece (koffi, an optional dependency) is missing or cannot load, or the platform
   * has no AF_PACKET. The message says how to fix it; codecs and fakes work without it.
   */
  NativeUnavailable: 'NATIVE_UNAVAILABLE',
  /** An open link reported an error (the interface went down or was deleted). */
  LinkError: 'LINK_ERROR',
} as const;
export type RawLinkErrorCode = (typeof RawLinkErrorCode)[keyof typeof RawLinkErrorCode];

/** The one error class of @ironlb/raw-link. Callers branch on `code`, never on the message. */
export class RawLinkError extends Error {
  override readonly name = 'RawLinkError';
  readonly code: RawLinkErrorCode;
  /** Structured context (interface name, offending value, byte offset...). */
  readonly details: Readonly<Record<string, unknown>>;

  constructor(
    code: RawLinkErrorCode,
    message: string,
    details: Record<string, unknown> = {},
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.code = code;
    this.details = details;
  }
}
