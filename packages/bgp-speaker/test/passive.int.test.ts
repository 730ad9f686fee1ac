// Passive mode: our CLI listens (--passive) and GoBGP dials it. Routes flow both ways: ours reach
// GoBGP's RIB (read through its JSON CLI); GoBGP's route is reported as received, never re-exported.
import { describe, expect, it } from 'vitest';
import { netnsSkipReason } from '@ironlb/netns-kit';
import { Gobgp, pollUntil } from '@ironlb/netns-kit';
import { linkedPair, established, startCli, waitEvent } from './harness.js';

const skip = netnsSkipReason(['gobgpd', 'gobgp']);

describe.skipIf(skip)(`ironlb-bgp --passive ⇐ gobgp${skip ? ' — SKIPPED: ' + skip : ''}`, () => {
  const env = linkedPair('bgppassive', 'gobgp');

  it('accepts the session GoBGP dials, announces to it and only reports what it receives', async () => {
    const { topo, us, rt } = env;
    const cli = startCli(us, [
      'announce',
      '--local-as',
      '64512',
      '--peer',
      '198.51.100.2',
      '--peer-as',
      '64513',
      '--passive',
      '--local-address',
      '198.51.100.1',
      '--community',
      '64512:9',
      '203.0.113.0/24',
    ]);
    const g = await Gobgp.start({
      ns: rt,
      dir: topo.tempDir('gobgp'),
      as: 64513,
      routerId: '198.51.100.2',
      localAddress: '198.51.100.2',
      neighbors: [{ address: '198.51.100.1', as: 64512, passive: false, connectRetrySec: 1 }],
      routes: [{ prefix: '192.0.2.0/24', nextHop: '198.51.100.2' }],
    });
    try {
      await waitEvent(cli, established, 30_000);
      const r = await pollUntil(
        () => g.routes('ipv4'),
        (x) => x.length > 0,
        10_000,
      );
      expect(r).toEqual([
        expect.objectContaining({
          prefix: '203.0.113.0/24',
          nextHop: '198.51.100.1',
          asPath: [64512],
          communities: ['64512:9'],
        }),
      ]);
      const got = await waitEvent(
        cli,
        (e) => e.event === 'received' && (e.announced as string[]).includes('192.0.2.0/24'),
        10_000,
      );
      expect(got.droppedOwnAs).toEqual([]);
      const mark = cli.lines.length;
      cli.writeLine('status');
      const st = await waitEvent(cli, (e) => e.event === 'status', 5_000, mark);
      const peer = (
        st.peers as { counters: { prefixesSent: number; prefixesReceived: number } }[]
      )[0];
      // Received routes are counted but never enter our table: we still export only our own.
      expect(peer?.counters.prefixesSent).toBe(1);
      expect(peer?.counters.prefixesReceived).toBe(1);
      expect((st.routes as { prefix: string }[]).map((x) => x.prefix)).toEqual(['203.0.113.0/24']);
    } finally {
      await cli.stop(2_000);
      await g.stop();
    }
  });
});
