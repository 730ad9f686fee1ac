// Types of the session state machine (RFC 5880 §6.8). The machine is pure: `step(state, event,
// now, random)` returns the next state and the actions to perform; deadlines live in the state
// (`nextTxAt`, `detectAt`, monotonic milliseconds) and the io layer arms one timer for the
// earlier of the two.
import type { ControlPacket } from '../codec/control.js';
import type { State } from '../codec/constants.js';

/** What a session is configured with; intervals in microseconds as on the wire. */
export interface SessionConfig {
  /** bfd.LocalDiscr: non-zero, unique in the system (RFC 5880 §6.8.1). */
  readonly localDiscriminator: number;
  /** bfd.DetectMult, 1–255. */
  readonly detectMult: number;
  /**
   * The Desired Min TX interval to use once Up. While not Up the session advertises at least
   * one second (RFC 5880 §6.8.3).
   */
  readonly desiredMinTxUs: number;
  /** bfd.RequiredMinRxInterval. */
  readonly requiredMinRxUs: number;
  /** Passive role (RFC 5880 §6.1): send nothing until the remote has spoken. */
  readonly passive: boolean;
}

/** The RFC 5880 §6.8.1 state variables plus the deadlines and poll bookkeeping. */
export interface SessionState {
  readonly config: SessionConfig;
  /** bfd.SessionState. */
  readonly state: State;
  /** bfd.RemoteSessionState. */
  readonly remoteState: State;
  /** bfd.RemoteDiscr: 0 until learnt, and again after a Detection Time of silence. */
  readonly remoteDiscriminator: number;
  /** bfd.LocalDiag: why the local state last changed (Diag). */
  readonly localDiag: number;
  /** Diag of the last packet received. */
  readonly remoteDiag: number;
  /** bfd.RemoteMinRxInterval (initially 1 µs, RFC 5880 §6.8.1). */
  readonly remoteMinRxUs: number;
  /** Desired Min TX of the last packet received (0 before any). */
  readonly remoteDesiredMinTxUs: number;
  /** Detect Mult of the last packet received (0 before any). */
  readonly remoteDetectMult: number;
  /** bfd.RemoteDemandMode. */
  readonly remoteDemand: boolean;
  /** bfd.DesiredMinTxInterval: what our packets advertise now. */
  readonly desiredMinTxUs: number;
  /** bfd.RequiredMinRxInterval: what our packets advertise now. */
  readonly requiredMinRxUs: number;
  /**
   * Desired Min TX used for our transmit interval. An increase while Up waits for the Poll
   * Sequence to end (RFC 5880 §6.8.3); a decrease applies at once.
   */
  readonly txDesiredInEffectUs: number;
  /**
   * Required Min RX used for our Detection Time. A reduction while Up waits for the Poll Sequence
   * to end (RFC 5880 §6.8.3); an increase applies at once.
   */
  readonly rxRequiredInEffectUs: number;
  /** A Poll Sequence is running: our packets carry P until one with F arrives (RFC 5880 §6.5). */
  readonly pollActive: boolean;
  /** Parameters changed again during the running poll: poll once more when it ends. */
  readonly pollPending: boolean;
  /** When the next periodic packet is due (ms), or null when none may be sent. */
  readonly nextTxAt: number | null;
  /** When the Detection Time runs out (ms), or null when not armed. */
  readonly detectAt: number | null;
  /** When the last valid packet arrived (ms). */
  readonly lastRxAt: number | null;
}

export type SessionEvent =
  /** A Control packet demultiplexed to this session, past the checks of RFC 5880 §6.8.6. */
  | { readonly type: 'packet'; readonly packet: ControlPacket }
  /** Time passed: handles whichever of nextTxAt / detectAt is due. */
  | { readonly type: 'timer' }
  /** RFC 5880 §6.8.16: administratively disable the session. */
  | { readonly type: 'admin-down' }
  /** Re-enable it (to Down). */
  | { readonly type: 'admin-up' }
  /** New timer parameters (a changed profile); a Poll Sequence announces them when Up. */
  | {
      readonly type: 'set-timers';
      readonly desiredMinTxUs?: number;
      readonly requiredMinRxUs?: number;
      readonly detectMult?: number;
    };

export type SessionAction =
  | { readonly type: 'send'; readonly packet: ControlPacket }
  | {
      readonly type: 'state-change';
      readonly from: State;
      readonly to: State;
      /** bfd.LocalDiag after the change. */
      readonly diag: number;
    };

export interface StepResult {
  readonly state: SessionState;
  readonly actions: readonly SessionAction[];
}
