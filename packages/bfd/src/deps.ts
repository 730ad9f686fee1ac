// The injected dependencies of the manager (DESIGN.md §3): clock, randomness, logger, metrics
// and the UDP transport. The contracts are @ironlb/clock's; the real transport is
// io/udp-transport.ts (node:dgram plus setsockopt through koffi); the in-memory one for tests is
// in ./testing.
import type { Clock, Logger, Metrics } from '@ironlb/clock';

export type { Clock, Logger, Metrics };

export type AddressFamily = 'ipv4' | 'ipv6';

/** A bound receive socket (one per address family and UDP port). */
export interface BfdListener {
  /** The port actually bound (differs from the requested one only when it was 0). */
  readonly port: number;
  /**
   * Drops, in the kernel, every packet that arrives with a TTL / Hop Limit below `ttl`
   * (a socket filter on the TTL / Hop Limit: RFC 5881 §5, RFC 5883 §2; io/sockopt.ts). Throws BfdError
   * TTL_CHECK_UNAVAILABLE when the platform cannot.
   */
  setMinTtl(ttl: number): void;
  close(): Promise<void>;
}

/** A bound send socket: the source port of RFC 5881 §4 and the TTL of §5. */
export interface BfdSender {
  readonly localPort: number;
  /** Fire and forget; failures go to the `onError` given when it was opened. */
  send(bytes: Uint8Array, address: string, port: number): void;
  close(): Promise<void>;
}

export interface ListenOptions {
  readonly family: AddressFamily;
  /** Local address to bind ('0.0.0.0' / '::' for all). */
  readonly address: string;
  readonly port: number;
}

export interface SenderOptions {
  readonly family: AddressFamily;
  /** Source address to bind; undefined lets the kernel choose per destination. */
  readonly localAddress?: string;
  /** TTL / Hop Limit of every packet sent. */
  readonly ttl: number;
  /** Source port range (inclusive), RFC 5881 §4: 49152–65535. */
  readonly portMin: number;
  readonly portMax: number;
}

/** How the manager reaches the network: node:dgram by default, an in-memory network in tests. */
export interface BfdTransport {
  listen(
    o: ListenOptions,
    onPacket: (bytes: Uint8Array, fromAddress: string, fromPort: number) => void,
    onError: (err: Error) => void,
  ): Promise<BfdListener>;
  /** `onPacket` hears datagrams a stranger sends to the source port (they are not BFD's). */
  sender(
    o: SenderOptions,
    onError: (err: Error) => void,
    onPacket?: (bytes: Uint8Array, fromAddress: string, fromPort: number) => void,
  ): Promise<BfdSender>;
}

/** What createBfdManager takes; every field is optional. */
export interface BfdDeps {
  /** Default: @ironlb/clock's backgroundClock (timers never keep the process alive). */
  readonly clock?: Clock;
  /** Floats in [0, 1) for the transmit jitter and discriminators. Default Math.random. */
  readonly random?: () => number;
  /** Default silentLogger. */
  readonly logger?: Logger;
  /** Default noMetrics. */
  readonly metrics?: Metrics;
  /** Default udpTransport(). */
  readonly transport?: BfdTransport;
}
