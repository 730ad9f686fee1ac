// RFC 5883 multi-hop BFD through a router namespace, against FRR bfdd (`peer X multihop
// local-address Y`): IPv4 and IPv6 sessions on UDP 4784; FRR's packets arrive with TTL 254
// (one router) and pass our default minimum of 254; a minimum of 255 refuses them; a blackholed
// router is detected within detectMultiplier × interval + 10 %.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Tcpdump, Topology, decodeFrame, netnsSkipReason } from '@ironlb/netns-kit';
import type { Netns, NsProcess } from '@ironlb/netns-kit';
import {
  cliStatus,
  ensureBuilt,
  isUp,
  measureDetection,
  startCli,
  startFrr,
  waitEvent,
} from './harness.js';
import type { FrrBfd } from './harness.js';

const skip = netnsSkipReason(['vtysh', '/usr/lib/frr/bfdd', '/usr/lib/frr/zebra', 'tcpdump']);

const US = { v4: '198.51.100.1', v6: '2001:db8:200::1' };
const FRR = { v4: '203.0.113.2', v6: '2001:db8:300::2' };

describe.skipIf(skip)(
  `ironlb-bfd ⇄ FRR bfdd, multi-hop through a router${skip ? ' — SKIPPED: ' + skip : ''}`,
  () => {
    let topo: Topology;
    let us: Netns;
    let router: Netns;
    let frr: FrrBfd;
    let cli: NsProcess | undefined;

    beforeAll(async () => {
      ensureBuilt();
      topo = await Topology.create('bfdmh');
      us = await topo.addNamespace('us');
      router = await topo.addNamespace('router');
      const far = await topo.addNamespace('frr');
      await topo.link(us, 'v1', router, 'r1', {
        a: [`${US.v4}/24`, `${US.v6}/64`],
        b: ['198.51.100.254/24', '2001:db8:200::fe/64'],
      });
      await topo.link(router, 'r2', far, 'v2', {
        a: ['203.0.113.254/24', '2001:db8:300::fe/64'],
        b: [`${FRR.v4}/24`, `${FRR.v6}/64`],
      });
      await router.run(['sysctl', '-qw', 'net.ipv4.ip_forward=1']);
      await router.run(['sysctl', '-qw', 'net.ipv6.conf.all.forwarding=1']);
      await us.run(['ip', 'route', 'add', 'default', 'via', '198.51.100.254']);
      await us.run(['ip', '-6', 'route', 'add', 'default', 'via', '2001:db8:200::fe']);
      await far.run(['ip', 'route', 'add', 'default', 'via', '203.0.113.254']);
      await far.run(['ip', '-6', 'route', 'add', 'default', 'via', '2001:db8:300::fe']);
      frr = await startFrr(topo, far, FRR.v4, [
        { address: US.v4, multihop: true, localAddress: FRR.v4, minimumTtl: 254 },
        { address: US.v6, multihop: true, localAddress: FRR.v6, minimumTtl: 254 },
      ]);
    });
    afterAll(async () => {
      await cli?.stop(3_000);
      await topo?.destroy();
    });

    async function restartCli(args: string[]): Promise<NsProcess> {
      await cli?.stop(3_000);
      cli = startCli(us, args);
      await waitEvent(cli, (e) => e.event === 'ready', 10_000);
      return cli;
    }

    it('IPv4 and IPv6 multi-hop sessions come Up on UDP 4784; FRR arrives with TTL 254', async () => {
      const cap = await Tcpdump.start(us, 'v1', 'udp port 4784');
      const p = await restartCli(['--multihop', '--peer', FRR.v4, '--peer', FRR.v6]);
      await waitEvent(p, isUp(FRR.v4), 20_000);
      await waitEvent(p, isUp(FRR.v6), 20_000);
      expect((await frr.waitBfd(US.v4, 'up', 10_000, true))?.status).toBe('up');
      expect((await frr.waitBfd(US.v6, 'up', 10_000, true))?.status).toBe('up');
      const st = await cliStatus(p);
      for (const s of st) expect(s).toMatchObject({ multihop: true, minimumTtl: 254, state: 'Up' });
      const frames = (await cap.stop()).map((c) => decodeFrame(c.data)!);
      const theirs = frames.filter((f) => f.ipv4?.src === FRR.v4 || f.ipv6?.src === FRR.v6);
      const ours = frames.filter((f) => f.ipv4?.src === US.v4 || f.ipv6?.src === US.v6);
      expect(theirs.length).toBeGreaterThan(2);
      for (const f of theirs) expect(f.ipv4?.ttl ?? f.ipv6?.hopLimit).toBe(254);
      for (const f of ours) {
        expect(f.ipv4?.ttl ?? f.ipv6?.hopLimit).toBe(255); // RFC 5883 §2 leaves it to us: 255
        expect(f.udp!.dstPort).toBe(4784);
        expect(f.udp!.srcPort).toBeGreaterThanOrEqual(49152);
      }
    });

    it('a blackholed router: we detect it within 3 × 300 ms + 10 %, and so does FRR', async () => {
      const attempts = await measureDetection({
        p: cli!,
        peers: [FRR.v4, FRR.v6],
        cut: () => topo.blackhole(router, 'r1'),
        heal: () => topo.clearLoss(router, 'r1'),
        boundMs: 990,
        onDown: async () => {
          expect((await frr.waitBfd(US.v4, 'down', 5_000, true))?.diagnostic).toBe(
            'control detection time expired',
          );
        },
      });
      for (const a of attempts)
        for (const d of a.downs) {
          expect(d).toMatchObject({ diag: 'control-detection-time-expired', multihop: true });
          expect(d.sinceLastPacketMs as number).toBeGreaterThanOrEqual(900);
          expect(d.sinceLastPacketMs as number).toBeLessThan(2_000);
        }
      expect(Math.max(...attempts.at(-1)!.ms)).toBeLessThanOrEqual(990);
      console.log(
        `FRR multi-hop detection (ms, per attempt): ${JSON.stringify(attempts.map((a) => a.ms))}`,
      );
    });

    it('with --minimum-ttl 255 the packets at TTL 254 are refused and the session stays Down', async () => {
      const p = await restartCli(['--multihop', '--peer', FRR.v4, '--minimum-ttl', '255']);
      const cap = await Tcpdump.start(us, 'v1', `udp port 4784 and src host ${FRR.v4}`);
      await new Promise((r) => setTimeout(r, 3_000));
      const arrived = await cap.stop();
      expect(arrived.length).toBeGreaterThan(1); // FRR keeps sending (slow rate) ...
      expect((await cliStatus(p))[0]).toMatchObject({ state: 'Down', packetsIn: 0 }); // ... unheard
    });
  },
);
