// The session state machine's timers on virtual time: §6.5 Poll / Final (§6.8.3 holds), §6.8.4
// detection and §6.8.1 forgetting the remote, §6.8.7 jitter and transmission rules.
import { describe, expect, it } from 'vitest';
import {
  Diag,
  State,
  detectionTimeUs,
  initialSessionState,
  jitteredMs,
  step,
  transmitIntervalUs,
} from '../src/index.js';
import { half, inState, remote, sends } from './machine-helpers.js';
import { Pair, config } from './pair.js';

describe('Poll Sequence (RFC 5880 §6.5, §6.8.3)', () => {
  function upPair(): Pair {
    const pair = new Pair({}, {});
    pair.run(5_000);
    expect(pair.a.pollActive).toBe(false);
    return pair;
  }

  it('answers a Poll with a Final at once, without P', () => {
    const s = inState(State.Up);
    const r = step(
      s,
      { type: 'packet', packet: remote({ state: State.Up, poll: true }) },
      10,
      half,
    );
    const [p] = sends(r);
    expect(p).toMatchObject({ final: true, poll: false, state: State.Up });
  });

  it('a Final with no poll running changes nothing', () => {
    const s = inState(State.Up);
    const r = step(
      { ...s, pollActive: false },
      { type: 'packet', packet: remote({ state: State.Up, final: true }) },
      10,
      half,
    );
    expect(r.state.pollActive).toBe(false);
  });

  it('an increased Desired Min TX waits for the Final; the poll sets P on every packet', () => {
    const pair = upPair();
    const t0 = pair.now;
    pair.blackhole(); // hold the Final back
    pair.apply('a', { type: 'set-timers', desiredMinTxUs: 1_000_000 });
    expect(pair.a.desiredMinTxUs).toBe(1_000_000);
    expect(pair.a.pollActive).toBe(true);
    expect(pair.a.txDesiredInEffectUs).toBe(300_000);
    expect(transmitIntervalUs(pair.a)).toBe(300_000);
    pair.run(t0 + 700);
    const during = pair.sentBy('a', t0);
    expect(during.length).toBeGreaterThanOrEqual(2);
    expect(during.every((s) => s.packet.poll && s.packet.desiredMinTxUs === 1_000_000)).toBe(true);
    // The remote answers: now the slower rate applies.
    pair.apply('a', {
      type: 'packet',
      packet: remote({ state: State.Up, final: true, myDiscriminator: 0xbbbb }),
    });
    expect(pair.a.pollActive).toBe(false);
    expect(transmitIntervalUs(pair.a)).toBe(1_000_000);
  });

  it('a decreased Desired Min TX applies at once', () => {
    const pair = new Pair({ desiredMinTxUs: 600_000 }, {});
    pair.run(5_000);
    expect(transmitIntervalUs(pair.a)).toBe(600_000);
    pair.apply('a', { type: 'set-timers', desiredMinTxUs: 300_000 });
    expect(pair.a.pollActive).toBe(true);
    expect(transmitIntervalUs(pair.a)).toBe(300_000);
    expect(pair.a.nextTxAt! - pair.now).toBeLessThanOrEqual(300);
    pair.run(pair.now + 2_000);
    expect(pair.a.pollActive).toBe(false);
  });

  it('a reduced Required Min RX keeps the old Detection Time until the Final', () => {
    const pair = upPair();
    pair.blackhole();
    pair.apply('a', { type: 'set-timers', requiredMinRxUs: 100_000 });
    expect(pair.a.requiredMinRxUs).toBe(100_000);
    expect(pair.a.rxRequiredInEffectUs).toBe(300_000);
    pair.apply('a', {
      type: 'packet',
      packet: remote({
        state: State.Up,
        final: true,
        myDiscriminator: 0xbbbb,
        desiredMinTxUs: 100_000,
      }),
    });
    expect(pair.a.rxRequiredInEffectUs).toBe(100_000);
    expect(detectionTimeUs(pair.a)).toBe(300_000);
  });

  it('a second change during a poll polls again before applying', () => {
    const pair = upPair();
    pair.blackhole();
    pair.apply('a', { type: 'set-timers', desiredMinTxUs: 500_000 });
    pair.apply('a', { type: 'set-timers', desiredMinTxUs: 800_000 });
    expect(pair.a.pollPending).toBe(true);
    const fin = remote({ state: State.Up, final: true, myDiscriminator: 0xbbbb });
    pair.apply('a', { type: 'packet', packet: fin });
    expect(pair.a.pollActive).toBe(true);
    expect(pair.a.txDesiredInEffectUs).toBe(300_000);
    pair.apply('a', { type: 'packet', packet: fin });
    expect(pair.a.pollActive).toBe(false);
    expect(pair.a.txDesiredInEffectUs).toBe(800_000);
  });

  it('timer changes while not Up need no poll', () => {
    const s = initialSessionState(config(), 0);
    const r = step(
      s,
      { type: 'set-timers', desiredMinTxUs: 2_000_000, requiredMinRxUs: 50_000 },
      0,
      half,
    );
    expect(r.state.pollActive).toBe(false);
    expect(r.state.desiredMinTxUs).toBe(2_000_000);
    expect(r.state.rxRequiredInEffectUs).toBe(50_000);
  });
});

describe('detection (RFC 5880 §6.8.4, §6.8.1)', () => {
  it('declares Down with diag 1 exactly one Detection Time after the last packet', () => {
    const pair = new Pair({}, {});
    pair.run(5_000);
    pair.blackhole();
    const last = pair.a.lastRxAt!;
    expect(pair.a.detectAt).toBe(last + 900);
    pair.run(last + 899.999);
    expect(pair.a.state).toBe(State.Up);
    pair.run(last + 900);
    expect(pair.a.state).toBe(State.Down);
    expect(pair.a.localDiag).toBe(Diag.ControlDetectionTimeExpired);
    const down = pair.changes.find((c) => c.who === 'a' && c.action.to === State.Down)!;
    expect(down.at).toBe(last + 900);
    expect(down.action.diag).toBe(Diag.ControlDetectionTimeExpired);
    // The remote discriminator is forgotten; we keep sending Down slowly with Your Disc 0.
    expect(pair.a.remoteDiscriminator).toBe(0);
    const after = pair.sentBy('a', last + 900);
    expect(after[0]).toMatchObject({
      at: last + 900,
      packet: { state: State.Down, yourDiscriminator: 0, diag: 1 },
    });
    pair.run(last + 5_000);
    const slow = pair.sentBy('a', last + 901).map((s) => s.at);
    for (let i = 1; i < slow.length; i++)
      expect(slow[i]! - slow[i - 1]!).toBeGreaterThanOrEqual(750);
  });

  it('Init also times out; a second expiry in Down only forgets the discriminator', () => {
    let s = inState(State.Init, 0);
    expect(s.detectAt).toBe(3 * 300);
    s = step(s, { type: 'timer' }, 900, half).state;
    expect(s.state).toBe(State.Down);
    expect(s.localDiag).toBe(Diag.ControlDetectionTimeExpired);
    // Down: a packet re-arms detection; silence then zeroes the discriminator, no state change.
    s = step(s, { type: 'packet', packet: remote({ state: State.AdminDown }) }, 1000, half).state;
    expect(s.remoteDiscriminator).toBe(0x7777);
    const r = step(s, { type: 'timer' }, 1000 + 900, half);
    expect(r.state.state).toBe(State.Down);
    expect(r.actions.filter((a) => a.type === 'state-change')).toEqual([]);
    expect(r.state.remoteDiscriminator).toBe(0);
  });

  it('a passive session falls silent once the remote is forgotten', () => {
    const pair = new Pair({ passive: true }, {});
    pair.run(5_000);
    expect(pair.a.state).toBe(State.Up);
    pair.blackhole();
    pair.run(10_000);
    expect(pair.a.state).toBe(State.Down);
    expect(pair.a.nextTxAt).toBeNull();
    const lastSent = pair.sentBy('a').at(-1)!.at;
    expect(lastSent).toBeLessThan(6_000);
  });
});

describe('transmission rules (RFC 5880 §6.8.7)', () => {
  it('jitter: 75–100 % of the interval, 75–90 % with Detect Mult 1', () => {
    expect(jitteredMs(300_000, 3, () => 0)).toBe(225);
    expect(jitteredMs(300_000, 3, () => 0.999999)).toBeCloseTo(300, 3);
    expect(jitteredMs(300_000, 1, () => 0)).toBe(225);
    expect(jitteredMs(300_000, 1, () => 0.999999)).toBeCloseTo(270, 3);
  });

  it('with Detect Mult 1 the steady-state gaps stay within 75–90 %', () => {
    const pair = new Pair({ detectMult: 1 }, {}, 1, 99);
    pair.run(20_000);
    const gaps = pair
      .sentBy('a', 5_000)
      .filter((s) => !s.packet.final)
      .map((s) => s.at)
      .map((t, i, all) => (i ? t - all[i - 1]! : 0))
      .slice(1);
    expect(gaps.length).toBeGreaterThan(40);
    expect(Math.min(...gaps)).toBeGreaterThanOrEqual(225 - 1e-9);
    expect(Math.max(...gaps)).toBeLessThanOrEqual(270 + 1e-9);
  });

  it('no periodic packets while the remote asks for Required Min RX 0, but a Poll is still answered', () => {
    let s = inState(State.Up);
    s = step(
      s,
      { type: 'packet', packet: remote({ state: State.Up, requiredMinRxUs: 0 }) },
      10,
      half,
    ).state;
    expect(s.nextTxAt).toBeNull();
    const r = step(
      s,
      { type: 'packet', packet: remote({ state: State.Up, requiredMinRxUs: 0, poll: true }) },
      20,
      half,
    );
    expect(sends(r)).toHaveLength(1);
    expect(sends(r)[0]!.final).toBe(true);
  });

  it('stops periodic packets when the remote runs Demand mode on an Up session', () => {
    let s = inState(State.Up);
    s = step(
      s,
      { type: 'packet', packet: remote({ state: State.Up, demand: true }) },
      10,
      half,
    ).state;
    expect(s.nextTxAt).toBeNull();
    s = step(
      s,
      { type: 'packet', packet: remote({ state: State.Up, demand: false }) },
      20,
      half,
    ).state;
    expect(s.nextTxAt).not.toBeNull();
  });

  it('pulls the next packet in when the remote asks for a faster rate', () => {
    let s = initialSessionState(config({ desiredMinTxUs: 100_000 }), 0);
    s = step(s, { type: 'timer' }, 0, half).state; // next in ~875 ms at the slow rate
    expect(s.nextTxAt).toBeGreaterThan(700);
    s = step(s, { type: 'packet', packet: remote({ state: State.Down }) }, 10, half).state; // → Init, sent now
    s = step(s, { type: 'packet', packet: remote({ state: State.Up }) }, 20, half).state; // → Up, 100 ms
    expect(s.state).toBe(State.Up);
    expect(s.nextTxAt! - 20).toBeLessThanOrEqual(300);
  });
});
