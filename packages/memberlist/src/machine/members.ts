/**
 * Admission of new members (issue 14, "fake-member flood"). A name we have never seen is only
 * taken into the member table when it is trustworthy:
 *
 * - in the reply to a push/pull we opened (to a seed the application gave us, or to a member we
 *   chose): admitted at once, so a joining member learns the whole cluster in one exchange;
 * - anything else (gossip in a UDP packet, the state an inbound push/pull carries, even the
 *   sender's own alive): a candidate. We ping the name at its address with an unpredictable
 *   sequence number; it becomes a member (join event, gossiped on) when it acks, and is forgotten
 *   when it does not within one probe interval. Invented names never reach the table, the probe
 *   order, the gossip queue or the application.
 *
 * Bounds: maxMembers members + candidates, BOUNDS.maxCandidates pending verifications, and
 * BOUNDS.newMembersPerMessage new names per packet or inbound stream; past them a new name is
 * dropped (counted in stats.rejected) — it comes back with the next gossip or push/pull.
 */
import type { AliveMsg } from '../codec/messages.js';
import { BOUNDS } from './config.js';
import type { Ctx } from './context.js';
import { addMember, broadcast, emit, packet } from './context.js';
import type { Member } from './state.js';

export function insertIntoProbeOrder(c: Ctx, name: string): void {
  // hashicorp inserts new members at a random offset so they are probed within one sweep; a swap
  // with a random slot gives the same spread in O(1).
  const order = c.s.probeOrder;
  const i = Math.floor(c.random() * (order.length + 1));
  order.push(name);
  const last = order.length - 1;
  order[last] = order[i] as string;
  order[i] = name;
}

function admit(c: Ctx, a: AliveMsg, confirmed: boolean): void {
  const m: Member = {
    name: a.node,
    addr: a.addr,
    meta: a.meta,
    incarnation: a.incarnation,
    status: 'alive',
    sinceMs: c.nowMs,
    announced: a.incarnation,
    confirmed,
    slot: -1,
  };
  addMember(c, m);
  insertIntoProbeOrder(c, a.node);
  broadcast(c, a);
  emit(c, 'join', m);
}

/** An alive about a name not in the table. */
export function newMember(c: Ctx, a: AliveMsg): void {
  const s = c.s;
  const pending = s.candidates.get(a.node);
  if (pending !== undefined && !c.trusted) return; // verification already under way
  if (s.members.size + s.candidates.size - (pending ? 1 : 0) >= c.o.maxMembers) {
    s.stats.rejected.memberLimit++;
    return;
  }
  if (c.trusted) {
    if (pending !== undefined) {
      s.candidates.delete(a.node);
      s.candidateSeqs.delete(pending.seq);
    }
    admit(c, a, false);
    return;
  }
  if (c.newMembers <= 0) {
    s.stats.rejected.perPacketLimit++;
    return;
  }
  if (s.candidates.size >= BOUNDS.maxCandidates) {
    s.stats.rejected.candidateLimit++;
    return;
  }
  c.newMembers--;
  // Unpredictable, so a forger cannot ack for a name it does not answer for.
  let seq = Math.floor(c.random() * 2 ** 32);
  while (s.candidateSeqs.has(seq)) seq = (seq + 1) % 2 ** 32;
  s.candidates.set(a.node, { alive: a, seq, deadlineMs: c.nowMs + c.o.probeIntervalMs });
  s.candidateSeqs.set(seq, a.node);
  s.stats.packetsOut++;
  // A bare ping (no piggybacked gossip: the address is not known to be a member yet), flagged so
  // the answer is bare too — a newcomer verified by the whole cluster at once would otherwise
  // spend its gossip on these acks instead of its regular rounds.
  c.out.push({
    type: 'send',
    to: a.addr,
    packet: packet(c, [{ type: 'ping', seq, target: a.node, verify: true }]),
  });
}

/** An ack that answers a verification ping: the candidate becomes a member. */
export function confirmCandidate(c: Ctx, seq: number): boolean {
  const name = c.s.candidateSeqs.get(seq);
  if (name === undefined) return false;
  const cand = c.s.candidates.get(name);
  c.s.candidateSeqs.delete(seq);
  c.s.candidates.delete(name);
  if (cand === undefined) return true;
  c.s.stats.candidatesConfirmed++;
  const known = c.s.members.get(name);
  if (known !== undefined) {
    known.confirmed = true;
    return true;
  }
  admit(c, cand.alive, true);
  return true;
}

/** Forgets candidates that did not answer in time (insertion order = deadline order). */
export function expireCandidates(c: Ctx): void {
  for (const [name, cand] of c.s.candidates) {
    if (c.nowMs < cand.deadlineMs) break;
    c.s.candidates.delete(name);
    c.s.candidateSeqs.delete(cand.seq);
    c.s.stats.candidatesExpired++;
  }
}

/** Earliest candidate deadline, Infinity if none. */
export function nextCandidateDeadline(c: { s: Ctx['s'] }): number {
  for (const cand of c.s.candidates.values()) return cand.deadlineMs;
  return Infinity;
}
