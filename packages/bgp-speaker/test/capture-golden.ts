// Captures golden vectors: each real router (BIRD 2, FRR 8, GoBGP 3) announces known routes to our
// CLI over an IPv4 and an IPv6 session inside network namespaces; tcpdump records the router's
// side; the BGP messages are framed and written as hex to test/fixtures/golden/<router>-<n>-<type>.hex.
// Run as root:  node --import tsx packages/bgp-speaker/test/capture-golden.ts
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Tcpdump, Topology, decodeFrame } from '@ironlb/netns-kit';
import { Bird, Frr, Gobgp, pollUntil } from '@ironlb/netns-kit';
import type { BgpDaemon, DaemonConfig } from '@ironlb/netns-kit';
import { BgpFramer } from '../src/codec/framer.js';
import { ensureBuilt, established, pkgDir, startCli, waitEvent } from './harness.js';

const outDir = join(pkgDir, 'test', 'fixtures', 'golden');
const TYPES: Record<number, string> = {
  1: 'open',
  2: 'update',
  3: 'notification',
  4: 'keepalive',
  5: 'route-refresh',
};

const routes = [
  {
    prefix: '203.0.113.0/24',
    communities: ['64513:100', '65535:65281'],
    largeCommunities: ['64513:1:2'],
    med: 7,
  },
  {
    prefix: '2001:db8:1::/48',
    communities: ['64513:200'],
    largeCommunities: ['64513:3:4'],
    med: 9,
  },
];

async function captureOne(
  kind: string,
  start: (c: DaemonConfig) => Promise<BgpDaemon>,
): Promise<void> {
  const topo = await Topology.create(`gold${kind}`);
  try {
    const us = await topo.addNamespace('us');
    const rt = await topo.addNamespace('rt');
    await topo.link(us, 'v1', rt, 'v2', {
      a: ['198.51.100.1/24', '2001:db8:200::1/64'],
      b: ['198.51.100.2/24', '2001:db8:200::2/64'],
    });
    const cap = await Tcpdump.start(us, 'v1', 'tcp port 179');
    const router = await start({
      ns: rt,
      dir: topo.tempDir(kind),
      as: 64513,
      routerId: '198.51.100.2',
      neighbors: [
        { address: '198.51.100.1', as: 64512, families: ['ipv4'] },
        { address: '2001:db8:200::1', as: 64512, families: ['ipv6'] },
      ],
      // FRR honours NO_EXPORT on its own routes towards eBGP (RFC 1997), so it gets a plain one.
      routes: (kind === 'frr'
        ? routes.map((r) => ({
            ...r,
            communities: r.communities.map((c) => (c === '65535:65281' ? '64513:101' : c)),
          }))
        : routes
      ).map((r) =>
        kind === 'gobgp'
          ? r.prefix.includes(':')
            ? { ...r, nextHop: '2001:db8:200::2' }
            : { ...r, nextHop: '198.51.100.2' }
          : r,
      ),
    });
    const c4 = startCli(us, [
      'announce',
      '--local-as',
      '64512',
      '--peer',
      '198.51.100.2',
      '--peer-as',
      '64513',
      '--local-address',
      '198.51.100.1',
    ]);
    const c6 = startCli(us, [
      'announce',
      '--local-as',
      '64512',
      '--peer',
      '2001:db8:200::2',
      '--peer-as',
      '64513',
      '--local-address',
      '2001:db8:200::1',
      '--router-id',
      '198.51.100.11',
    ]);
    await waitEvent(c4, established, 30_000);
    await waitEvent(c6, established, 30_000);
    const got = await pollUntil(
      async () =>
        c4
          .jsonLines()
          .some((e) => e.event === 'received' && (e.announced as string[]).length > 0) &&
        c6.jsonLines().some((e) => e.event === 'received' && (e.announced as string[]).length > 0),
      (x) => x,
      30_000,
    );
    if (!got) throw new Error(`${kind}: routes did not arrive: ${c4.stdout} ${c6.stdout}`);
    await new Promise((r) => setTimeout(r, 500));
    c4.kill('SIGTERM');
    c6.kill('SIGTERM');
    await c4.waitForExit(5_000);
    await c6.waitForExit(5_000);
    const packets = await cap.stop();
    await router.stop();
    const streams = new Map<number, Buffer[]>();
    for (const p of packets) {
      const f = decodeFrame(p.data);
      if (!f?.tcp || f.tcp.srcPort !== 179 || f.tcp.payload.length === 0) continue;
      const list = streams.get(f.tcp.dstPort) ?? [];
      list.push(Buffer.from(f.tcp.payload));
      streams.set(f.tcp.dstPort, list);
    }
    let n = 0;
    for (const chunks of streams.values()) {
      const framer = new BgpFramer({ maxFrameBytes: 65535 });
      for (const frame of framer.push(Buffer.concat(chunks))) {
        const type = TYPES[frame[18] as number] ?? 'unknown';
        if (type === 'keepalive') continue;
        writeFileSync(
          join(outDir, `${kind}-${String(n++).padStart(2, '0')}-${type}.hex`),
          Buffer.from(frame).toString('hex') + '\n',
        );
      }
    }
    console.log(`${kind}: ${n} messages`);
  } finally {
    await topo.destroy();
  }
}

ensureBuilt();
mkdirSync(outDir, { recursive: true });
const only = process.argv[2];
const all: [string, (c: DaemonConfig) => Promise<BgpDaemon>][] = [
  ['bird', (c) => Bird.start(c)],
  ['frr', (c) => Frr.start(c)],
  ['gobgp', (c) => Gobgp.start(c)],
];
for (const [k, s] of all) if (!only || only === k) await captureOne(k, s);
