// The state machine driven directly: events in, actions out, on explicit times (no clock at all).
import { describe, expect, it } from 'vitest';
import { resolveOptions } from '../src/machine/config.js';
import { MembershipMachine } from '../src/machine/machine.js';
import type { MachineAction } from '../src/machine/types.js';
import type { Message, Packet } from '../src/codec/messages.js';
import { seededRandom } from '../src/testing/index.js';
import { admitThroughJoin } from './machine-helpers.js';

const opts = resolveOptions({
  profile: 'fast',
  gossipIntervalMs: 1_000_000,
  pushPullIntervalMs: 1_000_000,
});
const pkt = (from: string, ...messages: Message[]): Packet => ({ version: 1, from, messages });
const alive = (node: string, incarnation = 1) =>
  ({ type: 'alive', node, incarnation, addr: `addr-${node}`, meta: {} }) as const;

function machineWith(peers: string[], o = opts): MembershipMachine {
  const m = new MembershipMachine({ random: seededRandom(1) }, { name: 'me', addr: 'addr-me' }, o);
  m.handle({ type: 'start' }, 0);
  admitThroughJoin(m, peers);
  return m;
}
const sends = (as: MachineAction[]) => as.filter((a) => a.type === 'send');
const events = (as: MachineAction[]) => as.flatMap((a) => (a.type === 'event' ? [a.event] : []));

describe('membership rules (SWIM §4.2 incarnations)', () => {
  it('verifies a member heard of second hand, emits join on its ack, then update on newer metadata', () => {
    const m = new MembershipMachine(
      { random: seededRandom(1) },
      { name: 'me', addr: 'addr-me' },
      opts,
    );
    m.handle({ type: 'start' }, 0);
    const heard = m.handle({ type: 'packet', from: 'x', packet: pkt('x', alive('a')) }, 1);
    expect(events(heard)).toEqual([]); // not a member yet
    const verify = sends(heard).find((s) => s.type === 'send' && s.to === 'addr-a');
    if (verify?.type !== 'send') throw new Error('no verification ping');
    const ping = verify.packet.messages[0];
    expect(ping).toMatchObject({ type: 'ping', target: 'a', verify: true });
    expect(m.members()).toEqual([]);
    const acked = m.handle(
      {
        type: 'packet',
        from: 'addr-a',
        packet: pkt('a', { type: 'ack', seq: (ping as { seq: number }).seq }),
      },
      2,
    );
    expect(events(acked).map((e) => e.type)).toEqual(['join']);
    const upd = m.handle(
      { type: 'packet', from: 'x', packet: pkt('x', { ...alive('a', 2), meta: { zone: 'b' } }) },
      2,
    );
    expect(events(upd).map((e) => e.type)).toEqual(['update']);
    expect(m.members()[0]?.meta).toEqual({ zone: 'b' });
  });

  it('suspect(i ≥ j) overrides alive; alive(i > j) refutes it; stale messages are ignored', () => {
    const m = machineWith(['a']);
    const sus = m.handle(
      {
        type: 'packet',
        from: 'x',
        packet: pkt('x', { type: 'suspect', node: 'a', incarnation: 1, from: 'b' }),
      },
      10,
    );
    expect(events(sus).map((e) => e.type)).toEqual(['suspect']);
    const stale = m.handle({ type: 'packet', from: 'x', packet: pkt('x', alive('a', 1)) }, 11);
    expect(events(stale)).toEqual([]);
    const refuted = m.handle({ type: 'packet', from: 'x', packet: pkt('x', alive('a', 2)) }, 12);
    expect(events(refuted).map((e) => e.type)).toEqual(['alive']);
    const oldDead = m.handle(
      {
        type: 'packet',
        from: 'x',
        packet: pkt('x', { type: 'dead', node: 'a', incarnation: 1, from: 'b' }),
      },
      13,
    );
    expect(events(oldDead)).toEqual([]);
    expect(m.members()[0]?.status).toBe('alive');
  });

  it('refutes a suspicion of itself with a higher incarnation and raises its awareness (Lifeguard)', () => {
    const m = machineWith(['a']);
    m.handle(
      {
        type: 'packet',
        from: 'x',
        packet: pkt('x', { type: 'suspect', node: 'me', incarnation: 0, from: 'a' }),
      },
      5,
    );
    expect(m.state.self.incarnation).toBe(1);
    expect(m.awareness()).toBe(1);
    expect(m.state.queue.has('me')).toBe(true);
  });

  it('a dead(from = node) is a leave; a death of a suspect is a death', () => {
    const m = machineWith(['a', 'b']);
    const l = m.handle(
      {
        type: 'packet',
        from: 'x',
        packet: pkt('x', { type: 'dead', node: 'a', incarnation: 1, from: 'a' }),
      },
      5,
    );
    expect(events(l).map((e) => e.type)).toEqual(['leave']);
    m.handle(
      {
        type: 'packet',
        from: 'x',
        packet: pkt('x', { type: 'suspect', node: 'b', incarnation: 1, from: 'c' }),
      },
      5,
    );
    const d = m.handle(
      {
        type: 'packet',
        from: 'x',
        packet: pkt('x', { type: 'dead', node: 'b', incarnation: 1, from: 'c' }),
      },
      6,
    );
    expect(events(d).map((e) => e.type)).toEqual(['dead']);
  });

  it('a death of a member never suspected here only starts a suspicion (refutation window)', () => {
    const m = machineWith(['a']);
    const d = m.handle(
      {
        type: 'packet',
        from: 'x',
        packet: pkt('x', { type: 'dead', node: 'a', incarnation: 1, from: 'c' }),
      },
      5,
    );
    expect(events(d).map((e) => e.type)).toEqual(['suspect']);
    const refuted = m.handle({ type: 'packet', from: 'x', packet: pkt('x', alive('a', 2)) }, 6);
    expect(events(refuted).map((e) => e.type)).toEqual(['alive']);
  });

  it('leave sends the leave straight to every live member, leaveCopies times', () => {
    const m = machineWith(['a', 'b', 'c']);
    const out = m.handle({ type: 'leave' }, 5);
    const direct = sends(out).filter(
      (s) =>
        s.type === 'send' && s.packet.messages.some((x) => x.type === 'dead' && x.node === 'me'),
    );
    expect(direct.length).toBe(3 * opts.leaveCopies);
  });
});

describe('suspicion timeout (Lifeguard §4.2)', () => {
  it('starts at max and shrinks to min with K independent confirmations', () => {
    const o = resolveOptions({
      profile: 'lan',
      gossipIntervalMs: 1_000_000,
      pushPullIntervalMs: 1_000_000,
    });
    const m = new MembershipMachine(
      { random: seededRandom(2) },
      { name: 'me', addr: 'addr-me' },
      o,
    );
    m.handle({ type: 'start' }, 0);
    admitThroughJoin(m, ['a', 'b', 'c', 'd']);
    const sus = (from: string) => ({
      type: 'packet' as const,
      from: 'x',
      packet: pkt('x', { type: 'suspect', node: 'a', incarnation: 1, from }),
    });
    m.handle(sus('b'), 1000);
    expect(m.state.suspicions.get('a')?.deadlineMs).toBe(1000 + 24_000);
    m.handle(sus('b'), 1100); // same accuser again: no confirmation
    expect(m.state.suspicions.get('a')?.deadlineMs).toBe(1000 + 24_000);
    m.handle(sus('c'), 1200);
    expect(m.state.suspicions.get('a')?.deadlineMs).toBe(1000 + 11_381);
    m.handle(sus('d'), 1300);
    expect(m.state.suspicions.get('a')?.deadlineMs).toBe(1000 + 4000);
    expect(events(m.handle({ type: 'tick' }, 4999)).filter((e) => e.type === 'dead')).toEqual([]);
    expect(events(m.handle({ type: 'tick' }, 5000)).map((e) => e.type)).toContain('dead');
  });
});

describe('re-suspicion', () => {
  it('a suspicion at a newer incarnation restarts the timer for that incarnation', () => {
    const m = machineWith(['a', 'b', 'c']);
    const sus = (incarnation: number, from: string) => ({
      type: 'packet' as const,
      from: 'x',
      packet: pkt('x', { type: 'suspect', node: 'a', incarnation, from }),
    });
    m.handle(sus(1, 'b'), 100);
    const first = m.state.suspicions.get('a');
    const again = m.handle(sus(2, 'c'), 300);
    expect(events(again)).toEqual([]); // still suspect: no second event
    const s = m.state.suspicions.get('a');
    expect(s?.incarnation).toBe(2);
    expect(s?.startMs).toBe(300);
    expect(first?.incarnation).toBe(1);
    // accusers of the old incarnation do not count for the new one
    expect(s?.accusers.has('b')).toBe(false);
    expect(s?.accusers.has('c')).toBe(true);
    expect(m.members().find((x) => x.name === 'a')?.incarnation).toBe(2);
  });
});

describe('probe round (SWIM §3.1, hashicorp probeNode)', () => {
  function firstProbe(m: MembershipMachine) {
    // Tick until the first ping goes out.
    for (let t = 0; t <= opts.probeIntervalMs; t++) {
      const out = m.handle({ type: 'tick' }, t);
      const ping = sends(out).find(
        (s) => s.type === 'send' && s.packet.messages[0]?.type === 'ping',
      );
      if (ping !== undefined && ping.type === 'send') return { t, ping };
    }
    throw new Error('no ping');
  }

  it('ack in time: no escalation, awareness stays 0', () => {
    const m = machineWith(['a', 'b', 'c']);
    const { t, ping } = firstProbe(m);
    const seq = (ping.packet.messages[0] as { seq: number }).seq;
    m.handle({ type: 'packet', from: ping.to, packet: pkt('a', { type: 'ack', seq }) }, t + 1);
    const later = m.handle({ type: 'tick' }, t + opts.probeTimeoutMs);
    expect(
      sends(later).filter(
        (s) => s.type === 'send' && s.packet.messages[0]?.type === 'indirect-ping',
      ),
    ).toEqual([]);
    expect(m.awareness()).toBe(0);
    expect(m.state.stats.probeFailures).toBe(0);
  });

  it('no ack: k indirect pings and a TCP ping, then suspicion; missing nacks raise awareness', () => {
    const m = machineWith(['a', 'b', 'c', 'd']);
    const { t, ping } = firstProbe(m);
    const target = (ping.packet.messages[0] as { target: string }).target;
    const esc = m.handle({ type: 'tick' }, t + opts.probeTimeoutMs);
    const indirect = sends(esc).filter(
      (s) => s.type === 'send' && s.packet.messages[0]?.type === 'indirect-ping',
    );
    expect(indirect.length).toBe(3);
    expect(esc.some((a) => a.type === 'stream-open' && a.packet.messages[0]?.type === 'ping')).toBe(
      true,
    );
    // one helper answers with a nack: 2 of 3 expected nacks missing → awareness +2
    const seq = (ping.packet.messages[0] as { seq: number }).seq;
    m.handle({ type: 'packet', from: 'h', packet: pkt('h', { type: 'nack', seq }) }, t + 50);
    const end = m.handle({ type: 'tick' }, t + opts.probeIntervalMs);
    expect(events(end)).toEqual([
      expect.objectContaining({
        type: 'suspect',
        member: expect.objectContaining({ name: target }),
      }),
    ]);
    expect(m.awareness()).toBe(2);
  });

  it('a successful TCP fallback prevents the accusation', () => {
    const m = machineWith(['a', 'b']);
    const { t } = firstProbe(m);
    const esc = m.handle({ type: 'tick' }, t + opts.probeTimeoutMs);
    const open = esc.find((a) => a.type === 'stream-open');
    if (open?.type !== 'stream-open') throw new Error('no tcp ping');
    const seq = (open.packet.messages[0] as { seq: number }).seq;
    m.handle(
      { type: 'stream-result', token: open.token, packet: pkt('a', { type: 'ack', seq }) },
      t + 60,
    );
    const end = m.handle({ type: 'tick' }, t + opts.probeIntervalMs);
    expect(events(end)).toEqual([]);
    expect(m.state.stats.tcpFallbackSuccesses).toBe(1);
  });

  it('an awareness score stretches the probe interval (LHA-Probe)', () => {
    const m = machineWith(['a']);
    m.state.awareness = 3;
    const { t } = firstProbe(m);
    expect(m.state.nextProbeMs - t).toBe(opts.probeIntervalMs * 4);
  });

  it('forwards indirect pings and answers with a nack on timeout', () => {
    const m = machineWith(['a']);
    const out = m.handle(
      {
        type: 'packet',
        from: 'addr-b',
        packet: pkt('b', {
          type: 'indirect-ping',
          seq: 77,
          target: 'a',
          targetAddr: 'addr-a',
          wantNack: true,
        }),
      },
      10,
    );
    const fwd = sends(out).find((s) => s.type === 'send' && s.to === 'addr-a');
    expect(fwd).toBeDefined();
    const nack = m.handle({ type: 'tick' }, 10 + opts.probeTimeoutMs);
    expect(
      sends(nack).some(
        (s) => s.type === 'send' && s.to === 'addr-b' && s.packet.messages[0]?.type === 'nack',
      ),
    ).toBe(true);
  });

  it('ignores a ping addressed to another name (a restarted member on the same address)', () => {
    const m = machineWith([]);
    const out = m.handle(
      {
        type: 'packet',
        from: 'addr-x',
        packet: pkt('x', { type: 'ping', seq: 1, target: 'other' }),
      },
      1,
    );
    expect(sends(out)).toEqual([]);
  });
});
