/** Codes of {@link ArpError}. Append-only. */
export const ArpErrorCode = {
  /** Input shorter than the header it claims to be. */
  Truncated: 'TRUNCATED',
  /** A well-formed ARP packet of a kind we do not handle (not Ethernet/IPv4, unknown op). */
  Unsupported: 'UNSUPPORTED',
  /** Not an ARP frame at all (other EtherType). */
  NotArp: 'NOT_ARP',
  /** An address given by the caller is not an IPv4 address. */
  InvalidAddress: 'INVALID_ADDRESS',
} as const;
export type ArpErrorCode = (typeof ArpErrorCode)[keyof typeof ArpErrorCode];

/** The one error class of @ironlb/arp-responder. Branch on `code`. */
export class ArpError extends Error {
  override readonly name = 'ArpError';
  readonly code: ArpErrorCode;
  readonly details: Readonly<Record<string, unknown>>;

  constructor(
    code: ArpErrorCode,
    message: string,
    details: Record<string, unknown> = {},
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.code = code;
    this.details = details;
  }
}
