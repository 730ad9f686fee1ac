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
import { CeaseSubcode, MAX_MESSAGE_LENGTH } from '../codec/constants.js';
import type { UpdateMessage } from '../codec/update.js';
import { afiOf } from '../codec/open.js';
import { initialSessionState, step, established } from '../machine/session.js';
import type { SessionAction, SessionConfig, SessionEvent, SessionState } from '../machine/types.js';
import { RibSync } from '../machine/rib-sync.js';
import type { SyncChunk } from '../machine/rib-sync.js';
import type { Route } from '../machine/rib.js';
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
import { zeroCounters } from './events.js';
import { receivedEvent, selfNextHop, selfNextHopV6 } from './peer-routes.js';
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

interface Conn {
  socket: BgpSocket;
  framer: BgpFramer;
  /** write() returned false and no drain has come since. */
  blocked: boolean;
  /** The overflow was reported; the connection is going away. */
  overflowed: boolean;
  /** Bytes written in total, and how many of them the socket had taken at the last check. */
  written: number;
  flushedMark: number;
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

  /**
   * Sends chunks from the RibSync while the established connection's socket takes them. Routes
   * that cannot be encoded are reported as `skipped`; anything unexpected resets this session
   * (Cease/8 Out of Resources, RFC 4486) so the reconnect re-sends in full from a clean state.
   */
  private pump(): void {
    if (this.pumping) return;
    const id = this.estConn;
    const conn = id !== null ? this.conns.get(id) : undefined;
    const sync = this.sync;
    if (id === null || !conn || !sync) return;
    this.pumping = true;
    try {
      while (!conn.blocked && !conn.overflowed && this.conns.get(id) === conn) {
        const chunk = sync.next();
        if (!chunk) break;
        this.sendChunk(id, conn, chunk);
      }
    } catch (err) {
      this.counters.encodeErrors++;
      this.deps.logger.error(
        { peer: this.name, err: err instanceof Error ? err.message : String(err) },
        'sending updates failed; resetting the session',
      );
      this.reset(CeaseSubcode.OutOfResources, 'internal error while sending updates');
    } finally {
      this.pumping = false;
      this.updateGauges();
    }
  }

  private sendChunk(id: number, conn: Conn, c: SyncChunk): void {
    let bytes = 0;
    for (const m of c.messages) {
      this.write(id, conn, m);
      bytes += m.length;
    }
    if (c.messages.length) {
      this.counters.updatesOut += c.messages.length;
      this.deps.metrics.updatesSent.inc(this.labels, c.messages.length);
      this.dispatch({ type: 'update-sent', conn: id });
      this.deps.emit({
        type: 'sent',
        peer: this.name,
        announced: c.announced,
        withdrawn: c.withdrawn,
        messages: c.messages.length,
        bytes,
        endOfRib: c.endOfRib,
        ...(c.refresh.length ? { refresh: c.refresh } : {}),
      });
    }
    if (c.skipped.length)
      this.deps.emit({
        type: 'skipped',
        peer: this.name,
        prefixes: c.skipped,
        reason: 'no next hop for this address family on this session',
      });
    for (const f of c.failed) {
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

  /** Every byte to a connection goes through here: backpressure state and the queue cap. */
  private write(id: number, conn: Conn, bytes: Uint8Array): void {
    if (conn.overflowed) return;
    const ok = conn.socket.write(bytes);
    conn.written += bytes.length;
    const queued = conn.socket.bufferedBytes;
    if (queued > this.options.maxOutputQueueBytes) {
      conn.overflowed = true;
      this.counters.outputOverflows++;
      this.deps.metrics.outputOverflows.inc(this.labels);
      this.deps.logger.warn(
        { peer: this.name, queued, max: this.options.maxOutputQueueBytes },
        'output queue over cap; resetting the session',
      );
      this.dispatch({
        type: 'output-overflow',
        conn: id,
        bytes: queued,
        maxBytes: this.options.maxOutputQueueBytes,
      });
      return;
    }
    if (!ok && !conn.blocked) {
      conn.blocked = true;
      conn.flushedMark = conn.written - queued;
      this.dispatch({ type: 'send-blocked', conn: id });
    }
  }

  /**
   * Before a timer fires: a blocked connection whose socket took some bytes since the last check
   * has a peer that still reads (RFC 9687 restarts SendHoldTimer on progress; node:net reports
   * `drain` only once its queue is empty).
   */
  private checkSendProgress(): void {
    for (const [id, c] of this.conns) {
      if (!c.blocked) continue;
      const flushed = c.written - c.socket.bufferedBytes;
      if (flushed > c.flushedMark) {
        c.flushedMark = flushed;
        this.dispatch({ type: 'send-progress', conn: id });
      }
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
    const conn: Conn = {
      socket,
      framer,
      blocked: false,
      overflowed: false,
      written: 0,
      flushedMark: 0,
    };
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
        if (c) this.write(a.conn, c, a.bytes);
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
          { families: n.families, enhancedRouteRefresh: n.enhancedRouteRefresh },
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
        d.metrics.notificationsSent.inc(this.labels);
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
      case 'route-refresh': {
        // RFC 2918 §4: re-send the Adj-RIB-Out of that family, coalesced with any pending resend.
        this.counters.routeRefreshesIn++;
        d.metrics.routeRefreshesReceived.inc(this.labels);
        const fam = afiOf(a.message.afi, a.message.safi);
        if (fam && this.sync?.refresh(fam) && a.conn === this.estConn) this.pump();
        return;
      }
      case 'graceful-restart':
        d.logger.info(
          { peer: this.name, phase: a.phase, families: a.families, reason: a.reason },
          'graceful restart',
        );
        d.emit({
          type: 'graceful-restart',
          peer: this.name,
          phase: a.phase,
          families: a.families,
          reason: a.reason,
          ...(a.restartTimeSec !== undefined ? { restartTimeSec: a.restartTimeSec } : {}),
        });
        return;
      case 'arm-timer':
        if (this.timer !== null) d.clock.clearTimeout(this.timer);
        this.timer = null;
        if (a.at !== null) {
          this.timer = d.clock.setTimeout(() => {
            this.timer = null;
            this.checkSendProgress();
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
