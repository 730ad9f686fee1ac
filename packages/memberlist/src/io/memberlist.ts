/**
 * A running member: the state machine wired to a transport and a clock. This is the only layer
 * that seals/opens bytes and arms timers; it holds no protocol logic of its own.
 */
import { backgroundClock, noMetrics, silentLogger } from '@ironlb/clock';
import type { Counter } from '@ironlb/clock';
import { open, seal, SealPurpose, streamGuard } from '../codec/crypto.js';
import type { Meta, Packet } from '../codec/messages.js';
import { decodePacket, encodePacket } from '../codec/packet.js';
import type { MemberlistDeps, StreamReply, TransportStats } from '../deps.js';
import { MemberlistError, MemberlistErrorCode } from '../errors.js';
import { resolveOptions } from '../machine/config.js';
import type { MemberlistOptions, ProfileName } from '../machine/config.js';
import { MembershipMachine } from '../machine/machine.js';
import type {
  MachineAction,
  MachineEvent,
  MachineStats,
  MemberEvent,
  MemberInfo,
  RejectCounts,
} from '../machine/types.js';
import { memberlistInstruments } from './metrics.js';
import { advertisedAddress, checkMeta, checkName, checkSeeds } from './validate.js';

export interface CreateMemberlistOptions extends Partial<MemberlistOptions> {
  /** Unique member name (MetalLB: the node name). Required. */
  name: string;
  /** Timer profile; explicit timer options override it. Default `fast`. */
  profile?: ProfileName;
  /** Key/value metadata, at most 512 bytes in total. Default none. */
  meta?: Meta;
  /**
   * "host:port" others should use. Default: the transport's bound address, which must then be a
   * concrete one (not 0.0.0.0 or ::, not port 0).
   */
  advertiseAddr?: string;
}

/** Counters of the I/O layer, on top of the machine's. */
export interface IoStats extends MachineStats {
  bytesIn: number;
  bytesOut: number;
  /** Packets or frames that failed authentication (wrong key, plaintext when a key is required). */
  authFailures: number;
  /** Authenticated but undecodable packets (or an unsupported wire version). */
  decodeErrors: number;
  /** Members heard of second hand awaiting their verification ping. */
  pendingMembers: number;
  /** The transport's stream bookkeeping, when it keeps one (createNetTransport does). */
  transport: TransportStats | null;
}

export interface Memberlist {
  readonly name: string;
  /** The address advertised to others. */
  readonly addr: string;
  /** Starts probing and gossiping. Idempotent; throws MemberlistError CLOSED after shutdown. */
  start(): void;
  /**
   * Push/pull with each seed over TCP; resolves with how many answered. Rejects INVALID_ADDRESS
   * (a malformed seed, before contacting any), JOIN_FAILED (none answered) or CLOSED.
   */
  join(seeds: readonly string[]): Promise<number>;
  /** Graceful leave: others learn it at once; resolves after leavePropagateMs, then shuts down. */
  leave(): Promise<void>;
  /** Stops timers and closes the transport without telling anyone (like a crash, for tests). */
  shutdown(): Promise<void>;
  /** Announces new metadata; throws META_TOO_LARGE, INVALID_OPTION or CLOSED. */
  setMeta(meta: Meta): void;
  members(): MemberInfo[];
  /** Lifeguard local health multiplier (0 = healthy). */
  awareness(): number;
  stats(): IoStats;
  /** Subscribes to membership events; returns an unsubscribe function. */
  onEvent(listener: (event: MemberEvent) => void): () => void;
}

function closedError(op: string): MemberlistError {
  return new MemberlistError(MemberlistErrorCode.Closed, `${op}: this member was shut down`, {
    op,
  });
}

export function createMemberlist(
  deps: MemberlistDeps,
  options: CreateMemberlistOptions,
): Memberlist {
  if (typeof deps !== 'object' || deps === null || typeof deps.transport !== 'object')
    throw new MemberlistError(
      MemberlistErrorCode.InvalidOption,
      'transport: required in the first argument (deps): createMemberlist({ transport }, { name })',
      { option: 'transport' },
    );
  if (typeof options !== 'object' || options === null)
    throw new MemberlistError(
      MemberlistErrorCode.InvalidOption,
      'options: required in the second argument: createMemberlist({ transport }, { name })',
      { option: 'options' },
    );
  const { name: rawName, profile, meta: rawMeta, advertiseAddr, ...timers } = options;
  const name = checkName(rawName);
  const meta = checkMeta(rawMeta);
  const opts = resolveOptions({ ...timers, ...(profile !== undefined ? { profile } : {}) });
  const clock = deps.clock ?? backgroundClock;
  const random = deps.random ?? Math.random;
  const log = deps.logger ?? silentLogger;
  const metrics = memberlistInstruments(deps.metrics ?? noMetrics);
  // Without a metrics sink, skip the bookkeeping (simulations run thousands of members).
  const publishing = deps.metrics !== undefined && deps.metrics !== noMetrics;
  const keyring = deps.keyring ?? null;
  const transport = deps.transport;
  const addr = advertisedAddress(advertiseAddr, transport.localAddr);
  const machine = new MembershipMachine({ random }, { name, addr, meta }, opts, clock.now());
  const listeners = new Set<(e: MemberEvent) => void>();
  const replies = new Map<number, StreamReply>();
  const joinWaiters = new Map<
    number,
    { resolve: (n: number) => void; reject: (e: unknown) => void }
  >();
  let nextJoinId = 1;
  let inboundToken = -1;
  let timer: unknown = null;
  let timerAt = Infinity;
  let closed = false;
  let leaving: Promise<void> | null = null;
  const io = { bytesIn: 0, bytesOut: 0, authFailures: 0, decodeErrors: 0 };
  const published = { probes: 0, probeFailures: 0, suspicions: 0, refutations: 0 };
  const publishedRejects: Partial<RejectCounts> = {};
  let gaugesAtMs = -Infinity;

  transport.setStreamGuard?.(keyring === null ? null : streamGuard(keyring));
  if (keyring === null)
    log.warn({ member: name }, 'no secret: memberlist traffic is NOT encrypted');

  function encode(p: Packet, purpose: SealPurpose): Uint8Array {
    const plain = encodePacket(p);
    return keyring === null ? plain : seal(keyring, purpose, plain);
  }

  /** Opens and decodes; drops (and counts) anything unauthenticated or malformed. */
  function decode(bytes: Uint8Array, purpose: SealPurpose, from: string): Packet | null {
    const via = purpose === SealPurpose.Packet ? 'udp' : 'tcp';
    let plain: Uint8Array;
    try {
      plain = keyring === null ? bytes : open(keyring, purpose, bytes);
    } catch (err) {
      io.authFailures++;
      metrics.authFailures.inc({ transport: via });
      log.debug({ from, code: (err as MemberlistError).code }, 'dropped unauthenticated data');
      return null;
    }
    try {
      return decodePacket(plain);
    } catch (err) {
      io.decodeErrors++;
      metrics.decodeErrors.inc({ transport: via });
      log.debug({ from, code: (err as MemberlistError).code }, 'dropped undecodable data');
      return null;
    }
  }

  function step(event: MachineEvent): void {
    if (closed) return;
    run(machine.handle(event, clock.now()));
    if (publishing) publish();
  }

  /** Machine counters → metrics as deltas; gauges at most once a second. */
  function publish(): void {
    const st = machine.stats();
    const inc = (c: Counter, key: keyof typeof published, v: number) => {
      if (v > published[key]) c.inc(undefined, v - published[key]);
      published[key] = v;
    };
    inc(metrics.probes, 'probes', st.probes);
    inc(metrics.probeFailures, 'probeFailures', st.probeFailures);
    inc(metrics.suspicions, 'suspicions', st.suspicionsStarted);
    inc(metrics.refutations, 'refutations', st.refutations);
    for (const [reason, v] of Object.entries(st.rejected) as [keyof RejectCounts, number][]) {
      const before = publishedRejects[reason] ?? 0;
      if (v > before) metrics.rejected.inc({ reason }, v - before);
      publishedRejects[reason] = v;
    }
    const now = clock.now();
    if (now - gaugesAtMs < 1000) return;
    gaugesAtMs = now;
    const counts = { alive: 0, suspect: 0, dead: 0, left: 0 };
    for (const m of machine.state.members.values()) counts[m.status]++;
    for (const [status, v] of Object.entries(counts)) metrics.members.set({ status }, v);
    metrics.healthScore.set(undefined, machine.awareness());
    metrics.candidates.set(undefined, machine.candidates());
  }

  function run(actions: MachineAction[]): void {
    for (const a of actions) {
      switch (a.type) {
        case 'send': {
          const bytes = encode(a.packet, SealPurpose.Packet);
          io.bytesOut += bytes.length;
          metrics.packetsSent.inc();
          metrics.bytesSent.inc({ transport: 'udp' }, bytes.length);
          transport.sendPacket(a.to, bytes);
          break;
        }
        case 'stream-open': {
          const bytes = encode(a.packet, SealPurpose.Stream);
          io.bytesOut += bytes.length;
          metrics.bytesSent.inc({ transport: 'tcp' }, bytes.length);
          const t = a.token;
          transport.openStream(a.to, bytes, opts.tcpTimeoutMs, (reply) => {
            if (reply !== null) {
              io.bytesIn += reply.length;
              metrics.bytesReceived.inc({ transport: 'tcp' }, reply.length);
            }
            const p = reply === null ? null : decode(reply, SealPurpose.Stream, a.to);
            step({ type: 'stream-result', token: t, packet: p });
          });
          break;
        }
        case 'stream-reply': {
          const reply = replies.get(a.token);
          replies.delete(a.token);
          if (reply !== undefined) {
            const bytes = encode(a.packet, SealPurpose.Stream);
            io.bytesOut += bytes.length;
            metrics.bytesSent.inc({ transport: 'tcp' }, bytes.length);
            reply(bytes);
          }
          break;
        }
        case 'event':
          metrics.memberEvents.inc({ type: a.event.type });
          for (const l of listeners) {
            try {
              l(a.event);
            } catch (err) {
              log.error({ err: String(err) }, 'event listener threw');
            }
          }
          break;
        case 'timer':
          arm(a.atMs);
          break;
        case 'join-result': {
          const waiter = joinWaiters.get(a.id);
          joinWaiters.delete(a.id);
          if (waiter === undefined) break;
          if (a.contacted > 0) waiter.resolve(a.contacted);
          else
            waiter.reject(
              new MemberlistError(MemberlistErrorCode.JoinFailed, 'no seed answered', {
                failed: a.failed,
              }),
            );
          break;
        }
      }
    }
  }

  function arm(atMs: number): void {
    if (closed || atMs === timerAt) return;
    if (timer !== null) clock.clearTimeout(timer);
    timer = null;
    timerAt = atMs;
    if (!Number.isFinite(atMs)) return;
    timer = clock.setTimeout(() => {
      timer = null;
      timerAt = Infinity;
      step({ type: 'tick' });
    }, atMs - clock.now());
  }

  transport.onPacket((from, bytes) => {
    if (closed) return;
    io.bytesIn += bytes.length;
    metrics.packetsReceived.inc();
    metrics.bytesReceived.inc({ transport: 'udp' }, bytes.length);
    const p = decode(bytes, SealPurpose.Packet, from);
    if (p !== null) step({ type: 'packet', from, packet: p });
  });

  transport.onStream((from, bytes, reply) => {
    if (closed) return reply(null);
    io.bytesIn += bytes.length;
    metrics.bytesReceived.inc({ transport: 'tcp' }, bytes.length);
    const p = decode(bytes, SealPurpose.Stream, from);
    if (p === null) return reply(null);
    const t = inboundToken--;
    replies.set(t, reply);
    step({ type: 'stream-request', token: t, from, packet: p });
    // The machine answers synchronously or not at all.
    if (replies.delete(t)) reply(null);
  });

  async function shutdown(): Promise<void> {
    if (closed) return;
    closed = true;
    if (timer !== null) clock.clearTimeout(timer);
    timer = null;
    for (const w of joinWaiters.values()) w.reject(closedError('join'));
    joinWaiters.clear();
    await transport.close();
  }

  return {
    name,
    addr,
    start() {
      if (closed || leaving !== null) throw closedError('start');
      step({ type: 'start' });
    },
    join(seeds) {
      if (closed || leaving !== null) return Promise.reject(closedError('join'));
      let targets: string[];
      try {
        targets = checkSeeds(seeds);
      } catch (err) {
        return Promise.reject(err);
      }
      const id = nextJoinId++;
      return new Promise<number>((resolve, reject) => {
        joinWaiters.set(id, { resolve, reject });
        step({ type: 'join', seeds: targets, id });
      });
    },
    leave() {
      if (leaving !== null) return leaving;
      if (closed) return Promise.resolve();
      step({ type: 'leave' });
      leaving = new Promise<void>((resolve) =>
        clock.setTimeout(resolve, opts.leavePropagateMs),
      ).then(shutdown);
      return leaving;
    },
    shutdown,
    setMeta(m) {
      if (closed) throw closedError('setMeta');
      step({ type: 'set-meta', meta: checkMeta(m) });
    },
    members: () => machine.members(),
    awareness: () => machine.awareness(),
    stats: () => ({
      ...machine.stats(),
      rejected: { ...machine.stats().rejected },
      ...io,
      pendingMembers: machine.candidates(),
      transport: transport.stats?.() ?? null,
    }),
    onEvent(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}
