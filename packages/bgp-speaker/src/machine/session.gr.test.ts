// Graceful restart (RFC 4724) in the session machine: our capability (R bit until the first
// session, F bit, Restart Time), the graceful stop, and the receiving speaker's stale phases.
import { describe, expect, it } from 'vitest';
import { decodeMessage } from '../codec/message.js';
import { encodeKeepalive, encodeNotification } from '../codec/notification.js';
import { encodeEndOfRib } from '../codec/update.js';
import type { OpenMessage } from '../codec/open.js';
import { Harness, peerOpen } from './testkit.js';
import type { GracefulRestartConfig, SessionAction } from './types.js';

const gr: GracefulRestartConfig = {
  restartTimeSec: 30,
  forwardingStatePreserved: true,
  restarting: true,
};

const peerGr = (restartTimeSec = 20, forwarding = true) =>
  peerOpen({
    gracefulRestart: {
      restarting: false,
      notification: false,
      restartTimeSec,
      families: [
        { afi: 1, safi: 1, forwardingPreserved: forwarding },
        { afi: 2, safi: 1, forwardingPreserved: forwarding },
      ],
    },
  });

function ourOpen(h: Harness, actions: SessionAction[]): OpenMessage {
  const o = h.sent(actions, 'open')[0]!;
  const m = decodeMessage(o.bytes, { fourOctetAs: true });
  if (m.type !== 'open') throw new Error('no OPEN');
  return m;
}

const grEvents = (a: SessionAction[]) =>
  a.filter(
    (x): x is Extract<SessionAction, { type: 'graceful-restart' }> => x.type === 'graceful-restart',
  );

describe('graceful restart: restarting speaker (RFC 4724)', () => {
  it('advertises Restart Time and the F bit per family; the R bit only until the first session is up', () => {
    const h = new Harness({ gracefulRestart: gr, families: ['ipv4', 'ipv6'] });
    h.ev({ type: 'start' });
    const first = ourOpen(h, h.ev({ type: 'connected', conn: 1 }));
    expect(first.capabilities.gracefulRestart).toEqual({
      restarting: true,
      notification: false,
      restartTimeSec: 30,
      families: [
        { afi: 1, safi: 1, forwardingPreserved: true },
        { afi: 2, safi: 1, forwardingPreserved: true },
      ],
    });
    h.ev({ type: 'frame', conn: 1, bytes: peerGr() });
    h.ev({ type: 'frame', conn: 1, bytes: encodeKeepalive() });
    expect(h.s.name).toBe('Established');
    h.ev({ type: 'closed', conn: 1, reason: 'reset' });
    h.advance(5000);
    const again = ourOpen(h, h.ev({ type: 'connected', conn: 2 }));
    expect(again.capabilities.gracefulRestart?.restarting).toBe(false);
  });

  it('a graceful stop closes an Established session with graceful restart negotiated without a NOTIFICATION', () => {
    const h = new Harness({ gracefulRestart: gr });
    h.establish(1, peerGr());
    const out = h.ev({ type: 'stop', graceful: true });
    expect(h.notification(out)).toBeUndefined();
    expect(out).toContainEqual({ type: 'close', conn: 1 });
    expect(h.s.name).toBe('Idle');
  });

  it('a graceful stop still sends the Cease when the peer did not advertise graceful restart', () => {
    const h = new Harness({ gracefulRestart: gr });
    h.establish();
    expect(h.notification(h.ev({ type: 'stop', graceful: true }))).toMatchObject({
      code: 6,
      subcode: 2,
    });
  });
});

describe('graceful restart: receiving speaker (RFC 4724 §4.2)', () => {
  it('connection lost without NOTIFICATION: stale for the Restart Time, flushed when it does not come back', () => {
    const h = new Harness({ gracefulRestart: gr });
    h.establish(1, peerGr(20));
    const lost = grEvents(h.ev({ type: 'closed', conn: 1, reason: 'ECONNRESET' }));
    expect(lost).toEqual([
      expect.objectContaining({
        phase: 'peer-restarting',
        families: ['ipv4', 'ipv6'],
        restartTimeSec: 20,
      }),
    ]);
    expect(h.s.peerRestart?.families).toEqual(['ipv4', 'ipv6']);
    expect(grEvents(h.advance(19_000))).toEqual([]);
    const gone = grEvents(h.advance(1_500));
    expect(gone).toEqual([
      expect.objectContaining({
        phase: 'stale-flushed',
        families: ['ipv4', 'ipv6'],
        reason: 'restart time expired',
      }),
    ]);
    expect(h.s.peerRestart).toBeNull();
  });

  it('back in time: stale until its End-of-RIB per family', () => {
    const h = new Harness({ gracefulRestart: gr });
    h.establish(1, peerGr(20));
    h.ev({ type: 'closed', conn: 1, reason: 'ECONNRESET' });
    h.advance(5000);
    h.establish(2, peerGr(20));
    expect(h.s.name).toBe('Established');
    expect(h.s.peerRestart).toMatchObject({ back: true, families: ['ipv4', 'ipv6'] });
    const v4 = grEvents(h.ev({ type: 'frame', conn: 2, bytes: encodeEndOfRib('ipv4') }));
    expect(v4).toEqual([
      expect.objectContaining({
        phase: 'stale-flushed',
        families: ['ipv4'],
        reason: 'End-of-RIB received',
      }),
    ]);
    h.ev({ type: 'frame', conn: 2, bytes: encodeEndOfRib('ipv6') });
    expect(h.s.peerRestart).toBeNull();
    // The Restart Time no longer matters once it is back.
    expect(grEvents(h.advance(60_000))).toEqual([]);
  });

  it('back without the F bit: its stale routes go at once', () => {
    const h = new Harness({ gracefulRestart: gr });
    h.establish(1, peerGr(20));
    h.ev({ type: 'closed', conn: 1, reason: 'ECONNRESET' });
    h.advance(5000);
    h.ev({ type: 'connected', conn: 2 });
    h.ev({ type: 'frame', conn: 2, bytes: peerGr(20, false) });
    const back = grEvents(h.ev({ type: 'frame', conn: 2, bytes: encodeKeepalive() }));
    expect(back).toEqual([
      expect.objectContaining({ phase: 'stale-flushed', reason: 'forwarding state not preserved' }),
    ]);
    expect(h.s.peerRestart).toBeNull();
  });

  it('a NOTIFICATION ends the session the normal way: nothing is kept stale (no RFC 8538 N bit)', () => {
    const h = new Harness({ gracefulRestart: gr });
    h.establish(1, peerGr(20));
    const out = h.ev({ type: 'frame', conn: 1, bytes: encodeNotification(6, 2) });
    expect(grEvents(out)).toEqual([]);
    expect(h.s.peerRestart).toBeNull();
  });

  it('without graceful restart configured on our side, the peer’s capability changes nothing', () => {
    const h = new Harness();
    h.establish(1, peerGr(20));
    expect(grEvents(h.ev({ type: 'closed', conn: 1, reason: 'ECONNRESET' }))).toEqual([]);
  });
});
