// Issue 14's rules at the state machine: RFC 1982 incarnation order, the accusation lead cap (and
// the fresh exception after a restart), conflicting addresses, and encoding never wrapping.
import { describe, expect, it } from 'vitest';
import { encodePacket } from '../src/codec/packet.js';
import { MemberlistError, MemberlistErrorCode } from '../src/errors.js';
import { resolveOptions } from '../src/machine/config.js';
import {
  MAX_ACCUSATION_LEAD,
  serialAtLeast,
  serialNewer,
  serialNext,
  tooFarAhead,
} from '../src/machine/incarnation.js';
import { MembershipMachine } from '../src/machine/machine.js';
import type { MachineAction } from '../src/machine/types.js';
import { seededRandom } from '../src/testing/index.js';
import { admitThroughJoin, pkt } from './machine-helpers.js';

const opts = resolveOptions({ gossipIntervalMs: 1_000_000, pushPullIntervalMs: 1_000_000 });
const TOP = 0xffff_ffff;
const events = (as: MachineAction[]) => as.flatMap((a) => (a.type === 'event' ? [a.event] : []));

function machine(name = 'me'): MembershipMachine {
  const m = new MembershipMachine(
    { random: seededRandom(3) },
    { name, addr: `addr-${name}` },
    opts,
  );
  m.handle({ type: 'start' }, 0);
  return m;
}

const from = (m: MembershipMachine, messages: Parameters<typeof pkt>[1][], at = 1) =>
  m.handle({ type: 'packet', from: 'addr-x', packet: pkt('x', ...messages) }, at);

describe('RFC 1982 serial numbers', () => {
  it('orders across the wrap and leaves the exact opposite unordered', () => {
    expect(serialNext(TOP)).toBe(0);
    expect(serialNewer(0, TOP)).toBe(true);
    expect(serialNewer(TOP, 0)).toBe(false);
    expect(serialNewer(5, 2)).toBe(true);
    expect(serialNewer(2 ** 31 + 5, 5)).toBe(false); // exactly 2³¹ apart: unordered
    expect(serialNewer(5, 2 ** 31 + 5)).toBe(false);
    expect(serialNewer(2 ** 31 + 4, 5)).toBe(true);
    expect(serialAtLeast(7, 7)).toBe(true);
    expect(tooFarAhead(10 + MAX_ACCUSATION_LEAD, 10)).toBe(false);
    expect(tooFarAhead(11 + MAX_ACCUSATION_LEAD, 10)).toBe(true);
    expect(tooFarAhead(9, 10)).toBe(false); // stale, not "far"
  });

  it('a member at 4294967295 that refutes goes to 0, and the others take 0 as newer', () => {
    const a = machine('a');
    admitThroughJoin(a, ['b'], 0, TOP);
    from(a, [{ type: 'suspect', node: 'b', incarnation: TOP, from: 'c' }]);
    expect(a.members()[0]).toMatchObject({ status: 'suspect', incarnation: TOP });
    const back = from(a, [{ type: 'alive', node: 'b', incarnation: 0, addr: 'addr-b', meta: {} }]);
    expect(events(back).map((e) => e.type)).toEqual(['alive']);
    expect(a.members()[0]).toMatchObject({ status: 'alive', incarnation: 0 });

    const b = machine('b');
    admitThroughJoin(b, ['a']); // no longer fresh
    b.state.self.incarnation = TOP;
    b.state.self.announced = TOP;
    from(b, [{ type: 'suspect', node: 'b', incarnation: TOP, from: 'a' }]);
    expect(b.state.self.incarnation).toBe(0);
    expect(b.state.queue.get('b')).toMatchObject({ type: 'alive', incarnation: 0 });
  });

  it('never wraps a wire integer silently: encoding 2³² is ENCODE', () => {
    const bad = () =>
      encodePacket(pkt('x', { type: 'suspect', node: 'a', incarnation: 2 ** 32, from: 'b' }));
    expect(bad).toThrow(MemberlistError);
    try {
      bad();
    } catch (err) {
      expect((err as MemberlistError).code).toBe(MemberlistErrorCode.Encode);
    }
  });
});

describe('accusation lead cap (machine/incarnation.ts rule 2)', () => {
  it('drops and counts accusations of others more than the cap ahead of their announcement', () => {
    const m = machine();
    admitThroughJoin(m, ['a'], 0, 10);
    const far = 10 + MAX_ACCUSATION_LEAD + 1;
    from(m, [
      { type: 'suspect', node: 'a', incarnation: far, from: 'b' },
      { type: 'dead', node: 'a', incarnation: far, from: 'b' },
      { type: 'dead', node: 'a', incarnation: far, from: 'a' }, // a "leave" too
    ]);
    expect(m.members()[0]).toMatchObject({ status: 'alive', incarnation: 10 });
    expect(m.stats().rejected.accusationTooFar).toBe(3);
    // Within the cap it is an accusation like any other.
    const sus = from(m, [
      { type: 'suspect', node: 'a', incarnation: 10 + MAX_ACCUSATION_LEAD, from: 'b' },
    ]);
    expect(events(sus).map((e) => e.type)).toEqual(['suspect']);
  });

  it('an accuser cannot walk the cap: it is measured from the last alive, not the last accusation', () => {
    const m = machine();
    admitThroughJoin(m, ['a'], 0, 10);
    from(m, [{ type: 'suspect', node: 'a', incarnation: 10 + MAX_ACCUSATION_LEAD, from: 'b' }]);
    from(m, [{ type: 'suspect', node: 'a', incarnation: 10 + 2 * MAX_ACCUSATION_LEAD, from: 'b' }]);
    expect(m.members()[0]?.incarnation).toBe(10 + MAX_ACCUSATION_LEAD);
    expect(m.stats().rejected.accusationTooFar).toBe(1);
  });

  it('ourselves: refuted within the cap, dropped beyond it — except while fresh after a restart', () => {
    const fresh = machine();
    // Just restarted: the cluster remembers an older life of ours at 5000. Outbid it at once.
    from(fresh, [{ type: 'dead', node: 'me', incarnation: 5000, from: 'a' }]);
    expect(fresh.state.self.incarnation).toBe(5001);

    const settled = machine();
    admitThroughJoin(settled, ['a']); // a push/pull merged: no longer fresh
    from(settled, [
      { type: 'suspect', node: 'me', incarnation: MAX_ACCUSATION_LEAD + 1, from: 'a' },
    ]);
    expect(settled.state.self.incarnation).toBe(0);
    expect(settled.stats().rejected.accusationTooFar).toBe(1);
    from(settled, [{ type: 'suspect', node: 'me', incarnation: MAX_ACCUSATION_LEAD, from: 'a' }]);
    expect(settled.state.self.incarnation).toBe(MAX_ACCUSATION_LEAD + 1);
    // An alive of ourselves is outbid at any distance: the others accept any newer alive.
    from(settled, [{ type: 'alive', node: 'me', incarnation: 100_000, addr: 'addr-me', meta: {} }]);
    expect(settled.state.self.incarnation).toBe(100_001);
  });
});

describe('conflicting address (hashicorp aliveNode)', () => {
  it('a live member keeps its address; a dead one may come back elsewhere', () => {
    const m = machine();
    admitThroughJoin(m, ['a']);
    m.state.members.get('a')!.confirmed = true; // it has answered us: kept when dead
    const moved = from(m, [
      { type: 'alive', node: 'a', incarnation: 2, addr: 'addr-evil', meta: {} },
    ]);
    expect(events(moved)).toEqual([]);
    expect(m.members()[0]).toMatchObject({ addr: 'addr-a', incarnation: 1, status: 'alive' });
    expect(m.stats().rejected.addressConflict).toBe(1);
    // Suspect too: still refused.
    from(m, [{ type: 'suspect', node: 'a', incarnation: 1, from: 'b' }]);
    from(m, [{ type: 'alive', node: 'a', incarnation: 3, addr: 'addr-evil', meta: {} }]);
    expect(m.members()[0]).toMatchObject({ addr: 'addr-a', status: 'suspect' });
    expect(m.stats().rejected.addressConflict).toBe(2);
    // Dead: a node re-addressed while down rejoins at its new address.
    from(m, [{ type: 'dead', node: 'a', incarnation: 1, from: 'b' }]);
    expect(m.members()[0]?.status).toBe('dead');
    const back = from(m, [
      { type: 'alive', node: 'a', incarnation: 4, addr: 'addr-new', meta: {} },
    ]);
    expect(events(back).map((e) => e.type)).toEqual(['join']);
    expect(m.members()[0]).toMatchObject({ addr: 'addr-new', status: 'alive' });
  });
});

describe('admission', () => {
  it('a verification ping that is never answered leaves nothing behind', () => {
    const m = machine();
    from(m, [{ type: 'alive', node: 'ghost', incarnation: 1, addr: 'addr-ghost', meta: {} }], 1);
    expect(m.candidates()).toBe(1);
    m.handle({ type: 'tick' }, 1 + opts.probeIntervalMs);
    expect(m.candidates()).toBe(0);
    expect(m.members()).toEqual([]);
    expect(m.stats().candidatesExpired).toBe(1);
    expect(m.state.candidateSeqs.size).toBe(0);
  });

  it('a member admitted unverified (push/pull reply) that dies without ever answering is removed at once', () => {
    const m = machine();
    admitThroughJoin(m, ['a', 'b', 'c']);
    from(m, [{ type: 'suspect', node: 'a', incarnation: 1, from: 'b' }]);
    const died = from(m, [{ type: 'dead', node: 'a', incarnation: 1, from: 'b' }], 2);
    expect(events(died).map((e) => e.type)).toEqual(['dead']);
    expect(m.members().map((x) => x.name)).toEqual(['b', 'c']);
    expect(m.state.queue.get('a')).toMatchObject({ type: 'dead' }); // the news still spreads
  });

  it('a verified member that dies is kept (gossip to the dead, reconnect) until reaped', () => {
    const m = machine();
    admitThroughJoin(m, ['a', 'b', 'c']);
    m.state.members.get('a')!.confirmed = true;
    from(m, [{ type: 'suspect', node: 'a', incarnation: 1, from: 'b' }]);
    from(m, [{ type: 'dead', node: 'a', incarnation: 1, from: 'b' }], 2);
    expect(m.members().find((x) => x.name === 'a')?.status).toBe('dead');
  });
});
