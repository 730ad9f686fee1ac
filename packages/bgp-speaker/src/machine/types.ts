// Types of the pure session machine (RFC 4271 §8). Deadlines live in the state; the driver arms one
// timer for nextDeadline(state) and feeds {type:'timer'} back.
import type { BgpError } from '../errors.js';
import type { AfiSafi, GracefulRestartCapability, OpenMessage } from '../codec/open.js';
import type { NotificationMessage, RouteRefreshMessage } from '../codec/notification.js';
import type { UpdateMessage } from '../codec/update.js';
import type { AddressFamily } from '../codec/prefix.js';

export type SessionStateName =
  'Idle' | 'Connect' | 'Active' | 'OpenSent' | 'OpenConfirm' | 'Established';

export interface SessionConfig {
  /** Our ASN, 1..4294967295. */
  localAs: number;
  /**
   * The peer's ASN we expect in its OPEN (RFC 4271 §6.2 Bad Peer AS otherwise). Undefined with
   * `dynamicAsn`: then any ASN of that kind is accepted and learnt from the OPEN.
   */
  peerAs: number | undefined;
  /**
   * MetalLB's dynamicASN: learn the peer's ASN from its OPEN; 'internal' accepts only our own ASN
   * (iBGP), 'external' only another one (eBGP).
   */
  dynamicAsn?: 'internal' | 'external';
  /** Our BGP Identifier, dotted quad, non-zero. */
  routerId: string;
  /** Hold time we propose, seconds: 0 or ≥ 3. Default 90 (RFC 4271 §10). */
  holdTimeSec: number;
  /**
   * Keepalive interval we want, seconds (MetalLB keepaliveTime). The session uses the smaller of
   * this and a third of the negotiated hold time (as FRR does). Default: a third of the hold time.
   */
  keepaliveTimeSec?: number;
  /** Upper bound of the reconnect backoff, seconds. Default 120 (RFC 4271 §10 ConnectRetryTime). */
  connectRetrySec: number;
  /** First reconnect delay, seconds; doubles per failure up to connectRetrySec. Default 1. */
  minConnectRetrySec: number;
  /** Hold timer while waiting for the peer's OPEN, seconds. Default 240 (RFC 4271 §8.2.2). */
  openHoldTimeSec: number;
  /** Never dial; wait for the peer to connect. Default false. */
  passive: boolean;
  /** Families we advertise with the multiprotocol capability (RFC 4760). */
  families: AddressFamily[];
  /** Advertise RFC 8654 extended messages. Default true. */
  extendedMessage: boolean;
  /** Advertise route refresh (RFC 2918). Default true: we answer by re-sending Adj-RIB-Out. */
  routeRefresh: boolean;
  /** Advertise enhanced route refresh (RFC 7313). Default true: resends go inside BoRR … EoRR. */
  enhancedRouteRefresh: boolean;
  /** Graceful restart (RFC 4724) as restarting and receiving speaker; default off. */
  gracefulRestart?: GracefulRestartConfig;
  /**
   * RFC 9687 SendHoldTime, seconds: a connection whose peer takes none of our data for this long
   * is closed with NOTIFICATION 8/0. Default: max(480, 2 × negotiated hold time); 0 disables.
   */
  sendHoldTimeSec?: number;
}

export interface GracefulRestartConfig {
  /** Restart Time we advertise, seconds, 0..4095: how long the peer keeps our routes. */
  restartTimeSec: number;
  /** F bit per family: the node keeps forwarding while the speaker restarts. */
  forwardingStatePreserved: boolean;
  /**
   * R bit (RFC 4724 §3) in our OPENs until the first session is Established: this speaker has
   * (re)started, so the peer must not wait for our End-of-RIB before sending its routes.
   */
  restarting: boolean;
  /**
   * Receiving speaker: how long, after a restarted peer is back, its routes stay stale waiting
   * for its End-of-RIB. Default 360 (FRR's stalepath-time).
   */
  stalePathTimeSec?: number;
}

export interface Negotiated {
  holdTimeSec: number;
  keepaliveSec: number;
  families: AddressFamily[];
  fourOctetAs: boolean;
  extendedMessage: boolean;
  maxMessageBytes: number;
  routeRefresh: boolean;
  /** Both sides advertised RFC 7313. */
  enhancedRouteRefresh: boolean;
  /** Both sides advertised graceful restart (RFC 4724): the peer's capability. */
  gracefulRestart: GracefulRestartCapability | undefined;
  peerOpen: OpenMessage;
  /** The peer's real ASN. */
  peerAs: number;
}

export type ConnPhase = 'OpenSent' | 'OpenConfirm' | 'Established';

export interface ConnState {
  id: number;
  /** 'out': we dialled; 'in': the peer dialled (RFC 4271 §6.8 collision rule needs this). */
  direction: 'in' | 'out';
  phase: ConnPhase;
  peerOpen: OpenMessage | null;
  negotiated: Negotiated | null;
  holdAt: number | null;
  keepaliveAt: number | null;
  /** RFC 9687: when the send hold timer fires; set while the socket does not take our data. */
  sendHoldAt: number | null;
}

export interface SessionState {
  config: SessionConfig;
  /** ManualStart/AutomaticStart was given and no ManualStop since. */
  running: boolean;
  /** An outgoing TCP connect is in progress. */
  connecting: boolean;
  conns: ConnState[];
  /** When to dial next (or give up on a pending dial). */
  connectRetryAt: number | null;
  /** Consecutive failures, for the backoff. */
  failures: number;
  name: SessionStateName;
  lastReason: string;
  /** A session reached Established since start (clears the R bit of later OPENs). */
  everEstablished: boolean;
  /** Receiving speaker (RFC 4724 §4.2): the peer is restarting or its routes are stale. */
  peerRestart: PeerRestart | null;
}

export interface PeerRestart {
  /** Families whose routes from the peer are stale. */
  families: AddressFamily[];
  /** The peer's Restart Time ends (not back yet), or the stale-path time ends (back, no EoR). */
  until: number;
  /** The peer is back (Established again) and its stale families wait for its End-of-RIB. */
  back: boolean;
}

export type SessionEvent =
  | { type: 'start' }
  /**
   * ManualStop. `graceful`: sessions with graceful restart negotiated close without a NOTIFICATION
   * (the peer keeps our routes for the Restart Time, RFC 4724 §4.2); others get the Cease.
   */
  | { type: 'stop'; subcode?: number; message?: string; graceful?: boolean }
  /**
   * Tear the session down with a Cease and reconnect after the backoff (e.g. BFD saw the path die:
   * Cease/10, RFC 9384; or a configuration change: Cease/6). The seam for BFD.
   */
  | { type: 'reset'; subcode: number; message?: string; reason?: string }
  | { type: 'timer' }
  | { type: 'connected'; conn: number }
  | { type: 'connect-failed'; reason: string }
  | { type: 'incoming'; conn: number }
  | { type: 'closed'; conn: number; reason: string }
  | { type: 'frame'; conn: number; bytes: Uint8Array }
  | { type: 'decode-error'; conn: number; error: BgpError }
  | { type: 'update-sent'; conn: number }
  /** The connection's socket stopped taking data (its buffer is full): start the send hold timer. */
  | { type: 'send-blocked'; conn: number }
  /** The socket took its buffered data: stop the send hold timer. */
  | { type: 'send-drained'; conn: number }
  /** The socket took some of its buffered data (the peer reads): restart the send hold timer. */
  | { type: 'send-progress'; conn: number }
  /** The bytes queued on the connection passed the cap: close it (Cease/8 Out of Resources). */
  | { type: 'output-overflow'; conn: number; bytes: number; maxBytes: number };

export type SendKind = 'open' | 'keepalive' | 'notification' | 'update' | 'route-refresh';

export type SessionAction =
  | { type: 'connect' }
  | { type: 'cancel-connect' }
  | { type: 'send'; conn: number; kind: SendKind; bytes: Uint8Array }
  | { type: 'close'; conn: number }
  | { type: 'state'; from: SessionStateName; to: SessionStateName; reason: string }
  | { type: 'established'; conn: number; negotiated: Negotiated }
  | { type: 'down'; conn: number; reason: string }
  | { type: 'update'; conn: number; message: UpdateMessage }
  | { type: 'notification-received'; conn: number; message: NotificationMessage }
  | {
      type: 'notification-sent';
      conn: number;
      code: number;
      subcode: number;
      reason: string;
      shutdownMessage?: string;
    }
  | { type: 'route-refresh'; conn: number; message: RouteRefreshMessage }
  /** Receiving speaker (RFC 4724 §4.2): the peer's routes became stale, or stale routes go. */
  | {
      type: 'graceful-restart';
      phase: 'peer-restarting' | 'stale-flushed';
      families: AddressFamily[];
      reason: string;
      restartTimeSec?: number;
    }
  | { type: 'arm-timer'; at: number | null };

export interface StepContext {
  /** Milliseconds, monotonic. */
  now: number;
  /** A uniform random number in [0, 1) for jitter (RFC 4271 §10: multiply by 0.75–1.0). */
  random: number;
}

export interface StepResult {
  state: SessionState;
  actions: SessionAction[];
}

export type { AfiSafi };
