// An OPEN arriving in OpenSent: negotiation (RFC 4271 §6.2, capabilities in negotiate.ts), then
// collision detection (RFC 4271 §6.8) against the other connections whose OPEN we know, then
// OpenConfirm with the negotiated timers.
import { CeaseSubcode, ErrorCode } from '../codec/constants.js';
import { encodeKeepalive } from '../codec/notification.js';
import { bgpIdToNumber } from '../codec/open.js';
import type { OpenMessage } from '../codec/open.js';
import { negotiate } from './negotiate.js';
import type { Stepper } from './session.js';
import type { ConnState } from './types.js';

export function openReceived(st: Stepper, c: ConnState, m: OpenMessage): void {
  const r = negotiate(st.cfg, m);
  if ('fail' in r)
    return st.fail(c, ErrorCode.OpenMessage, r.fail.subcode, r.fail.reason, r.fail.data);
  const cfg = st.cfg;
  const peerId = bgpIdToNumber(m.bgpId);
  const { holdTimeSec, keepaliveSec } = r.ok;
  c.peerOpen = m;
  c.negotiated = r.ok;
  // Collision detection (RFC 4271 §6.8) against any other connection whose OPEN we know.
  for (const other of st.s.conns) {
    if (other === c || other.peerOpen === null) continue;
    if (other.phase === 'Established') {
      return st.fail(
        c,
        ErrorCode.Cease,
        CeaseSubcode.ConnectionCollisionResolution,
        'collision with established connection',
      );
    }
    // Keep the connection opened by the side with the higher BGP Identifier.
    const localWins = bgpIdToNumber(cfg.routerId) > peerId;
    const loser = (localWins ? 'in' : 'out') === c.direction ? c : other;
    st.fail(
      loser,
      ErrorCode.Cease,
      CeaseSubcode.ConnectionCollisionResolution,
      'connection collision',
    );
    if (loser === c) return;
  }
  c.phase = 'OpenConfirm';
  st.s.lastReason = 'OPEN received';
  st.actions.push({ type: 'send', conn: c.id, kind: 'keepalive', bytes: encodeKeepalive() });
  if (holdTimeSec === 0) {
    c.holdAt = null;
    c.keepaliveAt = null;
  } else {
    c.holdAt = st.now + holdTimeSec * 1000;
    c.keepaliveAt = st.now + keepaliveSec * 1000;
  }
}
