// Drives one session machine with real sockets and timers, and feeds that peer's Adj-RIB-Out to
// its socket at the pace the socket takes it (issue 14: backpressure).
//
// Output is pulled, never pushed: RibSync (machine/rib-sync.ts) holds what is owed to the peer as
// bounded state, and pump() asks it for the next chunk only while the socket's queue is below its
// high-water mark. A slow reader gets the initial dump at its own pace; a reader that stops reading
// leaves us with a full socket buffer (the high-water mark plus at most one chunk) and a dirty set,
// never a growing queue. Should the queue still pass `maxOutputQueueBytes`, the session is reset
// with Cease/8 and counted; a peer that takes nothing for SendHoldTime is reset by the machine
// (RFC 9687).
import { BgpError, BgpErrorCode } from '../errors.js';
import { BgpFramer } from '../codec/framer.js';
import { MAX_MESSAGE_LENGTH } from '../codec/constants.js';
import type { UpdateMessage } from '../codec/update.js';
import { afiOf } from '../codec/open.js';
import { initialSessionState, step, established } from '../machine/session.js';
import type { SessionAction, SessionConfig, SessionEvent, SessionState } from '../machine/types.js';
import { RibSync } from '../machine/rib-sync.js';
import type { Route } from '../machine/rib.js';
import type { SlotTable } from '../machine/adj-rib-out.js';
import type { AddressFamily } from '../codec/prefix.js';
import type {
  BgpSocket,
  Clock,
  Logger,
  PendingConnect,
  SocketOptions,
  Transport,
} from '../deps.js';
import type { BgpMetrics } from './metrics.js';
import { checkSendProgress, newConn, pumpChunks, writeTo } from './peer-output.js';
import type { Conn, OutputContext } from './peer-output.js';
import { zeroCounters } from './events.js';
import {
  gracefulRestartEvent,
  notificationEvent,
  receivedEvent,
  selfNextHop,
  selfNextHopV6,
} from './peer-routes.js';
import type { PeerCounters, PeerStatus, SpeakerEvent } from './events.js';

export interface PeerDriverDeps {
  clock: Clock;
  random: () => number;
  logger: Logger;
  metrics: BgpMetrics;
  transport: Transport;
  emit: (e: SpeakerEvent) => void;
  /** Link-local address to add to an IPv6 next hop when the peer shares our subnet (RFC 2545 §3). */
  linkLocal: (local: string, peer: string) => string | undefined;
  /** The speaker's desired routes (shared, read-only here). */
  routes: ReadonlyMap<string, Route>;
  /** The speaker's prefix slots, shared by every peer's Adj-RIB-Out. */
  slots: SlotTable;
  /** How many desired routes are of these families. */
  routeCount: (families: AddressFamily[]) => number;
}

export interface PeerDriverOptions {
  address: string;
  port: number;
  localAddress: string | undefined;
  localPort: number | undefined;
  session: SessionConfig;
  nextHopIpv4: string | undefined;
  nextHopIpv6: string[] | undefined;
  /** TTL, GTSM minimum TTL and TCP-MD5 password of the session's sockets. */
  socket: SocketOptions;
  /** Bytes queued on the socket past which the session is reset (Cease/8). */
  maxOutputQueueBytes: number;
}

export class PeerDriver {
  private state: SessionState;
  private readonly conns = new Map<number, Conn>();
  private pending: PendingConnect | null = null;
  private timer: unknown = null;
  private nextConnId = 1;
  private sync: RibSync | null = null;
  /** With dynamicAsn: the ASN the peer's last OPEN carried. */
  private learntPeerAs: number | undefined;
  private estConn: number | null = null;
  readonly counters: PeerCounters = zeroCounters();
  private readonly labels: Readonly<Record<string, string>>;
  private dispatching = false;
  private pumping = false;
  private readonly queue: SessionEvent[] = [];
  private readonly out: OutputContext;

  constructor(
    private readonly deps: PeerDriverDeps,
    readonly options: PeerDriverOptions,
  ) {
    this.state = initialSessionState(options.session);
    this.labels = { peer: options.address };
    this.out = {
      name: options.address,
      labels: this.labels,
      counters: this.counters,
      maxOutputQueueBytes: options.maxOutputQueueBytes,
      logger: deps.logger,
      metrics: deps.metrics,
      emit: deps.emit,
      dispatch: (e) => this.dispatch(e),
      reset: (subcode, message) => this.reset(subcode, message),
    };
  }

  get name(): string {
    return this.options.address;
  }

  start(): void {
    this.dispatch({ type: 'start' });
    this.updateGauges();
  }

  stop(subcode?: number, message?: string, graceful?: boolean): void {
    this.dispatch({
      type: 'stop',
      ...(subcode !== undefined ? { subcode } : {}),
      ...(message !== undefined ? { message } : {}),
      ...(graceful ? { graceful } : {}),
    });
    this.updateGauges();
  }

  /** Cease with `subcode` and reconnect after the backoff (the BFD seam). */
  reset(subcode: number, message?: string, reason?: string): void {
    this.dispatch({
      type: 'reset',
      subcode,
      ...(message !== undefined ? { message } : {}),
      ...(reason !== undefined ? { reason } : {}),
    });
  }

  /** Zeroes this peer's gauges (it is being removed). */
  clearMetrics(): void {
    const m = this.deps.metrics;
    for (const g of [m.sessionUp, m.announcedPrefixes, m.pendingPrefixes, m.outputQueueBytes])
      g.set(this.labels, 0);
  }

  private updateGauges(): void {
    const m = this.deps.metrics;
    const c = this.estConn !== null ? this.conns.get(this.estConn) : undefined;
    m.sessionUp.set(this.labels, this.estConn !== null ? 1 : 0);
    m.announcedPrefixes.set(this.labels, this.sync?.adjOut.size ?? 0);
    m.pendingPrefixes.set(this.labels, this.pendingPrefixes());
    m.outputQueueBytes.set(this.labels, c?.socket.bufferedBytes ?? 0);
  }

  /** The listener hands over a connection whose remote address is this peer's. */
  accept(socket: BgpSocket): void {
    const id = this.nextConnId++;
    this.attach(id, socket, true);
    if (this.conns.has(id)) this.dispatch({ type: 'incoming', conn: id });
  }

  isIdle(): boolean {
    return this.state.name === 'Idle' && this.conns.size === 0;
  }

  private get negotiated() {
    return established(this.state)?.negotiated ?? null;
  }

  status(): PeerStatus {
    const n = this.negotiated;
    const cfg = this.options.session;
    const c = this.estConn !== null ? this.conns.get(this.estConn) : undefined;
    return {
      peer: this.options.address,
      peerAs: n?.peerAs ?? this.learntPeerAs ?? cfg.peerAs,
      localAs: cfg.localAs,
      routerId: cfg.routerId,
      state: this.state.name,
      lastReason: this.state.lastReason,
      holdTimeSec: n?.holdTimeSec,
      keepaliveTimeSec: n?.keepaliveSec,
      families: n?.families ?? [],
      peerRouterId: n?.peerOpen.bgpId,
      gracefulRestart: n?.gracefulRestart !== undefined,
      enhancedRouteRefresh: n?.enhancedRouteRefresh ?? false,
      staleFamilies: this.state.peerRestart?.families ?? [],
      outputQueueBytes: c?.socket.bufferedBytes ?? 0,
      pendingPrefixes: this.pendingPrefixes(),
      counters: { ...this.counters, prefixesSent: this.sync?.adjOut.size ?? 0 },
    };
  }

  private pendingPrefixes(): number {
    return this.sync
      ? this.sync.pendingPrefixes
      : this.deps.routeCount(this.options.session.families);
  }

  /**
   * These prefix keys changed in the desired table: owe them to the peer and send what the socket
   * takes now. Never throws: it runs from the speaker's microtask (DESIGN.md §7).
   */
  flush(dirty: Iterable<string>): void {
    if (!this.sync) return this.updateGauges();
    this.sync.markDirty(dirty);
    this.pump();
  }

  /** Sends what the socket takes now (see peer-output.ts). */
  private pump(): void {
    if (this.pumping) return;
    const id = this.estConn;
    const conn = id !== null ? this.conns.get(id) : undefined;
    if (id === null || !conn || !this.sync) return;
    this.pumping = true;
    try {
      pumpChunks(this.out, id, conn, this.sync, () => this.conns.get(id) === conn);
    } finally {
      this.pumping = false;
      this.updateGauges();
    }
  }

  private attach(id: number, socket: BgpSocket, accepted: boolean): void {
    // A dialled socket got its options before the SYN; an accepted one inherited the listener's
    // (MD5 keys, the smallest GTSM minimum) and now gets its own peer's exact TTL and minimum.
    const { ttl, minTtl } = this.options.socket;
    if (accepted && (ttl !== undefined || minTtl !== undefined)) {
      const so = {
        ...(ttl !== undefined ? { ttl } : {}),
        ...(minTtl !== undefined ? { minTtl } : {}),
      };
      if (!socket.setSocketOptions?.(so)) {
        // Never run a GTSM session without its receive check: refuse the connection instead.
        this.deps.logger.warn({ peer: this.name, ...so }, 'could not set the session TTL / GTSM');
        if (minTtl !== undefined) {
          socket.end();
          return;
        }
      }
    }
    const framer = new BgpFramer({ maxFrameBytes: MAX_MESSAGE_LENGTH });
    const conn = newConn(socket, framer);
    this.conns.set(id, conn);
    socket.onData((data) => this.received(id, conn, data));
    socket.onDrain(() => {
      if (this.conns.get(id) !== conn || !conn.blocked) return;
      conn.blocked = false;
      this.dispatch({ type: 'send-drained', conn: id });
      if (id === this.estConn) this.pump();
    });
    socket.onClose((reason) => {
      if (this.conns.get(id) === conn) this.dispatch({ type: 'closed', conn: id, reason });
    });
  }

  /** Bytes from a connection: frames one at a time, each checked at the size negotiated so far. */
  private received(id: number, conn: Conn, data: Uint8Array): void {
    if (this.conns.get(id) !== conn) return;
    try {
      conn.framer.append(data);
      for (;;) {
        // RFC 8654 §4: above 4096 bytes only once both OPENs carried the capability; raised
        // between frames so a large UPDATE right behind the peer's KEEPALIVE is read correctly.
        const c = this.state.conns.find((x) => x.id === id);
        conn.framer.maxFrameBytes = c?.negotiated?.maxMessageBytes ?? MAX_MESSAGE_LENGTH;
        const f = conn.framer.next();
        if (!f) return;
        this.dispatch({ type: 'frame', conn: id, bytes: f });
        if (this.conns.get(id) !== conn) return;
      }
    } catch (err) {
      // Never throw from a socket callback: anything the framer throws closes this connection
      // with a NOTIFICATION (the machine answers a BgpError without one with Cease/0).
      const error =
        err instanceof BgpError
          ? err
          : new BgpError(BgpErrorCode.MalformedMessage, String((err as Error)?.message ?? err));
      this.dispatch({ type: 'decode-error', conn: id, error });
    }
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
            ...o.socket,
          },
          (sock) => {
            this.pending = null;
            this.attach(id, sock, false);
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
        if (c) writeTo(this.out, a.conn, c, a.bytes);
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
        const n = a.negotiated;
        const c = this.conns.get(a.conn);
        this.estConn = a.conn;
        this.learntPeerAs = n.peerAs;
        this.counters.establishedTransitions++;
        if (!c) return;
        // Full re-send after every (re)connect from an empty Adj-RIB-Out (RFC 4271 §9.4), then
        // End-of-RIB per family (RFC 4724 §2): RibSync starts with that pass.
        this.sync = new RibSync(
          d.routes,
          {
            localAs: this.options.session.localAs,
            ebgp: this.options.session.localAs !== n.peerAs,
            families: new Set(n.families),
            fourOctetAs: n.fourOctetAs,
            maxMessageBytes: n.maxMessageBytes,
            nextHopIpv4: this.options.nextHopIpv4 ?? selfNextHop('ipv4', c.socket),
            nextHopIpv6: this.options.nextHopIpv6 ?? selfNextHopV6(c.socket, d.linkLocal),
          },
          { families: n.families, enhancedRouteRefresh: n.enhancedRouteRefresh, slots: d.slots },
        );
        this.pump();
        return;
      }
      case 'down':
        if (this.estConn === a.conn) {
          this.estConn = null;
          this.sync = null;
          this.updateGauges();
        }
        return;
      case 'update':
        this.receivedUpdate(a.message);
        return;
      case 'notification-received':
        this.counters.notificationsIn++;
        d.metrics.notificationsReceived.inc(this.labels);
        d.emit(notificationEvent(this.name, a));
        return;
      case 'notification-sent':
        this.counters.notificationsOut++;
        d.metrics.notificationsSent.inc(this.labels);
        d.emit(notificationEvent(this.name, a));
        return;
      case 'route-refresh': {
        // RFC 2918 §4: re-send the Adj-RIB-Out of that family, coalesced with any pending resend.
        this.counters.routeRefreshesIn++;
        d.metrics.routeRefreshesReceived.inc(this.labels);
        const fam = afiOf(a.message.afi, a.message.safi);
        if (fam && this.sync?.refresh(fam) && a.conn === this.estConn) this.pump();
        return;
      }
      case 'graceful-restart': {
        const e = gracefulRestartEvent(this.name, a);
        d.logger.info(
          { peer: this.name, phase: e.phase, families: e.families, reason: e.reason },
          'graceful restart',
        );
        d.emit(e);
        return;
      }
      case 'arm-timer':
        if (this.timer !== null) d.clock.clearTimeout(this.timer);
        this.timer = null;
        if (a.at !== null) {
          this.timer = d.clock.setTimeout(() => {
            this.timer = null;
            checkSendProgress(this.out, this.conns);
            this.dispatch({ type: 'timer' });
          }, a.at - d.clock.now());
        }
        return;
    }
  }

  private receivedUpdate(m: UpdateMessage): void {
    this.counters.updatesIn++;
    this.deps.metrics.updatesReceived.inc(this.labels);
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
