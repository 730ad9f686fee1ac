// Session TTL (eBGP single-hop / multihop, GTSM's sending side): the CLI's --ttl is applied to the
// TCP socket and every BGP packet we send after the handshake carries it, seen with tcpdump on the
// router's side. BIRD is the peer.
import { describe, expect, it } from 'vitest';
import { Tcpdump, decodeFrame, netnsSkipReason } from '@ironlb/netns-kit';
import { Bird, pollUntil } from '@ironlb/netns-kit';
import { linkedPair, established, startCli, waitEvent } from './harness.js';

const skip = netnsSkipReason(['bird', 'birdc', 'tcpdump']);

describe.skipIf(skip)(`ironlb-bgp --ttl${skip ? ' — SKIPPED: ' + skip : ''}`, () => {
  const env = linkedPair('bgpttl', 'bird', { ipv6: true });

  it('IPv4 TTL 1 and IPv6 hop limit 255 on every BGP packet after the handshake', async () => {
    const { topo, us, rt } = env;
    const bird = await Bird.start({
      ns: rt,
      dir: topo.tempDir('bird'),
      as: 64513,
      routerId: '198.51.100.2',
      neighbors: [
        { address: '198.51.100.1', as: 64512 },
        { address: '2001:db8:200::1', as: 64512, families: ['ipv6'] },
      ],
    });
    const cap = await Tcpdump.start(rt, 'v2', 'tcp port 179');
    const c4 = startCli(us, [
      'announce',
      '--local-as',
      '64512',
      '--peer',
      '198.51.100.2',
      '--peer-as',
      '64513',
      '--ttl',
      '1',
      '203.0.113.0/24',
    ]);
    const c6 = startCli(us, [
      'announce',
      '--local-as',
      '64512',
      '--peer',
      '2001:db8:200::2',
      '--peer-as',
      '64513',
      '--router-id',
      '198.51.100.11',
      '--ttl',
      '255',
      '2001:db8:1::/48',
    ]);
    try {
      await waitEvent(c4, established, 30_000);
      await waitEvent(c6, established, 30_000);
      expect(
        await pollUntil(
          () => bird.routes('ipv4'),
          (r) => r.length > 0,
          10_000,
        ),
      ).toHaveLength(1);
      expect(
        await pollUntil(
          () => bird.routes('ipv6'),
          (r) => r.length > 0,
          10_000,
        ),
      ).toHaveLength(1);
    } finally {
      await c4.stop(2_000);
      await c6.stop(2_000);
    }
    const frames = (await cap.stop()).map((p) => decodeFrame(p.data));
    const ours4 = frames.filter(
      (f) => f?.ipv4?.src === '198.51.100.1' && (f.tcp?.payload.length ?? 0) > 0,
    );
    const ours6 = frames.filter(
      (f) => f?.ipv6?.src === '2001:db8:200::1' && (f.tcp?.payload.length ?? 0) > 0,
    );
    expect(ours4.length).toBeGreaterThan(2);
    expect(ours6.length).toBeGreaterThan(2);
    expect(new Set(ours4.map((f) => f?.ipv4?.ttl))).toEqual(new Set([1]));
    expect(new Set(ours6.map((f) => f?.ipv6?.hopLimit))).toEqual(new Set([255]));
    await bird.stop();
  });
});
