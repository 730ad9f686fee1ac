/**
 * A running member: the state machine wired to a transport and a clock. This is the only layer
 * that seals/opens bytes and arms timers; it holds no protocol logic of its own.
 */
import { open, seal, SealPurpose } from '../codec/crypto.js';
import type { Keyring } from '../codec/crypto.js';
import type { Meta, Packet } from '../codec/messages.js';
import { decodePacket, encodePacket } from '../codec/packet.js';
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
} from '../machine/types.js';
import { noMetrics, silentLogger, systemClock } from './ports.js';
import type { Clock, Logger, Metrics, StreamReply, TimerHandle, Transport } from './ports.js';

export interface MemberlistDeps {
  transport: Transport;
  /** Default: the system's monotonic clock. */
  clock?: Clock;
  /** Default: Math.random. */
  random?: () => number;
  /** Default: silent. */
  logger?: Logger;
  /** Counter sink; default none (stats() always has the totals). */
  metrics?: Metrics;
  /**
   * AES-256-GCM keyring. null/absent = plaintext (as MetalLB without a secret; a warning is
   * logged). The same object may be mutated at run time to rotate keys.
   */
  keyring?: Keyring | null;
}

export interface CreateMemberlistOptions extends Partial<MemberlistOptions> {
  /** Unique member name (MetalLB: the node name). Required. */
  name: string;
  /** Timer profile; explicit timer options override it. Default `fast`. */
  profile?: ProfileName;
  /** Key/value metadata, at most 512 bytes in total. Default none. */
  meta?: Meta;
  /** "host:port" others should use; default the transport's bound address. */
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
}

export interface Memberlist {
  readonly name: string;
  readonly addr: string;
  /** Starts probing and gossiping. Idempotent. */
  start(): void;
  /** Push/pull with each seed over TCP; resolves with how many answered; rejects JOIN_FAILED if none. */
  join(seeds: readonly string[]): Promise<number>;
  /** Graceful leave: others learn it at once; resolves after leavePropagateMs, then shuts down. */
  leave(): Promise<void>;
  /** Stops timers and closes the transport without telling anyone (like a crash, for tests). */
  shutdown(): Promise<void>;
  setMeta(meta: Meta): void;
  members(): MemberInfo[];
  /** Lifeguard local health multiplier (0 = healthy). */
  awareness(): number;
  stats(): IoStats;
  /** Subscribes to membership events; returns an unsubscribe function. */
  onEvent(listener: (event: MemberEvent) => void): () => void;
}

export function createMemberlist(
  deps: MemberlistDeps,
  options: CreateMemberlistOptions,
): Memberlist {
  const { name, profile, meta, advertiseAddr, ...timers } = options;
  const opts = resolveOptions({ ...timers, ...(profile ? { profile } : {}) });
  const clock = deps.clock ?? systemClock;
  const random = deps.random ?? Math.random;
  const log = deps.logger ?? silentLogger;
  const metrics = deps.metrics ?? noMetrics;
  const keyring = deps.keyring ?? null;
  const transport = deps.transport;
  const addr = advertiseAddr ?? transport.localAddr;
  const machine = new MembershipMachine(
    { random },
    { name, addr, meta: meta ?? {} },
    opts,
    clock.now(),
  );
  const listeners = new Set<(e: MemberEvent) => void>();
  const replies = new Map<number, StreamReply>();
  const joinWaiters: { resolve: (n: number) => void; reject: (e: unknown) => void }[] = [];
  let inboundToken = -1;
  let timer: TimerHandle | null = null;
  let timerAt = Infinity;
  let closed = false;
  const io = { bytesIn: 0, bytesOut: 0, authFailures: 0, decodeErrors: 0 };

  if (keyring === null)
    log.warn({ member: name }, 'no secret: memberlist traffic is NOT encrypted');

  function encode(p: Packet, purpose: SealPurpose): Uint8Array {
    const plain = encodePacket(p);
    return keyring === null ? plain : seal(keyring, purpose, plain);
  }

  /** Opens and decodes; drops (and counts) anything unauthenticated or malformed. */
  function decode(bytes: Uint8Array, purpose: SealPurpose, from: string): Packet | null {
    let plain: Uint8Array;
    try {
      plain = keyring === null ? bytes : open(keyring, purpose, bytes);
    } catch (err) {
      io.authFailures++;
      metrics.count('auth_failures', 1);
      log.debug({ from, code: (err as MemberlistError).code }, 'dropped unauthenticated data');
      return null;
    }
    try {
      return decodePacket(plain);
    } catch (err) {
      io.decodeErrors++;
      metrics.count('decode_errors', 1);
      log.debug({ from, code: (err as MemberlistError).code }, 'dropped undecodable data');
      return null;
    }
  }

  function step(event: MachineEvent): void {
    if (closed) return;
    run(machine.handle(event, clock.now()));
  }

  function run(actions: MachineAction[]): void {
    for (const a of actions) {
      switch (a.type) {
        case 'send': {
          const bytes = encode(a.packet, SealPurpose.Packet);
          io.bytesOut += bytes.length;
          metrics.count('packets_out', 1);
          metrics.count('bytes_out', bytes.length);
          transport.sendPacket(a.to, bytes);
          break;
        }
        case 'stream-open': {
          const bytes = encode(a.packet, SealPurpose.Stream);
          io.bytesOut += bytes.length;
          const t = a.token;
          transport.openStream(a.to, bytes, opts.tcpTimeoutMs, (reply) => {
            if (reply !== null) io.bytesIn += reply.length;
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
            reply(bytes);
          }
          break;
        }
        case 'event':
          metrics.count('member_events', 1, { type: a.event.type });
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
          const waiter = joinWaiters.shift();
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
    metrics.count('packets_in', 1);
    metrics.count('bytes_in', bytes.length);
    const p = decode(bytes, SealPurpose.Packet, from);
    if (p !== null) step({ type: 'packet', from, packet: p });
  });

  transport.onStream((from, bytes, reply) => {
    if (closed) return reply(null);
    io.bytesIn += bytes.length;
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
    for (const w of joinWaiters.splice(0))
      w.reject(new MemberlistError(MemberlistErrorCode.JoinFailed, 'shut down', {}));
    await transport.close();
  }

  return {
    name,
    addr,
    start: () => step({ type: 'start' }),
    join(seeds) {
      return new Promise<number>((resolve, reject) => {
        joinWaiters.push({ resolve, reject });
        step({ type: 'join', seeds });
      });
    },
    async leave() {
      step({ type: 'leave' });
      await new Promise<void>((resolve) => clock.setTimeout(resolve, opts.leavePropagateMs));
      await shutdown();
    },
    shutdown,
    setMeta: (m) => step({ type: 'set-meta', meta: m }),
    members: () => machine.members(),
    awareness: () => machine.awareness(),
    stats: () => ({ ...machine.stats(), ...io }),
    onEvent(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}
