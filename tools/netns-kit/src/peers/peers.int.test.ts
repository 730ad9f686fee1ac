// Kit acceptance for the real-peer wrappers: BIRD and GoBGP peer with each other through the kit,
// GoBGP injects routes, and BIRD's table, read through the kit, shows them with their attributes.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Topology } from '../topology.ts';
import { netnsSkipReason } from '../skip.ts';
import type { Netns } from '../netns.ts';
import { Bird } from './bird.ts';
import { Gobgp } from './gobgp.ts';
import { pollUntil } from './types.ts';

const skip = netnsSkipReason(['bird', 'birdc', 'gobgpd', 'gobgp']);

describe.skipIf(skip)(
  `real peers: BIRD ⇄ GoBGP through the kit${skip ? ' — SKIPPED: ' + skip : ''}`,
  () => {
    let topo: Topology;
    let a: Netns;
    let b: Netns;

    beforeAll(async () => {
      topo = await Topology.create('peers');
      a = await topo.addNamespace('gobgp');
      b = await topo.addNamespace('bird');
      await topo.link(a, 'v1', b, 'v2', {
        a: ['198.51.100.1/24', '2001:db8:200::1/64'],
        b: ['198.51.100.2/24', '2001:db8:200::2/64'],
      });
    });
    afterAll(async () => {
      await topo?.destroy();
    });

    it('GoBGP (active, AS 4200000001) injects v4 + v6 routes; BIRD (passive, AS 64513) shows them with attributes', async () => {
      const g = await Gobgp.start({
        ns: a,
        dir: topo.tempDir('gobgp'),
        as: 4200000001,
        routerId: '198.51.100.1',
        localAddress: '198.51.100.1',
        neighbors: [
          {
            address: '198.51.100.2',
            as: 64513,
            passive: false,
            families: ['ipv4', 'ipv6'],
            connectRetrySec: 1,
          },
        ],
        routes: [
          {
            prefix: '203.0.113.0/24',
            communities: ['64512:100'],
            largeCommunities: ['4200000001:1:2'],
            med: 7,
          },
          { prefix: '2001:db8:1::/48', nextHop: '2001:db8:200::1', communities: ['64512:200'] },
        ],
      });
      const bird = await Bird.start({
        ns: b,
        dir: topo.tempDir('bird'),
        as: 64513,
        routerId: '198.51.100.2',
        localAddress: '198.51.100.2',
        neighbors: [{ address: '198.51.100.1', as: 4200000001, families: ['ipv4', 'ipv6'] }],
      });
      expect(
        await pollUntil(
          () => bird.sessionState('198.51.100.1'),
          (s) => s === 'Established',
          30_000,
        ),
      ).toBe('Established');
      expect(
        await pollUntil(
          () => g.sessionState('198.51.100.2'),
          (s) => s === 'Established',
          10_000,
        ),
      ).toBe('Established');
      const v4 = await pollUntil(
        () => bird.routes('ipv4'),
        (r) => r.length > 0,
        10_000,
      );
      expect(v4).toEqual([
        {
          prefix: '203.0.113.0/24',
          nextHop: '198.51.100.1',
          asPath: [4200000001],
          origin: 'IGP',
          communities: ['64512:100'],
          largeCommunities: ['4200000001:1:2'],
          localPref: 100,
          med: 7,
        },
      ]);
      const v6 = await pollUntil(
        () => bird.routes('ipv6'),
        (r) => r.length > 0,
        10_000,
      );
      expect(v6).toHaveLength(1);
      expect(v6[0]).toMatchObject({
        prefix: '2001:db8:1::/48',
        nextHop: '2001:db8:200::1',
        asPath: [4200000001],
        communities: ['64512:200'],
      });
      // Restart through the kit: BIRD comes back and learns the routes again.
      await bird.restart();
      expect(
        await pollUntil(
          () => bird.routes('ipv4'),
          (r) => r.length > 0,
          30_000,
        ),
      ).toHaveLength(1);
      await g.stop();
      await bird.stop();
    });
  },
);
