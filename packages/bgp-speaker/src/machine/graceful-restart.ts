// Graceful restart (RFC 4724) in the session machine.
//
// Restarting speaker: our OPEN carries the capability — Restart Time, the R bit until our first
// session after start is up, the F bit per family — so a peer acting as helper keeps our routes
// while this process restarts, until our End-of-RIB (sent after every initial dump) or until the
// Restart Time runs out. A graceful stop closes the TCP connection without a NOTIFICATION: with a
// NOTIFICATION the peer would flush our routes at once (RFC 4724 §4.2; we do not advertise the
// RFC 8538 N bit).
//
// Receiving speaker (§4.2): when the connection of a peer that advertised the capability ends
// without a NOTIFICATION, its routes become stale for its Restart Time; once it is back, families
// whose F bit is clear are flushed at once and the others when its End-of-RIB for them arrives, or
// when the stale-path time runs out. We keep no Adj-RIB-In, so the machine only reports these
// phases (`graceful-restart` actions, the `graceful-restart` event) to whoever stores the routes.
import { afiOf, afiSafiOf } from '../codec/open.js';
import type { GracefulRestartCapability, OpenMessage } from '../codec/open.js';
import type { AddressFamily } from '../codec/prefix.js';
import type { Stepper } from './session.js';
import type { ConnState } from './types.js';

const DEFAULT_STALE_PATH_SEC = 360;

/** The capability for our next OPEN, or undefined when graceful restart is off. */
export function ourCapability(st: Stepper): GracefulRestartCapability | undefined {
  const gr = st.cfg.gracefulRestart;
  if (!gr) return undefined;
  return {
    restarting: gr.restarting && !st.s.everEstablished,
    notification: false,
    restartTimeSec: gr.restartTimeSec,
    families: st.cfg.families.map((f) => ({
      ...afiSafiOf(f),
      forwardingPreserved: gr.forwardingStatePreserved,
    })),
  };
}

function familiesOf(cap: GracefulRestartCapability, onlyForwarding: boolean): AddressFamily[] {
  const out: AddressFamily[] = [];
  for (const f of cap.families) {
    const fam = afiOf(f.afi, f.safi);
    if (fam && (!onlyForwarding || f.forwardingPreserved) && !out.includes(fam)) out.push(fam);
  }
  return out;
}

function flush(st: Stepper, families: AddressFamily[], reason: string): void {
  const pr = st.s.peerRestart;
  if (!pr || families.length === 0) return;
  st.actions.push({ type: 'graceful-restart', phase: 'stale-flushed', families, reason });
  const rest = pr.families.filter((f) => !families.includes(f));
  st.s.peerRestart = rest.length ? { ...pr, families: rest } : null;
}

/** An Established connection ended without a NOTIFICATION: the peer may be restarting. */
export function peerConnectionLost(st: Stepper, c: ConnState): void {
  const cap = c.negotiated?.gracefulRestart;
  if (!cap) return;
  const families = familiesOf(cap, false).filter((f) => c.negotiated?.families.includes(f));
  // Routes still stale from an earlier restart go now: this is a new restart.
  if (st.s.peerRestart) flush(st, st.s.peerRestart.families, 'peer restarted again');
  if (families.length === 0) return;
  st.s.peerRestart = { families, until: st.now + cap.restartTimeSec * 1000, back: false };
  st.actions.push({
    type: 'graceful-restart',
    phase: 'peer-restarting',
    families,
    reason: 'connection lost without NOTIFICATION',
    restartTimeSec: cap.restartTimeSec,
  });
  if (cap.restartTimeSec === 0) flush(st, families, 'restart time 0');
}

/** The peer is Established again after a restart: keep what it preserved, wait for its EoR. */
export function peerBack(st: Stepper, open: OpenMessage): void {
  const pr = st.s.peerRestart;
  if (!pr) return;
  const cap = st.cfg.gracefulRestart ? open.capabilities.gracefulRestart : undefined;
  const kept = cap ? familiesOf(cap, true) : [];
  // RFC 4724 §4.2: a family without the F bit (or no capability at all) is flushed at once.
  flush(
    st,
    pr.families.filter((f) => !kept.includes(f)),
    'forwarding state not preserved',
  );
  if (st.s.peerRestart) {
    const sec = st.cfg.gracefulRestart?.stalePathTimeSec ?? DEFAULT_STALE_PATH_SEC;
    st.s.peerRestart = { ...st.s.peerRestart, back: true, until: st.now + sec * 1000 };
  }
}

/** The peer's End-of-RIB for a family: its stale routes there that it did not re-send go. */
export function peerEndOfRib(st: Stepper, family: AddressFamily): void {
  if (st.s.peerRestart?.back && st.s.peerRestart.families.includes(family))
    flush(st, [family], 'End-of-RIB received');
}

/** The Restart Time or the stale-path time ran out. */
export function restartTimer(st: Stepper): void {
  const pr = st.s.peerRestart;
  if (!pr || pr.until > st.now) return;
  flush(st, pr.families, pr.back ? 'stale-path time expired' : 'restart time expired');
}
