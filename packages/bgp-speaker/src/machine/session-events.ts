// What the session machine does when a timer fires and when a complete message arrives on a
// connection, per connection phase (RFC 4271 §8.2.2), split from session.ts by concern. Both
// work on the step's working copy (Stepper) and only append actions.
import { ErrorCode, FsmSubcode, RouteRefreshSubtype } from '../codec/constants.js';
import type { BgpMessage } from '../codec/message.js';
import { encodeKeepalive } from '../codec/notification.js';
import { peerBack, peerEndOfRib, restartTimer } from './graceful-restart.js';
import type { Stepper } from './session.js';
import type { ConnState, Negotiated } from './types.js';

/** Due deadlines: connect retry, send hold (RFC 9687), hold, keepalive, graceful restart. */
export function sessionTimers(st: Stepper): void {
  const now = st.now;
  restartTimer(st);
  if (st.s.connectRetryAt !== null && st.s.connectRetryAt <= now) {
    st.s.connectRetryAt = null;
    if (st.s.running && st.s.conns.length === 0 && !st.cfg.passive) {
      if (st.s.connecting) st.actions.push({ type: 'cancel-connect' });
      st.dial();
      st.s.lastReason = 'connect retry timer expired';
    }
  }
  for (const c of [...st.s.conns]) {
    if (c.sendHoldAt !== null && c.sendHoldAt <= now) {
      // RFC 9687 §4: the peer took none of our data for SendHoldTime.
      st.fail(c, ErrorCode.SendHoldTimerExpired, 0, 'send hold timer expired');
      continue;
    }
    if (c.holdAt !== null && c.holdAt <= now) {
      // RFC 4271 §8.2.2 HoldTimer_Expires: NOTIFICATION 4/0, drop.
      st.fail(c, ErrorCode.HoldTimerExpired, 0, 'hold timer expired');
      continue;
    }
    if (c.keepaliveAt !== null && c.keepaliveAt <= now && c.negotiated) {
      st.actions.push({
        type: 'send',
        conn: c.id,
        kind: 'keepalive',
        bytes: encodeKeepalive(),
      });
      c.keepaliveAt = now + c.negotiated.keepaliveSec * 1000;
    }
  }
}

/** A decoded message on connection `c`, by phase. */
export function receivedMessage(st: Stepper, c: ConnState, m: BgpMessage): void {
  if (m.type === 'notification') {
    st.actions.push({ type: 'notification-received', conn: c.id, message: m });
    st.drop(
      c,
      `notification received ${m.code}/${m.subcode}${m.shutdownMessage ? `: ${m.shutdownMessage}` : ''}`,
    );
    return;
  }
  switch (c.phase) {
    case 'OpenSent':
      if (m.type !== 'open')
        return st.fail(
          c,
          ErrorCode.FiniteStateMachine,
          FsmSubcode.UnexpectedInOpenSent,
          `unexpected ${m.type} in OpenSent`,
        );
      return st.open(c, m);
    case 'OpenConfirm':
      if (m.type === 'keepalive') {
        c.phase = 'Established';
        st.s.lastReason = 'KEEPALIVE received';
        st.restartHold(c);
        st.s.failures = 0;
        st.s.everEstablished = true;
        st.actions.push({
          type: 'established',
          conn: c.id,
          negotiated: c.negotiated as Negotiated,
        });
        if (c.peerOpen) peerBack(st, c.peerOpen);
        return;
      }
      return st.fail(
        c,
        ErrorCode.FiniteStateMachine,
        FsmSubcode.UnexpectedInOpenConfirm,
        `unexpected ${m.type} in OpenConfirm`,
      );
    case 'Established':
      if (m.type === 'open')
        return st.fail(
          c,
          ErrorCode.FiniteStateMachine,
          FsmSubcode.UnexpectedInEstablished,
          'OPEN in Established',
        );
      // RFC 4271 §8.2.2: KEEPALIVE and UPDATE restart the HoldTimer.
      st.restartHold(c);
      if (m.type === 'update') {
        st.actions.push({ type: 'update', conn: c.id, message: m });
        if (m.endOfRib) peerEndOfRib(st, m.endOfRib);
      }
      // RFC 7313 §3.2: only subtype 0 asks for a resend. BoRR/EoRR from the peer would frame its
      // own resend to us (we keep no Adj-RIB-In); other subtypes are ignored (§5).
      else if (m.type === 'route-refresh' && m.subtype === RouteRefreshSubtype.Request)
        st.actions.push({ type: 'route-refresh', conn: c.id, message: m });
      return;
  }
}
