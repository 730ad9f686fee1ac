// The io layer on the in-memory network: metrics sink, auth drops, garbage datagrams.
import { describe, expect, it } from 'vitest';
import { Keyring } from '../src/codec/crypto.js';
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
