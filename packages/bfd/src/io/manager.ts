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
import type { TimerHandle } from '@ironlb/clock';
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
  SOURCE_PORT_MAX,
  SOURCE_PORT_MIN,
  State,
  diagName,
  stateName,
} from '../codec/constants.js';
import type { BfdDeps, BfdListener, BfdSender, BfdTransport } from '../deps.js';
import { BfdError, BfdErrorCode, DropReason, invalidOption } from '../errors.js';
import { canonicalAddress, resolveSessionOptions } from '../machine/options.js';
import type { ResolvedSessionOptions, SessionOptions } from '../machine/options.js';
import {
  detectionTimeUs,
  initialSessionState,
  nextDeadline,
  step,
  transmitIntervalUs,
} from '../machine/session.js';
import type { SessionEvent, SessionState } from '../machine/types.js';
import type { BfdEvent, BfdSessionStatus, BfdStats } from './events.js';
import { createBfdMetrics } from './metrics.js';
import type { BfdMetrics } from './metrics.js';
import { udpTransport } from './udp-transport.js';

/** Reasons a datagram is dropped before or at session lookup, beyond the codec's. Append-only. */
export const LookupDropReason = {
  /** The A bit is set: authentication is not supported (RFC 5880 §6.8.6, README). */
  AuthUnsupported: 'auth-unsupported',
  /** Your Discriminator names no session of ours (or one on another port). */
  UnknownDiscriminator: 'unknown-discriminator',
  /** Your Discriminator is ours, but the packet comes from another address. */
  AddressMismatch: 'address-mismatch',
  /** Your Discriminator is 0 and no session has that peer address on that port. */
  UnknownSource: 'unknown-source',
  /** Sent to one of our source ports instead of 3784 / 4784. */
  WrongPort: 'wrong-port',
} as const;

const ALL_DROP_REASONS: readonly string[] = [
  ...Object.values(DropReason),
  ...Object.values(LookupDropReason),
];

export interface BfdManagerOptions {
  /** Hard cap on sessions (a config mistake or a bug must not open thousands). Default 1000. */
  readonly maxSessions?: number;
  /** UDP port of single-hop Control packets, ours and the peers' (RFC 5881). Default 3784. */
  readonly singleHopPort?: number;
  /** UDP port of multi-hop Control packets (RFC 5883). Default 4784. */
  readonly multiHopPort?: number;
  /** Address the IPv4 receive sockets bind. Default '0.0.0.0'. */
  readonly listenAddressIpv4?: string;
  /** Address the IPv6 receive sockets bind. Default '::'. */
  readonly listenAddressIpv6?: string;
  /**
   * Refuse to run a session whose receive socket cannot get the kernel TTL check (RFC 5881 §5).
   * false degrades to a warning, for platforms without FFI. Default true.
   */
  readonly requireTtlCheck?: boolean;
  /**
   * TTL / Hop Limit of every packet sent. RFC 5881 §5 and RFC 5883 want 255; another value is
   * for tests that prove the receive check (a peer at 254 is ignored). Default 255.
   */
  readonly sendTtl?: number;
}

/** Identifies a session: the peer address plus single- or multi-hop. */
export interface SessionKey {
  readonly peerAddress: string;
  /** Default false. */
  readonly multihop?: boolean;
}

export interface BfdManager {
  /**
   * Starts a session (opening the shared sockets it needs on first use) and returns its status.
   * Throws BfdError INVALID_OPTION, UNSUPPORTED, DUPLICATE_SESSION, TOO_MANY_SESSIONS,
   * SOCKET_ERROR, TTL_CHECK_UNAVAILABLE or CLOSED.
   */
  addSession(o: SessionOptions): Promise<BfdSessionStatus>;
  /**
   * Sends AdminDown to the peer once (so it goes down without blaming the path, RFC 5882 §3.2)
   * and forgets the session. Throws UNKNOWN_SESSION.
   */
  removeSession(key: SessionKey): void;
  /** RFC 5880 §6.8.16: AdminDown (diag administratively-down) until adminUp. */
  adminDown(key: SessionKey): void;
  adminUp(key: SessionKey): void;
  /** Changes timers of a running session (a changed BFD profile); a Poll Sequence carries them. */
  updateTimers(
    key: SessionKey,
    t: { receiveIntervalMs?: number; transmitIntervalMs?: number; detectMultiplier?: number },
  ): void;
  session(key: SessionKey): BfdSessionStatus | undefined;
  sessions(): BfdSessionStatus[];
  stats(): BfdStats;
  /** Subscribes to events; returns the unsubscribe function. */
  onEvent(fn: (e: BfdEvent) => void): () => void;
  /** Removes every session (AdminDown to each peer) and closes the sockets. Idempotent. */
  close(): Promise<void>;
}

interface ListenerEntry {
  readonly listener: BfdListener;
  readonly byAddress: Map<string, Entry>;
  readonly multihop: boolean;
  minTtl: number;
}

interface SenderEntry {
  readonly sender: BfdSender;
}

interface Entry {
  readonly key: string;
  readonly opts: ResolvedSessionOptions;
  state: SessionState;
  readonly listener: ListenerEntry;
  readonly sender: SenderEntry;
  readonly labels: { readonly peer: string };
  readonly destPort: number;
  timer: TimerHandle | null;
  timerAt: number | null;
  packetsIn: number;
  packetsOut: number;
  upEvents: number;
  downEvents: number;
}

function keyOf(peer: string, multihop: boolean): string {
  return `${multihop ? 'mh' : 'sh'}|${peer}`;
}

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

  const sessions = new Map<string, Entry>();
  const byDiscriminator = new Map<number, Entry>();
  const reserved = new Set<string>();
  const listeners = new Map<string, Promise<ListenerEntry>>();
  const senders = new Map<string, Promise<SenderEntry>>();
  const subscribers = new Set<(e: BfdEvent) => void>();
  const drops: Record<string, number> = Object.fromEntries(ALL_DROP_REASONS.map((r) => [r, 0]));
  let packetsReceived = 0;
  let closed = false;
  let warnedTtl = false;

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

  function onSocketError(err: Error): void {
    // ICMP-driven errors (ECONNREFUSED, EHOSTUNREACH) on UDP sends: the detection time decides.
    logger.debug({ err: err.message }, 'BFD socket error');
  }

  function listenerFor(family: 'ipv4' | 'ipv6', multihop: boolean): Promise<ListenerEntry> {
    const port = multihop ? multiHopPort : singleHopPort;
    const k = `${family}|${port}`;
    let p = listeners.get(k);
    if (!p) {
      p = (async () => {
        // Packets that arrive before the TTL check is in place are ignored.
        const ready: { entry?: ListenerEntry } = {};
        const listener = await transport.listen(
          { family, address: listenAddress[family], port },
          (bytes, from) => {
            if (ready.entry) onPacket(ready.entry, bytes, from);
          },
          onSocketError,
        );
        const entry: ListenerEntry = { listener, byAddress: new Map(), multihop, minTtl: 0 };
        // RFC 5881 §5: single-hop accepts TTL 255 only. Multi-hop: set per session below.
        try {
          setMinTtl(entry, multihop ? 255 : GTSM_TTL);
        } catch (err) {
          await listener.close();
          throw err;
        }
        ready.entry = entry;
        return entry;
      })();
      listeners.set(k, p);
      p.catch(() => listeners.delete(k));
    }
    return p;
  }

  function setMinTtl(l: ListenerEntry, ttl: number): void {
    if (l.minTtl === ttl) return;
    try {
      l.listener.setMinTtl(ttl);
      l.minTtl = ttl;
    } catch (err) {
      if (requireTtlCheck || !(err instanceof BfdError)) throw err;
      if (!warnedTtl)
        logger.warn(
          { err: err.message },
          'BFD runs WITHOUT the receive TTL check (requireTtlCheck: false): RFC 5881 §5 is not enforced',
        );
      warnedTtl = true;
    }
  }

  /** RFC 5883 §2: one socket serves every multi-hop session, so it takes the lowest minimum. */
  function updateMultihopTtl(l: ListenerEntry): void {
    let min = 255;
    for (const e of l.byAddress.values()) min = Math.min(min, e.opts.minimumTtl);
    setMinTtl(l, min);
  }

  function senderFor(
    family: 'ipv4' | 'ipv6',
    localAddress: string | undefined,
  ): Promise<SenderEntry> {
    const k = `${family}|${localAddress ?? '*'}`;
    let p = senders.get(k);
    if (!p) {
      p = transport
        .sender(
          {
            family,
            ...(localAddress !== undefined ? { localAddress } : {}),
            ttl: sendTtl,
            portMin: SOURCE_PORT_MIN,
            portMax: SOURCE_PORT_MAX,
          },
          onSocketError,
          () => {
            packetsReceived++;
            metrics.received.inc();
            drop(LookupDropReason.WrongPort);
          },
        )
        .then((sender) => ({ sender }));
      senders.set(k, p);
      p.catch(() => senders.delete(k));
    }
    return p;
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

  function status(e: Entry): BfdSessionStatus {
    const s = e.state;
    const o = e.opts;
    return {
      peer: o.peerAddress,
      family: o.family,
      localAddress: o.localAddress,
      multihop: o.multihop,
      passive: o.passiveMode,
      state: stateName(s.state),
      remoteState: stateName(s.remoteState),
      localDiag: diagName(s.localDiag),
      remoteDiag: diagName(s.remoteDiag),
      localDiscriminator: s.config.localDiscriminator,
      remoteDiscriminator: s.remoteDiscriminator,
      receiveIntervalMs: s.config.requiredMinRxUs / 1000,
      transmitIntervalMs: s.config.desiredMinTxUs / 1000,
      detectMultiplier: s.config.detectMult,
      minimumTtl: o.multihop ? o.minimumTtl : GTSM_TTL,
      desiredMinTxMs: s.desiredMinTxUs / 1000,
      actualTransmitIntervalMs: s.nextTxAt === null ? null : transmitIntervalUs(s) / 1000,
      detectionTimeMs: detectionTimeUs(s) / 1000,
      remoteReceiveIntervalMs: s.remoteMinRxUs / 1000,
      remoteTransmitIntervalMs: s.remoteDesiredMinTxUs / 1000,
      remoteDetectMultiplier: s.remoteDetectMult,
      pollActive: s.pollActive,
      sourcePort: e.sender.sender.localPort,
      packetsIn: e.packetsIn,
      packetsOut: e.packetsOut,
      upEvents: e.upEvents,
      downEvents: e.downEvents,
    };
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
        updateMultihopTtl(e.listener);
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
        const listener = await listenerFor(r.family, r.multihop);
        const sender = await senderFor(r.family, r.localAddress);
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
            updateMultihopTtl(listener);
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
        return status(e);
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
      return e ? status(e) : undefined;
    },

    sessions(): BfdSessionStatus[] {
      return [...sessions.values()].map(status);
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
      const all = [
        ...[...listeners.values()].map((p) => p.then((l) => l.listener.close())),
        ...[...senders.values()].map((p) => p.then((s) => s.sender.close())),
      ];
      await Promise.allSettled(all);
      listeners.clear();
      senders.clear();
    },
  };
}
