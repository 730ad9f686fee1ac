// The BFD session state machine, asynchronous mode (RFC 5880 §6.2, §6.8). Pure: time comes in as
// `now` (monotonic ms) and randomness (the transmit jitter of §6.8.7) as `random`; sending and
// timers are actions and deadlines for the io layer.
//
// Behaviour beyond the RFC's letter, chosen to match FRR bfdd (the peer MetalLB users run):
// - a packet goes out at once on every local state change (Init, Up, Down, AdminDown), so the
//   three-way handshake does not wait for the one-second slow timer; the periodic schedule
//   restarts from there, so the average rate still respects §6.8.7;
// - entering Up clears bfd.LocalDiag and starts the Poll Sequence that moves Desired Min TX from
//   the slow one second to the configured interval (§6.8.3).
// Demand mode (§6.6) is never requested; a remote's Demand request is honoured as §6.8.7 says.
import type { ControlPacket } from '../codec/control.js';
import { Diag, SLOW_TX_INTERVAL_US, State } from '../codec/constants.js';
import type {
  SessionAction,
  SessionConfig,
  SessionEvent,
  SessionState,
  StepResult,
} from './types.js';

type Draft = { -readonly [K in keyof SessionState]: SessionState[K] };

/** Desired Min TX to advertise in a state: at least one second unless Up (RFC 5880 §6.8.3). */
function advertisedTx(configUs: number, state: State): number {
  return state === State.Up ? configUs : Math.max(SLOW_TX_INTERVAL_US, configUs);
}

/** A new session: Down (or AdminDown), nothing learnt; an active one sends at once. */
export function initialSessionState(
  config: SessionConfig,
  now: number,
  o: { adminDown?: boolean } = {},
): SessionState {
  const state = o.adminDown ? State.AdminDown : State.Down;
  const tx = advertisedTx(config.desiredMinTxUs, state);
  return {
    config,
    state,
    remoteState: State.Down,
    remoteDiscriminator: 0,
    localDiag: o.adminDown ? Diag.AdministrativelyDown : Diag.None,
    remoteDiag: Diag.None,
    remoteMinRxUs: 1, // RFC 5880 §6.8.1: bfd.RemoteMinRxInterval starts at 1
    remoteDesiredMinTxUs: 0,
    remoteDetectMult: 0,
    remoteDemand: false,
    desiredMinTxUs: tx,
    requiredMinRxUs: config.requiredMinRxUs,
    txDesiredInEffectUs: tx,
    rxRequiredInEffectUs: config.requiredMinRxUs,
    pollActive: false,
    pollPending: false,
    nextTxAt: config.passive ? null : now,
    detectAt: null,
    lastRxAt: null,
  };
}

/** The earlier of the two deadlines, or null when nothing is armed. */
export function nextDeadline(s: SessionState): number | null {
  if (s.nextTxAt === null) return s.detectAt;
  if (s.detectAt === null) return s.nextTxAt;
  return Math.min(s.nextTxAt, s.detectAt);
}

/** RFC 5880 §6.8.7: a Passive session sends nothing while bfd.RemoteDiscr is zero. */
function maySend(s: SessionState): boolean {
  return !(s.config.passive && s.remoteDiscriminator === 0);
}

/**
 * RFC 5880 §6.8.7: no periodic packets while bfd.RemoteMinRxInterval is zero, or while the remote
 * runs Demand mode on an Up session.
 */
function mayTransmitPeriodically(s: SessionState): boolean {
  if (!maySend(s) || s.remoteMinRxUs === 0) return false;
  return !(s.remoteDemand && s.state === State.Up && s.remoteState === State.Up);
}

/**
 * The periodic transmit interval (µs): the slower of our Desired Min TX in effect and the
 * remote's Required Min RX (RFC 5880 §6.8.2, §6.8.7).
 */
export function transmitIntervalUs(s: SessionState): number {
  return Math.max(s.txDesiredInEffectUs, s.remoteMinRxUs);
}

/**
 * Asynchronous-mode Detection Time (µs): the remote's Detect Mult × the slower of our Required
 * Min RX in effect and the remote's last Desired Min TX (RFC 5880 §6.8.4). 0 before any packet.
 */
export function detectionTimeUs(s: SessionState): number {
  return s.remoteDetectMult * Math.max(s.rxRequiredInEffectUs, s.remoteDesiredMinTxUs);
}

/**
 * The interval reduced by a random 0–25 % (75–100 % of nominal), or to 75–90 % when our Detect
 * Mult is 1 (RFC 5880 §6.8.7), in milliseconds.
 */
export function jitteredMs(intervalUs: number, detectMult: number, random: () => number): number {
  const spread = detectMult === 1 ? 0.15 : 0.25;
  return (intervalUs * (0.75 + random() * spread)) / 1000;
}

function packetOf(s: SessionState, final: boolean): ControlPacket {
  return {
    diag: s.localDiag,
    state: s.state,
    // RFC 5880 §6.5: P and F never together; a Final reply goes without P.
    poll: s.pollActive && !final,
    final,
    // Our BFD runs in the same process as the control plane it protects (RFC 5880 §4.1 C bit).
    controlPlaneIndependent: false,
    demand: false,
    detectMult: s.config.detectMult,
    myDiscriminator: s.config.localDiscriminator,
    yourDiscriminator: s.remoteDiscriminator,
    desiredMinTxUs: s.desiredMinTxUs,
    requiredMinRxUs: s.requiredMinRxUs,
    // No Echo function (README): 0 tells the remote not to send us Echo packets (§6.8.9).
    requiredMinEchoRxUs: 0,
  };
}

/** Sets the advertised Desired Min TX, and the value in effect per RFC 5880 §6.8.3. */
function setDesiredTx(d: Draft, us: number): boolean {
  if (us === d.desiredMinTxUs) return false;
  d.desiredMinTxUs = us;
  // An increase while Up waits for the Poll Sequence; anything else applies at once.
  if (d.state !== State.Up || us < d.txDesiredInEffectUs) d.txDesiredInEffectUs = us;
  return true;
}

/** Sets the advertised Required Min RX, and the value in effect per RFC 5880 §6.8.3. */
function setRequiredRx(d: Draft, us: number): boolean {
  if (us === d.requiredMinRxUs) return false;
  d.requiredMinRxUs = us;
  // A reduction while Up keeps the old value for our Detection Time until the poll ends.
  if (d.state !== State.Up || us > d.rxRequiredInEffectUs) d.rxRequiredInEffectUs = us;
  return true;
}

/** RFC 5880 §6.8.3: changed timers while Up are announced with a Poll Sequence. */
function startPoll(d: Draft): void {
  if (d.state !== State.Up) return;
  if (d.pollActive) d.pollPending = true;
  else d.pollActive = true;
}

/** RFC 5880 §6.5: a Final ends the poll; the held timer values take effect. */
function endPoll(d: Draft): void {
  if (!d.pollActive) return;
  if (d.pollPending) {
    // The Final may answer a packet sent before the last change: poll again for that one.
    d.pollPending = false;
    return;
  }
  d.pollActive = false;
  d.txDesiredInEffectUs = d.desiredMinTxUs;
  d.rxRequiredInEffectUs = d.requiredMinRxUs;
}

/** Re-derives the periodic deadline after anything that changes the interval or permission. */
function reschedule(d: Draft, now: number, random: () => number): void {
  if (!mayTransmitPeriodically(d)) {
    d.nextTxAt = null;
    return;
  }
  const intervalUs = transmitIntervalUs(d);
  if (d.nextTxAt === null || d.nextTxAt - now > intervalUs / 1000)
    d.nextTxAt = now + jitteredMs(intervalUs, d.config.detectMult, random);
}

interface Out {
  actions: SessionAction[];
  /** 'final' answers a Poll; 'now' is a state change. */
  send: 'none' | 'now' | 'final';
}

function transition(d: Draft, to: State, diag: number, out: Out): void {
  const from = d.state;
  if (from === to) return;
  d.state = to;
  d.localDiag = diag;
  if (to === State.Up) {
    // Now the configured rate may be used: a Poll Sequence announces it (RFC 5880 §6.8.3).
    if (setDesiredTx(d, advertisedTx(d.config.desiredMinTxUs, to))) startPoll(d);
  } else {
    // Not Up: back to the slow rate, at once (the §6.8.3 hold applies only while Up); a poll
    // in progress is moot.
    d.pollActive = false;
    d.pollPending = false;
    setDesiredTx(d, advertisedTx(d.config.desiredMinTxUs, to));
    d.txDesiredInEffectUs = d.desiredMinTxUs;
    d.rxRequiredInEffectUs = d.requiredMinRxUs;
  }
  if (out.send === 'none') out.send = 'now';
  out.actions.push({ type: 'state-change', from, to, diag });
}

/** RFC 5880 §6.8.6, from "Set bfd.RemoteDiscr" on: the packet already passed the checks. */
function receive(d: Draft, p: ControlPacket, now: number, out: Out): void {
  d.remoteDiscriminator = p.myDiscriminator;
  d.remoteState = p.state;
  d.remoteDemand = p.demand;
  d.remoteMinRxUs = p.requiredMinRxUs;
  d.remoteDesiredMinTxUs = p.desiredMinTxUs;
  d.remoteDetectMult = p.detectMult;
  d.remoteDiag = p.diag;
  d.lastRxAt = now;
  if (p.final) endPoll(d);

  if (d.state === State.AdminDown) {
    // Discarded from here on; and no Detection Time runs while AdminDown (§6.8.16).
    d.detectAt = null;
    return;
  }
  // §6.8.4: every packet restarts the Detection Time, computed with what it carried.
  d.detectAt = now + detectionTimeUs(d) / 1000;

  if (p.state === State.AdminDown) {
    if (d.state !== State.Down) transition(d, State.Down, Diag.NeighborSignaledSessionDown, out);
  } else if (d.state === State.Down) {
    if (p.state === State.Down) transition(d, State.Init, Diag.None, out);
    else if (p.state === State.Init) transition(d, State.Up, Diag.None, out);
  } else if (d.state === State.Init) {
    if (p.state === State.Init || p.state === State.Up) transition(d, State.Up, Diag.None, out);
  } else if (p.state === State.Down) {
    // Up and the remote says Down.
    transition(d, State.Down, Diag.NeighborSignaledSessionDown, out);
  }
  // §6.8.6 last step: a Poll is answered with Final at once, whatever the timers.
  if (p.poll) out.send = 'final';
}

function timer(d: Draft, now: number, out: Out): void {
  if (d.detectAt !== null && now >= d.detectAt) {
    d.detectAt = null;
    if (d.state === State.Up || d.state === State.Init)
      transition(d, State.Down, Diag.ControlDetectionTimeExpired, out);
    // §6.8.1: a Detection Time without packets forgets the remote discriminator (and a Passive
    // session falls silent until the remote speaks again).
    d.remoteDiscriminator = 0;
  }
  if (d.nextTxAt !== null && now >= d.nextTxAt) {
    d.nextTxAt = null; // re-armed by reschedule
    if (out.send === 'none' && mayTransmitPeriodically(d)) out.send = 'now';
  }
}

/**
 * One step of the session: applies `event` at time `now` (monotonic ms). `random` returns
 * floats in [0, 1) for the transmit jitter.
 */
export function step(
  s: SessionState,
  event: SessionEvent,
  now: number,
  random: () => number,
): StepResult {
  const d: Draft = { ...s };
  const out: Out = { actions: [], send: 'none' };
  switch (event.type) {
    case 'packet':
      receive(d, event.packet, now, out);
      break;
    case 'timer':
      timer(d, now, out);
      break;
    case 'admin-down':
      if (d.state !== State.AdminDown) {
        transition(d, State.AdminDown, Diag.AdministrativelyDown, out);
        d.detectAt = null;
      }
      break;
    case 'admin-up':
      if (d.state === State.AdminDown) transition(d, State.Down, Diag.None, out);
      break;
    case 'set-timers': {
      const config: SessionConfig = {
        ...d.config,
        ...(event.desiredMinTxUs !== undefined ? { desiredMinTxUs: event.desiredMinTxUs } : {}),
        ...(event.requiredMinRxUs !== undefined ? { requiredMinRxUs: event.requiredMinRxUs } : {}),
        ...(event.detectMult !== undefined ? { detectMult: event.detectMult } : {}),
      };
      d.config = config;
      const tx = setDesiredTx(d, advertisedTx(config.desiredMinTxUs, d.state));
      const rx = setRequiredRx(d, config.requiredMinRxUs);
      if (tx || rx) startPoll(d);
      break;
    }
  }
  const actions = out.actions;
  if (out.send !== 'none' && maySend(d)) {
    actions.push({ type: 'send', packet: packetOf(d, out.send === 'final') });
    // The periodic schedule restarts after any packet sent.
    d.nextTxAt = null;
  }
  reschedule(d, now, random);
  return { state: d, actions };
}
