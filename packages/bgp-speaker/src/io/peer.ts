// Drives one session machine with real sockets and timers, and keeps that peer's Adj-RIB-Out.
import { BgpError, BgpErrorCode } from '../errors.js';
import { BgpFramer } from '../codec/framer.js';
import {
  CeaseSubcode,
  MAX_EXTENDED_MESSAGE_LENGTH,
  MAX_MESSAGE_LENGTH,
} from '../codec/constants.js';
import type { AddressFamily } from '../codec/prefix.js';
import { encodeEndOfRib, type UpdateMessage } from '../codec/update.js';
import { initialSessionState, step, established } from '../machine/session.js';
import type {
  Negotiated,
  SessionAction,
  SessionConfig,
  SessionEvent,
  SessionState,
} from '../machine/types.js';
import { planUpdates } from '../machine/rib.js';
import type { AdjRibOut, Route } from '../machine/rib.js';
import type { BgpSocket, Clock, Logger, Metrics, PendingConnect, Transport } from './deps.js';
import { zeroCounters } from './events.js';
import { receivedEvent, selfNextHop, selfNextHopV6 } from './peer-routes.js';
import type { PeerCounters, PeerStatus, SpeakerEvent } from './events.js';

export interface PeerDriverDeps {
  clock: Clock;
  random: () => number;
  logger: Logger;
  metrics: Metrics;
  transport: Transport;
  emit: (e: SpeakerEvent) => void;
  /** Link-local address to add to an IPv6 next hop when the peer shares our subnet (RFC 2545 §3). */
  linkLocal: (local: string, peer: string) => string | undefined;
  /** The speaker's desired routes (shared, read-only here). */
  routes: ReadonlyMap<string, Route>;
}

export interface PeerDriverOptions {
  address: string;
  port: number;
  localAddress: string | undefined;
  localPort: number | undefined;
  session: SessionConfig;
  nextHopIpv4: string | undefined;
  nextHopIpv6: string[] | undefined;
  ttl: number | undefined;
}

interface Conn {
  socket: BgpSocket;
  framer: BgpFramer;
}

export class PeerDriver {
  private state: SessionState;
  private readonly conns = new Map<number, Conn>();
  private pending: PendingConnect | null = null;
  private timer: unknown = null;
  private nextConnId = 1;
  private adjOut: AdjRibOut = new Map();
  private negotiated: Negotiated | null = null;
  private estConn: number | null = null;
  readonly counters: PeerCounters = zeroCounters();
  private readonly labels: Record<string, string>;
  private dispatching = false;
  private readonly queue: SessionEvent[] = [];

  constructor(
    private readonly deps: PeerDriverDeps,
    readonly options: PeerDriverOptions,
  ) {
    this.state = initialSessionState(options.session);
    this.labels = { peer: options.address };
  }

  get name(): string {
    return this.options.address;
  }

  start(): void {
    this.dispatch({ type: 'start' });
  }

  stop(subcode?: number, message?: string): void {
    this.dispatch({
      type: 'stop',
      ...(subcode !== undefined ? { subcode } : {}),
      ...(message !== undefined ? { message } : {}),
    });
  }

  /** Cease with `subcode` and reconnect after the backoff (the BFD seam). */
  reset(subcode: number, message?: string): void {
    this.dispatch({ type: 'reset', subcode, ...(message !== undefined ? { message } : {}) });
  }

  /** The listener hands over a connection whose remote address is this peer's. */
  accept(socket: BgpSocket): void {
    const id = this.nextConnId++;
    this.attach(id, socket);
    this.dispatch({ type: 'incoming', conn: id });
  }

  isIdle(): boolean {
    return this.state.name === 'Idle' && this.conns.size === 0;
  }

  status(): PeerStatus {
    return {
      peer: this.options.address,
      peerAs: this.options.session.peerAs,
      state: this.state.name,
      lastReason: this.state.lastReason,
      holdTimeSec: this.negotiated?.holdTimeSec,
      keepaliveSec: this.negotiated?.keepaliveSec,
      families: this.negotiated?.families ?? [],
      peerRouterId: this.negotiated?.peerOpen.bgpId,
      counters: { ...this.counters, prefixesSent: this.adjOut.size },
    };
  }

  /**
   * Sends what changed for these prefix keys (or everything when undefined). Never throws: it runs
   * from socket callbacks and the speaker's microtask, where an exception would end the process
   * (DESIGN.md §7). Routes that cannot be encoded are reported as `skipped`; anything unexpected
   * resets this session (Cease/8 Out of Resources, RFC 4486) so the reconnect re-sends in full
   * from a clean Adj-RIB-Out.
   */
  flush(dirty?: Iterable<string>): void {
    try {
      this.flushUnsafe(dirty);
    } catch (err) {
      this.counters.encodeErrors++;
      this.deps.logger.error(
        { peer: this.name, err: err instanceof Error ? err.message : String(err) },
        'flush failed; resetting the session',
      );
      this.reset(CeaseSubcode.OutOfResources, 'internal error while sending updates');
    }
  }

  private flushUnsafe(dirty?: Iterable<string>): void {
    if (!this.negotiated || this.estConn === null) return;
    const conn = this.conns.get(this.estConn);
    if (!conn) return;
    const n = this.negotiated;
    const plan = planUpdates(
      this.deps.routes,
      this.adjOut,
      {
        localAs: this.options.session.localAs,
        ebgp: this.options.session.localAs !== n.peerAs,
        families: new Set(n.families),
        fourOctetAs: n.fourOctetAs,
        maxMessageBytes: n.maxMessageBytes,
        nextHopIpv4: this.options.nextHopIpv4 ?? selfNextHop('ipv4', conn.socket),
        nextHopIpv6: this.options.nextHopIpv6 ?? selfNextHopV6(conn.socket, this.deps.linkLocal),
      },
      dirty,
    );
    this.sendUpdates(conn, plan.messages, plan.announced, plan.withdrawn, []);
    if (plan.skipped.length)
      this.deps.emit({
        type: 'skipped',
        peer: this.name,
        prefixes: plan.skipped,
        reason: 'no next hop for this address family on this session',
      });
    for (const f of plan.failed) {
      this.counters.encodeErrors++;
      this.deps.logger.warn(
        { peer: this.name, prefixes: f.prefixes, err: f.reason },
        'cannot encode',
      );
      this.deps.emit({
        type: 'skipped',
        peer: this.name,
        prefixes: f.prefixes,
        reason: `cannot encode: ${f.reason}`,
      });
    }
  }

  private sendUpdates(
    conn: Conn,
    messages: Buffer[],
    announced: string[],
    withdrawn: string[],
    endOfRib: AddressFamily[],
  ): void {
    if (messages.length === 0 && endOfRib.length === 0) return;
    let bytes = 0;
    for (const m of messages) {
      conn.socket.write(m);
      bytes += m.length;
    }
    for (const f of endOfRib) {
      const m = encodeEndOfRib(f);
      conn.socket.write(m);
      bytes += m.length;
    }
    const count = messages.length + endOfRib.length;
    this.counters.updatesOut += count;
    this.deps.metrics.inc('bgp_updates_sent_total', this.labels, count);
    if (this.estConn !== null) this.dispatch({ type: 'update-sent', conn: this.estConn });
    this.deps.emit({
      type: 'sent',
      peer: this.name,
      announced,
      withdrawn,
      messages: count,
      bytes,
      endOfRib,
    });
  }

  private attach(id: number, socket: BgpSocket): void {
    if (this.options.ttl !== undefined && !socket.setTtl?.(this.options.ttl)) {
      this.deps.logger.warn(
        { peer: this.name, ttl: this.options.ttl },
        'could not set the session TTL',
      );
    }
    // The machine enforces the negotiated size per message; the framer only caps at what we could
    // ever accept, so frames arriving right behind the peer's KEEPALIVE are split correctly.
    const framer = new BgpFramer({
      maxFrameBytes: this.options.session.extendedMessage
        ? MAX_EXTENDED_MESSAGE_LENGTH
        : MAX_MESSAGE_LENGTH,
    });
    this.conns.set(id, { socket, framer });
    socket.onData((data) => {
      if (!this.conns.has(id)) return;
      let frames: Buffer[];
      try {
        frames = framer.push(data);
      } catch (err) {
        // Never throw from a socket callback: anything the framer throws closes this connection
        // with a NOTIFICATION (the machine answers a BgpError without one with Cease/0).
        const error =
          err instanceof BgpError
            ? err
            : new BgpError(BgpErrorCode.MalformedMessage, String((err as Error)?.message ?? err));
        this.dispatch({ type: 'decode-error', conn: id, error });
        return;
      }
      for (const f of frames) {
        if (!this.conns.has(id)) return;
        this.dispatch({ type: 'frame', conn: id, bytes: f });
      }
    });
    socket.onClose((reason) => {
      if (this.conns.has(id)) this.dispatch({ type: 'closed', conn: id, reason });
    });
  }

  private dispatch(e: SessionEvent): void {
    // Actions may cause events (a send that fails, an immediate close): queue, never recurse.
    this.queue.push(e);
    if (this.dispatching) return;
    this.dispatching = true;
    try {
      for (let ev = this.queue.shift(); ev; ev = this.queue.shift()) {
        const r = step(this.state, ev, { now: this.deps.clock.now(), random: this.deps.random() });
        this.state = r.state;
        for (const a of r.actions) this.perform(a);
      }
    } finally {
      this.dispatching = false;
    }
  }

  private perform(a: SessionAction): void {
    const d = this.deps;
    switch (a.type) {
      case 'connect': {
        const id = this.nextConnId++;
        const o = this.options;
        this.pending = d.transport.connect(
          {
            host: o.address,
            port: o.port,
            ...(o.localAddress ? { localAddress: o.localAddress } : {}),
            ...(o.localPort ? { localPort: o.localPort } : {}),
          },
          (sock) => {
            this.pending = null;
            this.attach(id, sock);
            this.dispatch({ type: 'connected', conn: id });
          },
          (reason) => {
            this.pending = null;
            this.dispatch({ type: 'connect-failed', reason });
          },
        );
        return;
      }
      case 'cancel-connect':
        this.pending?.cancel();
        this.pending = null;
        return;
      case 'send': {
        const c = this.conns.get(a.conn);
        c?.socket.write(a.bytes);
        if (a.kind === 'keepalive') this.counters.keepalivesOut++;
        return;
      }
      case 'close': {
        const c = this.conns.get(a.conn);
        this.conns.delete(a.conn);
        c?.socket.end();
        return;
      }
      case 'state':
        d.logger.info({ peer: this.name, from: a.from, to: a.to, reason: a.reason }, 'bgp state');
        d.emit({ type: 'state', peer: this.name, from: a.from, to: a.to, reason: a.reason });
        return;
      case 'established': {
        this.negotiated = a.negotiated;
        this.estConn = a.conn;
        this.counters.establishedTransitions++;
        const c = this.conns.get(a.conn);
        // Full re-send after every (re)connect: the Adj-RIB-Out starts empty (RFC 4271 §9.4).
        this.adjOut = new Map();
        this.flush();
        // End-of-RIB after the initial dump (RFC 4724 §2), one per negotiated family.
        if (c) this.sendUpdates(c, [], [], [], a.negotiated.families);
        return;
      }
      case 'down':
        if (this.estConn === a.conn) {
          this.estConn = null;
          this.adjOut = new Map();
          // What was negotiated belonged to that session: status() must not show its hold time,
          // families or router id once it is gone.
          this.negotiated = null;
        }
        return;
      case 'update':
        this.received(a.message);
        return;
      case 'notification-received':
        this.counters.notificationsIn++;
        d.metrics.inc('bgp_notifications_received_total', this.labels);
        d.emit({
          type: 'notification',
          peer: this.name,
          direction: 'received',
          code: a.message.code,
          subcode: a.message.subcode,
          reason: 'received',
          ...(a.message.shutdownMessage !== undefined
            ? { shutdownMessage: a.message.shutdownMessage }
            : {}),
        });
        return;
      case 'notification-sent':
        this.counters.notificationsOut++;
        d.metrics.inc('bgp_notifications_sent_total', this.labels);
        d.emit({
          type: 'notification',
          peer: this.name,
          direction: 'sent',
          code: a.code,
          subcode: a.subcode,
          reason: a.reason,
          ...(a.shutdownMessage !== undefined ? { shutdownMessage: a.shutdownMessage } : {}),
        });
        return;
      case 'route-refresh':
        // RFC 2918 §4: re-send the whole Adj-RIB-Out for that family.
        this.adjOut = new Map();
        this.flush();
        return;
      case 'arm-timer':
        if (this.timer !== null) d.clock.clearTimeout(this.timer);
        this.timer = null;
        if (a.at !== null) {
          this.timer = d.clock.setTimeout(() => {
            this.timer = null;
            this.dispatch({ type: 'timer' });
          }, a.at - d.clock.now());
        }
        return;
    }
  }

  private received(m: UpdateMessage): void {
    this.counters.updatesIn++;
    this.deps.metrics.inc('bgp_updates_received_total', this.labels);
    if (m.treatAsWithdraw) this.counters.treatAsWithdraw++;
    const e = receivedEvent(this.name, m, this.options.session.localAs);
    this.counters.ownAsDropped += e.droppedOwnAs.length;
    this.counters.prefixesReceived += e.announced.length;
    this.deps.emit(e);
  }

  /** True when the session is Established (for tests and status). */
  get isEstablished(): boolean {
    return established(this.state) !== undefined;
  }
}
