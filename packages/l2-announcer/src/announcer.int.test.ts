// createL2Announcer in a namespace: interfaces discovered from the kernel, a new interface
// picked up by the rescan and answering arping, per-interface restriction (issue 6).
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Netns } from '@ironlb/netns-kit';
import { Topology, netnsSkipReason } from '@ironlb/netns-kit';
import { arping, buildPackage } from '../test/int.js';

const skip = netnsSkipReason(['arping']);
const harness = fileURLToPath(new URL('../test/announcer.ts', import.meta.url));

// The harness imports raw-link and ndp-responder through their package exports (dist).
beforeAll(() => {
  if (!skip) buildPackage();
}, 120_000);

const arpingMacs = async (ns: Netns, iface: string, ip: string) =>
  (await arping(ns, ip, { iface })).macs;

describe.skipIf(skip)(
  `L2 announcer over discovered interfaces${skip ? ' — SKIPPED: ' + skip : ''}`,
  () => {
    let topo: Topology;
    afterAll(async () => {
      await topo?.destroy();
    });

    it('answers on every eligible interface, including one that appears later, or only on the requested ones', async () => {
      topo = await Topology.create('announcer');
      const node = await topo.addNamespace('node');
      const c1 = await topo.addNamespace('c1');
      const c2 = await topo.addNamespace('c2');
      await topo.link(c1, 'v1', node, 'eth1', { a: ['198.51.100.1/24'], b: ['198.51.100.2/24'] });
      const p = node.spawnNode(harness, [], { stdin: true });
      try {
        const ready = JSON.parse(await p.waitForLine(/"event":"ready"/, 15_000)) as {
          interfaces: string[];
        };
        expect(ready.interfaces).toEqual(['eth1']); // lo excluded by MetalLB's default list
        p.writeLine('announce 198.51.100.10');
        const ack = JSON.parse(await p.waitForLine(/"event":"ack"/, 5_000)) as {
          interfaces: string[];
        };
        expect(ack.interfaces).toEqual(['eth1']);
        expect(await arpingMacs(c1, 'v1', '198.51.100.10')).toEqual([await node.mac('eth1')]);
        // a second interface appears: the rescan opens a responder on it and announces the address
        await topo.link(c2, 'v1', node, 'eth2', { a: ['203.0.113.1/24'], b: ['203.0.113.2/24'] });
        await p.waitForLine(/"event":"gratuitous".*"iface":"eth2"/, 5_000);
        expect(await arpingMacs(c2, 'v1', '198.51.100.10')).toEqual([await node.mac('eth2')]);
        // an address restricted to eth2 is not answered on eth1
        const from = p.lines.length;
        p.writeLine('announce 198.51.100.11 eth2');
        const ack2 = JSON.parse(await p.waitForLine(/"event":"ack"/, 5_000, { from })) as {
          interfaces: string[];
        };
        expect(ack2.interfaces).toEqual(['eth2']);
        expect(await arpingMacs(c1, 'v1', '198.51.100.11')).toEqual([]);
        expect(await arpingMacs(c2, 'v1', '198.51.100.11')).toEqual([await node.mac('eth2')]);
      } finally {
        await p.stop();
      }
    });
  },
);
