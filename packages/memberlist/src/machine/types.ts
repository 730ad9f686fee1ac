/**
 * Inputs and outputs of the membership state machine (DESIGN.md §3 sans-I/O). Everything is plain
 * data: the io layer (or a simulation) turns actions into datagrams, streams and one timer.
 */
import type { Meta, Packet } from '../codec/messages.js';

export type MemberStatus = 'alive' | 'suspect' | 'dead' | 'left';

export interface MemberInfo {
  name: string;
  /** "host:port" of its UDP and TCP endpoint. */
  addr: string;
  meta: Meta;
  incarnation: number;
  status: MemberStatus;
}

/** Typed membership events. `alive` = a suspicion was refuted; `update` = meta or address changed. */
export type MemberEventType = 'join' | 'update' | 'suspect' | 'alive' | 'dead' | 'leave';

export interface MemberEvent {
  type: MemberEventType;
  member: MemberInfo;
  /** Machine time of the change, ms. */
  atMs: number;
}

export type MachineEvent =
  /** Start probing and gossiping; announces our own alive. */
  | { type: 'start' }
  /** Contact seed addresses with a join push/pull over TCP; `id` comes back in the join-result. */
  | { type: 'join'; seeds: readonly string[]; id?: number }
  /** An authenticated, decoded UDP packet from `from` ("host:port" source address). */
  | { type: 'packet'; from: string; packet: Packet }
  /** A peer opened a stream to us and sent `packet`; answer with a stream-reply carrying `token`. */
  | { type: 'stream-request'; token: number; from: string; packet: Packet }
  /** Outcome of a stream-open we asked for; `packet` null = connect/timeout/auth failure. */
  | { type: 'stream-result'; token: number; packet: Packet | null }
  /** The timer we armed fired (or any time; ticks are idempotent). */
  | { type: 'tick' }
  /** Graceful leave: tell everyone at once, then stop probing. */
  | { type: 'leave' }
  /** Replace our metadata and announce it. */
  | { type: 'set-meta'; meta: Meta };

export type MachineAction =
  | { type: 'send'; to: string; packet: Packet }
  | { type: 'stream-open'; token: number; to: string; packet: Packet }
  | { type: 'stream-reply'; token: number; packet: Packet }
  | { type: 'event'; event: MemberEvent }
  /** Arm the single timer at this machine time (replaces any earlier arming). */
  | { type: 'timer'; atMs: number }
  /** All attempts of join `id` finished: how many seeds answered, which did not. */
  | { type: 'join-result'; id: number; contacted: number; failed: string[] };

/** Counters for metrics and tests. */
export interface MachineStats {
  probes: number;
  probeFailures: number;
  indirectProbes: number;
  tcpFallbacks: number;
  tcpFallbackSuccesses: number;
  refutations: number;
  suspicionsStarted: number;
  confirmations: number;
  deathsDeclared: number;
  packetsIn: number;
  messagesIn: number;
  packetsOut: number;
  pushPulls: number;
  /** Members heard of second hand that answered our verification ping. */
  candidatesConfirmed: number;
  /** ... and that never answered (invented names end here). */
  candidatesExpired: number;
  /** Messages dropped by a bound (README "Reliability"), by reason. */
  rejected: RejectCounts;
}

/** Why a membership message was dropped. */
export interface RejectCounts {
  /** An accusation too far ahead of the accused's own incarnation (machine/incarnation.ts). */
  accusationTooFar: number;
  /** An alive moving a live member to another address (hashicorp "conflicting address"). */
  addressConflict: number;
  /** A new member beyond maxMembers. */
  memberLimit: number;
  /** A new member while MAX_CANDIDATES verifications were already pending. */
  candidateLimit: number;
  /** A new member beyond MAX_NEW_MEMBERS_PER_MESSAGE in one packet or inbound stream. */
  perPacketLimit: number;
}
