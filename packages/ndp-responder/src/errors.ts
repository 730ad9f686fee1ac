/** Codes of {@link NdpError}. Append-only. */
export const NdpErrorCode = {
  /** Input shorter than a header or option it declares. */
  Truncated: 'TRUNCATED',
  /** Not an NS/NA (other EtherType, next header or ICMPv6 type). */
  NotNdp: 'NOT_NDP',
  /** An NS/NA that fails RFC 4861 §7.1 validation (hop limit, checksum, code, option length...). */
  Invalid: 'INVALID',
  /** An address given by the caller is not an IPv6 unicast address. */
  InvalidAddress: 'INVALID_ADDRESS',
  /** Joining or leaving a multicast group failed. */
  Multicast: 'MULTICAST',
} as const;
export type NdpErrorCode = (typeof NdpErrorCode)[keyof typeof NdpErrorCode];

/** The one error class of @ironlb/ndp-responder. Branch on `code`. */
export class NdpError extends Error {
  override readonly name = 'NdpError';
  readonly code: NdpErrorCode;
  readonly details: Readonly<Record<string, unknown>>;

  constructor(
    code: NdpErrorCode,
    message: string,
    details: Record<string, unknown> = {},
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.code = code;
    this.details = details;
  }
}
