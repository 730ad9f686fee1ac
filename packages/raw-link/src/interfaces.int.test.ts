// Interface discovery against a real kernel: sysfs flags, bridge ports, NOARP, link-local
// addresses, and the watcher noticing interfaces that appear and disappear (issue 6) — once driven
// by explicit rescans, once by the watcher's own timer.
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import type { Netns } from '@ironlb/netns-kit';
import { Topology, netnsSkipReason } from '@ironlb/netns-kit';

const skip = netnsSkipReason([]);
const harness = fileURLToPath(new URL('../test/watch-interfaces.ts', import.meta.url));

interface Eligible {
  name: string;
  arp: boolean;
  ndp: boolean;
}
interface Change {
  event: string;
  current: Eligible[];
  added: string[];
  removed: string[];
}

describe.skipIf(skip)(
  `interface discovery in a namespace${skip ? ' — SKIPPED: ' + skip : ''}`,
  () => {
    let topo: Topology | undefined;
    afterEach(async () => {
      await topo?.destroy();
      topo = undefined;
    });

    /** node: eth1 (addresses), eth2 (down), eth3 (bridge port of br0), eth4 (NOARP), veth9. */
    async function node(): Promise<{ t: Topology; n: Netns; peer: Netns }> {
      const t = (topo = await Topology.create('ifaces'));
      const n = await t.addNamespace('node');
      const peer = await t.addNamespace('peer');
      await t.link(n, 'eth1', peer, 'p1', { a: ['198.51.100.1/24', '2001:db8:1::1/64'] });
      await t.link(n, 'eth2', peer, 'p2');
      await n.run(['ip', 'link', 'set', 'eth2', 'down']);
      await t.link(n, 'eth3', peer, 'p3');
      await t.link(n, 'eth4', peer, 'p4');
      await n.run(['ip', 'link', 'set', 'eth4', 'arp', 'off']);
      await t.link(n, 'veth9', peer, 'p9');
      await t.bridge(n, 'br0', ['eth3']);
      return { t, n, peer };
    }

    it('applies MetalLB eligibility to real interfaces and reports ones that appear and disappear (explicit rescans)', async () => {
      const { t, n, peer } = await node();
      const p = n.spawnNode(harness, [], { stdin: true });
      const ready = JSON.parse(await p.waitForLine(/"event":"ready"/, 15_000)) as Change;
      const names = ready.current.map((i) => i.name);
      // eth1: up, broadcast, link-local → ARP + NDP. eth2 down, eth3 enslaved, eth4 NOARP,
      // veth9 and lo excluded by name. br0 (up, broadcast) is eligible in place of its port.
      expect(names).toContain('eth1');
      expect(names).toContain('br0');
      for (const bad of ['eth2', 'eth3', 'eth4', 'veth9', 'lo']) expect(names).not.toContain(bad);
      expect(ready.current.find((i) => i.name === 'eth1')).toMatchObject({ arp: true, ndp: true });
      // Each `rescan` reports what changed since the last scan. Other interfaces may change in the
      // same scan (br0's link-local address arrives a moment after the bridge comes up), so the
      // checks look at eth5 only.
      const rescan = async (): Promise<Change> => {
        const from = p.lineCount();
        p.writeLine('rescan');
        return p.waitForJson<Change>((o) => o.event === 'scanned', 20_000, { from });
      };
      await t.link(n, 'eth5', peer, 'p5');
      let added = await rescan();
      expect(added.added).toContain('eth5');
      // A fresh veth gains its IPv6 link-local address a moment after it comes up, which the
      // watcher reports as a change of eligibility (removed + re-added); rescan until it settles.
      for (let i = 0; i < 50 && !added.current.find((x) => x.name === 'eth5')?.ndp; i++) {
        await new Promise((r) => setTimeout(r, 100));
        added = await rescan();
      }
      expect(added.current.find((x) => x.name === 'eth5')).toMatchObject({ arp: true, ndp: true });
      await n.run(['ip', 'link', 'del', 'eth5']);
      const removed = await rescan();
      expect(removed.removed).toContain('eth5');
      expect(removed.added).not.toContain('eth5');
      expect(removed.current.map((i) => i.name)).not.toContain('eth5');
      await p.stop();
    });

    it("reports an interface that appears and disappears from the watcher's own timer", async () => {
      const { t, n, peer } = await node();
      // A 200 ms period: the waits below are bounds for a loaded CI machine, not latency claims.
      const p = n.spawnNode(harness, ['200'], { stdin: true });
      await p.waitForLine(/"event":"ready"/, 15_000);
      const from = p.lineCount();
      await t.link(n, 'eth5', peer, 'p5');
      const has5 = (c: Change) => c.current.some((i) => i.name === 'eth5');
      const added = await p.waitForJson<Change>(
        (o) => o.event === 'change' && o.added.includes('eth5'),
        20_000,
        { from },
      );
      expect(has5(added)).toBe(true);
      // Its link-local address arrives later: a change that makes it eligible for NDP as well.
      await p.waitForJson<Change>(
        (o) => o.event === 'change' && o.current.some((i) => i.name === 'eth5' && i.arp && i.ndp),
        20_000,
        { from },
      );
      const from2 = p.lineCount();
      await n.run(['ip', 'link', 'del', 'eth5']);
      const removed = await p.waitForJson<Change>(
        (o) => o.event === 'change' && o.removed.includes('eth5'),
        20_000,
        { from: from2 },
      );
      expect(has5(removed)).toBe(false);
      expect(removed.added).not.toContain('eth5');
      await p.stop();
    });
  },
);
