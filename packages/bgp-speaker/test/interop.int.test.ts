// Interop with three real routers from Debian (BIRD 2, FRR 8, GoBGP 3) in network namespaces. Our
// speaker runs as the shipped CLI (a black box) in one namespace, the router in the other.
// Per router: eBGP with 2-octet ASNs over an IPv4 session carrying IPv4 and IPv6 prefixes with
// communities and large communities; withdraw on a stdin command; router restart → re-announced;
// iBGP with 4-octet ASNs over an IPv6 session with LOCAL_PREF; blackholed link → our hold timer.
import ipaddr from 'ipaddr.js';
import { describe, expect, it } from 'vitest';
import { netnsSkipReason } from '@ironlb/netns-kit';
import { Bird, Frr, Gobgp, pollUntil } from '@ironlb/netns-kit';
import type { BgpDaemon, DaemonConfig, PeerRoute } from '@ironlb/netns-kit';
import { established, linkedPair, startCli, waitEvent } from './harness.js';
import type { CliEvent } from './harness.js';

type Kind = 'bird' | 'frr' | 'gobgp';
const starters: Record<Kind, (c: DaemonConfig) => Promise<BgpDaemon>> = {
  bird: (c) => Bird.start(c),
  frr: (c) => Frr.start(c),
  gobgp: (c) => Gobgp.start(c),
};
const binaries: Record<Kind, string[]> = {
  bird: ['bird', 'birdc'],
  frr: ['/usr/lib/frr/bgpd', '/usr/lib/frr/zebra', 'vtysh'],
  gobgp: ['gobgpd', 'gobgp'],
};

const find = (rs: PeerRoute[], p: string) => rs.find((r) => r.prefix === p);

for (const kind of ['bird', 'frr', 'gobgp'] as Kind[]) {
  const skip = netnsSkipReason(binaries[kind]);
  describe.skipIf(skip)(`ironlb-bgp ⇄ ${kind}${skip ? ' — SKIPPED: ' + skip : ''}`, () => {
    const env = linkedPair(`bgp${kind}`, 'router', { ipv6: true });

    it('eBGP, 2-octet ASNs, IPv4 session: v4 + v6 prefixes with communities arrive as sent; withdraw; router restart re-announces', async () => {
      const { topo, us, rt } = env;
      const router = await starters[kind]({
        ns: rt,
        dir: topo.tempDir(kind),
        as: 64513,
        routerId: '198.51.100.2',
        localAddress: '198.51.100.2',
        neighbors: [{ address: '198.51.100.1', as: 64512, families: ['ipv4', 'ipv6'] }],
      });
      const cli = startCli(us, [
        'announce',
        '--local-as',
        '64512',
        '--peer',
        '198.51.100.2',
        '--peer-as',
        '64513',
        '--local-address',
        '198.51.100.1',
        '--next-hop',
        '2001:db8:200::1',
        '--community',
        '64512:100',
        '--community',
        'no-export',
        '--large-community',
        '64512:1:2',
        '--local-pref',
        '250',
        '203.0.113.0/24',
        '2001:db8:1::/48',
      ]);
      try {
        await waitEvent(cli, established, 30_000);
        const v4 = await pollUntil(
          () => router.routes('ipv4'),
          (r) => !!find(r, '203.0.113.0/24'),
          15_000,
        );
        expect(find(v4, '203.0.113.0/24')).toMatchObject({
          nextHop: '198.51.100.1',
          asPath: [64512],
          origin: 'IGP',
          communities: ['64512:100', '65535:65281'],
          largeCommunities: ['64512:1:2'],
        });
        // We sent --local-pref 250 but LOCAL_PREF never goes to an eBGP peer (RFC 4271 §5.1.5):
        // FRR and GoBGP show none; BIRD fills in its own default for eBGP-learned routes (100).
        expect(find(v4, '203.0.113.0/24')?.localPref).toBe(kind === 'bird' ? 100 : undefined);
        const v6 = await pollUntil(
          () => router.routes('ipv6'),
          (r) => !!find(r, '2001:db8:1::/48'),
          15_000,
        );
        expect(find(v6, '2001:db8:1::/48')).toMatchObject({
          nextHop: '2001:db8:200::1',
          asPath: [64512],
          communities: ['64512:100', '65535:65281'],
          largeCommunities: ['64512:1:2'],
        });

        // A stdin announce with its own attributes, then a withdraw.
        cli.writeLine('announce 203.0.113.128/25 --community 64512:300 --med 5');
        const added = await pollUntil(
          () => router.routes('ipv4'),
          (r) => !!find(r, '203.0.113.128/25'),
          10_000,
        );
        expect(find(added, '203.0.113.128/25')).toMatchObject({
          communities: ['64512:300'],
          med: 5,
        });
        cli.writeLine('withdraw 203.0.113.0/24');
        cli.writeLine('withdraw 2001:db8:1::/48');
        const afterWd = await pollUntil(
          () => router.routes('ipv4'),
          (r) => !find(r, '203.0.113.0/24'),
          10_000,
        );
        expect(find(afterWd, '203.0.113.0/24')).toBeUndefined();
        expect(
          find(
            await pollUntil(
              () => router.routes('ipv6'),
              (r) => !find(r, '2001:db8:1::/48'),
              10_000,
            ),
            '2001:db8:1::/48',
          ),
        ).toBeUndefined();

        // Router restart: the session drops, comes back, and the Adj-RIB-Out is sent again.
        const mark = cli.lines.length;
        await router.restart();
        await waitEvent(cli, established, 30_000, mark);
        const again = await pollUntil(
          () => router.routes('ipv4'),
          (r) => !!find(r, '203.0.113.128/25'),
          15_000,
        );
        expect(find(again, '203.0.113.128/25')).toMatchObject({
          communities: ['64512:300'],
          med: 5,
        });
        expect(find(again, '203.0.113.0/24')).toBeUndefined();

        // status on stdin reports the session and counters.
        const m2 = cli.lines.length;
        cli.writeLine('status');
        const st = await waitEvent(cli, (e) => e.event === 'status', 5_000, m2);
        const peers = st.peers as {
          state: string;
          counters: { prefixesSent: number; establishedTransitions: number };
        }[];
        expect(peers[0]?.state).toBe('Established');
        expect(peers[0]?.counters.establishedTransitions).toBeGreaterThanOrEqual(2);
        expect(peers[0]?.counters.prefixesSent).toBe(1);

        // ROUTE-REFRESH from the router (inbound soft reset): we re-send the Adj-RIB-Out (RFC 2918 §4).
        // GoBGP 3.10's CLI cannot make it send one (see Gobgp.requestRefresh).
        if (kind !== 'gobgp') {
          // Both negotiate enhanced route refresh (RFC 7313): the resend of each family goes
          // between BoRR and EoRR (FRR `clear bgp … soft in`, BIRD `reload in`).
          expect(peers[0]).toMatchObject({ enhancedRouteRefresh: true });
          const m3 = cli.lines.length;
          await router.requestRefresh('198.51.100.1');
          const eorr = (e: CliEvent) =>
            e.event === 'sent' &&
            ((e.refresh as { marker: string }[] | undefined) ?? []).some(
              (r) => r.marker === 'EoRR',
            );
          await waitEvent(cli, eorr, 10_000, m3);
          const sent = cli.lines
            .slice(m3)
            .filter((l) => l.startsWith('{'))
            .map((l) => JSON.parse(l) as CliEvent)
            .filter((e) => e.event === 'sent');
          const markers = sent.flatMap((e) =>
            ((e.refresh as { family: string; marker: string }[] | undefined) ?? []).map(
              (r) => `${r.marker} ${r.family}`,
            ),
          );
          expect(markers[0]).toMatch(/^BoRR/);
          expect(markers.at(-1)).toMatch(/^EoRR/);
          expect(sent.flatMap((e) => e.announced as string[])).toContain('203.0.113.128/25');
        }

        // SIGTERM: Cease then exit 0.
        cli.kill('SIGTERM');
        expect((await cli.waitForExit(5_000)).code).toBe(0);
        expect(
          cli
            .jsonLines()
            .some(
              (e) =>
                e.event === 'notification' &&
                e.direction === 'sent' &&
                e.code === 6 &&
                e.subcode === 2,
            ),
        ).toBe(true);
      } finally {
        await cli.stop(2_000);
        await router.stop();
      }
    });

    it('eBGP from a 4-octet local AS over an IPv4 session: AS_PATH [4200000001]; IPv6 route with the IPv4-mapped next hop', async () => {
      const { topo, us, rt } = env;
      const router = await starters[kind]({
        ns: rt,
        dir: topo.tempDir(`${kind}-as4`),
        as: 64513,
        routerId: '198.51.100.2',
        localAddress: '198.51.100.2',
        neighbors: [{ address: '198.51.100.1', as: 4200000001, families: ['ipv4', 'ipv6'] }],
      });
      // No --next-hop: the IPv6 route's next hop is ::ffff:198.51.100.1 (16 bytes, RFC 2545 §3).
      const cli = startCli(us, [
        'announce',
        '--local-as',
        '4200000001',
        '--peer',
        '198.51.100.2',
        '--peer-as',
        '64513',
        '--local-address',
        '198.51.100.1',
        '203.0.113.32/27',
        '2001:db8:3::/48',
      ]);
      try {
        await waitEvent(cli, established, 30_000);
        const v4 = await pollUntil(
          () => router.routes('ipv4'),
          (r) => !!find(r, '203.0.113.32/27'),
          15_000,
        );
        expect(find(v4, '203.0.113.32/27')).toMatchObject({
          asPath: [4200000001],
          nextHop: '198.51.100.1',
        });
        if (kind === 'bird') {
          // BIRD 2.0.12 on a direct eBGP session rejects a next hop that is not on the shared
          // link — ::ffff:198.51.100.1 is not — and handles the route as a withdraw (RFC 7606
          // treat-as-withdraw: counted "ignored", no NOTIFICATION). Against BIRD, IPv6 over an
          // IPv4 session needs --next-hop with an IPv6 address on the link (README).
          const b = router as unknown as { birdc: (...a: string[]) => Promise<string> };
          const ipv6Channel = async () =>
            (await b.birdc('show', 'protocols', 'all', 'peer0')).split('Channel ipv6')[1] ?? '';
          const ch = await pollUntil(ipv6Channel, (t) => /Import withdraws:\s+1\b/.test(t), 15_000);
          expect(ch).toMatch(/Import withdraws:\s+1\s+0\s+---\s+1\s+0/);
          expect(find(await router.routes('ipv6'), '2001:db8:3::/48')).toBeUndefined();
        } else {
          const v6 = await pollUntil(
            () => router.routes('ipv6'),
            (r) => !!find(r, '2001:db8:3::/48'),
            15_000,
          );
          const r6 = find(v6, '2001:db8:3::/48');
          expect(r6).toMatchObject({ asPath: [4200000001] });
          // FRR prints the 16-byte next hop as ::ffff:c633:6401, GoBGP unmaps it to 198.51.100.1:
          // both are ::ffff:198.51.100.1 (RFC 4291 §2.5.5.2).
          expect(ipaddr.process(r6?.nextHop ?? '').toString()).toBe('198.51.100.1');
          expect(r6?.nextHop).toBe(kind === 'frr' ? '::ffff:c633:6401' : '198.51.100.1');
        }
        // The router accepted the UPDATE: no NOTIFICATION, session still up.
        expect(cli.jsonLines().some((e) => e.event === 'notification')).toBe(false);
        expect(await router.sessionState('198.51.100.1')).toBe('Established');
      } finally {
        await cli.stop(2_000);
        await router.stop();
      }
    });

    it('a 5000-prefix initial dump arrives in full, packed (in extended messages where the router offers them)', async () => {
      const { topo, us, rt } = env;
      const router = await starters[kind]({
        ns: rt,
        dir: topo.tempDir(`${kind}-dump`),
        as: 64513,
        routerId: '198.51.100.2',
        neighbors: [{ address: '2001:db8:200::1', as: 64512, families: ['ipv6'] }],
      });
      const prefixes = Array.from({ length: 5000 }, (_, i) => `2001:db8:a:${i.toString(16)}::/64`);
      const cli = startCli(us, [
        'announce',
        '--local-as',
        '64512',
        '--peer',
        '2001:db8:200::2',
        '--peer-as',
        '64513',
        '--router-id',
        '198.51.100.1',
        ...prefixes,
      ]);
      try {
        await waitEvent(cli, established, 30_000);
        expect(
          await pollUntil(
            () => router.routeCount('ipv6'),
            (n) => n >= 5000,
            30_000,
            200,
          ),
        ).toBe(5000);
        const sent = cli
          .jsonLines()
          .filter((e) => e.event === 'sent' && (e.announced as string[]).length > 0);
        // End-of-RIB markers travel in the last chunk's `sent` event: count UPDATEs with NLRI.
        const updates = (e: (typeof sent)[number]) =>
          (e.messages as number) - (e.endOfRib as string[]).length;
        const messages = sent.reduce((n, e) => n + updates(e), 0);
        const largest = Math.max(...sent.map((e) => (e.bytes as number) / updates(e)));
        // 5000 × 9 bytes of NLRI: ≥ 12 UPDATEs of ≤ 4096 bytes, or extended messages (FRR, RFC 8654),
        // in chunks of at most 4096 prefixes (backpressure, issue 14), a pass starting at 256 and
        // doubling (256, 512, 1024, 2048, 1160 here): one partial message per chunk.
        if (kind === 'frr') {
          expect(messages).toBeLessThanOrEqual(5);
          expect(largest).toBeGreaterThan(4096);
        } else {
          expect(messages).toBeLessThanOrEqual(14);
          expect(largest).toBeLessThanOrEqual(4096 + 64); // + End-of-RIB bytes
        }
      } finally {
        await cli.stop(2_000);
        await router.stop();
      }
    });

    it('iBGP, 4-octet ASNs, IPv6 session: LOCAL_PREF arrives; blackholed link → our hold timer fires within the hold time', async () => {
      const { topo, us, rt } = env;
      const router = await starters[kind]({
        ns: rt,
        dir: topo.tempDir(`${kind}-ibgp`),
        as: 4200000001,
        routerId: '198.51.100.2',
        localAddress: '2001:db8:200::2',
        neighbors: [
          {
            address: '2001:db8:200::1',
            as: 4200000001,
            families: ['ipv4', 'ipv6'],
            holdTimeSec: 3,
          },
        ],
      });
      const cli = startCli(us, [
        'announce',
        '--local-as',
        '4200000001',
        '--peer',
        '2001:db8:200::2',
        '--peer-as',
        '4200000001',
        '--local-address',
        '2001:db8:200::1',
        '--router-id',
        '198.51.100.1',
        '--hold-time',
        '3s',
        '--next-hop',
        '198.51.100.1',
        '--local-pref',
        '250',
        '--large-community',
        '4200000001:7:8',
        '203.0.113.64/26',
        '2001:db8:2::/48',
      ]);
      try {
        const up = await waitEvent(cli, established, 30_000);
        expect(up.peer).toBe('2001:db8:200::2');
        const v6 = await pollUntil(
          () => router.routes('ipv6'),
          (r) => !!find(r, '2001:db8:2::/48'),
          15_000,
        );
        expect(find(v6, '2001:db8:2::/48')).toMatchObject({
          asPath: [],
          localPref: 250,
          largeCommunities: ['4200000001:7:8'],
          nextHop: '2001:db8:200::1',
        });
        // Next-hop-self on a shared IPv6 subnet carries our link-local too (RFC 2545 §3, 32 bytes).
        if (kind !== 'gobgp')
          expect(find(v6, '2001:db8:2::/48')?.nextHopLinkLocal).toMatch(/^fe80:/);
        const v4 = await pollUntil(
          () => router.routes('ipv4'),
          (r) => !!find(r, '203.0.113.64/26'),
          15_000,
        );
        expect(find(v4, '203.0.113.64/26')).toMatchObject({
          asPath: [],
          localPref: 250,
          nextHop: '198.51.100.1',
        });

        const mark = cli.lines.length;
        const t0 = Date.now();
        await topo.blackhole(rt, 'v2');
        const n = await waitEvent(
          cli,
          (e) => e.event === 'notification' && e.direction === 'sent',
          10_000,
          mark,
        );
        const elapsed = Date.now() - t0;
        expect(n).toMatchObject({ code: 4, subcode: 0 });
        // Negotiated hold 3 s; the router's last keepalive came ≤ 1 s before the blackhole.
        expect(elapsed).toBeLessThanOrEqual(3_000 + 500);
        await topo.clearLoss(rt, 'v2');
        await waitEvent(cli, established, 30_000, mark);
      } finally {
        await topo.clearLoss(rt, 'v2').catch(() => undefined);
        await cli.stop(2_000);
        await router.stop();
      }
    });
  });
}
