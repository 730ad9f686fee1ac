/**
 * Membership update rules: SWIM §4.2 incarnation ordering and hashicorp state.go aliveNode /
 * suspectNode / deadNode / mergeState, with Lifeguard §4.2 suspicion confirmations, and the bounds
 * of issue 14 (incarnation rule in incarnation.ts, member admission in members.ts).
 *
 *   Alive(i) overrides Suspect(j) and Dead(j) when i is newer than j; Suspect(i) overrides
 *   Alive(j) when i ≥ j; Dead(i) overrides both when i ≥ j (serial order, RFC 1982). Only a
 *   member itself raises its incarnation, to refute or to announce new metadata.
 */
import type { AliveMsg, DeadMsg, NodeStateEntry, SuspectMsg } from '../codec/messages.js';
import { MemberState } from '../codec/messages.js';
import { LIMITS, nodeStateBytes } from '../codec/packet.js';
import type { Ctx } from './context.js';
import { broadcast, emit, liveCount, removeMember, selfAlive, setStatus } from './context.js';
import { effectiveConfirmations, suspicionMinMs, suspicionTimeoutMs } from './formulas.js';
import { serialAtLeast, serialMax, serialNewer, serialNext, tooFarAhead } from './incarnation.js';
import { insertIntoProbeOrder, newMember } from './members.js';
import type { Member } from './state.js';

function sameMeta(a: Member['meta'], b: Member['meta']): boolean {
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  return ka.length === kb.length && ka.every((k) => a[k] === b[k]);
}

/**
 * Someone says we are suspect or dead (or knows a newer incarnation of us): move our incarnation
 * past theirs (mod 2³², so it is always newer) and gossip alive (SWIM §4.2). Lifeguard LHA:
 * needing to refute is a sign our own health is poor, so the awareness score rises (awareness.go,
 * state.go refute).
 */
export function refute(c: Ctx, incarnation: number): void {
  const me = c.s.self;
  if (c.s.leaving) return;
  me.incarnation = serialNext(serialMax(me.incarnation, incarnation));
  me.announced = me.incarnation;
  c.s.stats.refutations++;
  c.s.awareness = Math.min(c.o.awarenessMaxMultiplier - 1, c.s.awareness + 1);
  broadcast(c, selfAlive(c));
}

/** An accusation of ourselves at `incarnation`: refute it, unless stale or not credible. */
function accusedSelf(c: Ctx, incarnation: number): void {
  if (!serialAtLeast(incarnation, c.s.self.incarnation)) return; // stale: others know better
  if (!c.s.fresh && tooFarAhead(incarnation, c.s.self.incarnation)) {
    c.s.stats.rejected.accusationTooFar++;
    return;
  }
  refute(c, incarnation);
}

export function onAlive(c: Ctx, a: AliveMsg): void {
  if (a.node === c.s.self.name) {
    const me = c.s.self;
    // A stale or foreign view of us (e.g. from before a restart): outbid it, at any distance
    // (incarnation.ts rule 3: the others accept any newer alive, so we must stay ahead of it).
    if (
      serialNewer(a.incarnation, me.incarnation) ||
      (a.incarnation === me.incarnation && (a.addr !== me.addr || !sameMeta(a.meta, me.meta)))
    )
      refute(c, a.incarnation);
    return;
  }
  const m = c.s.members.get(a.node);
  if (m === undefined) {
    newMember(c, a);
    return;
  }
  if (!serialNewer(a.incarnation, m.incarnation)) return;
  const prev = m.status;
  if (a.addr !== m.addr && (prev === 'alive' || prev === 'suspect')) {
    // hashicorp aliveNode "conflicting address": a live member keeps its address; only a dead or
    // departed one may come back elsewhere (a node re-addressed while down). Otherwise a forged
    // alive could steer everyone's probes and gossip for that member to another host.
    c.s.stats.rejected.addressConflict++;
    return;
  }
  const changed = m.addr !== a.addr || !sameMeta(m.meta, a.meta);
  m.incarnation = a.incarnation;
  m.announced = a.incarnation;
  m.addr = a.addr;
  m.meta = a.meta;
  if (prev !== 'alive') setStatus(c, m, 'alive');
  c.s.suspicions.delete(a.node);
  broadcast(c, a);
  if (prev === 'dead' || prev === 'left') {
    if (!c.s.probeOrder.includes(a.node)) insertIntoProbeOrder(c, a.node);
    emit(c, 'join', m);
  } else if (prev === 'suspect') {
    emit(c, 'alive', m);
    if (changed) emit(c, 'update', m);
  } else if (changed) {
    emit(c, 'update', m);
  }
}

export function onSuspect(c: Ctx, sm: SuspectMsg): void {
  if (sm.node === c.s.self.name) {
    accusedSelf(c, sm.incarnation);
    return;
  }
  const m = c.s.members.get(sm.node);
  if (m === undefined || !serialAtLeast(sm.incarnation, m.incarnation)) return;
  if (m.status === 'dead' || m.status === 'left') return;
  if (tooFarAhead(sm.incarnation, m.announced)) {
    c.s.stats.rejected.accusationTooFar++;
    return;
  }
  const existing = c.s.suspicions.get(sm.node);
  if (m.status === 'suspect' && existing !== undefined && sm.incarnation === existing.incarnation) {
    // Lifeguard §4.2: an independent accuser shortens the timeout; gossip it on so others count it.
    if (!existing.accusers.has(sm.from)) {
      existing.accusers.add(sm.from);
      c.s.stats.confirmations++;
      const n = existing.accusers.size - 1;
      existing.deadlineMs =
        existing.startMs + suspicionTimeoutMs(n, existing.k, existing.minMs, existing.maxMs);
      broadcast(c, sm);
    }
    return;
  }
  // New suspicion — or a re-suspicion at a newer incarnation (the member refuted and was accused
  // again before we heard the refutation): start the timer afresh for that incarnation.
  const wasSuspect = m.status === 'suspect';
  setStatus(c, m, 'suspect');
  m.incarnation = sm.incarnation;
  const n = liveCount(c.s);
  const minMs = suspicionMinMs(c.o.suspicionMult, n, c.o.probeIntervalMs);
  const maxMs = c.o.suspicionMaxTimeoutMult * minMs;
  const k = effectiveConfirmations(c.o.suspicionConfirmations, n);
  c.s.suspicions.set(sm.node, {
    incarnation: sm.incarnation,
    startMs: c.nowMs,
    minMs,
    maxMs,
    k,
    accusers: new Set([sm.from]),
    deadlineMs: c.nowMs + suspicionTimeoutMs(0, k, minMs, maxMs),
  });
  c.s.stats.suspicionsStarted++;
  broadcast(c, sm);
  if (!wasSuspect) emit(c, 'suspect', m);
}

export function onDead(c: Ctx, d: DeadMsg): void {
  if (d.node === c.s.self.name) {
    // Our own leave echoing back is expected; anything else is an accusation to refute.
    if (!c.s.leaving) accusedSelf(c, d.incarnation);
    return;
  }
  const m = c.s.members.get(d.node);
  if (m === undefined || !serialAtLeast(d.incarnation, m.incarnation)) return;
  if (m.status === 'dead' || m.status === 'left') return;
  if (tooFarAhead(d.incarnation, m.announced)) {
    c.s.stats.rejected.accusationTooFar++;
    return;
  }
  const leaving = d.from === d.node;
  if (!leaving && m.status === 'alive' && d.from !== c.s.self.name) {
    // Deviation from hashicorp deadNode (documented in the README): a death we never saw suspected
    // is most likely the verdict of a member whose own link is bad and who missed the refutation
    // (Lifeguard's motivation). Treat it as that member's suspicion, so the accused gets a
    // suspicion timeout to refute. In a real crash the suspicion has already been gossiped, so
    // this does not slow detection.
    onSuspect(c, { type: 'suspect', node: d.node, incarnation: d.incarnation, from: d.from });
    return;
  }
  setStatus(c, m, leaving ? 'left' : 'dead');
  m.incarnation = d.incarnation;
  c.s.suspicions.delete(d.node);
  broadcast(c, d);
  emit(c, leaving ? 'leave' : 'dead', m);
  // Never heard from directly (issue 14: names from a forged push/pull): nothing to keep it for.
  // The death stays queued for gossip.
  if (!m.confirmed) removeMember(c, d.node, true);
}

/** A suspicion ran out: declare the member dead (SWIM §4.2 Confirm). */
export function expireSuspicion(c: Ctx, node: string): void {
  const sus = c.s.suspicions.get(node);
  c.s.suspicions.delete(node);
  const m = c.s.members.get(node);
  if (sus === undefined || m === undefined || m.status !== 'suspect') return;
  if (m.incarnation !== sus.incarnation) return;
  c.s.stats.deathsDeclared++;
  onDead(c, { type: 'dead', node, incarnation: m.incarnation, from: c.s.self.name });
}

/**
 * Full-state merge after push/pull (state.go mergeState): alive entries are alive messages, left
 * entries are leaves, and a remote "dead" or "suspect" only makes us suspect — we prefer to give
 * the member a chance to refute over trusting a possibly stale view.
 */
export function mergeRemoteState(c: Ctx, nodes: readonly NodeStateEntry[]): void {
  for (const n of nodes) {
    switch (n.state) {
      case MemberState.Alive:
        onAlive(c, {
          type: 'alive',
          node: n.node,
          incarnation: n.incarnation,
          addr: n.addr,
          meta: n.meta,
        });
        break;
      case MemberState.Left:
        onDead(c, { type: 'dead', node: n.node, incarnation: n.incarnation, from: n.node });
        break;
      case MemberState.Dead:
      case MemberState.Suspect:
        onSuspect(c, {
          type: 'suspect',
          node: n.node,
          incarnation: n.incarnation,
          from: c.s.self.name,
        });
        break;
    }
  }
  // Whatever the cluster remembered of a previous life of ours has now been heard and outbid.
  c.s.fresh = false;
}

const STATUS_WIRE = { alive: 0, suspect: 1, dead: 2, left: 3 } as const;

function entry(m: Member, state: MemberState): NodeStateEntry {
  return { node: m.name, incarnation: m.incarnation, addr: m.addr, meta: m.meta, state };
}

/**
 * Our full state for a push/pull, never larger than the receiver's limits (issue 14: a state over
 * the 10,000-entry decode limit was rejected by everyone, forever): ourselves first, then live
 * members, then dead and departed ones, until LIMITS.nodesPerPushPull entries or
 * LIMITS.pushPullBytes bytes. maxMembers keeps the first bound from ever cutting anything.
 */
export function localState(c: Ctx): NodeStateEntry[] {
  const self = entry(c.s.self, c.s.leaving ? MemberState.Left : MemberState.Alive);
  const out: NodeStateEntry[] = [self];
  let bytes = 64 + nodeStateBytes(self);
  for (const live of [true, false]) {
    for (const m of c.s.members.values()) {
      if ((m.status === 'alive' || m.status === 'suspect') !== live) continue;
      const e = entry(m, STATUS_WIRE[m.status]);
      const size = nodeStateBytes(e);
      if (out.length >= LIMITS.nodesPerPushPull || bytes + size > LIMITS.pushPullBytes) return out;
      out.push(e);
      bytes += size;
    }
  }
  return out;
}
