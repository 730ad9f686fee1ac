// Interface discovery against a real kernel: sysfs flags, bridge ports, NOARP, link-local
// addresses, and the watcher noticing interfaces that appear and disappear (issue 6).
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { Topology, netnsSkipReason } from '@ironlb/netns-kit';

const skip = netnsSkipReason([]);
const harness = fileURLToPath(new URL('../test/watch-interfaces.ts', import.meta.url));

interface Eligible {
  name: string;
  arp: boolean;
  ndp: boolean;
}
interface Line {
  event: string;
  current: Eligible[];
  added?: string[];
  removed?: string[];
}

describe.skipIf(skip)(
  `interface discovery in a namespace${skip ? ' — SKIPPED: ' + skip : ''}`,
  () => {
    let topo: Topology;
    afterAll(async () => {
      await topo?.destroy();
    });

    it('applies MetalLB eligibility to real interfaces and reports ones that appear and disappear', async () => {
      topo = await Topology.create('ifaces');
      const n = await topo.addNamespace('node');
      const peer = await topo.addNamespace('peer');
      await topo.link(n, 'eth1', peer, 'p1', { a: ['198.51.100.1/24', '2001:db8:1::1/64'] });
      await topo.link(n, 'eth2', peer, 'p2');
      await n.run(['ip', 'link', 'set', 'eth2', 'down']);
      await topo.link(n, 'eth3', peer, 'p3');
      await topo.link(n, 'eth4', peer, 'p4');
      await n.run(['ip', 'link', 'set', 'eth4', 'arp', 'off']);
      await topo.link(n, 'veth9', peer, 'p9');
      await topo.bridge(n, 'br0', ['eth3']);
      await n.run(['ip', 'link', 'set', 'lo', 'up']);
      const p = n.spawnNode(harness, [], { stdin: true });
      try {
        const ready = JSON.parse(await p.waitForLine(/"event":"ready"/, 15_000)) as Line;
        const names = ready.current.map((i) => i.name);
        // eth1: up, broadcast, link-local → ARP + NDP. eth2 down, eth3 enslaved, eth4 NOARP,
        // veth9 and lo excluded by name. br0 (up, broadcast) is eligible in place of its port.
        expect(names).toContain('eth1');
        expect(names).toContain('br0');
        for (const bad of ['eth2', 'eth3', 'eth4', 'veth9', 'lo']) expect(names).not.toContain(bad);
        expect(ready.current.find((i) => i.name === 'eth1')).toMatchObject({
          arp: true,
          ndp: true,
        });
        // Each `rescan` reports what changed since the last one, read from this namespace's sysfs.
        const rescan = async (): Promise<Line & { added: string[]; removed: string[] }> => {
          const from = p.lines.length;
          p.writeLine('rescan');
          return JSON.parse(await p.waitForLine(/"event":"change"/, 20_000, { from }));
        };
        expect(await rescan()).toMatchObject({ added: [], removed: [] });
        await topo.link(n, 'eth5', peer, 'p5');
        // A fresh veth gains its IPv6 link-local address a moment after it comes up, which the
        // watcher reports as a change of eligibility (removed + re-added); rescan until it settles.
        let added = await rescan();
        expect(added.added).toEqual(['eth5']);
        for (let i = 0; i < 50 && !added.current.find((x) => x.name === 'eth5')?.ndp; i++) {
          await new Promise((r) => setTimeout(r, 100));
          added = await rescan();
        }
        expect(added.current.find((x) => x.name === 'eth5')).toMatchObject({
          arp: true,
          ndp: true,
        });
        await n.run(['ip', 'link', 'del', 'eth5']);
        const removed = await rescan();
        expect(removed.removed).toEqual(['eth5']);
        expect(removed.added).toEqual([]);
        expect(removed.current.map((i) => i.name)).not.toContain('eth5');
      } finally {
        await p.stop();
      }
    });
  },
);
