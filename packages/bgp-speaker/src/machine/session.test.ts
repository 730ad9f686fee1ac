import { describe, expect, it } from 'vitest';
import { CeaseSubcode, ErrorCode, FsmSubcode, OpenSubcode } from '../codec/constants.js';
import { encodeKeepalive, encodeNotification, encodeRouteRefresh } from '../codec/notification.js';
import { encodeFrame } from '../codec/update.js';
import { nextDeadline, step } from './session.js';
import { Harness, peerOpen } from './testkit.js';

describe('session machine (RFC 4271 §8)', () => {
  it('active open: Idle → Connect → OpenSent → OpenConfirm → Established, hold = min(9, 90)', () => {
    const h = new Harness();
    expect(h.ev({ type: 'start' })).toContainEqual({ type: 'connect' });
    expect(h.s.name).toBe('Connect');
    const a = h.ev({ type: 'connected', conn: 1 });
    expect(h.sent(a, 'open')).toHaveLength(1);
    expect(h.s.name).toBe('OpenSent');
    h.ev({ type: 'frame', conn: 1, bytes: peerOpen() });
    expect(h.s.name).toBe('OpenConfirm');
    const e = h.ev({ type: 'frame', conn: 1, bytes: encodeKeepalive() });
    const est = e.find((x) => x.type === 'established');
    expect(est && est.type === 'established' && est.negotiated).toMatchObject({
      holdTimeSec: 9,
      keepaliveSec: 3,
      families: ['ipv4', 'ipv6'],
      fourOctetAs: true,
    });
    expect(h.log.filter((x) => x.type === 'state').map((x) => x.type === 'state' && x.to)).toEqual([
      'Connect',
      'OpenSent',
      'OpenConfirm',
      'Established',
    ]);
  });

  it('sends keepalives every hold/3 and resets the session when the peer is silent for the hold time', () => {
    const h = new Harness();
    h.establish();
    const ka = h.advance(8000);
    expect(h.sent(ka, 'keepalive').length).toBe(2);
    const out = h.advance(1000);
    const n = h.notification(out);
    expect(n).toMatchObject({ type: 'notification', code: ErrorCode.HoldTimerExpired });
    expect(out).toContainEqual(expect.objectContaining({ type: 'down' }));
    expect(h.s.name).toBe('Active');
  });

  it('a received KEEPALIVE restarts the hold timer', () => {
    const h = new Harness();
    h.establish();
    h.advance(8000);
    h.ev({ type: 'frame', conn: 1, bytes: encodeKeepalive() });
    expect(h.sent(h.advance(8000), 'notification')).toHaveLength(0);
    expect(h.s.name).toBe('Established');
  });

  it('hold time 0 means no keepalives and no hold timer', () => {
    const h = new Harness({ holdTimeSec: 0 });
    h.establish();
    expect(h.sent(h.advance(3_600_000))).toHaveLength(0);
    expect(h.s.name).toBe('Established');
  });

  it('rejects hold time 1 or 2 with 2/6, a wrong AS with 2/2, a zero BGP ID with 2/3', () => {
    for (const [open, sub] of [
      [peerOpen({ hold: 2 }), OpenSubcode.UnacceptableHoldTime],
      [peerOpen({ asn: 64999 }), OpenSubcode.BadPeerAs],
      [peerOpen({ id: '0.0.0.0' }), OpenSubcode.BadBgpIdentifier],
    ] as const) {
      const h = new Harness();
      h.ev({ type: 'start' });
      h.ev({ type: 'connected', conn: 1 });
      const out = h.ev({ type: 'frame', conn: 1, bytes: open });
      expect(h.notification(out)).toMatchObject({ code: ErrorCode.OpenMessage, subcode: sub });
      expect(out).toContainEqual({ type: 'close', conn: 1 });
    }
  });

  it('OpenSent gives up after the 240 s open hold timer', () => {
    const h = new Harness();
    h.ev({ type: 'start' });
    h.ev({ type: 'connected', conn: 1 });
    expect(h.sent(h.advance(239_000))).toHaveLength(0);
    expect(h.notification(h.advance(1000))).toMatchObject({ code: ErrorCode.HoldTimerExpired });
  });

  it('a message over 4096 bytes is 1/2 unless extended messages were negotiated (RFC 8654)', () => {
    const big = encodeFrame(2, Buffer.concat([Buffer.from([0, 0, 0, 0]), Buffer.alloc(5000, 0)]));
    const h = new Harness({ extendedMessage: false });
    h.establish();
    expect(h.notification(h.ev({ type: 'frame', conn: 1, bytes: big }))).toMatchObject({
      code: 1,
      subcode: 2,
    });
  });

  it('unexpected messages are FSM errors (RFC 6608)', () => {
    const h = new Harness();
    h.ev({ type: 'start' });
    h.ev({ type: 'connected', conn: 1 });
    expect(
      h.notification(h.ev({ type: 'frame', conn: 1, bytes: encodeKeepalive() })),
    ).toMatchObject({
      code: ErrorCode.FiniteStateMachine,
      subcode: FsmSubcode.UnexpectedInOpenSent,
    });
    const h2 = new Harness();
    h2.establish();
    expect(h2.notification(h2.ev({ type: 'frame', conn: 1, bytes: peerOpen() }))).toMatchObject({
      code: ErrorCode.FiniteStateMachine,
      subcode: FsmSubcode.UnexpectedInEstablished,
    });
  });

  it('reconnects with exponential backoff, jittered ×0.75..1.0, capped at connectRetrySec', () => {
    const h = new Harness({ connectRetrySec: 8, minConnectRetrySec: 1 });
    h.rnd = 0;
    h.ev({ type: 'start' });
    const delays: number[] = [];
    for (let i = 0; i < 6; i++) {
      h.ev({ type: 'connect-failed', reason: 'ECONNREFUSED' });
      const at = h.s.connectRetryAt as number;
      delays.push(at - h.now);
      h.now = at;
      expect(h.ev({ type: 'timer' })).toContainEqual({ type: 'connect' });
    }
    expect(delays).toEqual([750, 1500, 3000, 6000, 6000, 6000]);
  });

  it('passive sessions never dial and accept an incoming connection', () => {
    const h = new Harness({ passive: true });
    expect(h.ev({ type: 'start' })).not.toContainEqual({ type: 'connect' });
    expect(h.s.name).toBe('Active');
    expect(h.sent(h.ev({ type: 'incoming', conn: 7 }), 'open')).toHaveLength(1);
  });

  it('collision: the connection opened by the higher BGP ID survives, the other gets Cease/7', () => {
    // Our ID 198.51.100.1 < peer 198.51.100.2: keep the peer's (incoming) connection.
    const h = new Harness();
    h.ev({ type: 'start' });
    h.ev({ type: 'connected', conn: 1 });
    h.ev({ type: 'incoming', conn: 2 });
    h.ev({ type: 'frame', conn: 1, bytes: peerOpen() });
    const out = h.ev({ type: 'frame', conn: 2, bytes: peerOpen() });
    expect(h.notification(out)).toMatchObject({
      code: ErrorCode.Cease,
      subcode: CeaseSubcode.ConnectionCollisionResolution,
    });
    expect(out).toContainEqual({ type: 'close', conn: 1 });
    expect(h.s.conns.map((c) => c.id)).toEqual([2]);
    // Higher local ID: keep ours (outgoing).
    const g = new Harness({ routerId: '198.51.100.9' });
    g.ev({ type: 'start' });
    g.ev({ type: 'connected', conn: 1 });
    g.ev({ type: 'incoming', conn: 2 });
    g.ev({ type: 'frame', conn: 1, bytes: peerOpen() });
    const out2 = g.ev({ type: 'frame', conn: 2, bytes: peerOpen() });
    expect(out2).toContainEqual({ type: 'close', conn: 2 });
    expect(g.s.conns.map((c) => c.id)).toEqual([1]);
  });

  it('an incoming connection while Established is closed', () => {
    const h = new Harness();
    h.establish();
    expect(h.ev({ type: 'incoming', conn: 5 })).toContainEqual({ type: 'close', conn: 5 });
    expect(h.s.name).toBe('Established');
  });

  it('stop sends Cease/2 with the shutdown message and goes Idle without reconnecting', () => {
    const h = new Harness();
    h.establish();
    const out = h.ev({ type: 'stop', message: 'maintenance' });
    expect(h.notification(out)).toMatchObject({
      code: ErrorCode.Cease,
      subcode: CeaseSubcode.AdministrativeShutdown,
      shutdownMessage: 'maintenance',
    });
    expect(h.s.name).toBe('Idle');
    expect(nextDeadline(h.s)).toBeNull();
  });

  it('a NOTIFICATION from the peer drops the session and schedules a reconnect', () => {
    const h = new Harness();
    h.establish();
    const out = h.ev({ type: 'frame', conn: 1, bytes: encodeNotification(6, 3) });
    expect(out).toContainEqual(expect.objectContaining({ type: 'notification-received' }));
    expect(h.sent(out)).toHaveLength(0);
    expect(h.s.connectRetryAt).not.toBeNull();
  });

  it('reset sends the given Cease and reconnects after the backoff (the BFD seam)', () => {
    const h = new Harness();
    h.establish();
    const out = h.ev({ type: 'reset', subcode: CeaseSubcode.BfdDown });
    expect(h.notification(out)).toMatchObject({
      code: ErrorCode.Cease,
      subcode: CeaseSubcode.BfdDown,
    });
    expect(out).toContainEqual(expect.objectContaining({ type: 'down' }));
    expect(h.s.running).toBe(true);
    expect(h.advance(1000)).toContainEqual({ type: 'connect' });
  });

  it('connectTimeSec (min = max retry): a fixed interval between attempts, no backoff', () => {
    const h = new Harness({ connectRetrySec: 5, minConnectRetrySec: 5 });
    h.rnd = 1; // jitter ×1.0
    h.ev({ type: 'start' });
    const at: number[] = [];
    for (let i = 0; i < 4; i++) {
      h.ev({ type: 'connect-failed', reason: 'ECONNREFUSED' });
      const t0 = h.now;
      let d = nextDeadline(h.s);
      while (d !== null && !h.advance(d - h.now).some((a) => a.type === 'connect'))
        d = nextDeadline(h.s);
      at.push(h.now - t0);
    }
    // 5 s every time (×1.0 jitter); a backoff would have doubled it.
    expect(at).toEqual([5000, 5000, 5000, 5000]);
  });

  it('send hold timer (RFC 9687): blocked for SendHoldTime → NOTIFICATION 8/0; progress restarts it; drained stops it', () => {
    const h = new Harness({ sendHoldTimeSec: 0 });
    h.establish();
    h.ev({ type: 'send-blocked', conn: 1 });
    expect(h.s.conns[0]?.sendHoldAt).toBeNull(); // 0 disables it
    const g = new Harness({ holdTimeSec: 0 });
    g.establish();
    g.ev({ type: 'send-blocked', conn: 1 });
    // Default: max(480 s, 2 × hold).
    expect(g.s.conns[0]?.sendHoldAt).toBe(g.now + 480_000);
    g.advance(400_000);
    g.ev({ type: 'send-progress', conn: 1 });
    expect(g.notification(g.advance(400_000))).toBeUndefined();
    g.ev({ type: 'send-drained', conn: 1 });
    expect(g.s.conns[0]?.sendHoldAt).toBeNull();
    g.ev({ type: 'send-blocked', conn: 1 });
    const n = g.notification(g.advance(480_000));
    expect(n).toMatchObject({
      type: 'notification',
      code: ErrorCode.SendHoldTimerExpired,
      subcode: 0,
    });
    expect(g.s.name).not.toBe('Established');
  });

  it('output overflow closes the connection with Cease/8 Out of Resources', () => {
    const h = new Harness();
    h.establish();
    const n = h.notification(h.ev({ type: 'output-overflow', conn: 1, bytes: 2e6, maxBytes: 1e6 }));
    expect(n).toMatchObject({ code: ErrorCode.Cease, subcode: CeaseSubcode.OutOfResources });
    expect(h.s.conns).toEqual([]);
  });

  it('only a ROUTE-REFRESH request (subtype 0) asks for a resend; BoRR, EoRR and unknown subtypes are ignored (RFC 7313)', () => {
    const h = new Harness();
    h.establish();
    const kinds = [0, 1, 2, 3, 255].map(
      (subtype) =>
        h
          .ev({ type: 'frame', conn: 1, bytes: encodeRouteRefresh(1, 1, subtype) })
          .filter((a) => a.type === 'route-refresh').length,
    );
    expect(kinds).toEqual([1, 0, 0, 0, 0]);
    expect(h.s.name).toBe('Established');
  });

  it('is pure: the input state is not modified', () => {
    const h = new Harness();
    h.establish();
    const before = JSON.stringify(h.s);
    step(h.s, { type: 'frame', conn: 1, bytes: encodeNotification(6, 3) }, { now: 1, random: 0 });
    expect(JSON.stringify(h.s)).toBe(before);
  });
});
