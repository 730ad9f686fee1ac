// The session state machine on virtual time (no I/O, no sleeps): RFC 5880 §6.2 state table,
// §6.8.3 slow rate, the three-way handshake and timer negotiation, §6.1 passive role, §6.8.16
// administrative control. Poll / Final, detection and transmission rules: machine-timers.test.ts.
import { describe, expect, it } from 'vitest';
import {
  Diag,
  SLOW_TX_INTERVAL_US,
  State,
  detectionTimeUs,
  initialSessionState,
  step,
  transmitIntervalUs,
} from '../src/index.js';
import { half, inState, remote, sends } from './machine-helpers.js';
import { Pair, config } from './pair.js';

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
