// The session machine's state outside of step(): defaults, the initial state, and the read-only
// queries the driver makes (next deadline, decode context, the Established connection).
import type { DecodeContext } from '../codec/attributes.js';
import type { AddressFamily } from '../codec/prefix.js';
import type { ConnState, SessionConfig, SessionState } from './types.js';

export const DEFAULT_SESSION_CONFIG = {
  holdTimeSec: 90,
  connectRetrySec: 120,
  minConnectRetrySec: 1,
  openHoldTimeSec: 240,
  passive: false,
  families: ['ipv4', 'ipv6'] as AddressFamily[],
  extendedMessage: true,
  routeRefresh: true,
  enhancedRouteRefresh: true,
} satisfies Partial<SessionConfig>;

export function initialSessionState(config: SessionConfig): SessionState {
  return {
    config,
    running: false,
    connecting: false,
    conns: [],
    connectRetryAt: null,
    failures: 0,
    name: 'Idle',
    lastReason: 'init',
    everEstablished: false,
    peerRestart: null,
  };
}

/** Earliest deadline in the state, or null when nothing is pending. */
export function nextDeadline(s: SessionState): number | null {
  let at: number | null = s.connectRetryAt;
  if (s.peerRestart && (at === null || s.peerRestart.until < at)) at = s.peerRestart.until;
  for (const c of s.conns) {
    for (const t of [c.holdAt, c.keepaliveAt, c.sendHoldAt])
      if (t !== null && (at === null || t < at)) at = t;
  }
  return at;
}

/** What the decoder must know about a connection (4-octet AS once OPENs are exchanged). */
export function decodeContextOf(s: SessionState, conn: number): DecodeContext {
  const c = s.conns.find((x) => x.id === conn);
  return { fourOctetAs: c?.peerOpen?.capabilities.fourOctetAs !== undefined };
}

export function established(s: SessionState): ConnState | undefined {
  return s.conns.find((c) => c.phase === 'Established');
}
