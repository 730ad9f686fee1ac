// The io layer on the in-memory network: metrics sink, auth drops, garbage datagrams.
import { describe, expect, it } from 'vitest';
import { Keyring } from '../src/codec/crypto.js';
import { MemberlistError, MemberlistErrorCode } from '../src/errors.js';
import { createMemberlist } from '../src/io/memberlist.js';
import { MemoryMetrics } from '@ironlb/clock/testing';
import { ManualClock, seededRandom } from '../src/testing/index.js';
import { InMemoryNetwork } from '../src/testing/network.js';

describe('io layer', () => {
  it('counts traffic and events, and drops garbage and unauthenticated datagrams without effect', async () => {
    const clock = new ManualClock();
    const net = new InMemoryNetwork({ clock, random: seededRandom(1) });
    const metrics = new MemoryMetrics();
    const a = createMemberlist(
      {
        transport: net.createTransport('198.51.100.1:7946'),
        clock,
        random: seededRandom(2),
        keyring: Keyring.fromSecrets(['k']),
        metrics,
      },
      { name: 'a' },
    );
    const b = createMemberlist(
      {
        transport: net.createTransport('198.51.100.2:7946'),
        clock,
        random: seededRandom(3),
        keyring: Keyring.fromSecrets(['k']),
      },
      { name: 'b' },
    );
    a.start();
    b.start();
    const joined = b.join([a.addr]);
    clock.advance(1000);
    expect(await joined).toBe(1);
    const intruder = net.createTransport('198.51.100.66:7946');
    intruder.sendPacket(a.addr, Buffer.from('definitely not a sealed packet'));
    intruder.sendPacket(a.addr, Buffer.alloc(0));
    clock.advance(1000);
    expect(a.stats().authFailures).toBe(2);
    expect(metrics.value('memberlist_auth_failures_total', { transport: 'udp' })).toBe(2);
    expect(metrics.value('memberlist_member_events_total', { type: 'join' })).toBe(1);
    expect(metrics.value('memberlist_packets_sent_total')).toBeGreaterThan(0);
    expect(metrics.value('memberlist_bytes_received_total', { transport: 'udp' })).toBeGreaterThan(
      0,
    );
    expect(metrics.value('memberlist_members', { status: 'alive' })).toBe(1);
    expect(a.members().map((m) => `${m.name}=${m.status}`)).toEqual(['b=alive']);
    await a.shutdown();
    await b.shutdown();
  });

  it('join succeeds when at least one seed answers, and fails with JOIN_FAILED when none does', async () => {
    const clock = new ManualClock();
    const net = new InMemoryNetwork({ clock, random: seededRandom(1) });
    const mk = (i: number) =>
      createMemberlist(
        { transport: net.createTransport(`198.51.100.${i}:7946`), clock, random: seededRandom(i) },
        { name: `m${i}` },
      );
    const a = mk(1);
    const b = mk(2);
    a.start();
    b.start();
    const ok = b.join(['198.51.100.99:7946', a.addr]);
    clock.advance(6000);
    expect(await ok).toBe(1);
    const none = b.join(['198.51.100.98:7946']);
    clock.advance(6000);
    await expect(none).rejects.toMatchObject({
      code: 'JOIN_FAILED',
      details: { failed: ['198.51.100.98:7946'] },
    });
  });
});

describe('a stranger’s mistakes are typed errors naming the option (issue 12)', () => {
  const setup = () => {
    const clock = new ManualClock();
    const net = new InMemoryNetwork({ clock, random: seededRandom(1) });
    const mk = (addr: string, name = 'm', extra: Record<string, unknown> = {}) =>
      createMemberlist(
        { transport: net.createTransport(addr), clock, random: seededRandom(2) },
        { name, ...extra },
      );
    return { clock, net, mk };
  };
  const errorOf = (fn: () => unknown): MemberlistError => {
    try {
      fn();
    } catch (err) {
      expect(err).toBeInstanceOf(MemberlistError);
      return err as MemberlistError;
    }
    throw new Error('did not throw');
  };

  it('after shutdown: join() rejects CLOSED (it settles), start() and setMeta() throw CLOSED, leave() resolves', async () => {
    const { mk } = setup();
    const m = mk('198.51.100.1:7946');
    m.start();
    await m.shutdown();
    await expect(m.join(['198.51.100.2:7946'])).rejects.toMatchObject({ code: 'CLOSED' });
    expect(errorOf(() => m.start()).code).toBe(MemberlistErrorCode.Closed);
    expect(errorOf(() => m.setMeta({ a: 'b' })).code).toBe(MemberlistErrorCode.Closed);
    await expect(m.leave()).resolves.toBeUndefined();
    await expect(m.shutdown()).resolves.toBeUndefined();
  });

  it('a join pending at shutdown rejects CLOSED', async () => {
    const { mk } = setup();
    const m = mk('198.51.100.1:7946');
    const pending = m.join(['198.51.100.2:7946']);
    await m.shutdown();
    await expect(pending).rejects.toMatchObject({ code: 'CLOSED' });
  });

  it('an unspecified bound address needs advertiseAddr; an unspecified advertiseAddr is refused', () => {
    const { mk } = setup();
    for (const addr of ['0.0.0.0:7946', '[::]:7946']) {
      const e = errorOf(() => mk(addr));
      expect(e.code).toBe(MemberlistErrorCode.InvalidAddress);
      expect(e.details['option']).toBe('advertiseAddr');
    }
    const e = errorOf(() => mk('0.0.0.0:7947', 'm', { advertiseAddr: '0.0.0.0:7947' }));
    expect(e.code).toBe(MemberlistErrorCode.InvalidAddress);
    const ok = mk('0.0.0.0:7948', 'm', { advertiseAddr: '198.51.100.9:7948' });
    expect(ok.addr).toBe('198.51.100.9:7948');
  });

  it('missing or bad name, deps, options and unknown options are INVALID_OPTION', () => {
    const { net } = setup();
    const transport = net.createTransport('198.51.100.1:7946');
    const cases: [() => unknown, string][] = [
      [() => createMemberlist({ transport }, {} as never), 'name'],
      [() => createMemberlist({ transport }, { name: '' }), 'name'],
      [() => createMemberlist({} as never, { name: 'a' }), 'transport'],
      [() => createMemberlist(undefined as never, { name: 'a' }), 'transport'],
      [() => createMemberlist({ transport }, undefined as never), 'options'],
      [
        () => createMemberlist({ transport }, { name: 'a', probeInterval: 5 } as never),
        'probeInterval',
      ],
      [() => createMemberlist({ transport }, { name: 'a', profile: 'wan' as never }), 'profile'],
      [() => createMemberlist({ transport }, { name: 'a', meta: { k: 1 } as never }), 'meta'],
    ];
    for (const [fn, option] of cases) {
      const e = errorOf(fn);
      expect(e.code, option).toBe(MemberlistErrorCode.InvalidOption);
      expect(e.details['option']).toBe(option);
    }
  });

  it('join() reports a malformed seed as INVALID_ADDRESS before contacting anyone', async () => {
    const { mk } = setup();
    const m = mk('198.51.100.1:7946');
    await expect(m.join(['nohost:1'])).rejects.toMatchObject({
      code: 'INVALID_ADDRESS',
      details: { seed: 'nohost:1' },
    });
    await expect(m.join(['198.51.100.2:7946', 'x'])).rejects.toMatchObject({
      code: 'INVALID_ADDRESS',
    });
    await expect(m.join([])).rejects.toMatchObject({ code: 'INVALID_OPTION' });
    expect(m.stats().pushPulls).toBe(0);
  });

  it('concurrent joins each settle with their own result', async () => {
    const { clock, mk } = setup();
    const a = mk('198.51.100.1:7946', 'a');
    const b = mk('198.51.100.2:7946', 'b');
    const c = mk('198.51.100.3:7946', 'c');
    for (const m of [a, b, c]) m.start();
    const one = c.join([a.addr, b.addr]);
    const two = c.join(['198.51.100.99:7946']);
    clock.advance(6000);
    await expect(one).resolves.toBe(2);
    await expect(two).rejects.toMatchObject({ code: 'JOIN_FAILED' });
  });
});
