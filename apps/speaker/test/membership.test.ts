// The speaker's memberlist on an in-memory network and a manual clock: the live set (alive and
// suspected members, as MetalLB's UsableSpeakers), crash detection, graceful leave, the key read
// from <path>/secretkey, and a key rotated in the file without a restart or a false death.
import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock, MemoryLogger, MemoryMetrics, seededRandom } from '@ironlb/clock/testing';
import { deriveKey, keyId } from '@ironlb/memberlist';
import { InMemoryNetwork } from '@ironlb/memberlist/testing';
import { MemberlistPortTakenError, startMembership, type Membership } from '../src/membership.js';

interface Node {
  m: Membership;
  files: Map<string, string>;
  changes: string[];
  poke: () => void;
}

const started: Membership[] = [];

afterEach(async () => {
  for (const m of started.splice(0)) await m.close();
});

async function cluster(n: number, secret: string | undefined, clock: ManualClock) {
  const net = new InMemoryNetwork({ clock, random: seededRandom(9) });
  const nodes: Node[] = [];
  for (let i = 1; i <= n; i++) {
    const files = new Map<string, string>();
    if (secret !== undefined) files.set('/keys/secretkey', `${secret}\n`);
    let watcher: () => void = () => undefined;
    const changes: string[] = [];
    const m = await startMembership(
      {
        clock,
        logger: new MemoryLogger(),
        metrics: new MemoryMetrics(),
        random: seededRandom(i),
        readFile: (p) => {
          const v = files.get(p);
          if (v === undefined) throw new Error(`ENOENT ${p}`);
          return Buffer.from(v);
        },
        watchDir: (_dir, onChange) => {
          watcher = onChange;
          return { close: () => undefined };
        },
        transport: async (bind) => net.createTransport(bind),
      },
      {
        nodeName: `node-${i}`,
        bindAddr: `198.51.100.${10 + i}`,
        bindPort: 7946,
        secretKeyPath: secret !== undefined ? '/keys' : '',
        profile: 'fast',
        keyRotationGraceMs: 5000,
        keyRetireMs: 60_000,
      },
    );
    started.push(m);
    m.onChange((c, member) => changes.push(`${c}:${member}`));
    nodes.push({ m, files, changes, poke: () => watcher() });
  }
  const joins = nodes.slice(1).map((x) => x.m.join(['198.51.100.11:7946']));
  clock.advance(1000);
  await Promise.all(joins);
  clock.advance(2000);
  return { net, nodes };
}

describe('startMembership', () => {
  it('members see each other; a crash is detected in well under a second (fast profile)', async () => {
    const clock = new ManualClock();
    const { nodes } = await cluster(3, 'k1', clock);
    for (const x of nodes) expect([...x.m.live()].sort()).toEqual(['node-1', 'node-2', 'node-3']);
    expect(nodes[0]?.m.encrypted).toBe(true);
    expect([...(nodes[0]?.m.liveAddresses() ?? [])].sort()).toEqual([
      '198.51.100.12:7946',
      '198.51.100.13:7946',
    ]);
    const t0 = clock.now();
    await nodes[2]?.m.memberlist.shutdown();
    let detected = -1;
    for (let t = 0; t < 3000 && detected < 0; t += 10) {
      clock.advance(10);
      if (!nodes[0]?.m.live().has('node-3')) detected = clock.now() - t0;
    }
    expect(detected).toBeGreaterThan(0);
    expect(detected).toBeLessThan(1000);
    expect(nodes[0]?.changes).toContain('dead:node-3');
  });

  it('a graceful leave is learnt at once, without a death', async () => {
    const clock = new ManualClock();
    const { nodes } = await cluster(3, 'k1', clock);
    const leaving = nodes[1]?.m.leave();
    clock.advance(50);
    expect(nodes[0]?.m.live().has('node-2')).toBe(false);
    clock.advance(1000);
    await leaving;
    expect(nodes[0]?.changes).toContain('leave:node-2');
    expect(nodes[0]?.changes).not.toContain('dead:node-2');
  });

  it('the key file changes on each node in turn: accepted at once, used after the grace, no false death', async () => {
    const clock = new ManualClock();
    const { nodes } = await cluster(3, 'old-key', clock);
    for (const x of nodes) {
      x.files.set('/keys/secretkey', 'new-key');
      x.poke();
      clock.advance(1500); // the kubelets update their copies one after the other
    }
    const oldId = keyId(deriveKey('old-key'));
    const newId = keyId(deriveKey('new-key'));
    clock.advance(10_000);
    for (const x of nodes) {
      expect(x.m.keyChanges).toBe(1);
      expect(x.m.primaryKeyId).toBe(newId);
      expect(x.m.keyCount).toBe(2);
      expect([...x.m.live()].sort()).toEqual(['node-1', 'node-2', 'node-3']);
      expect(x.changes.filter((c) => c.startsWith('dead:'))).toEqual([]);
    }
    expect(oldId).not.toBe(newId);
    // The old key is forgotten once every node has long moved on; nothing was ever refused.
    clock.advance(60_000);
    for (const x of nodes) expect(x.m.keyCount).toBe(1);
    expect(nodes.every((x) => x.m.memberlist.stats().authFailures === 0)).toBe(true);
    expect(nodes.every((x) => x.m.live().size === 3)).toBe(true);
  });

  it('an unreadable or empty key file refuses to start; no key path runs in plaintext', async () => {
    const clock = new ManualClock();
    const net = new InMemoryNetwork({ clock, random: seededRandom(1) });
    const base = {
      clock,
      logger: new MemoryLogger(),
      metrics: new MemoryMetrics(),
      transport: async (bind: string) => net.createTransport(bind),
      watchDir: () => ({ close: () => undefined }),
    };
    const options = { nodeName: 'n', bindAddr: '198.51.100.1', bindPort: 7946 };
    await expect(
      startMembership(
        { ...base, readFile: () => Buffer.from('') },
        { ...options, secretKeyPath: '/keys' },
      ),
    ).rejects.toThrow(/empty/);
    await expect(
      startMembership(
        {
          ...base,
          readFile: () => {
            throw new Error('ENOENT');
          },
        },
        { ...options, secretKeyPath: '/keys' },
      ),
    ).rejects.toThrow(/failed to read memberlist secret key file \/keys\/secretkey/);
    const logger = new MemoryLogger();
    const plain = await startMembership(
      { ...base, logger },
      { ...options, bindAddr: '198.51.100.2', secretKeyPath: '' },
    );
    started.push(plain);
    expect(plain.encrypted).toBe(false);
    expect(logger.find('neither authenticated nor encrypted')).toHaveLength(1);
  });
});

describe('the memberlist port taken (issue 19: MetalLB’s speaker still on the node)', () => {
  it('refuses to start with MemberlistPortTakenError naming the port and the migration guide', async () => {
    const { createServer } = await import('node:net');
    // Whoever holds the TCP port (MetalLB's memberlist binds TCP and UDP on 7946).
    const holder = createServer();
    await new Promise<void>((r) => holder.listen(0, '127.0.0.1', () => r()));
    const port = (holder.address() as { port: number }).port;
    try {
      const err = await startMembership(
        {
          clock: new ManualClock(),
          logger: new MemoryLogger(),
          metrics: new MemoryMetrics(),
          random: seededRandom(1),
        },
        { nodeName: 'node-1', bindAddr: '127.0.0.1', bindPort: port, secretKeyPath: '' },
      ).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(MemberlistPortTakenError);
      expect((err as Error).message).toBe(
        `memberlist port 127.0.0.1:${port} is already in use: is MetalLB's speaker still running on this node? ` +
          "IronLB's memberlist is not wire-compatible with MetalLB's; stop MetalLB's speakers first " +
          '(https://github.com/ironlb/ironlb/blob/main/MIGRATING.md)',
      );
    } finally {
      await new Promise((r) => holder.close(r));
    }
  });
});
