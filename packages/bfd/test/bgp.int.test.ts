// BFD protecting a BGP session, against FRR with bgpd and bfdd (`neighbor X bfd`): when the link
// is blackholed, BFD sees it within 3 × 300 ms and the BGP session drops at once on both sides —
// ours through speaker.peerDown (Cease/10 "BFD Down"), FRR's through its own bfdd — instead of at
// the 90 s hold-time expiry (RFC 5882 §4.3).
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Topology, netnsSkipReason, pollUntil } from '@ironlb/netns-kit';
import type { Netns, NsProcess } from '@ironlb/netns-kit';
import { ensureBuilt, pkgDir, startFrr, waitEvent } from './harness.js';
import type { CliEvent, FrrBfd } from './harness.js';

const skip = netnsSkipReason(['vtysh', '/usr/lib/frr/bfdd', '/usr/lib/frr/bgpd']);
const HOLD_SEC = 90;

describe.skipIf(skip)(
  `BFD takes the BGP session down at once (FRR bgpd + bfdd)${skip ? ' — SKIPPED: ' + skip : ''}`,
  () => {
    let topo: Topology;
    let us: Netns;
    let frr: FrrBfd;
    let app: NsProcess;

    beforeAll(async () => {
      ensureBuilt();
      // The harness imports both libraries by name, from their dist/.
      if (!existsSync(join(pkgDir, '../bgp-speaker/dist/index.js')))
        execFileSync(join(pkgDir, '../../node_modules/.bin/tsup'), [], {
          cwd: join(pkgDir, '../bgp-speaker'),
          stdio: 'ignore',
        });
      topo = await Topology.create('bfdbgp');
      us = await topo.addNamespace('us');
      const rt = await topo.addNamespace('frr');
      await topo.link(us, 'v1', rt, 'v2', { a: ['198.51.100.1/24'], b: ['198.51.100.2/24'] });
      frr = await startFrr(
        topo,
        rt,
        '198.51.100.2',
        [{ address: '198.51.100.1', interface: 'v2' }],
        {
          neighbors: [{ address: '198.51.100.1', as: 64512, passive: true, holdTimeSec: HOLD_SEC }],
          bgpBfdNeighbors: ['198.51.100.1'],
        },
      );
    });
    afterAll(async () => {
      await app?.stop(3_000);
      await topo?.destroy();
    });

    it('a blackholed link drops the BGP session within the BFD detection time, not the hold time', async () => {
      app = us.spawnNode(join(pkgDir, 'test', 'bgp-with-bfd.ts'), [
        '64512',
        '198.51.100.2',
        '64513',
        '203.0.113.10/32',
        String(HOLD_SEC),
      ]);
      const ev = (src: string, pred: (e: CliEvent) => boolean) => (e: CliEvent) =>
        e.src === src && pred(e);
      await waitEvent(
        app,
        ev('bgp', (e) => e.type === 'state' && e.to === 'Established'),
        30_000,
      );
      await waitEvent(
        app,
        ev('bfd', (e) => e.type === 'up'),
        20_000,
      );
      expect(
        await pollUntil(
          () => frr.sessionState('198.51.100.1'),
          (s) => s === 'Established',
          10_000,
        ),
      ).toBe('Established');
      await pollUntil(
        () => frr.routes('ipv4'),
        (r) => r.length === 1,
        10_000,
      );
      expect((await frr.bfdPeer('198.51.100.1'))?.status).toBe('up');

      const from = app.lines.length;
      const t0 = Date.now();
      await topo.blackhole(us, 'v1');
      const bfdDown = await waitEvent(
        app,
        ev('bfd', (e) => e.type === 'down'),
        5_000,
        from,
      );
      const bgpDown = await waitEvent(
        app,
        ev('bgp', (e) => e.type === 'state' && e.from === 'Established'),
        5_000,
        from,
      );
      const ourDropMs = Date.parse(bgpDown.time) - t0;
      expect(bfdDown).toMatchObject({ diag: 'control-detection-time-expired', pathFailure: true });
      // BGP follows BFD in the same event-loop turn, within the detection time (+ slack for the
      // shell commands above) — the hold time is 90 s.
      expect(Date.parse(bgpDown.time) - Date.parse(bfdDown.time)).toBeLessThan(50);
      expect(ourDropMs).toBeLessThan(2_000);
      expect(String(bgpDown.reason)).toMatch(/BFD/);
      // FRR's side: its bfdd tells bgpd, which drops the session and the route.
      const frrState = await pollUntil(
        () => frr.sessionState('198.51.100.1'),
        (s) => s !== 'Established',
        5_000,
        50,
      );
      const frrDropMs = Date.now() - t0;
      expect(frrState).not.toBe('Established');
      expect(frrDropMs).toBeLessThan(5_000);
      expect(await frr.routes('ipv4')).toEqual([]);
      console.log(
        `BGP dropped ${ourDropMs} ms (ours) and ≤ ${frrDropMs} ms (FRR) after the blackhole; BFD saw ${String(bfdDown.sinceLastPacketMs)} ms of silence; hold time ${HOLD_SEC} s`,
      );
    });
  },
);
