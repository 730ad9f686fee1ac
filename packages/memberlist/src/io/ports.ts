/**
 * The seams between the sans-I/O core and the world: a clock, a transport, a logger. Real
 * implementations live in this folder; fakes in src/testing (exported as "./testing").
 */
import type { Clock, TimerHandle } from '@ironlb/clock';

// The Clock interface is the workspace's shared one; systemClock below keeps this package's timer
// policy (unref'd timers).
export type { Clock, TimerHandle };

/** One request frame out, at most one reply frame back (join, push/pull, TCP ping). */
export type StreamReply = (bytes: Uint8Array | null) => void;

export interface Transport {
  /** "host:port" this transport is bound to (UDP and TCP). */
  readonly localAddr: string;
  /** Fire-and-forget datagram. Errors are swallowed (UDP semantics) and counted by the caller. */
  sendPacket(to: string, bytes: Uint8Array): void;
  /**
   * Opens a stream to `to`, sends one frame, and calls `done` once with the first reply frame, or
   * null on refusal, reset or after `timeoutMs`.
   */
  openStream(
    to: string,
    bytes: Uint8Array,
    timeoutMs: number,
    done: (reply: Uint8Array | null) => void,
  ): void;
  /** Registers the datagram handler (one). */
  onPacket(handler: (from: string, bytes: Uint8Array) => void): void;
  /** Registers the inbound-stream handler (one); the handler must call `reply` exactly once. */
  onStream(handler: (from: string, bytes: Uint8Array, reply: StreamReply) => void): void;
  close(): Promise<void>;
}

/** pino-compatible subset. */
export interface Logger {
  debug(obj: object, msg?: string): void;
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

export const silentLogger: Logger = {
  debug() {},
  info() {},
  warn() {},
  error() {},
};

/** Real time: performance.now() is monotonic, unlike Date.now(). */
export const systemClock: Clock = {
  now: () => performance.now(),
  setTimeout: (fn, delayMs) => {
    const t = setTimeout(fn, Math.max(0, delayMs));
    t.unref?.();
    return t;
  },
  clearTimeout: (h) => clearTimeout(h as ReturnType<typeof setTimeout>),
};

/**
 * Counter sink (e.g. an adapter to prom-client). Names are stable: `bytes_in`, `bytes_out`,
 * `packets_in`, `packets_out`, `auth_failures`, `decode_errors`, `member_events` (label `type`).
 */
export interface Metrics {
  count(name: string, delta: number, labels?: Readonly<Record<string, string>>): void;
}

export const noMetrics: Metrics = { count() {} };
