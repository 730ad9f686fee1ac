/**
 * Membership update rules: SWIM §4.2 incarnation ordering and hashicorp state.go aliveNode /
 * suspectNode / deadNode / mergeState, with Lifeguard §4.2 suspicion confirmations.
 *
 *   Alive(i) overrides Suspect(j) and Dead(j) when i > j; Suspect(i) overrides Alive(j) when i ≥ j;
 *   Dead(i) overrides both when i ≥ j. Only a member itself raises its incarnation, to refute.
 */
import type { AliveMsg, DeadMsg, NodeStateEntry, SuspectMsg } from '../codec/messages.js';
import { MemberState } from '../codec/messages.js';
import type { Ctx } from './context.js';
import { broadcast, emit, liveCount, selfAlive } from './context.js';
import { effectiveConfirmations, suspicionMinMs, suspicionTimeoutMs } from './formulas.js';
import type { Member } from './state.js';

function sameMeta(a: Member['meta'], b: Member['meta']): boolean {
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  return ka.length === kb.length && ka.every((k) => a[k] === b[k]);
}

/**
 * Someone says we are suspect or dead (or knows a newer incarnation of us): bump our incarnation
 * past theirs and gossip alive (SWIM §4.2). Lifeguard LHA: needing to refute is a sign our own
 * health is poor, so the awareness score rises (awareness.go, state.go refute).
 */
export function refute(c: Ctx, incarnation: number): void {
  const me = c.s.self;
  if (c.s.leaving) return;
  me.incarnation = Math.max(me.incarnation, incarnation) + 1;
  c.s.stats.refutations++;
  c.s.awareness = Math.min(c.o.awarenessMaxMultiplier - 1, c.s.awareness + 1);
  broadcast(c, selfAlive(c));
}

function insertIntoProbeOrder(c: Ctx, name: string): void {
  // hashicorp inserts new members at a random offset so they are probed within one sweep.
  const i = Math.floor(c.random() * (c.s.probeOrder.length + 1));
  c.s.probeOrder.splice(i, 0, name);
}

export function onAlive(c: Ctx, a: AliveMsg): void {
  if (a.node === c.s.self.name) {
    const me = c.s.self;
    // A stale or foreign view of us (e.g. from before a restart): outbid it.
    if (
      a.incarnation > me.incarnation ||
      (a.incarnation === me.incarnation && (a.addr !== me.addr || !sameMeta(a.meta, me.meta)))
    )
      refute(c, a.incarnation);
    return;
  }
  const m = c.s.members.get(a.node);
  if (m === undefined) {
    const fresh: Member = {
      name: a.node,
      addr: a.addr,
      meta: a.meta,
      incarnation: a.incarnation,
      status: 'alive',
      sinceMs: c.nowMs,
    };
    c.s.members.set(a.node, fresh);
    insertIntoProbeOrder(c, a.node);
    broadcast(c, a);
    emit(c, 'join', fresh);
    return;
  }
  if (a.incarnation <= m.incarnation) return;
  const prev = m.status;
  const changed = m.addr !== a.addr || !sameMeta(m.meta, a.meta);
  m.incarnation = a.incarnation;
  m.addr = a.addr;
  m.meta = a.meta;
  if (prev !== 'alive') {
    m.status = 'alive';
    m.sinceMs = c.nowMs;
  }
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
    if (sm.incarnation >= c.s.self.incarnation) refute(c, sm.incarnation);
    return;
  }
  const m = c.s.members.get(sm.node);
  if (m === undefined || sm.incarnation < m.incarnation) return;
  if (m.status === 'dead' || m.status === 'left') return;
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
  m.status = 'suspect';
  m.incarnation = sm.incarnation;
  m.sinceMs = c.nowMs;
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
    if (!c.s.leaving && d.incarnation >= c.s.self.incarnation) refute(c, d.incarnation);
    return;
  }
  const m = c.s.members.get(d.node);
  if (m === undefined || d.incarnation < m.incarnation) return;
  if (m.status === 'dead' || m.status === 'left') return;
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
  m.status = leaving ? 'left' : 'dead';
  m.incarnation = d.incarnation;
  m.sinceMs = c.nowMs;
  c.s.suspicions.delete(d.node);
  broadcast(c, d);
  emit(c, leaving ? 'leave' : 'dead', m);
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
}

const STATUS_WIRE = { alive: 0, suspect: 1, dead: 2, left: 3 } as const;

export function localState(c: Ctx): NodeStateEntry[] {
  const me = c.s.self;
  const out: NodeStateEntry[] = [
    {
      node: me.name,
      incarnation: me.incarnation,
      addr: me.addr,
      meta: me.meta,
      state: c.s.leaving ? MemberState.Left : MemberState.Alive,
    },
  ];
  for (const m of c.s.members.values())
    out.push({
      node: m.name,
      incarnation: m.incarnation,
      addr: m.addr,
      meta: m.meta,
      state: STATUS_WIRE[m.status],
    });
  return out;
}
