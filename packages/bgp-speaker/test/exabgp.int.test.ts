// ExaBGP as the peer: it receives our route (read back through the kit's ExaBGP wrapper) and sends
// one good route and one whose COMMUNITIES attribute has a broken length (ExaBGP's generic
// attribute syntax). RFC 7606 §7.8: treat-as-withdraw, no NOTIFICATION, the session stays up.
import { describe, expect, it } from 'vitest';
import { netnsSkipReason } from '@ironlb/netns-kit';
import { Exabgp, pollUntil } from '@ironlb/netns-kit';
import { linkedPair, established, startCli, waitEvent } from './harness.js';

const skip = netnsSkipReason(['exabgp', 'python3']);

describe.skipIf(skip)(`ironlb-bgp ⇄ exabgp${skip ? ' — SKIPPED: ' + skip : ''}`, () => {
  const env = linkedPair('bgpexa', 'exabgp');

  it('a malformed COMMUNITIES from ExaBGP is treat-as-withdraw; our route reaches ExaBGP with its community', async () => {
    const { topo, us, rt } = env;
    const exa = await Exabgp.start({
      ns: rt,
      dir: topo.tempDir('exabgp'),
      as: 64513,
      routerId: '198.51.100.2',
      localAddress: '198.51.100.2',
      neighbors: [{ address: '198.51.100.1', as: 64512 }],
      routes: [
        { prefix: '192.0.2.0/25', communities: ['64513:1'] },
        { prefix: '192.0.2.128/25', rawAttributes: [[8, 0xc0, '000001']] },
      ],
    });
    const cli = startCli(us, [
      'announce',
      '--local-as',
      '64512',
      '--peer',
      '198.51.100.2',
      '--peer-as',
      '64513',
      '--connect-retry',
      '2s',
      '--community',
      '64512:5',
      '--large-community',
      '64512:6:7',
      '203.0.113.0/24',
    ]);
    try {
      await waitEvent(cli, established, 30_000);
      const taw = await waitEvent(
        cli,
        (e) => e.event === 'received' && e.treatAsWithdraw === true,
        10_000,
      );
      expect(taw.withdrawn).toEqual(['192.0.2.128/25']);
      expect((taw.problems as string[])[0]).toMatch(/treat-as-withdraw/);
      const good = await waitEvent(
        cli,
        (e) => e.event === 'received' && (e.announced as string[]).includes('192.0.2.0/25'),
        10_000,
      );
      expect(good.treatAsWithdraw).toBe(false);
      const routes = await pollUntil(
        () => exa.routes('ipv4'),
        (r) => r.length > 0,
        10_000,
      );
      expect(routes).toEqual([
        expect.objectContaining({
          prefix: '203.0.113.0/24',
          nextHop: '198.51.100.1',
          asPath: [64512],
          communities: ['64512:5'],
          largeCommunities: ['64512:6:7'],
        }),
      ]);
      expect(await exa.waitUp('198.51.100.1', 5_000)).toBe(true);
      // No NOTIFICATION either way and still Established.
      expect(cli.jsonLines().some((e) => e.event === 'notification')).toBe(false);
      cli.writeLine('withdraw 203.0.113.0/24');
      expect(
        await pollUntil(
          () => exa.routes('ipv4'),
          (r) => r.length === 0,
          10_000,
        ),
      ).toEqual([]);
    } finally {
      await cli.stop(2_000);
      await exa.stop();
    }
  });

  it('towards a 2-octet-only peer (ExaBGP asn4 disabled) a 4-octet ASN goes as AS_TRANS + AS4_PATH and the peer rebuilds the real path', async () => {
    const { topo, us, rt } = env;
    const exa = await Exabgp.start({
      ns: rt,
      dir: topo.tempDir('exabgp2'),
      as: 64513,
      routerId: '198.51.100.2',
      localAddress: '198.51.100.2',
      // An old speaker only knows us as AS_TRANS (RFC 6793 §4.2.2).
      neighbors: [{ address: '198.51.100.1', as: 23456, fourOctetAs: false }],
    });
    const cli = startCli(us, [
      'announce',
      '--local-as',
      '4200000001',
      '--peer',
      '198.51.100.2',
      '--peer-as',
      '64513',
      '--connect-retry',
      '2s',
      '203.0.113.0/24',
    ]);
    try {
      await waitEvent(cli, established, 30_000);
      const routes = await pollUntil(
        () => exa.routes('ipv4'),
        (r) => r.length > 0,
        10_000,
      );
      // ExaBGP merges AS_PATH [23456] with AS4_PATH [4200000001] (RFC 6793 §4.2.3).
      expect(routes).toEqual([
        expect.objectContaining({ prefix: '203.0.113.0/24', asPath: [4200000001] }),
      ]);
      const st = cli.lines.length;
      cli.writeLine('status');
      const status = await waitEvent(cli, (e) => e.event === 'status', 5_000, st);
      expect((status.peers as { state: string }[])[0]?.state).toBe('Established');
    } finally {
      await cli.stop(2_000);
      await exa.stop();
    }
  });
});
