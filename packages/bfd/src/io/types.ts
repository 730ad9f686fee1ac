// The manager's public types (options, keys, the BfdManager interface) and its internal session
// records, shared by manager.ts, sockets.ts and status.ts.
import type { TimerHandle } from '@ironlb/clock';
import type { BfdListener, BfdSender } from '../deps.js';
import { DropReason } from '../errors.js';
import type { ResolvedSessionOptions, SessionOptions } from '../machine/options.js';
import type { SessionState } from '../machine/types.js';
import type { BfdEvent, BfdSessionStatus, BfdStats } from './events.js';

/** Reasons a datagram is dropped before or at session lookup, beyond the codec's. Append-only. */
export const LookupDropReason = {
  /** The A bit is set: authentication is not supported (RFC 5880 §6.8.6, README). */
  AuthUnsupported: 'auth-unsupported',
  /** Your Discriminator names no session of ours (or one on another port). */
  UnknownDiscriminator: 'unknown-discriminator',
  /** Your Discriminator is ours, but the packet comes from another address. */
  AddressMismatch: 'address-mismatch',
  /** Your Discriminator is 0 and no session has that peer address on that port. */
  UnknownSource: 'unknown-source',
  /** Sent to one of our source ports instead of 3784 / 4784. */
  WrongPort: 'wrong-port',
} as const;

export const ALL_DROP_REASONS: readonly string[] = [
  ...Object.values(DropReason),
  ...Object.values(LookupDropReason),
];

export interface BfdManagerOptions {
  /** Hard cap on sessions (a config mistake or a bug must not open thousands). Default 1000. */
  readonly maxSessions?: number;
  /** UDP port of single-hop Control packets, ours and the peers' (RFC 5881). Default 3784. */
  readonly singleHopPort?: number;
  /** UDP port of multi-hop Control packets (RFC 5883). Default 4784. */
  readonly multiHopPort?: number;
  /** Address the IPv4 receive sockets bind. Default '0.0.0.0'. */
  readonly listenAddressIpv4?: string;
  /** Address the IPv6 receive sockets bind. Default '::'. */
  readonly listenAddressIpv6?: string;
  /**
   * Refuse to run a session whose receive socket cannot get the kernel TTL check (RFC 5881 §5).
   * false degrades to a warning, for platforms without FFI. Default true.
   */
  readonly requireTtlCheck?: boolean;
  /**
   * TTL / Hop Limit of every packet sent. RFC 5881 §5 and RFC 5883 want 255; another value is
   * for tests that prove the receive check (a peer at 254 is ignored). Default 255.
   */
  readonly sendTtl?: number;
}

/** Identifies a session: the peer address plus single- or multi-hop. */
export interface SessionKey {
  readonly peerAddress: string;
  /** Default false. */
  readonly multihop?: boolean;
}

export interface BfdManager {
  /**
   * Starts a session (opening the shared sockets it needs on first use) and returns its status.
   * Throws BfdError INVALID_OPTION, UNSUPPORTED, DUPLICATE_SESSION, TOO_MANY_SESSIONS,
   * SOCKET_ERROR, TTL_CHECK_UNAVAILABLE or CLOSED.
   */
  addSession(o: SessionOptions): Promise<BfdSessionStatus>;
  /**
   * Sends AdminDown to the peer once (so it goes down without blaming the path, RFC 5882 §3.2)
   * and forgets the session. Throws UNKNOWN_SESSION.
   */
  removeSession(key: SessionKey): void;
  /** RFC 5880 §6.8.16: AdminDown (diag administratively-down) until adminUp. */
  adminDown(key: SessionKey): void;
  adminUp(key: SessionKey): void;
  /** Changes timers of a running session (a changed BFD profile); a Poll Sequence carries them. */
  updateTimers(
    key: SessionKey,
    t: { receiveIntervalMs?: number; transmitIntervalMs?: number; detectMultiplier?: number },
  ): void;
  session(key: SessionKey): BfdSessionStatus | undefined;
  sessions(): BfdSessionStatus[];
  stats(): BfdStats;
  /** Subscribes to events; returns the unsubscribe function. */
  onEvent(fn: (e: BfdEvent) => void): () => void;
  /** Removes every session (AdminDown to each peer) and closes the sockets. Idempotent. */
  close(): Promise<void>;
}

/** A shared receive socket and the sessions it serves, by peer address. */
export interface ListenerEntry {
  readonly listener: BfdListener;
  readonly byAddress: Map<string, Entry>;
  readonly multihop: boolean;
  minTtl: number;
}

export interface SenderEntry {
  readonly sender: BfdSender;
}

/** One session as the manager holds it. */
export interface Entry {
  readonly key: string;
  readonly opts: ResolvedSessionOptions;
  state: SessionState;
  readonly listener: ListenerEntry;
  readonly sender: SenderEntry;
  readonly labels: { readonly peer: string };
  readonly destPort: number;
  timer: TimerHandle | null;
  timerAt: number | null;
  packetsIn: number;
  packetsOut: number;
  upEvents: number;
  downEvents: number;
}

export function keyOf(peer: string, multihop: boolean): string {
  return `${multihop ? 'mh' : 'sh'}|${peer}`;
}
