// NDP responder against Debian's ndisc6, the Linux kernel and tcpdump, in network namespaces
// (issues 6, 13, 14). The library runs in a harness driven over stdin (test/harness.ts).
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Netns, NsProcess } from '@ironlb/netns-kit';
import { Tcpdump, Topology, netnsSkipReason } from '@ironlb/netns-kit';
import { formatIPv6, formatMac } from '@ironlb/raw-link';
import { bytesToHex } from '@ironlb/raw-link/testing';
import { command, ndisc6, sender, spawnResponder, tsconfig } from '../test/int.js';
import { NdpOptionType, decodeNdpFrame, linkLayerOption } from './index.js';
import { neighborSolicitationFrame } from './testing/index.js';

const skip = netnsSkipReason(['ndisc6', 'tcpdump']);
const nudProbe = fileURLToPath(new URL('../test/nud-probe.ts', import.meta.url));
const VIP = '2001:db8:1::10';
const KERNEL = '2001:db8:1::2';

interface Ev {
  event: string;
  [k: string]: unknown;
}

describe.skipIf(skip)(
  `ndp-responder vs ndisc6 and the kernel${skip ? ' — SKIPPED: ' + skip : ''}`,
  () => {
    let topo: Topology;
    let client: Netns;
    let resp: Netns;
    let respMac: string;
    let p: NsProcess;

    beforeAll(async () => {
      topo = await Topology.create('ndp');
      client = await topo.addNamespace('client');
      resp = await topo.addNamespace('resp');
      await topo.link(client, 'v1', resp, 'v2', {
        a: ['2001:db8:1::1/64'],
        b: ['2001:db8:1::2/64'],
      });
      respMac = await resp.mac('v2');
      p = spawnResponder(resp, 'v2');
      await p.waitForJson((o: Ev) => o.event === 'ready', 20_000);
    });
    afterAll(async () => {
      await p?.stop();
      await topo?.destroy();
    });

    it('answers ndisc6 with the interface MAC, sends 6 unsolicited NAs 1.1 s apart, and stays silent for unannounced targets', async () => {
      expect((await ndisc6(client, 'v1', VIP)).mac).toBeUndefined();
      const cap = await Tcpdump.start(client, 'v1', 'icmp6 and (ip6[40] = 135 or ip6[40] = 136)');
      let packets;
      try {
        expect((await command(p, `announce ${VIP}`)).announced).toEqual([VIP]);
        const hit = await ndisc6(client, 'v1', VIP);
        expect(hit.code).toBe(0);
        expect(hit.mac).toBe(respMac);
        const miss = await ndisc6(client, 'v1', '2001:db8:1::11');
        expect(miss.mac).toBeUndefined();
        expect(miss.code).not.toBe(0);
        // the kernel keeps answering for its own address on the same link
        expect((await ndisc6(client, 'v1', '2001:db8:1::2')).mac).toBe(respMac);
        await new Promise((r) => setTimeout(r, 6_000));
      } finally {
        packets = await cap.stop();
      }
      const nas = packets
        .map((pk) => ({ t: pk.timeUs, p: decodeNdpFrame(pk.data) }))
        .filter((x) => x.p.message.kind === 'na' && formatIPv6(x.p.message.target) === VIP);
      const unsolicited = nas.filter((x) => formatIPv6(x.p.dst) === 'ff02::1');
      expect(unsolicited).toHaveLength(6);
      for (const u of unsolicited) {
        expect(u.p.message).toMatchObject({ kind: 'na', solicited: false, override: true });
        expect(
          formatMac(linkLayerOption(u.p.message.options, NdpOptionType.TargetLinkLayerAddress)!),
        ).toBe(respMac);
        expect(u.p.hopLimit).toBe(255);
      }
      const gaps = unsolicited.slice(1).map((u, i) => (u.t - (unsolicited[i]?.t ?? 0)) / 1000);
      for (const g of gaps) {
        expect(g).toBeGreaterThan(1_000);
        expect(g).toBeLessThan(1_300);
      }
      const solicited = nas.filter(
        (x) => x.p.message.kind === 'na' && x.p.message.solicited && formatIPv6(x.p.src) === VIP,
      );
      expect(solicited.length).toBeGreaterThanOrEqual(1);
      expect(formatMac(solicited[0]!.p.srcMac)).toBe(respMac);
    });

    it('joins the solicited-node group in the kernel (ip maddr lists it, so the NIC filter and MLD snooping pass NS) and leaves it on withdrawal', async () => {
      const groups = async () =>
        (await resp.run(['ip', '-6', 'maddr', 'show', 'dev', 'v2'])).stdout;
      expect(await groups()).toContain('ff02::1:ff00:10');
      await command(p, `announce 2001:db8:1::abc`);
      expect(await groups()).toContain('ff02::1:ff00:abc');
      await command(p, `withdraw 2001:db8:1::abc`);
      expect(await groups()).not.toContain('ff02::1:ff00:abc');
    });

    it('answers a unicast NUD probe that carries no Source Link-Layer option (MetalLB #2920)', async () => {
      const probe = client.spawnNode(
        nudProbe,
        ['--interface', 'v1', '--from', '2001:db8:1::1', '--target', VIP, '--dst-mac', respMac],
        { env: { TSX_TSCONFIG_PATH: tsconfig } },
      );
      const st = await probe.waitForExit(20_000);
      const na = probe
        .jsonLines<{
          event: string;
          solicited: boolean;
          override: boolean;
          tlla: string;
          dst: string;
        }>()
        .find((e) => e.event === 'na');
      expect(st.code, probe.stderr).toBe(0);
      expect(na).toMatchObject({
        solicited: true,
        override: true,
        tlla: respMac,
        dst: '2001:db8:1::1',
      });
    });

    it('ignores solicitations the kernel ignores — multicast or loopback source — and counts them (issue 14)', async () => {
      const clientMac = await client.mac('v1');
      /** NAs for `target` after an NS for it from `fromIp`, sent raw from the client. */
      const answers = async (fromIp: string, target: string): Promise<number> => {
        const ns = neighborSolicitationFrame({ fromMac: clientMac, fromIp, target });
        const cap = await Tcpdump.start(
          client,
          'v1',
          `icmp6 and ip6[40] = 136 and ether dst ${clientMac}`,
        );
        let sent: number | null = null;
        let n = 0;
        try {
          const s = client.spawnNode(sender, [
            '--interface',
            'v1',
            '--ether-type',
            '0x86dd',
            bytesToHex(ns),
          ]);
          sent = (await s.waitForExit(20_000)).code;
          await new Promise((r) => setTimeout(r, 400));
        } finally {
          // Only NAs for this target: the kernels' own NUD traffic shares the link.
          n = (await cap.stop()).filter((pk) => {
            const m = decodeNdpFrame(pk.data).message;
            return m.kind === 'na' && formatIPv6(m.target) === target;
          }).length;
        }
        expect(sent).toBe(0);
        return n;
      };
      for (const bad of ['ff02::1', 'ff05::1:3', '::1']) {
        expect(await answers(bad, KERNEL), `kernel, source ${bad}`).toBe(0);
        expect(await answers(bad, VIP), `responder, source ${bad}`).toBe(0);
      }
      expect((await command(p, `state ${VIP}`)).counters?.ignored).toBe(3);
      // control: the same solicitation from a link-local source is answered by both
      expect(await answers('fe80::1', KERNEL)).toBe(1);
      expect(await answers('fe80::1', VIP)).toBe(1);
    });

    it('is not woken by solicitations for other targets: the kernel filter follows the announced set', async () => {
      const received = async () => (await command(p, 'linkstats')).linkStats?.received;
      const before = await received();
      const other = neighborSolicitationFrame({
        fromMac: await client.mac('v1'),
        fromIp: '2001:db8:1::1',
        target: '2001:db8:1::99',
      });
      const s = client.spawnNode(sender, [
        '--interface',
        'v1',
        '--ether-type',
        '0x86dd',
        ...Array.from({ length: 300 }, () => bytesToHex(other)),
      ]);
      expect((await s.waitForExit(20_000)).code).toBe(0);
      await new Promise((r) => setTimeout(r, 300));
      expect(await received()).toBe(before);
    });

    it('stops answering when the address is withdrawn', async () => {
      const ack = await command(p, `withdraw ${VIP}`);
      expect(ack.announced).toEqual([]);
      expect(ack.counters?.replies).toBeGreaterThanOrEqual(2);
      expect((await ndisc6(client, 'v1', VIP)).mac).toBeUndefined();
      expect((await resp.run(['ip', '-6', 'maddr', 'show', 'dev', 'v2'])).stdout).not.toContain(
        'ff02::1:ff00:10',
      );
    });
  },
);

describe.skipIf(skip)(`ndp takeover on a switch${skip ? ' — SKIPPED: ' + skip : ''}`, () => {
  let topo: Topology;
  afterAll(async () => {
    await topo?.destroy();
  });

  it("the client's neighbour table moves to the new responder's MAC on takeover (unsolicited NA, O=1); a split brain is reported as conflicts", async () => {
    topo = await Topology.create('ndptk');
    const sw = await topo.addNamespace('sw');
    const client = await topo.addNamespace('client');
    const n1 = await topo.addNamespace('n1');
    const n2 = await topo.addNamespace('n2');
    await topo.link(client, 'v1', sw, 's1', { a: ['2001:db8:1::1/64'] });
    await topo.link(n1, 'v2', sw, 's2', { a: ['2001:db8:1::2/64'] });
    await topo.link(n2, 'v3', sw, 's3', { a: ['2001:db8:1::3/64'] });
    await topo.bridge(sw, 'br0', ['s1', 's2', 's3']);
    const mac1 = await n1.mac('v2');
    const mac2 = await n2.mac('v3');
    const neigh = async () => {
      const r = await client.exec(['ip', '-6', 'neigh', 'show', VIP, 'dev', 'v1']);
      return /lladdr ([0-9a-f:]{17})/.exec(r.stdout)?.[1];
    };
    const a = spawnResponder(n1, 'v2');
    const b = spawnResponder(n2, 'v3');
    try {
      await a.waitForJson((o: Ev) => o.event === 'ready', 20_000);
      await b.waitForJson((o: Ev) => o.event === 'ready', 20_000);
      await command(a, `announce ${VIP}`);
      await client.exec(['ping', '-6', '-c', '1', '-W', '1', VIP]);
      expect(await neigh()).toBe(mac1);
      await command(a, `withdraw ${VIP}`);
      const t0 = Date.now();
      await command(b, `announce ${VIP}`);
      let now: string | undefined;
      while (Date.now() - t0 < 8_000 && (now = await neigh()) !== mac2)
        await new Promise((r) => setTimeout(r, 100));
      expect(now).toBe(mac2);
      expect((await ndisc6(client, 'v1', VIP)).mac).toBe(mac2);
      // split brain: node 1 announces again while node 2 still does — both report the other
      const fromA = a.lineCount();
      const fromB = b.lineCount();
      await command(a, `announce ${VIP}`);
      await command(b, `reannounce ${VIP}`); // re-triggers b's burst in case it already ended
      const ca = await a.waitForJson((e: Ev) => e.event === 'conflict', 10_000, { from: fromA });
      const cb = await b.waitForJson((e: Ev) => e.event === 'conflict', 10_000, { from: fromB });
      expect(ca).toMatchObject({ address: VIP, otherMac: mac2, kind: 'announcement' });
      expect(cb).toMatchObject({ address: VIP, otherMac: mac1, kind: 'announcement' });
    } finally {
      await a.stop();
      await b.stop();
    }
  });
});
