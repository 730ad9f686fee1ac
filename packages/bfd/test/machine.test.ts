// The session state machine on virtual time (no I/O, no sleeps): RFC 5880 §6.2 state table,
// §6.8.3 slow rate and timer negotiation, §6.5 Poll/Final, §6.8.4 detection, §6.8.7 jitter and
// transmission rules, §6.8.16 administrative control, §6.1 passive role.
import { describe, expect, it } from 'vitest';
import {
  Diag,
  SLOW_TX_INTERVAL_US,
  State,
  detectionTimeUs,
  initialSessionState,
  jitteredMs,
  step,
  transmitIntervalUs,
} from '../src/index.js';
import type { ControlPacket, SessionState } from '../src/index.js';
import { Pair, config } from './pair.js';

const half = () => 0.5;

function remote(p: Partial<ControlPacket> = {}): ControlPacket {
  return {
    diag: 0,
    state: State.Down,
    poll: false,
    final: false,
    controlPlaneIndependent: false,
    demand: false,
    detectMult: 3,
    myDiscriminator: 0x7777,
    yourDiscriminator: 1,
    desiredMinTxUs: 300_000,
    requiredMinRxUs: 300_000,
    requiredMinEchoRxUs: 0,
    ...p,
  };
}

const sends = (r: ReturnType<typeof step>) =>
  r.actions.filter((a) => a.type === 'send').map((a) => (a as { packet: ControlPacket }).packet);

/** A session driven into `state` by packets (Init: one Down; Up: Down then Init). */
function inState(state: State, now = 0): SessionState {
  let s = initialSessionState(config(), now);
  if (state === State.AdminDown) return step(s, { type: 'admin-down' }, now, half).state;
  if (state === State.Down) return s;
  s = step(s, { type: 'packet', packet: remote({ state: State.Down }) }, now, half).state;
  if (state === State.Init) return s;
  return step(s, { type: 'packet', packet: remote({ state: State.Init }) }, now, half).state;
}

describe('initial state and the slow rate (RFC 5880 §6.8.1, §6.8.3)', () => {
  it('an active session sends Down at once, advertising 1 s Desired Min TX while not Up', () => {
    const s = initialSessionState(config({ desiredMinTxUs: 50_000 }), 100);
    expect(s.nextTxAt).toBe(100);
    const r = step(s, { type: 'timer' }, 100, half);
    const [p] = sends(r);
    expect(p).toMatchObject({
      state: State.Down,
      diag: Diag.None,
      myDiscriminator: 1,
      yourDiscriminator: 0,
      desiredMinTxUs: SLOW_TX_INTERVAL_US,
      requiredMinRxUs: 300_000,
      requiredMinEchoRxUs: 0,
      poll: false,
      final: false,
      demand: false,
      controlPlaneIndependent: false,
      detectMult: 3,
    });
    // Next one within 75–100 % of one second.
    expect(r.state.nextTxAt! - 100).toBeGreaterThanOrEqual(750);
    expect(r.state.nextTxAt! - 100).toBeLessThanOrEqual(1000);
  });

  it('keeps the configured value when it is already slower than a second', () => {
    const s = initialSessionState(config({ desiredMinTxUs: 2_000_000 }), 0);
    expect(s.desiredMinTxUs).toBe(2_000_000);
  });

  it('Init still advertises the slow rate', () => {
    const s = inState(State.Init);
    expect(s.state).toBe(State.Init);
    expect(s.desiredMinTxUs).toBe(SLOW_TX_INTERVAL_US);
  });

  it('goes back to the slow rate at once on leaving Up', () => {
    const up = inState(State.Up);
    expect(up.desiredMinTxUs).toBe(300_000);
    const r = step(up, { type: 'packet', packet: remote({ state: State.Down }) }, 10, half);
    expect(r.state.state).toBe(State.Down);
    expect(r.state.desiredMinTxUs).toBe(SLOW_TX_INTERVAL_US);
    expect(r.state.txDesiredInEffectUs).toBe(SLOW_TX_INTERVAL_US);
    expect(r.state.pollActive).toBe(false);
    expect(sends(r)[0]).toMatchObject({ state: State.Down, desiredMinTxUs: SLOW_TX_INTERVAL_US });
  });
});

describe('state table (RFC 5880 §6.2, §6.8.6)', () => {
  // [local, received, expected local, expected diag]
  const table: [State, State, State, number][] = [
    [State.Down, State.AdminDown, State.Down, Diag.None],
    [State.Down, State.Down, State.Init, Diag.None],
    [State.Down, State.Init, State.Up, Diag.None],
    [State.Down, State.Up, State.Down, Diag.None],
    [State.Init, State.AdminDown, State.Down, Diag.NeighborSignaledSessionDown],
    [State.Init, State.Down, State.Init, Diag.None],
    [State.Init, State.Init, State.Up, Diag.None],
    [State.Init, State.Up, State.Up, Diag.None],
    [State.Up, State.AdminDown, State.Down, Diag.NeighborSignaledSessionDown],
    [State.Up, State.Down, State.Down, Diag.NeighborSignaledSessionDown],
    [State.Up, State.Init, State.Up, Diag.None],
    [State.Up, State.Up, State.Up, Diag.None],
    [State.AdminDown, State.AdminDown, State.AdminDown, Diag.AdministrativelyDown],
    [State.AdminDown, State.Down, State.AdminDown, Diag.AdministrativelyDown],
    [State.AdminDown, State.Init, State.AdminDown, Diag.AdministrativelyDown],
    [State.AdminDown, State.Up, State.AdminDown, Diag.AdministrativelyDown],
  ];
  it.each(table)('local %i + received %i → %i (diag %i)', (local, received, want, diag) => {
    const s = inState(local);
    expect(s.state).toBe(local);
    const r = step(s, { type: 'packet', packet: remote({ state: received }) }, 1, half);
    expect(r.state.state).toBe(want);
    expect(r.state.localDiag).toBe(diag);
    const changes = r.actions.filter((a) => a.type === 'state-change');
    expect(changes).toEqual(
      want === local ? [] : [{ type: 'state-change', from: local, to: want, diag }],
    );
    // Every local state change goes out at once (as FRR does), carrying the new state.
    if (want !== local) expect(sends(r)[0]?.state).toBe(want);
  });

  it('learns the remote variables from every packet (§6.8.6)', () => {
    const r = step(
      initialSessionState(config(), 0),
      {
        type: 'packet',
        packet: remote({
          myDiscriminator: 42,
          requiredMinRxUs: 123,
          desiredMinTxUs: 456,
          detectMult: 7,
          diag: 5,
          demand: true,
        }),
      },
      3,
      half,
    );
    expect(r.state).toMatchObject({
      remoteDiscriminator: 42,
      remoteMinRxUs: 123,
      remoteDesiredMinTxUs: 456,
      remoteDetectMult: 7,
      remoteDiag: 5,
      remoteDemand: true,
      remoteState: State.Down,
      lastRxAt: 3,
    });
  });
});

describe('three-way handshake and timer negotiation', () => {
  it('two sessions come Up, poll to 300 ms and agree on a 900 ms detection time', () => {
    const pair = new Pair({}, {});
    pair.run(5_000);
    expect(pair.a.state).toBe(State.Up);
    expect(pair.b.state).toBe(State.Up);
    // The first packets cross; both go Init then Up within a couple of one-way delays.
    const upA = pair.changes.find((c) => c.who === 'a' && c.action.to === State.Up)!;
    expect(upA.at).toBeLessThan(10);
    for (const s of [pair.a, pair.b]) {
      expect(s.pollActive).toBe(false);
      expect(s.desiredMinTxUs).toBe(300_000);
      expect(transmitIntervalUs(s)).toBe(300_000);
      expect(detectionTimeUs(s)).toBe(900_000);
    }
    // Entering Up started a Poll Sequence (P), answered by a Final (F) (§6.5).
    const polls = pair.sentBy('a').filter((s) => s.packet.poll);
    const finals = pair.sentBy('b').filter((s) => s.packet.final);
    expect(polls.length).toBeGreaterThan(0);
    expect(finals.length).toBeGreaterThan(0);
    expect(pair.sent.some((s) => s.packet.poll && s.packet.final)).toBe(false);
    // Steady state: one packet every 225–300 ms each way.
    const late = pair.sentBy('a', 3_000).map((s) => s.at);
    for (let i = 1; i < late.length; i++) {
      expect(late[i]! - late[i - 1]!).toBeGreaterThanOrEqual(225 - 1e-9);
      expect(late[i]! - late[i - 1]!).toBeLessThanOrEqual(300 + 1e-9);
    }
  });

  it('the slower side sets the pace: TX = max(our Desired Min TX, their Required Min RX)', () => {
    const pair = new Pair({ desiredMinTxUs: 100_000 }, { requiredMinRxUs: 500_000, detectMult: 5 });
    pair.run(5_000);
    expect(pair.a.state).toBe(State.Up);
    expect(transmitIntervalUs(pair.a)).toBe(500_000);
    // B detects A after 3 (A's mult) × max(B's Required Min RX 500 ms, A's Desired Min TX 100 ms).
    expect(detectionTimeUs(pair.b)).toBe(1_500_000);
    // A detects B after 5 (B's mult) × max(A's 300 ms, B's 300 ms).
    expect(detectionTimeUs(pair.a)).toBe(1_500_000);
  });

  it('a passive session stays silent until the remote speaks, then answers at once', () => {
    const pair = new Pair({ passive: true }, {});
    pair.run(0);
    expect(pair.sentBy('a')).toEqual([]);
    pair.run(3_000);
    expect(pair.a.state).toBe(State.Up);
    expect(pair.b.state).toBe(State.Up);
    const firstA = pair.sentBy('a')[0]!;
    expect(firstA.at).toBe(pair.delayMs); // the moment B's first packet arrived
    expect(firstA.packet.state).toBe(State.Init);
  });

  it('two passive sessions never talk (RFC 5880 §6.1)', () => {
    const pair = new Pair({ passive: true }, { passive: true });
    pair.run(10_000);
    expect(pair.sent).toEqual([]);
  });
});

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

describe('administrative control (RFC 5880 §6.8.16)', () => {
  it('AdminDown: diag 7, sent at once, no detection, received packets ignored; admin-up → Down', () => {
    const up = inState(State.Up);
    const r = step(up, { type: 'admin-down' }, 10, half);
    expect(r.state.state).toBe(State.AdminDown);
    expect(r.state.detectAt).toBeNull();
    expect(sends(r)[0]).toMatchObject({ state: State.AdminDown, diag: Diag.AdministrativelyDown });
    const ignored = step(
      r.state,
      { type: 'packet', packet: remote({ state: State.Init }) },
      20,
      half,
    );
    expect(ignored.state.state).toBe(State.AdminDown);
    expect(ignored.state.detectAt).toBeNull();
    // Still transmitting AdminDown periodically so the remote learns it (slow rate).
    expect(ignored.state.nextTxAt).not.toBeNull();
    expect(r.state.desiredMinTxUs).toBe(SLOW_TX_INTERVAL_US);
    const back = step(ignored.state, { type: 'admin-up' }, 30, half);
    expect(back.state.state).toBe(State.Down);
    expect(back.actions).toContainEqual({
      type: 'state-change',
      from: State.AdminDown,
      to: State.Down,
      diag: Diag.None,
    });
  });

  it('a session created administratively down says so from the first packet', () => {
    const s = initialSessionState(config(), 0, { adminDown: true });
    const [p] = sends(step(s, { type: 'timer' }, 0, half));
    expect(p).toMatchObject({ state: State.AdminDown, diag: Diag.AdministrativelyDown });
  });

  it('the remote going AdminDown takes us Down with diag 3, and we come back when it returns', () => {
    const pair = new Pair({}, {});
    pair.run(5_000);
    pair.apply('b', { type: 'admin-down' });
    pair.run(5_100);
    expect(pair.a.state).toBe(State.Down);
    expect(pair.a.localDiag).toBe(Diag.NeighborSignaledSessionDown);
    expect(pair.a.remoteState).toBe(State.AdminDown);
    pair.apply('b', { type: 'admin-up' });
    pair.run(10_000);
    expect(pair.a.state).toBe(State.Up);
    expect(pair.a.localDiag).toBe(Diag.None); // cleared on Up, as FRR does
  });
});
