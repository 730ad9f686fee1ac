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
  /** The peer's ASN we expect in its OPEN (RFC 4271 §6.2 Bad Peer AS otherwise). */
  peerAs: number;
  /** Our BGP Identifier, dotted quad, non-zero. */
  routerId: string;
  /** Hold time we propose, seconds: 0 or ≥ 3. Default 90 (RFC 4271 §10). */
  holdTimeSec: number;
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
  /**
   * Graceful restart capability to advertise (RFC 4724), default none. Seam for the later
   * Restarting Speaker work: only the OPEN carries it today; no stale-route or EoR-wait logic.
   */
  gracefulRestart?: GracefulRestartCapability;
  /**
   * RFC 9687 SendHoldTime, seconds: a connection whose peer takes none of our data for this long
   * is closed with NOTIFICATION 8/0. Default: max(480, 2 × negotiated hold time); 0 disables.
   */
  sendHoldTimeSec?: number;
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
}

export type SessionEvent =
  | { type: 'start' }
  | { type: 'stop'; subcode?: number; message?: string }
  /**
   * Tear the session down with a Cease and reconnect after the backoff (e.g. BFD saw the path die:
   * Cease/10, RFC 9384; or a configuration change: Cease/6). The seam for BFD.
   */
  | { type: 'reset'; subcode: number; message?: string }
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
