// The io layer on the in-memory network: metrics sink, auth drops, garbage datagrams.
import { describe, expect, it } from 'vitest';
import { Keyring } from '../src/codec/crypto.js';
import { createMemberlist } from '../src/io/memberlist.js';
import type { Metrics } from '../src/io/ports.js';
import { ManualClock, seededRandom } from '../src/testing/index.js';
import { InMemoryNetwork } from '../src/testing/network.js';

class Recorder implements Metrics {
  readonly totals = new Map<string, number>();
  count(name: string, delta: number, labels?: Readonly<Record<string, string>>): void {
    const key = labels?.['type'] ? `${name}:${labels['type']}` : name;
    this.totals.set(key, (this.totals.get(key) ?? 0) + delta);
  }
}

describe('io layer', () => {
  it('counts traffic and events, and drops garbage and unauthenticated datagrams without effect', async () => {
    const clock = new ManualClock();
    const net = new InMemoryNetwork({ clock, random: seededRandom(1) });
    const metrics = new Recorder();
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
    expect(metrics.totals.get('auth_failures')).toBe(2);
    expect(metrics.totals.get('member_events:join')).toBe(1);
    expect(metrics.totals.get('packets_out') ?? 0).toBeGreaterThan(0);
    expect(metrics.totals.get('bytes_in') ?? 0).toBeGreaterThan(0);
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
