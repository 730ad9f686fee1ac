// Kit acceptance for FRR's bfdd: FRR and BIRD bring a BFD session up between two namespaces, and
// when the link is blackholed FRR declares it down within the detection time (RFC 5880 §6.8.4).
// IronLB's own BFD comes in a later issue; this proves the kit can run the peer it will meet.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Topology } from '../topology.ts';
import { netnsSkipReason } from '../skip.ts';
import { Frr } from './frr.ts';
import { pollUntil } from './types.ts';

const skip = netnsSkipReason(['bird', 'birdc', 'vtysh', '/usr/lib/frr/bfdd', '/usr/lib/frr/zebra']);

describe.skipIf(skip)(
  `real peers: FRR bfdd ⇄ BIRD BFD through the kit${skip ? ' — SKIPPED: ' + skip : ''}`,
  () => {
    let topo: Topology;
    beforeAll(async () => {
      topo = await Topology.create('bfd');
    });
    afterAll(async () => {
      await topo?.destroy();
    });

    it('brings a session up, and FRR sees it go down when the link is blackholed', async () => {
      const f = await topo.addNamespace('frr');
      const b = await topo.addNamespace('bird');
      await topo.link(f, 'v1', b, 'v2', { a: ['198.51.100.1/24'], b: ['198.51.100.2/24'] });

      const birdDir = topo.tempDir('bird');
      const conf = join(birdDir, 'bird.conf');
      writeFileSync(
        conf,
        [
          'router id 198.51.100.2;',
          'protocol device {}',
          'protocol bfd {',
          '  interface "v2" { min rx interval 300 ms; min tx interval 300 ms; multiplier 3; };',
          '  neighbor 198.51.100.1 dev "v2";',
          '}',
          '',
        ].join('\n'),
      );
      b.spawn(['bird', '-f', '-c', conf, '-s', join(birdDir, 'bird.ctl')]);

      const frr = await Frr.start({
        ns: f,
        dir: topo.tempDir('frr'),
        as: 64512,
        routerId: '198.51.100.1',
        // A configured (idle, passive) neighbour: bgpd reports itself ready only once it has one.
        neighbors: [{ address: '198.51.100.2', as: 64513, passive: true }],
        bfdPeers: [{ address: '198.51.100.2', interface: 'v1' }],
      });

      const up = await pollUntil(
        () => frr.bfdPeers(),
        (peers) => peers.some((p) => p.peer === '198.51.100.2' && p.status === 'up'),
        20_000,
        200,
      );
      expect(up.find((p) => p.peer === '198.51.100.2')?.status).toBe('up');
      const birdView = await b.exec([
        'birdc',
        '-s',
        join(birdDir, 'bird.ctl'),
        'show',
        'bfd',
        'sessions',
      ]);
      expect(birdView.stdout).toMatch(/198\.51\.100\.1\s+v2\s+Up/);

      await topo.blackhole(f, 'v1');
      const down = await pollUntil(
        () => frr.bfdPeers(),
        (peers) => peers.some((p) => p.peer === '198.51.100.2' && p.status === 'down'),
        10_000, // detection time is 3 × 300 ms; the rest is slack for a loaded machine
        50,
      );
      expect(down.find((p) => p.peer === '198.51.100.2')?.status).toBe('down');
      await frr.stop();
    });
  },
);
