/**
 * The machine's state: plain data, no I/O. Deadlines are absolute machine times (ms).
 */
import type { AliveMsg, Meta } from '../codec/messages.js';
import { BroadcastQueue } from './broadcasts.js';
import type { MachineStats, MemberStatus } from './types.js';

export interface Member {
  name: string;
  addr: string;
  meta: Meta;
  incarnation: number;
  status: MemberStatus;
  /** When status last changed, ms (for gossip-to-the-dead and reaping). */
  sinceMs: number;
  /**
   * Newest incarnation seen in an alive of this member: accusations may run at most
   * MAX_ACCUSATION_LEAD ahead of it (machine/incarnation.ts rule 2).
   */
  announced: number;
  /**
   * It has answered us (an ack, a TCP ping, a push/pull reply): not just hearsay. A member that
   * dies without ever having answered is removed at once instead of kept as dead (issue 14).
   */
  confirmed: boolean;
  /** Position in MachineState.list (O(1) random sampling). */
  slot: number;
}

/**
 * A member we heard of from someone else and have pinged, but that has not answered yet (issue 14:
 * invented names must never reach the member table). Promoted on the ack, dropped at the deadline.
 */
export interface Candidate {
  alive: AliveMsg;
  seq: number;
  deadlineMs: number;
}

/** A running Lifeguard suspicion (suspicion.go). */
export interface Suspicion {
  incarnation: number;
  startMs: number;
  minMs: number;
  maxMs: number;
  /** Confirmations wanted to reach minMs (0 = timer is minMs from the start). */
  k: number;
  /** Members that suspected independently, the first accuser included. */
  accusers: Set<string>;
  deadlineMs: number;
}

/** The probe round in flight (state.go probeNode). */
export interface ProbeRound {
  target: string;
  seq: number;
  startMs: number;
  /** Direct-ack deadline; null once the indirect phase has begun. */
  ackDeadlineMs: number | null;
  endMs: number;
  expectedNacks: number;
  nacks: number;
  tcpToken: number | null;
  tcpOk: boolean;
}

/** An indirect ping we run on behalf of a requester (SWIM ping-req). */
export interface Forward {
  requester: string;
  origSeq: number;
  wantNack: boolean;
  deadlineMs: number;
}

export type StreamPurpose =
  | { kind: 'join'; seed: string; id: number }
  | { kind: 'push-pull'; peer: string }
  | { kind: 'reconnect'; peer: string }
  | { kind: 'tcp-ping'; seq: number };

export interface MachineState {
  self: Member;
  members: Map<string, Member>;
  /** The same members in an array, for picking random ones without scanning the table. */
  list: Member[];
  /** Members alive or suspect (ourselves not included), kept up to date by setStatus. */
  live: number;
  /** Unverified members by name, and their ping sequence numbers. */
  candidates: Map<string, Candidate>;
  candidateSeqs: Map<number, string>;
  /**
   * No push/pull merged since start: accusations of ourselves may be any distance ahead (the
   * cluster may remember a previous life of ours; machine/incarnation.ts rule 2).
   */
  fresh: boolean;
  started: boolean;
  leaving: boolean;
  probeOrder: string[];
  probeIndex: number;
  probe: ProbeRound | null;
  nextProbeMs: number;
  nextGossipMs: number;
  nextPushPullMs: number;
  nextReapMs: number;
  nextReconnectMs: number;
  seq: number;
  forwards: Map<number, Forward>;
  suspicions: Map<string, Suspicion>;
  /** Lifeguard local health multiplier, 0..awarenessMaxMultiplier−1. */
  awareness: number;
  queue: BroadcastQueue;
  nextToken: number;
  streams: Map<number, StreamPurpose>;
  /** Joins in progress by id: attempts still open, seeds that answered, seeds that did not. */
  joins: Map<number, { pending: number; ok: number; failed: string[] }>;
  stats: MachineStats;
}

export function initialState(name: string, addr: string, meta: Meta, nowMs: number): MachineState {
  return {
    self: {
      name,
      addr,
      meta,
      incarnation: 0,
      status: 'alive',
      sinceMs: nowMs,
      announced: 0,
      confirmed: true,
      slot: -1,
    },
    members: new Map(),
    list: [],
    live: 0,
    candidates: new Map(),
    candidateSeqs: new Map(),
    fresh: true,
    started: false,
    leaving: false,
    probeOrder: [],
    probeIndex: 0,
    probe: null,
    nextProbeMs: Infinity,
    nextGossipMs: Infinity,
    nextPushPullMs: Infinity,
    nextReapMs: Infinity,
    nextReconnectMs: Infinity,
    seq: 0,
    forwards: new Map(),
    suspicions: new Map(),
    awareness: 0,
    queue: new BroadcastQueue(),
    nextToken: 1,
    streams: new Map(),
    joins: new Map(),
    stats: {
      probes: 0,
      probeFailures: 0,
      indirectProbes: 0,
      tcpFallbacks: 0,
      tcpFallbackSuccesses: 0,
      refutations: 0,
      suspicionsStarted: 0,
      confirmations: 0,
      deathsDeclared: 0,
      packetsIn: 0,
      messagesIn: 0,
      packetsOut: 0,
      pushPulls: 0,
      candidatesConfirmed: 0,
      candidatesExpired: 0,
      rejected: {
        accusationTooFar: 0,
        addressConflict: 0,
        memberLimit: 0,
        candidateLimit: 0,
        perPacketLimit: 0,
      },
    },
  };
}
