/**
 * What @ironlb/memberlist takes from its caller (DESIGN.md §3; the same file name in every IronLB
 * package): a transport, and the shared contracts of @ironlb/clock — a monotonic Clock with timers,
 * a Logger and Metrics — plus a random source and an optional keyring. Real implementations:
 * createNetTransport (io/net-transport.ts) and @ironlb/clock's backgroundClock, silentLogger,
 * noMetrics; fakes: InMemoryNetwork and ManualClock under `@ironlb/memberlist/testing`.
 */
import type { Clock, Logger, Metrics } from '@ironlb/clock';
import type { Keyring } from './codec/crypto.js';
import type { StreamGuard } from './codec/stream.js';

/** Answers an inbound stream: one reply frame, or null to close it without one. */
export type StreamReply = (bytes: Uint8Array | null) => void;

/** Why a transport dropped an inbound stream (README "Reliability"). */
export type StreamDropReason =
  | 'too-many-streams'
  | 'too-many-from-source'
  | 'buffer-limit'
  | 'deadline'
  | 'too-large'
  | 'unauthenticated';

/** What a transport holds for inbound streams right now, and what it dropped so far. */
export interface TransportStats {
  /** Inbound streams open now. */
  inboundStreams: number;
  /** Bytes held for inbound frames not yet complete, all streams together. */
  bufferedBytes: number;
  /** Highest bufferedBytes seen. */
  peakBufferedBytes: number;
  /** Inbound streams dropped, by reason. */
  dropped: Record<StreamDropReason, number>;
}

/** UDP datagrams plus one-request/one-reply streams, on one address (memberlist's convention). */
export interface Transport {
  /** "host:port" this transport is bound to (UDP and TCP). */
  readonly localAddr: string;
  /** Fire-and-forget datagram. Errors are swallowed (UDP semantics). */
  sendPacket(to: string, bytes: Uint8Array): void;
  /**
   * Opens a stream to `to`, sends one message, and calls `done` once with the reply, or null on
   * refusal, reset or after `timeoutMs`.
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
  /**
   * Authenticate every stream's header before buffering its body (codec/stream.ts); set by
   * createMemberlist when it has a keyring. Optional: a transport that delivers whole messages
   * (the in-memory one) does not need it.
   */
  setStreamGuard?(guard: StreamGuard | null): void;
  /** Stream bounds bookkeeping (optional). */
  stats?(): TransportStats;
  close(): Promise<void>;
}

export interface MemberlistDeps {
  /** createNetTransport(...) in production, InMemoryNetwork#createTransport in tests. Required. */
  transport: Transport;
  /** Default: @ironlb/clock's backgroundClock (monotonic; unref'd timers). */
  clock?: Clock;
  /** Uniform in [0, 1). Default: Math.random. */
  random?: () => number;
  /** Default: silentLogger. */
  logger?: Logger;
  /** Default: noMetrics. The `memberlist_*` series are listed in the README. */
  metrics?: Metrics;
  /**
   * AES-256-GCM keyring. null/absent = plaintext (as MetalLB without a secret; a warning is
   * logged). The same object may be mutated at run time to rotate keys.
   */
  keyring?: Keyring | null;
}

export interface NetTransportDeps {
  /** Stream deadlines and connect timeouts. Default: @ironlb/clock's backgroundClock. */
  clock?: Clock;
  /** Default: silentLogger. */
  logger?: Logger;
  /** Default: noMetrics (memberlist_streams_dropped_total, memberlist_stream_buffered_bytes). */
  metrics?: Metrics;
}
