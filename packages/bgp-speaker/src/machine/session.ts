// The RFC 4271 §8 finite state machine of one peer as a pure function:
// step(state, event, {now, random}) → {state, actions}. No sockets, no timers, no clock reads.
//
// Connections are tracked individually so that a collision (RFC 4271 §6.8: both sides dial at
// once) is just two entries in `conns` until one of them is resolved with Cease/7.
import { BgpError } from '../errors.js';
import { CeaseSubcode, ErrorCode } from '../codec/constants.js';
import { decodeMessage } from '../codec/message.js';
import type { BgpMessage } from '../codec/message.js';
import { encodeNotification } from '../codec/notification.js';
import { afiSafiOf, encodeOpenBody } from '../codec/open.js';
import { openReceived } from './open-received.js';
import { ourCapability, peerConnectionLost } from './graceful-restart.js';
import { receivedMessage, sessionTimers } from './session-events.js';
import { established, nextDeadline } from './session-state.js';
import type { OpenMessage } from '../codec/open.js';
import { encodeFrame } from '../codec/update.js';
import { HeaderSubcode, MAX_MESSAGE_LENGTH, MessageType } from '../codec/constants.js';
import type {
  ConnState,
  Negotiated,
  SessionAction,
  SessionConfig,
  SessionEvent,
  SessionState,
  SessionStateName,
  StepContext,
  StepResult,
} from './types.js';

export {
  DEFAULT_SESSION_CONFIG,
  decodeContextOf,
  established,
  initialSessionState,
  nextDeadline,
} from './session-state.js';

/** One step's working copy of the state plus the actions it produces (internal). */
export class Stepper {
  s: SessionState;
  readonly actions: SessionAction[] = [];
  readonly now: number;
  readonly random: number;

  constructor(state: SessionState, ctx: StepContext) {
    this.s = { ...state, conns: state.conns.map((c) => ({ ...c })) };
    this.now = ctx.now;
    this.random = ctx.random;
  }

  get cfg(): SessionConfig {
    return this.s.config;
  }

  conn(id: number): ConnState | undefined {
    return this.s.conns.find((c) => c.id === id);
  }

  send(c: ConnState, kind: 'open' | 'keepalive' | 'notification', bytes: Uint8Array): void {
    this.actions.push({ type: 'send', conn: c.id, kind, bytes });
  }

  openBytes(): Uint8Array {
    const gracefulRestart = ourCapability(this);
    return encodeFrame(
      MessageType.Open,
      encodeOpenBody({
        asn: this.cfg.localAs,
        holdTimeSec: this.cfg.holdTimeSec,
        bgpId: this.cfg.routerId,
        families: this.cfg.families.map(afiSafiOf),
        routeRefresh: this.cfg.routeRefresh,
        enhancedRouteRefresh: this.cfg.routeRefresh && this.cfg.enhancedRouteRefresh,
        extendedMessage: this.cfg.extendedMessage,
        ...(gracefulRestart ? { gracefulRestart } : {}),
      }),
    );
  }

  /** Sends a NOTIFICATION (if the connection got as far as OpenSent) and drops the connection. */
  fail(
    c: ConnState,
    code: number,
    subcode: number,
    reason: string,
    data?: Uint8Array,
    shutdownMessage?: string,
  ): void {
    this.send(c, 'notification', encodeNotification(code, subcode, data, shutdownMessage));
    this.actions.push({
      type: 'notification-sent',
      conn: c.id,
      code,
      subcode,
      reason,
      ...(shutdownMessage !== undefined ? { shutdownMessage } : {}),
    });
    this.drop(c, reason);
  }

  /**
   * Closes a connection over an error: with the NOTIFICATION the error carries, or else Cease with
   * subcode 0 "Unspecific" (RFC 4271 §4.5: zero when no subcode fits; §6.7 lets a speaker close
   * with Cease at any time). Every error closes with a NOTIFICATION, so the peer learns why.
   */
  failWith(c: ConnState, err: unknown): void {
    const n = err instanceof BgpError ? err.notification : undefined;
    const reason = err instanceof Error ? err.message : String(err);
    if (n) this.fail(c, n.code, n.subcode, reason, n.data);
    else this.fail(c, ErrorCode.Cease, 0, `unexpected error: ${reason}`);
  }

  /**
   * Closes a connection without a NOTIFICATION (a graceful-restart stop, RFC 4724 §4.2: the peer
   * keeps our routes for our Restart Time).
   */
  closeQuietly(c: ConnState, reason: string): void {
    this.drop(c, reason);
  }

  /** Removes a connection; if it was the session, the session goes down and reconnects later. */
  drop(c: ConnState, reason: string): void {
    this.actions.push({ type: 'close', conn: c.id });
    const wasEstablished = c.phase === 'Established';
    this.s.conns = this.s.conns.filter((x) => x.id !== c.id);
    if (wasEstablished) this.actions.push({ type: 'down', conn: c.id, reason });
    if (this.s.conns.length === 0) {
      this.s.lastReason = reason;
      if (this.s.running) {
        this.s.failures++;
        this.scheduleRetry();
      }
    }
  }

  /** RFC 4271 §8.1.1 ConnectRetryTimer with exponential backoff and §10 jitter (×0.75–1.0). */
  scheduleRetry(): void {
    if (this.cfg.passive) {
      this.s.connectRetryAt = null;
      return;
    }
    const base = Math.min(
      this.cfg.connectRetrySec,
      this.cfg.minConnectRetrySec * 2 ** Math.max(0, this.s.failures - 1),
    );
    const jitter = 0.75 + 0.25 * this.random;
    this.s.connectRetryAt = this.now + Math.round(base * jitter * 1000);
  }

  dial(): void {
    this.s.connecting = true;
    this.actions.push({ type: 'connect' });
    // A dial that has not completed by the next retry time is abandoned and retried.
    const base = Math.min(
      this.cfg.connectRetrySec,
      Math.max(this.cfg.minConnectRetrySec * 2 ** this.s.failures, 3),
    );
    this.s.connectRetryAt = this.now + Math.round(base * (0.75 + 0.25 * this.random) * 1000);
  }

  newConn(id: number, direction: 'in' | 'out'): void {
    const c: ConnState = {
      id,
      direction,
      phase: 'OpenSent',
      peerOpen: null,
      negotiated: null,
      holdAt: this.now + this.cfg.openHoldTimeSec * 1000,
      keepaliveAt: null,
      sendHoldAt: null,
    };
    this.s.conns.push(c);
    this.send(c, 'open', this.openBytes());
  }

  handle(e: SessionEvent): void {
    switch (e.type) {
      case 'start':
        if (this.s.running) return;
        this.s.running = true;
        this.s.failures = 0;
        this.s.lastReason = 'start';
        if (!this.cfg.passive) this.dial();
        return;
      case 'stop': {
        this.s.running = false;
        this.s.connectRetryAt = null;
        if (this.s.connecting) this.actions.push({ type: 'cancel-connect' });
        this.s.connecting = false;
        const subcode = e.subcode ?? CeaseSubcode.AdministrativeShutdown;
        for (const c of [...this.s.conns]) {
          if (e.graceful && c.phase === 'Established' && c.negotiated?.gracefulRestart)
            this.closeQuietly(c, 'stopped for a graceful restart');
          else this.fail(c, ErrorCode.Cease, subcode, 'stopped', undefined, e.message);
        }
        this.s.lastReason = e.graceful ? 'stopped (graceful restart)' : 'stopped';
        return;
      }
      case 'reset': {
        if (this.s.connecting) this.actions.push({ type: 'cancel-connect' });
        this.s.connecting = false;
        const had = this.s.conns.length > 0;
        const why = e.reason ?? 'reset';
        for (const c of [...this.s.conns])
          this.fail(c, ErrorCode.Cease, e.subcode, why, undefined, e.message);
        // drop() schedules the reconnect when the last connection goes; cover "nothing to drop".
        if (!had && this.s.running) this.scheduleRetry();
        this.s.lastReason = `${why} (Cease/${e.subcode})`;
        return;
      }
      case 'timer':
        return this.timers();
      case 'connected':
        // A connection id the machine already tracks is a driver bug; never track it twice.
        if (this.conn(e.conn)) return;
        if (!this.s.connecting || !this.s.running || established(this.s)) {
          this.s.connecting = false;
          this.actions.push({ type: 'close', conn: e.conn });
          return;
        }
        this.s.connecting = false;
        this.s.connectRetryAt = null;
        this.newConn(e.conn, 'out');
        this.s.lastReason = 'tcp connected';
        return;
      case 'connect-failed':
        this.s.connecting = false;
        this.s.lastReason = `connect failed: ${e.reason}`;
        if (this.s.running && this.s.conns.length === 0) {
          this.s.failures++;
          this.scheduleRetry();
        }
        return;
      case 'incoming':
        if (this.conn(e.conn)) return;
        // RFC 4271 §6.8: a connection arriving while Established loses; also reject when stopped.
        if (!this.s.running || established(this.s)) {
          this.actions.push({ type: 'close', conn: e.conn });
          return;
        }
        this.newConn(e.conn, 'in');
        this.s.lastReason = 'tcp accepted';
        return;
      case 'closed': {
        const c = this.conn(e.conn);
        if (!c) return;
        // Receiving speaker (RFC 4724 §4.2): an Established session lost without NOTIFICATION.
        if (c.phase === 'Established') peerConnectionLost(this, c);
        this.drop(c, `connection closed: ${e.reason}`);
        return;
      }
      case 'decode-error': {
        const c = this.conn(e.conn);
        if (c) this.failWith(c, e.error);
        return;
      }
      case 'update-sent': {
        // RFC 4271 §8.2.2: sending an UPDATE restarts the KeepaliveTimer.
        const c = this.conn(e.conn);
        if (c?.negotiated && c.negotiated.keepaliveSec > 0)
          c.keepaliveAt = this.now + c.negotiated.keepaliveSec * 1000;
        return;
      }
      case 'send-blocked':
      case 'send-progress': {
        const c = this.conn(e.conn);
        if (!c) return;
        if (e.type === 'send-blocked' && c.sendHoldAt !== null) return;
        if (e.type === 'send-progress' && c.sendHoldAt === null) return;
        // RFC 9687 §3: SendHoldTime, by default the larger of 8 minutes and twice the hold time;
        // (re)started when the socket stops taking data and whenever the peer takes some.
        const sec = this.cfg.sendHoldTimeSec ?? Math.max(480, 2 * (c.negotiated?.holdTimeSec ?? 0));
        c.sendHoldAt = sec > 0 ? this.now + sec * 1000 : null;
        return;
      }
      case 'send-drained': {
        const c = this.conn(e.conn);
        if (c) c.sendHoldAt = null;
        return;
      }
      case 'output-overflow': {
        // Issue 14: a peer that does not read must not make us queue without bound.
        const c = this.conn(e.conn);
        if (c)
          this.fail(
            c,
            ErrorCode.Cease,
            CeaseSubcode.OutOfResources,
            `output queue of ${e.bytes} bytes over the ${e.maxBytes}-byte cap`,
          );
        return;
      }
      case 'frame': {
        const c = this.conn(e.conn);
        if (!c) return;
        // RFC 8654 §4: above 4096 bytes only once both OPENs carried the capability (the framer
        // lets up to 65535 through so a large UPDATE right behind the KEEPALIVE is not misread).
        const max = c.negotiated?.maxMessageBytes ?? MAX_MESSAGE_LENGTH;
        if (e.bytes.length > max) {
          const n = e.bytes.length;
          return this.fail(
            c,
            ErrorCode.MessageHeader,
            HeaderSubcode.BadMessageLength,
            `message of ${n} bytes over ${max}`,
            Uint8Array.of(n >> 8, n & 0xff),
          );
        }
        let msg: BgpMessage;
        try {
          msg = decodeMessage(e.bytes, {
            fourOctetAs: c.peerOpen?.capabilities.fourOctetAs !== undefined,
          });
        } catch (err) {
          this.failWith(c, err);
          return;
        }
        this.message(c, msg);
        return;
      }
    }
  }

  timers(): void {
    sessionTimers(this);
  }

  restartHold(c: ConnState): void {
    if (c.negotiated && c.negotiated.holdTimeSec > 0)
      c.holdAt = this.now + c.negotiated.holdTimeSec * 1000;
  }

  message(c: ConnState, m: BgpMessage): void {
    receivedMessage(this, c, m);
  }

  open(c: ConnState, m: OpenMessage): void {
    openReceived(this, c, m);
  }

  finish(prev: SessionState): StepResult {
    const name = this.deriveName();
    if (name !== prev.name) {
      // Report the transition before its consequences (the initial dump, the down event).
      this.actions.unshift({ type: 'state', from: prev.name, to: name, reason: this.s.lastReason });
      this.s.name = name;
    }
    this.actions.push({ type: 'arm-timer', at: nextDeadline(this.s) });
    return { state: this.s, actions: this.actions };
  }

  deriveName(): SessionStateName {
    const order: SessionStateName[] = ['Established', 'OpenConfirm', 'OpenSent'];
    for (const n of order) if (this.s.conns.some((c) => c.phase === n)) return n;
    if (!this.s.running) return 'Idle';
    if (this.s.connecting) return 'Connect';
    return 'Active';
  }
}

/** One step of the machine. Pure: the input state is not modified. */
export function step(state: SessionState, event: SessionEvent, ctx: StepContext): StepResult {
  const st = new Stepper(state, ctx);
  try {
    st.handle(event);
  } catch (err) {
    // step() runs inside socket callbacks and timers: it must never throw (DESIGN.md §7). An
    // unexpected error ends the connection it concerns, or every connection, with a NOTIFICATION.
    const id = 'conn' in event ? event.conn : undefined;
    const hit = id === undefined ? [...st.s.conns] : st.s.conns.filter((c) => c.id === id);
    for (const c of hit) st.failWith(c, err);
    st.s.lastReason = `internal error: ${err instanceof Error ? err.message : String(err)}`;
  }
  return st.finish(state);
}

export type { Negotiated, SessionConfig, SessionState };
