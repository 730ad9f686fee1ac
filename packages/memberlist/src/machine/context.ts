/**
 * What every step of the machine works on: state, options, the injected randomness, the current
 * time and the list of actions being produced. Helpers shared by the rule and probe modules.
 */
import type { GossipMsg, Message, Packet } from '../codec/messages.js';
import { WIRE_VERSION } from '../codec/messages.js';
import type { MemberlistOptions } from './config.js';
import { retransmitLimit } from './formulas.js';
import type { Member, MachineState } from './state.js';
import type { MachineAction, MemberEventType, MemberInfo, MemberStatus } from './types.js';

export interface Ctx {
  s: MachineState;
  o: MemberlistOptions;
  nowMs: number;
  /** Uniform in [0, 1). Injected so simulations are reproducible. */
  random: () => number;
  out: MachineAction[];
  /**
   * New members the message being handled may still introduce (BOUNDS.newMembersPerMessage for a
   * packet or an inbound stream; unlimited for the reply to a push/pull we opened).
   */
  newMembers: number;
  /** Indirect pings the message being handled may still ask us to run (BOUNDS.forwardsPerMessage). */
  forwardsLeft: number;
  /**
   * Unknown members in what is being handled are admitted at once (the reply to a push/pull we
   * opened to a seed or member we chose) instead of verified by a ping first.
   */
  trusted: boolean;
}

/** Bytes reserved in a UDP packet for the header and the primary message. */
const PACKET_OVERHEAD_BYTES = 96;

export function info(m: Member): MemberInfo {
  return {
    name: m.name,
    addr: m.addr,
    meta: m.meta,
    incarnation: m.incarnation,
    status: m.status,
  };
}

export function emit(c: Ctx, type: MemberEventType, m: Member): void {
  c.out.push({ type: 'event', event: { type, member: info(m), atMs: c.nowMs } });
}

function isLive(status: MemberStatus): boolean {
  return status === 'alive' || status === 'suspect';
}

/** Members counted for the log(N) formulas: everyone not dead or left, ourselves included. */
export function liveCount(s: MachineState): number {
  return s.live + 1;
}

/** Changes a member's status, keeping the live count (O(1) liveCount) in step. */
export function setStatus(c: Ctx, m: Member, status: MemberStatus): void {
  if (isLive(m.status) !== isLive(status)) c.s.live += isLive(status) ? 1 : -1;
  m.status = status;
  m.sinceMs = c.nowMs;
}

/** Adds a member to the table (not yet to the probe order). */
export function addMember(c: Ctx, m: Member): void {
  c.s.members.set(m.name, m);
  m.slot = c.s.list.length;
  c.s.list.push(m);
  if (isLive(m.status)) c.s.live++;
}

/** Removes a member from the table (and its queued gossip unless `keepGossip`). */
export function removeMember(c: Ctx, name: string, keepGossip = false): void {
  const m = c.s.members.get(name);
  if (m === undefined) return;
  if (isLive(m.status)) c.s.live--;
  c.s.members.delete(name);
  const last = c.s.list.pop() as Member;
  if (last !== m) {
    last.slot = m.slot;
    c.s.list[m.slot] = last;
  }
  m.slot = -1;
  if (!keepGossip) c.s.queue.drop(name);
  c.s.suspicions.delete(name);
}

export function packet(c: Ctx, messages: Message[]): Packet {
  return { version: WIRE_VERSION, from: c.s.self.name, messages };
}

/** Sends `primary` to `to` with as much queued gossip as fits (SWIM §4.1 piggybacking). */
export function sendWithGossip(c: Ctx, to: string, primary: Message[]): void {
  const limit = retransmitLimit(c.o.retransmitMult, liveCount(c.s));
  const gossip = c.s.queue.take(c.o.udpBufferBytes - PACKET_OVERHEAD_BYTES, limit);
  if (primary.length === 0 && gossip.length === 0) return;
  c.s.stats.packetsOut++;
  c.out.push({ type: 'send', to, packet: packet(c, [...primary, ...gossip]) });
}

export function broadcast(c: Ctx, msg: GossipMsg): void {
  c.s.queue.push(msg);
}

export function selfAlive(c: Ctx): GossipMsg {
  const me = c.s.self;
  return {
    type: 'alive',
    node: me.name,
    incarnation: me.incarnation,
    addr: me.addr,
    meta: me.meta,
  };
}

/** Fisher–Yates with the injected randomness. */
export function shuffle<T>(c: Ctx, xs: T[]): T[] {
  for (let i = xs.length - 1; i > 0; i--) {
    const j = Math.floor(c.random() * (i + 1));
    const t = xs[i] as T;
    xs[i] = xs[j] as T;
    xs[j] = t;
  }
  return xs;
}

/**
 * Up to `k` random members passing `pred`. Samples random slots first (O(k) in a large table where
 * most members pass, as for gossip targets); falls back to a scan and a partial Fisher–Yates when
 * the table is small or sampling finds too few.
 */
export function pickRandom(c: Ctx, k: number, pred: (m: Member) => boolean): Member[] {
  const list = c.s.list;
  if (list.length > 4 * k + 16) {
    const out: Member[] = [];
    const seen = new Set<number>();
    for (let tries = 0; tries < 4 * k + 8 && out.length < k; tries++) {
      const i = Math.floor(c.random() * list.length);
      if (seen.has(i)) continue;
      seen.add(i);
      const m = list[i] as Member;
      if (pred(m)) out.push(m);
    }
    if (out.length === k) return out;
  }
  const pool: Member[] = [];
  for (const m of list) if (pred(m)) pool.push(m);
  const n = Math.min(k, pool.length);
  for (let i = 0; i < n; i++) {
    const j = i + Math.floor(c.random() * (pool.length - i));
    const t = pool[i] as Member;
    pool[i] = pool[j] as Member;
    pool[j] = t;
  }
  pool.length = n;
  return pool;
}

export function token(c: Ctx): number {
  const t = c.s.nextToken;
  c.s.nextToken = t >= 0x7fff_ffff ? 1 : t + 1;
  return t;
}

/** Probe sequence numbers wrap explicitly mod 2³² (they only have to be unique in flight). */
export function nextSeq(c: Ctx): number {
  c.s.seq = (c.s.seq + 1) % 2 ** 32;
  return c.s.seq;
}
