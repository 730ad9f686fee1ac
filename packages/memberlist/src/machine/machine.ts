/**
 * The membership state machine (DESIGN.md §3 sans-I/O): `handle(event, nowMs) → actions`.
 * No sockets, no timers, no clock, no Math.random — time and randomness come in, actions go out,
 * so a simulation on a manual clock replays identically from a seed.
 */
import type { Message, Meta, Packet } from '../codec/messages.js';
import { metaBytes, LIMITS } from '../codec/packet.js';
import { MemberlistError, MemberlistErrorCode } from '../errors.js';
import { BOUNDS } from './config.js';
import type { MemberlistOptions } from './config.js';
import type { Ctx } from './context.js';
import {
  info,
  liveCount,
  packet,
  pickRandom,
  removeMember,
  selfAlive,
  sendWithGossip,
  token,
} from './context.js';
import { pushPullScaleMs } from './formulas.js';
import { serialNext } from './incarnation.js';
import { expireCandidates, nextCandidateDeadline } from './members.js';
import {
  forwardTick,
  onAck,
  onIndirectPing,
  onNack,
  onPing,
  onTcpPingResult,
  probeTick,
} from './probe.js';
import {
  expireSuspicion,
  localState,
  mergeRemoteState,
  onAlive,
  onDead,
  onSuspect,
} from './rules.js';
import { initialState } from './state.js';
import type { MachineState } from './state.js';
import type { MachineAction, MachineEvent, MachineStats, MemberInfo } from './types.js';

export interface MachineDeps {
  /** Uniform random in [0, 1). */
  random: () => number;
}

export interface MachineIdentity {
  /** Unique member name (MetalLB uses the node name). */
  name: string;
  /** "host:port" others reach us at (UDP and TCP). */
  addr: string;
  meta?: Meta;
}

function checkMeta(meta: Meta): void {
  const bytes = metaBytes(meta);
  if (bytes > LIMITS.metaBytes)
    throw new MemberlistError(MemberlistErrorCode.MetaTooLarge, 'metadata too large', {
      bytes,
      max: LIMITS.metaBytes,
    });
}

export class MembershipMachine {
  readonly state: MachineState;
  private readonly options: MemberlistOptions;
  private readonly random: () => number;

  constructor(deps: MachineDeps, identity: MachineIdentity, options: MemberlistOptions, nowMs = 0) {
    const meta = identity.meta ?? {};
    checkMeta(meta);
    if (identity.name.length === 0 || identity.name.length > LIMITS.nameChars)
      throw new MemberlistError(MemberlistErrorCode.InvalidOption, 'bad member name', {
        name: identity.name,
      });
    this.options = options;
    this.random = deps.random;
    this.state = initialState(identity.name, identity.addr, { ...meta }, nowMs);
  }

  get name(): string {
    return this.state.self.name;
  }

  /** Other members as we see them now (dead and left ones until they are reaped). */
  members(): MemberInfo[] {
    return [...this.state.members.values()].map(info);
  }

  stats(): Readonly<MachineStats> {
    return this.state.stats;
  }

  /** Lifeguard local health multiplier (0 = healthy). */
  awareness(): number {
    return this.state.awareness;
  }

  /** Members heard of second hand whose verification ping is pending (README "Reliability"). */
  candidates(): number {
    return this.state.candidates.size;
  }

  handle(event: MachineEvent, nowMs: number): MachineAction[] {
    const c: Ctx = {
      s: this.state,
      o: this.options,
      nowMs,
      random: this.random,
      out: [],
      newMembers: BOUNDS.newMembersPerMessage,
      forwardsLeft: BOUNDS.forwardsPerMessage,
      trusted: false,
    };
    switch (event.type) {
      case 'start':
        this.start(c);
        break;
      case 'join':
        this.join(c, event.seeds, event.id ?? 0);
        break;
      case 'packet':
        this.onPacket(c, event.from, event.packet);
        break;
      case 'stream-request':
        this.onStreamRequest(c, event.token, event.packet);
        break;
      case 'stream-result':
        this.onStreamResult(c, event.token, event.packet);
        break;
      case 'tick':
        break;
      case 'leave':
        this.leave(c);
        break;
      case 'set-meta':
        checkMeta(event.meta);
        c.s.self.meta = { ...event.meta };
        c.s.self.incarnation = serialNext(c.s.self.incarnation);
        c.s.self.announced = c.s.self.incarnation;
        c.s.queue.push(selfAlive(c));
        break;
    }
    this.tick(c);
    c.out.push({ type: 'timer', atMs: this.nextDeadline() });
    return c.out;
  }

  /** Earliest time anything is due; Infinity when idle. */
  nextDeadline(): number {
    const s = this.state;
    let t = Math.min(
      s.nextProbeMs,
      s.nextGossipMs,
      s.nextPushPullMs,
      s.nextReapMs,
      s.nextReconnectMs,
      nextCandidateDeadline({ s }),
    );
    if (s.probe !== null) t = Math.min(t, s.probe.ackDeadlineMs ?? s.probe.endMs, s.probe.endMs);
    for (const sus of s.suspicions.values()) t = Math.min(t, sus.deadlineMs);
    for (const f of s.forwards.values()) t = Math.min(t, f.deadlineMs);
    return t;
  }

  private start(c: Ctx): void {
    const s = c.s;
    if (s.started) return;
    s.started = true;
    // Spread the first rounds so members started together do not probe in lock-step.
    s.nextProbeMs = c.nowMs + Math.floor(c.random() * c.o.probeIntervalMs);
    s.nextGossipMs = c.nowMs + Math.floor(c.random() * c.o.gossipIntervalMs);
    s.nextPushPullMs = c.nowMs + c.o.pushPullIntervalMs;
    s.nextReapMs = c.nowMs + c.o.gossipToTheDeadTimeMs;
    if (c.o.reconnectIntervalMs > 0) s.nextReconnectMs = c.nowMs + c.o.reconnectIntervalMs;
    s.queue.push(selfAlive(c));
  }

  private join(c: Ctx, seeds: readonly string[], id: number): void {
    const targets = seeds.filter((a) => a !== c.s.self.addr);
    if (targets.length === 0 || c.s.joins.has(id)) {
      c.out.push({ type: 'join-result', id, contacted: 0, failed: [] });
      return;
    }
    c.s.joins.set(id, { pending: targets.length, ok: 0, failed: [] });
    for (const seed of targets) this.openPushPull(c, seed, true, { kind: 'join', seed, id });
  }

  private openPushPull(
    c: Ctx,
    to: string,
    join: boolean,
    purpose:
      | { kind: 'join'; seed: string; id: number }
      | { kind: 'push-pull'; peer: string }
      | { kind: 'reconnect'; peer: string },
  ): void {
    const t = token(c);
    c.s.streams.set(t, purpose);
    c.s.stats.pushPulls++;
    c.out.push({
      type: 'stream-open',
      token: t,
      to,
      packet: packet(c, [{ type: 'push-pull', join, nodes: localState(c) }]),
    });
  }

  private onPacket(c: Ctx, from: string, p: Packet): void {
    c.s.stats.packetsIn++;
    for (const m of p.messages) {
      c.s.stats.messagesIn++;
      this.onMessage(c, from, m);
    }
  }

  private onMessage(c: Ctx, from: string, m: Message): void {
    switch (m.type) {
      case 'ping':
        onPing(c, from, m);
        break;
      case 'indirect-ping':
        onIndirectPing(c, from, m);
        break;
      case 'ack':
        onAck(c, m);
        break;
      case 'nack':
        onNack(c, m);
        break;
      case 'alive':
        onAlive(c, m);
        break;
      case 'suspect':
        onSuspect(c, m);
        break;
      case 'dead':
        onDead(c, m);
        break;
      case 'push-pull':
        // Full state only travels over streams; a datagram carrying it is ignored.
        break;
    }
  }

  private onStreamRequest(c: Ctx, t: number, p: Packet): void {
    const first = p.messages[0];
    if (first?.type === 'push-pull') {
      // hashicorp sends its own state before merging the remote one; the peer then merges ours.
      const reply = packet(c, [{ type: 'push-pull', join: false, nodes: localState(c) }]);
      c.out.push({ type: 'stream-reply', token: t, packet: reply });
      mergeRemoteState(c, first.nodes);
    } else if (first?.type === 'ping') {
      if (first.target === '' || first.target === c.s.self.name)
        c.out.push({
          type: 'stream-reply',
          token: t,
          packet: packet(c, [{ type: 'ack', seq: first.seq }]),
        });
    }
  }

  private onStreamResult(c: Ctx, t: number, p: Packet | null): void {
    const purpose = c.s.streams.get(t);
    if (purpose === undefined) return;
    c.s.streams.delete(t);
    const first = p?.messages[0];
    switch (purpose.kind) {
      case 'tcp-ping':
        onTcpPingResult(c, purpose.seq, first?.type === 'ack' && first.seq === purpose.seq);
        break;
      case 'push-pull':
      case 'reconnect':
        if (first?.type === 'push-pull') {
          // The reply of a member we chose: trusted (README "Reliability", machine/members.ts).
          const peer = c.s.members.get(purpose.peer);
          if (peer !== undefined) peer.confirmed = true;
          c.trusted = true;
          mergeRemoteState(c, first.nodes);
        }
        break;
      case 'join': {
        const j = c.s.joins.get(purpose.id);
        if (first?.type === 'push-pull') {
          // The reply of a seed the application gave us: trusted.
          c.trusted = true;
          mergeRemoteState(c, first.nodes);
          if (j !== undefined) j.ok++;
        } else if (j !== undefined) {
          j.failed.push(purpose.seed);
        }
        if (j !== undefined && --j.pending === 0) {
          c.s.joins.delete(purpose.id);
          c.out.push({ type: 'join-result', id: purpose.id, contacted: j.ok, failed: j.failed });
          // A seed's state lacks whoever joined at the same moment, and gossip about a burst of
          // newcomers can miss one of them: sync once more soon (a tenth of the push/pull
          // interval, jittered) instead of waiting a full interval. One extra push/pull per join.
          if (j.ok > 0 && c.s.started)
            c.s.nextPushPullMs = Math.min(
              c.s.nextPushPullMs,
              c.nowMs + Math.floor((c.o.pushPullIntervalMs / 10) * (0.5 + c.random())),
            );
        }
        break;
      }
    }
  }

  private leave(c: Ctx): void {
    const s = c.s;
    if (s.leaving) return;
    s.leaving = true;
    s.probe = null;
    s.nextProbeMs = Infinity;
    s.nextPushPullMs = Infinity;
    s.nextReconnectMs = Infinity;
    s.self.status = 'left';
    const bye = {
      type: 'dead' as const,
      node: s.self.name,
      incarnation: s.self.incarnation,
      from: s.self.name,
    };
    s.queue.push(bye);
    // hashicorp only gossips the leave; we also tell every member directly so they learn at once
    // (a few copies each, so a lost datagram does not delay it to the next gossip round).
    for (const m of s.members.values()) {
      if (m.status !== 'alive' && m.status !== 'suspect') continue;
      for (let i = 0; i < c.o.leaveCopies; i++) {
        s.stats.packetsOut++;
        c.out.push({ type: 'send', to: m.addr, packet: packet(c, [bye]) });
      }
    }
  }

  private tick(c: Ctx): void {
    const s = c.s;
    if (!s.started) return;
    probeTick(c);
    forwardTick(c);
    expireCandidates(c);
    for (const [node, sus] of s.suspicions) if (c.nowMs >= sus.deadlineMs) expireSuspicion(c, node);
    if (c.nowMs >= s.nextGossipMs) {
      s.nextGossipMs = c.nowMs + c.o.gossipIntervalMs;
      this.gossip(c);
    }
    if (c.nowMs >= s.nextPushPullMs) {
      s.nextPushPullMs = c.nowMs + pushPullScaleMs(c.o.pushPullIntervalMs, liveCount(s));
      if (!s.leaving) {
        const [peer] = pickRandom(c, 1, (m) => m.status === 'alive');
        if (peer !== undefined)
          this.openPushPull(c, peer.addr, false, { kind: 'push-pull', peer: peer.name });
      }
    }
    if (c.nowMs >= s.nextReconnectMs) {
      s.nextReconnectMs = c.nowMs + c.o.reconnectIntervalMs;
      if (!s.leaving) {
        const [peer] = pickRandom(c, 1, (m) => m.status === 'dead');
        if (peer !== undefined)
          this.openPushPull(c, peer.addr, false, { kind: 'reconnect', peer: peer.name });
      }
    }
    if (c.nowMs >= s.nextReapMs) {
      s.nextReapMs = c.nowMs + Math.max(1000, c.o.gossipToTheDeadTimeMs / 4);
      for (const [name, m] of s.members) {
        if (
          (m.status === 'dead' || m.status === 'left') &&
          c.nowMs - m.sinceMs >= c.o.gossipToTheDeadTimeMs
        )
          removeMember(c, name);
      }
    }
  }

  /** SWIM §4.1 dissemination round: queued updates to a few random members (hashicorp gossip()). */
  private gossip(c: Ctx): void {
    const s = c.s;
    if (s.queue.length === 0) return;
    const targets = pickRandom(
      c,
      c.o.gossipNodes,
      (m) =>
        m.status === 'alive' ||
        m.status === 'suspect' ||
        c.nowMs - m.sinceMs < c.o.gossipToTheDeadTimeMs,
    );
    for (const t of targets) {
      if (s.queue.length === 0) break;
      sendWithGossip(c, t.addr, []);
    }
  }
}
