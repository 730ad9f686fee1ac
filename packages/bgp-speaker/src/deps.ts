// What the speaker takes as injected dependencies (DESIGN.md §3), in one place: the workspace's
// shared contracts from @ironlb/clock (Clock, Logger, Metrics) and this package's Transport — how
// sessions reach the network (node:net by default, an in-memory network in tests).
import type { Clock, Logger, Metrics } from '@ironlb/clock';

export type { Clock, Logger, Metrics };

export interface SpeakerDeps {
  /** Monotonic time and timers. Default: @ironlb/clock's systemClock. */
  clock?: Clock;
  /** Uniform [0,1) source for connect-retry jitter. Default Math.random. */
  random?: () => number;
  /** Default: silent. A pino logger (or @ironlb/clock/pino's createAppLogger) fits. */
  logger?: Logger;
  /** Counters and gauges (see the README's metrics table). Default: discarded. */
  metrics?: Metrics;
  /** Default: node:net with socket options through FFI (createNetTransport). */
  transport?: Transport;
  /**
   * Link-local address paired with a global IPv6 next hop when the peer is on our subnet
   * (RFC 2545 §3). Default: looked up in os.networkInterfaces(); `() => undefined` disables it.
   */
  linkLocal?: (local: string, peer: string) => string | undefined;
}

/** Socket options a session asks of the transport. */
export interface SocketOptions {
  /** IP TTL / IPv6 hop limit of every packet we send on the session (1..255). */
  ttl?: number;
  /**
   * GTSM (RFC 5082 §3): drop received packets whose TTL / hop limit is below this (IP_MINTTL /
   * IPV6_MINHOPCOUNT), so a spoofer further away cannot reach the session.
   */
  minTtl?: number;
  /** RFC 2385 TCP-MD5 key (at most 80 bytes) for the segments to and from this peer. */
  md5Password?: string;
}

/** A connected byte stream to a peer. */
export interface BgpSocket {
  readonly localAddress: string | undefined;
  readonly localPort: number | undefined;
  readonly remoteAddress: string | undefined;
  readonly remotePort: number | undefined;
  /**
   * Queues bytes. Returns false once the queue has reached the socket's high-water mark: the
   * caller should write no more UPDATEs until onDrain (issue 14: backpressure).
   */
  write(data: Uint8Array): boolean;
  /** Bytes written but not yet handed to the kernel (node:net's writableLength). */
  readonly bufferedBytes: number;
  /** Called when the queue has drained after write() returned false. */
  onDrain(fn: () => void): void;
  /** Flush queued bytes, then close. */
  end(): void;
  onData(fn: (data: Uint8Array) => void): void;
  onClose(fn: (reason: string) => void): void;
  /**
   * Applies TTL / minimum TTL to an established socket (an accepted passive session); false when
   * the transport cannot. Active sessions get their options before the SYN (ConnectOptions).
   */
  setSocketOptions?(o: Pick<SocketOptions, 'ttl' | 'minTtl'>): boolean;
}

export interface ConnectOptions extends SocketOptions {
  host: string;
  port: number;
  localAddress?: string;
  localPort?: number;
}

export interface PendingConnect {
  cancel(): void;
}

export interface Listener {
  readonly address: string;
  readonly port: number;
  close(): Promise<void>;
  /**
   * Sets the TCP-MD5 key connections from `peer` must carry from their SYN on (RFC 2385);
   * `undefined` removes it. Absent when the transport cannot.
   */
  setPeerPassword?(peer: string, password: string | undefined): void;
  /**
   * GTSM on the listening socket (IP_MINTTL / IPV6_MINHOPCOUNT, inherited by accepted sockets):
   * SYNs arriving with a lower TTL are dropped. 0 disables. Absent when the transport cannot.
   */
  setMinTtl?(minTtl: number): void;
}

/** How sessions reach the network; the default is node:net, tests use an in-memory one. */
export interface Transport {
  /**
   * Prepares what socket options need (loads FFI); called once before the first session that
   * asks for any. Rejects when this platform cannot set them.
   */
  enableSocketOptions?(): Promise<void>;
  connect(
    o: ConnectOptions,
    onConnect: (s: BgpSocket) => void,
    onError: (reason: string) => void,
  ): PendingConnect;
  /**
   * `onError` hears errors the listening socket reports after it is up (e.g. EMFILE on accept);
   * the listener keeps running.
   */
  listen(
    o: { host: string; port: number },
    onConnection: (s: BgpSocket) => void,
    onError?: (reason: string) => void,
  ): Promise<Listener>;
}
