/**
 * Failure detection: one probe round per protocol period (SWIM §3.1 with hashicorp state.go
 * probeNode and Lifeguard §4.1 LHA-Probe).
 *
 *   t0            direct ping to the next member in a shuffled round-robin order
 *   t0+timeout    no ack: ping-req through k members (asking for nacks) and a TCP ping, in parallel
 *   t0+interval   still no ack: suspect the target — unless the TCP ping got through
 *
 * Both the timeout and the interval scale with the local health multiplier (Lifeguard LHA-Probe),
 * so a member whose own event loop or link is slow backs off instead of accusing healthy peers.
 */
import type { AckMsg, IndirectPingMsg, NackMsg, PingMsg } from '../codec/messages.js';
import { BOUNDS } from './config.js';
import type { Ctx } from './context.js';
import { nextSeq, packet, pickRandom, sendWithGossip, shuffle, token } from './context.js';
import { scaleByAwareness } from './formulas.js';
import { confirmCandidate } from './members.js';
import { onSuspect } from './rules.js';
import type { Member } from './state.js';

function probeable(m: Member): boolean {
  return m.status === 'alive' || m.status === 'suspect';
}

function nextTarget(c: Ctx): Member | null {
  const s = c.s;
  for (let tries = 0; tries <= s.probeOrder.length; tries++) {
    if (s.probeIndex >= s.probeOrder.length) {
      // End of a sweep: drop members that are gone, reshuffle (SWIM §4.3 round-robin bound).
      s.probeOrder = shuffle(
        c,
        [...s.members.values()].filter(probeable).map((m) => m.name),
      );
      s.probeIndex = 0;
      if (s.probeOrder.length === 0) return null;
    }
    const name = s.probeOrder[s.probeIndex++] as string;
    const m = s.members.get(name);
    if (m !== undefined && probeable(m)) return m;
  }
  return null;
}

export function startProbe(c: Ctx): void {
  const s = c.s;
  const interval = scaleByAwareness(c.o.probeIntervalMs, s.awareness);
  s.nextProbeMs = c.nowMs + interval;
  const target = nextTarget(c);
  if (target === null) return;
  const seq = nextSeq(c);
  s.stats.probes++;
  s.probe = {
    target: target.name,
    seq,
    startMs: c.nowMs,
    ackDeadlineMs: c.nowMs + scaleByAwareness(c.o.probeTimeoutMs, s.awareness),
    endMs: c.nowMs + interval,
    expectedNacks: 0,
    nacks: 0,
    tcpToken: null,
    tcpOk: false,
  };
  const ping: PingMsg = { type: 'ping', seq, target: target.name };
  // Lifeguard buddy system: tell a suspect it is suspected, so it can refute at once.
  const buddy =
    target.status === 'suspect'
      ? [
          {
            type: 'suspect' as const,
            node: target.name,
            incarnation: target.incarnation,
            from: s.self.name,
          },
        ]
      : [];
  sendWithGossip(c, target.addr, [ping, ...buddy]);
}

function beginIndirect(c: Ctx): void {
  const p = c.s.probe;
  if (p === null) return;
  p.ackDeadlineMs = null;
  const target = c.s.members.get(p.target);
  if (target === undefined) {
    c.s.probe = null;
    return;
  }
  const helpers = pickRandom(
    c,
    c.o.indirectChecks,
    (m) => m.status === 'alive' && m.name !== p.target,
  );
  const req: IndirectPingMsg = {
    type: 'indirect-ping',
    seq: p.seq,
    target: target.name,
    targetAddr: target.addr,
    wantNack: true,
  };
  for (const h of helpers) sendWithGossip(c, h.addr, [req]);
  c.s.stats.indirectProbes += helpers.length;
  p.expectedNacks = helpers.length;
  if (!c.o.disableTcpPings) {
    // hashicorp: a TCP ping in parallel catches the case where only UDP is being dropped.
    const t = token(c);
    p.tcpToken = t;
    c.s.streams.set(t, { kind: 'tcp-ping', seq: p.seq });
    c.s.stats.tcpFallbacks++;
    c.out.push({
      type: 'stream-open',
      token: t,
      to: target.addr,
      packet: packet(c, [{ type: 'ping', seq: p.seq, target: target.name }]),
    });
  }
}

function finishProbe(c: Ctx, ok: boolean): void {
  const p = c.s.probe;
  if (p === null) return;
  c.s.probe = null;
  if (p.tcpToken !== null) c.s.streams.delete(p.tcpToken);
  const max = c.o.awarenessMaxMultiplier - 1;
  if (ok) {
    c.s.awareness = Math.max(0, c.s.awareness - 1);
    const target = c.s.members.get(p.target);
    if (target !== undefined) target.confirmed = true;
    return;
  }
  // Lifeguard LHA-Probe: each expected nack that never came suggests *our* link is the problem.
  const delta = p.expectedNacks > 0 ? p.expectedNacks - p.nacks : 1;
  c.s.awareness = Math.min(max, Math.max(0, c.s.awareness + delta));
  if (p.tcpOk) return; // reachable over TCP: do not accuse (hashicorp logs a UDP warning).
  c.s.stats.probeFailures++;
  const target = c.s.members.get(p.target);
  if (target === undefined || (target.status !== 'alive' && target.status !== 'suspect')) return;
  onSuspect(c, {
    type: 'suspect',
    node: target.name,
    incarnation: target.incarnation,
    from: c.s.self.name,
  });
}

/** Advances the probe round to `nowMs`: start it, escalate it, or conclude it. */
export function probeTick(c: Ctx): void {
  const s = c.s;
  if (s.leaving || !s.started) return;
  const p = s.probe;
  if (p !== null) {
    if (p.ackDeadlineMs !== null && c.nowMs >= p.ackDeadlineMs) beginIndirect(c);
    if (s.probe !== null && c.nowMs >= s.probe.endMs) finishProbe(c, false);
  }
  if (s.probe === null && c.nowMs >= s.nextProbeMs) startProbe(c);
}

export function onAck(c: Ctx, a: AckMsg): void {
  const p = c.s.probe;
  if (p !== null && a.seq === p.seq) {
    finishProbe(c, true);
    return;
  }
  const f = c.s.forwards.get(a.seq);
  if (f !== undefined) {
    c.s.forwards.delete(a.seq);
    sendWithGossip(c, f.requester, [{ type: 'ack', seq: f.origSeq }]);
    return;
  }
  confirmCandidate(c, a.seq);
}

export function onNack(c: Ctx, n: NackMsg): void {
  const p = c.s.probe;
  if (p !== null && n.seq === p.seq) p.nacks++;
}

export function onPing(c: Ctx, from: string, ping: PingMsg): void {
  // hashicorp checks the target name so a ping meant for a previous owner of this address
  // (a restarted member with another name) does not count as that member being alive.
  if (ping.target !== '' && ping.target !== c.s.self.name) return;
  if (ping.verify === true) {
    c.s.stats.packetsOut++;
    c.out.push({ type: 'send', to: from, packet: packet(c, [{ type: 'ack', seq: ping.seq }]) });
    return;
  }
  sendWithGossip(c, from, [{ type: 'ack', seq: ping.seq }]);
}

export function onIndirectPing(c: Ctx, from: string, req: IndirectPingMsg): void {
  // Indirect pings in flight on behalf of others, and per packet (a forged packet full of them
  // would make us ping an arbitrary address hundreds of times); beyond the bounds they are ignored.
  if (c.s.forwards.size >= BOUNDS.maxForwards || c.forwardsLeft <= 0) return;
  c.forwardsLeft--;
  const seq = nextSeq(c);
  c.s.forwards.set(seq, {
    requester: from,
    origSeq: req.seq,
    wantNack: req.wantNack,
    deadlineMs: c.nowMs + c.o.probeTimeoutMs,
  });
  sendWithGossip(c, req.targetAddr, [{ type: 'ping', seq, target: req.target }]);
}

/** Forwarded pings that timed out: send the requester a nack (Lifeguard §4.1). */
export function forwardTick(c: Ctx): void {
  for (const [seq, f] of c.s.forwards) {
    if (c.nowMs < f.deadlineMs) continue;
    c.s.forwards.delete(seq);
    if (f.wantNack) sendWithGossip(c, f.requester, [{ type: 'nack', seq: f.origSeq }]);
  }
}

export function onTcpPingResult(c: Ctx, seq: number, ok: boolean): void {
  const p = c.s.probe;
  if (p === null || p.seq !== seq) return;
  if (ok) {
    p.tcpOk = true;
    c.s.stats.tcpFallbackSuccesses++;
    const target = c.s.members.get(p.target);
    if (target !== undefined) target.confirmed = true;
  }
}
