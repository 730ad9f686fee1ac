/**
 * What every step of the machine works on: state, options, the injected randomness, the current
 * time and the list of actions being produced. Helpers shared by the rule and probe modules.
 */
import type { GossipMsg, Message, Packet } from '../codec/messages.js';
import { WIRE_VERSION } from '../codec/messages.js';
import type { MemberlistOptions } from './config.js';
import { retransmitLimit } from './formulas.js';
import type { Member, MachineState } from './state.js';
import type { MachineAction, MemberEventType, MemberInfo } from './types.js';

export interface Ctx {
  s: MachineState;
  o: MemberlistOptions;
  nowMs: number;
  /** Uniform in [0, 1). Injected so simulations are reproducible. */
  random: () => number;
  out: MachineAction[];
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

/** Members counted for the log(N) formulas: everyone not dead or left, ourselves included. */
export function liveCount(s: MachineState): number {
  let n = 1;
  for (const m of s.members.values()) if (m.status === 'alive' || m.status === 'suspect') n++;
  return n;
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

/** Up to `k` random members passing `pred`. */
export function pickRandom(c: Ctx, k: number, pred: (m: Member) => boolean): Member[] {
  const pool = [...c.s.members.values()].filter(pred);
  return shuffle(c, pool).slice(0, k);
}

export function token(c: Ctx): number {
  const t = c.s.nextToken;
  c.s.nextToken = t >= 0x7fff_ffff ? 1 : t + 1;
  return t;
}

export function nextSeq(c: Ctx): number {
  c.s.seq = (c.s.seq + 1) >>> 0;
  return c.s.seq;
}
