// Injected dependencies (DESIGN.md §3): clock, randomness, logger, metrics and the transport.
// Real implementations here; fakes in src/testing/. The Clock interface (monotonic milliseconds
// plus timers) is the workspace's shared one; systemClock stays here, with this package's timer
// policy (timers are not unref'd).
import type { Clock } from '@ironlb/clock';

export type { Clock };

/** The subset of pino's API we call. */
export interface Logger {
  debug(obj: object, msg?: string): void;
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

/** Counter sink; names are stable (`bgp_updates_sent_total`, ...), labels carry the peer. */
export interface Metrics {
  inc(name: string, labels: Record<string, string>, value?: number): void;
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
  /** Sets the IP TTL / IPv6 hop limit of outgoing packets; false when the transport cannot. */
  setTtl?(ttl: number): boolean;
}

export interface ConnectOptions {
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
}

/** How sessions reach the network; the default is node:net, tests use an in-memory one. */
export interface Transport {
  /** Prepares what setTtl needs (e.g. loads FFI); called once before the first session with a TTL. */
  enableTtl?(): Promise<void>;
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

export const systemClock: Clock = {
  now: () => performance.now(),
  setTimeout: (fn, ms) => setTimeout(fn, Math.max(0, ms)),
  clearTimeout: (h) => clearTimeout(h as ReturnType<typeof setTimeout>),
};

export const silentLogger: Logger = {
  debug: () => {},
  info: () => {},
  warn: () => {},
  error: () => {},
};

export const noMetrics: Metrics = { inc: () => {} };
