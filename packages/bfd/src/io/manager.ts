// The BFD manager: many sessions on shared sockets — one receive socket per address family and
// UDP port (3784 single-hop, 4784 multi-hop), one send socket per family and local address —
// demultiplexed by Your Discriminator, or by source address while the remote does not know ours
// yet (RFC 5880 §6.8.6). Each session runs the pure machine of machine/session.ts; this file only
// moves bytes and arms timers.
//
// Against a stranger on the network: sessions are capped (maxSessions); a datagram that breaks a
// §6.8.6 rule, carries authentication (not configured here), names an unknown discriminator or
// comes from an address without a session is dropped and counted by reason, and nothing about it
// is kept or logged; the checks before session lookup allocate nothing.
import { backgroundClock, noMetrics, silentLogger } from '@ironlb/clock';
import {
  checkControl,
  decodeControl,
  encodeControl,
  peekAuthPresent,
  peekYourDiscriminator,
} from '../codec/control.js';
import {
  GTSM_TTL,
  MULTI_HOP_PORT,
  SINGLE_HOP_PORT,
  State,
  diagName,
  stateName,
} from '../codec/constants.js';
import type { BfdDeps, BfdTransport } from '../deps.js';
import { BfdError, BfdErrorCode, invalidOption } from '../errors.js';
import { canonicalAddress, resolveSessionOptions } from '../machine/options.js';
import type { SessionOptions } from '../machine/options.js';
import {
  detectionTimeUs,
  initialSessionState,
  nextDeadline,
  step,
  transmitIntervalUs,
} from '../machine/session.js';
import type { SessionEvent } from '../machine/types.js';
import type { BfdEvent, BfdSessionStatus, BfdStats } from './events.js';
import { createBfdMetrics } from './metrics.js';
import type { BfdMetrics } from './metrics.js';
import { createSocketPool } from './sockets.js';
import { statusOf } from './status.js';
import { ALL_DROP_REASONS, LookupDropReason, keyOf } from './types.js';
import type { BfdManager, BfdManagerOptions, Entry, ListenerEntry, SessionKey } from './types.js';
import { udpTransport } from './udp-transport.js';

/** Creates a manager; `deps` and `options` are all optional (README: API). */
export function createBfdManager(deps: BfdDeps = {}, options: BfdManagerOptions = {}): BfdManager {
  const clock = deps.clock ?? backgroundClock;
  const random = deps.random ?? Math.random;
  const logger = deps.logger ?? silentLogger;
  const transport: BfdTransport = deps.transport ?? udpTransport({ random });
  const metrics: BfdMetrics = createBfdMetrics(deps.metrics ?? noMetrics);
  const maxSessions = options.maxSessions ?? 1000;
  const singleHopPort = options.singleHopPort ?? SINGLE_HOP_PORT;
  const multiHopPort = options.multiHopPort ?? MULTI_HOP_PORT;
  const requireTtlCheck = options.requireTtlCheck ?? true;
  const sendTtl = options.sendTtl ?? GTSM_TTL;
  if (!Number.isInteger(maxSessions) || maxSessions < 1)
    throw invalidOption('maxSessions', 'must be a positive integer', maxSessions);
  for (const [name, port] of [
    ['singleHopPort', singleHopPort],
    ['multiHopPort', multiHopPort],
  ] as const)
    if (!Number.isInteger(port) || port < 0 || port > 65535)
      throw invalidOption(name, 'must be a port number', port);
  if (!Number.isInteger(sendTtl) || sendTtl < 1 || sendTtl > 255)
    throw invalidOption('sendTtl', 'must be an integer in 1–255', sendTtl);
  const listenAddress = {
    ipv4: options.listenAddressIpv4 ?? '0.0.0.0',
    ipv6: options.listenAddressIpv6 ?? '::',
  };
  const pool = createSocketPool({
    transport,
    logger,
    singleHopPort,
    multiHopPort,
    listenAddress,
    sendTtl,
    requireTtlCheck,
    onPacket: (l, bytes, from) => onPacket(l, bytes, from),
    onStray: () => {
      packetsReceived++;
      metrics.received.inc();
      drop(LookupDropReason.WrongPort);
    },
  });

  const sessions = new Map<string, Entry>();
  const byDiscriminator = new Map<number, Entry>();
  const reserved = new Set<string>();
  const subscribers = new Set<(e: BfdEvent) => void>();
  const drops: Record<string, number> = Object.fromEntries(ALL_DROP_REASONS.map((r) => [r, 0]));
  let packetsReceived = 0;
  let closed = false;

  function emit(e: BfdEvent): void {
    for (const fn of subscribers) {
      try {
        fn(e);
      } catch (err) {
        logger.error({ err: (err as Error).message, event: e.type }, 'BFD event listener threw');
      }
    }
  }

  function drop(reason: string): void {
    drops[reason] = (drops[reason] ?? 0) + 1;
    metrics.dropped(reason);
  }

  function send(e: Entry, bytes: Uint8Array): void {
    e.packetsOut++;
    metrics.output.inc(e.labels);
    e.sender.sender.send(bytes, e.opts.peerAddress, e.destPort);
  }

  function arm(e: Entry): void {
    const at = nextDeadline(e.state);
    if (at === e.timerAt) return;
    if (e.timer !== null) clock.clearTimeout(e.timer);
    e.timerAt = at;
    e.timer = at === null ? null : clock.setTimeout(() => fire(e, at), at - clock.now());
  }

  /**
   * Node's timers run on the event loop's cached, whole-millisecond time and can fire a little
   * before the monotonic deadline: wait out the remainder, so detection is never declared early.
   */
  function fire(e: Entry, at: number): void {
    const now = clock.now();
    if (now < at) {
      e.timer = clock.setTimeout(() => fire(e, at), at - now);
      return;
    }
    e.timer = null;
    e.timerAt = null;
    apply(e, { type: 'timer' }, now);
  }

  function apply(e: Entry, event: SessionEvent, now = clock.now()): void {
    if (sessions.get(e.key) !== e) return; // removed meanwhile
    const before = e.state;
    const r = step(before, event, now, random);
    e.state = r.state;
    for (const a of r.actions) {
      if (a.type === 'send') {
        send(e, encodeControl(a.packet));
        continue;
      }
      const ref = { peer: e.opts.peerAddress, multihop: e.opts.multihop };
      const diag = diagName(a.diag);
      const remoteDiag = diagName(r.state.remoteDiag);
      logger.info(
        {
          peer: ref.peer,
          multihop: ref.multihop,
          from: stateName(a.from),
          to: stateName(a.to),
          diag,
          remoteDiag,
        },
        'BFD session state changed',
      );
      emit({
        type: 'state',
        ...ref,
        from: stateName(a.from),
        to: stateName(a.to),
        diag,
        remoteDiag,
      });
      if (a.to === State.Up) {
        e.upEvents++;
        metrics.up.set(e.labels, 1);
        metrics.upEvents.inc(e.labels);
        emit({
          type: 'up',
          ...ref,
          localDiscriminator: r.state.config.localDiscriminator,
          remoteDiscriminator: r.state.remoteDiscriminator,
          transmitIntervalMs: transmitIntervalUs(r.state) / 1000,
          detectionTimeMs: detectionTimeUs(r.state) / 1000,
        });
      } else if (a.from === State.Up) {
        e.downEvents++;
        metrics.up.set(e.labels, 0);
        metrics.downEvents.inc(e.labels);
        const remoteAdminDown = r.state.remoteState === State.AdminDown;
        emit({
          type: 'down',
          ...ref,
          pathFailure: a.to !== State.AdminDown && !remoteAdminDown,
          to: stateName(a.to),
          diag,
          remoteDiag,
          sinceLastPacketMs: before.lastRxAt === null ? null : now - before.lastRxAt,
        });
      }
    }
    arm(e);
  }

  function onPacket(l: ListenerEntry, bytes: Uint8Array, from: string): void {
    packetsReceived++;
    metrics.received.inc();
    const reason = checkControl(bytes);
    if (reason !== null) return drop(reason);
    // RFC 5880 §6.8.6: "If the A bit is set and no authentication is in use ... MUST be
    // discarded". No session here uses authentication.
    if (peekAuthPresent(bytes)) return drop(LookupDropReason.AuthUnsupported);
    const yours = peekYourDiscriminator(bytes);
    let e: Entry | undefined;
    if (yours !== 0) {
      e = byDiscriminator.get(yours);
      if (e === undefined || e.listener !== l) return drop(LookupDropReason.UnknownDiscriminator);
      // Not required by RFC 5880, but FRR does it too: a guessed discriminator is not enough.
      if (e.opts.peerAddress !== from) return drop(LookupDropReason.AddressMismatch);
    } else {
      e = l.byAddress.get(from);
      if (e === undefined) return drop(LookupDropReason.UnknownSource);
    }
    e.packetsIn++;
    metrics.input.inc(e.labels);
    apply(e, { type: 'packet', packet: decodeControl(bytes) });
  }

  function newDiscriminator(): number {
    for (;;) {
      const d = Math.floor(random() * 0x1_0000_0000) >>> 0;
      if (d !== 0 && !byDiscriminator.has(d)) return d;
    }
  }

  function find(k: SessionKey): Entry {
    const e = sessions.get(keyOf(canonicalAddress(k.peerAddress), k.multihop ?? false));
    if (!e)
      throw new BfdError(BfdErrorCode.UnknownSession, `no BFD session with ${k.peerAddress}`, {
        detail: { ...k },
      });
    return e;
  }

  function forget(e: Entry): void {
    if (e.timer !== null) clock.clearTimeout(e.timer);
    e.timer = null;
    sessions.delete(e.key);
    byDiscriminator.delete(e.state.config.localDiscriminator);
    e.listener.byAddress.delete(e.opts.peerAddress);
    metrics.up.set(e.labels, 0);
    if (e.opts.multihop && e.listener.byAddress.size > 0) {
      try {
        pool.updateMultihopTtl(e.listener);
      } catch (err) {
        logger.warn({ err: (err as Error).message }, 'BFD could not relax the multi-hop TTL check');
      }
    }
  }

  function closedError(): BfdError {
    return new BfdError(BfdErrorCode.Closed, 'the BFD manager is closed');
  }

  return {
    async addSession(o: SessionOptions): Promise<BfdSessionStatus> {
      if (closed) throw closedError();
      const r = resolveSessionOptions(o);
      const key = keyOf(r.peerAddress, r.multihop);
      if (sessions.has(key) || reserved.has(key))
        throw new BfdError(
          BfdErrorCode.DuplicateSession,
          `a ${r.multihop ? 'multi-hop' : 'single-hop'} BFD session with ${r.peerAddress} exists`,
          { detail: { peerAddress: r.peerAddress, multihop: r.multihop } },
        );
      if (sessions.size + reserved.size >= maxSessions)
        throw new BfdError(BfdErrorCode.TooManySessions, `at most ${maxSessions} BFD sessions`, {
          detail: { maxSessions },
        });
      reserved.add(key);
      try {
        const listener = await pool.listenerFor(r.family, r.multihop);
        const sender = await pool.senderFor(r.family, r.localAddress);
        if (closed) throw closedError();
        const now = clock.now();
        const state = initialSessionState(
          {
            localDiscriminator: newDiscriminator(),
            detectMult: r.detectMultiplier,
            desiredMinTxUs: r.transmitIntervalMs * 1000,
            requiredMinRxUs: r.receiveIntervalMs * 1000,
            passive: r.passiveMode,
          },
          now,
          { adminDown: r.adminDown },
        );
        const e: Entry = {
          key,
          opts: r,
          state,
          listener,
          sender,
          labels: { peer: r.peerAddress },
          destPort: r.multihop ? multiHopPort : singleHopPort,
          timer: null,
          timerAt: null,
          packetsIn: 0,
          packetsOut: 0,
          upEvents: 0,
          downEvents: 0,
        };
        listener.byAddress.set(r.peerAddress, e);
        if (r.multihop) {
          try {
            pool.updateMultihopTtl(listener);
          } catch (err) {
            listener.byAddress.delete(r.peerAddress);
            throw err;
          }
        }
        sessions.set(key, e);
        byDiscriminator.set(state.config.localDiscriminator, e);
        metrics.up.set(e.labels, 0);
        logger.info(
          {
            peer: r.peerAddress,
            multihop: r.multihop,
            passive: r.passiveMode,
            localDiscriminator: state.config.localDiscriminator,
            sourcePort: sender.sender.localPort,
          },
          'BFD session added',
        );
        arm(e);
        return statusOf(e);
      } finally {
        reserved.delete(key);
      }
    },

    removeSession(k: SessionKey): void {
      const e = find(k);
      apply(e, { type: 'admin-down' });
      forget(e);
      logger.info({ peer: e.opts.peerAddress, multihop: e.opts.multihop }, 'BFD session removed');
    },

    adminDown(k: SessionKey): void {
      apply(find(k), { type: 'admin-down' });
    },

    adminUp(k: SessionKey): void {
      apply(find(k), { type: 'admin-up' });
    },

    updateTimers(k, t): void {
      const e = find(k);
      const r = resolveSessionOptions({ ...e.opts, ...t, localAddress: e.opts.localAddress });
      apply(e, {
        type: 'set-timers',
        desiredMinTxUs: r.transmitIntervalMs * 1000,
        requiredMinRxUs: r.receiveIntervalMs * 1000,
        detectMult: r.detectMultiplier,
      });
    },

    session(k: SessionKey): BfdSessionStatus | undefined {
      const e = sessions.get(keyOf(canonicalAddress(k.peerAddress), k.multihop ?? false));
      return e ? statusOf(e) : undefined;
    },

    sessions(): BfdSessionStatus[] {
      return [...sessions.values()].map(statusOf);
    },

    stats(): BfdStats {
      return { packetsReceived, packetsDropped: { ...drops }, sessions: sessions.size };
    },

    onEvent(fn: (e: BfdEvent) => void): () => void {
      subscribers.add(fn);
      return () => subscribers.delete(fn);
    },

    async close(): Promise<void> {
      if (closed) return;
      closed = true;
      for (const e of [...sessions.values()]) {
        apply(e, { type: 'admin-down' });
        forget(e);
      }
      await pool.close();
    },
  };
}
