// RFC 5881 §5 receive-side TTL check, as the kernel enforces it for us (a BPF socket filter on
// the TTL / Hop Limit, attached through koffi; IP_MINTTL does nothing for UDP): a peer whose packets arrive with TTL / Hop Limit 254 is
// ignored — tcpdump sees its packets arrive, the session never hears them. The peer is a second
// ironlb-bfd with --send-ttl 254; with 255 the same pair comes Up (the control).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Tcpdump, Topology, decodeFrame, netnsSkipReason } from '@ironlb/netns-kit';
import type { Netns, NsProcess } from '@ironlb/netns-kit';
import { cliStats, cliStatus, ensureBuilt, isUp, startCli, waitEvent } from './harness.js';

const skip = netnsSkipReason(['tcpdump']);

describe.skipIf(skip)(
  `single-hop TTL check (RFC 5881 §5)${skip ? ' — SKIPPED: ' + skip : ''}`,
  () => {
    let topo: Topology;
    let a: Netns;
    let b: Netns;
    const procs: NsProcess[] = [];

    beforeAll(async () => {
      ensureBuilt();
      topo = await Topology.create('bfdttl');
      a = await topo.addNamespace('a');
      b = await topo.addNamespace('b');
      await topo.link(a, 'v1', b, 'v2', {
        a: ['198.51.100.1/24', '2001:db8:200::1/64'],
        b: ['198.51.100.2/24', '2001:db8:200::2/64'],
      });
    });
    afterAll(async () => {
      await Promise.all(procs.map((p) => p.stop(3_000)));
      await topo?.destroy();
    });

    it('packets arriving with TTL / Hop Limit 254 are ignored; at 255 the same peer comes Up', async () => {
      const cap = await Tcpdump.start(a, 'v1', 'udp port 3784');
      const us = startCli(a, ['--peer', '198.51.100.2', '--peer', '2001:db8:200::2']);
      const bad = startCli(b, [
        '--peer',
        '198.51.100.1',
        '--peer',
        '2001:db8:200::1',
        '--send-ttl',
        '254',
      ]);
      procs.push(us, bad);
      await waitEvent(us, (e) => e.event === 'ready', 10_000);
      // The 254 side hears us (we send 255) and moves to Init; we never hear it.
      await waitEvent(bad, (e) => e.event === 'state' && e.to === 'Init', 10_000);
      await new Promise((r) => setTimeout(r, 2_500));
      const ours = await cliStatus(us);
      for (const s of ours) expect(s).toMatchObject({ state: 'Down', packetsIn: 0, upEvents: 0 });
      // Not even counted as junk: the kernel dropped them before the socket.
      const st = await cliStats(us);
      expect(Object.values(st.packetsDropped).reduce((x, y) => x + y, 0)).toBe(0);
      await bad.stop(3_000);

      const frames = (await cap.stop()).map((c) => decodeFrame(c.data)!);
      const arrived4 = frames.filter((f) => f.ipv4?.src === '198.51.100.2');
      const arrived6 = frames.filter((f) => f.ipv6?.src === '2001:db8:200::2');
      expect(arrived4.length).toBeGreaterThan(2);
      expect(arrived6.length).toBeGreaterThan(2);
      expect(arrived4.every((f) => f.ipv4!.ttl === 254)).toBe(true);
      expect(arrived6.every((f) => f.ipv6!.hopLimit === 254)).toBe(true);

      // Control: the same peer at TTL 255.
      const good = startCli(b, ['--peer', '198.51.100.1', '--peer', '2001:db8:200::1']);
      procs.push(good);
      await waitEvent(us, isUp('198.51.100.2'), 20_000);
      await waitEvent(us, isUp('2001:db8:200::2'), 20_000);
    });
  },
);
