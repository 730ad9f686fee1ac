// ARP responder against Debian's arping and the Linux kernel, in network namespaces (issue 6, 9).
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Netns, NsProcess } from '@ironlb/netns-kit';
import { Tcpdump, Topology, netnsSkipReason, nodeBinary } from '@ironlb/netns-kit';
import { formatIPv4, formatMac } from '@ironlb/raw-link';
import { announceCli, arping, buildPackage, cli } from '../test/int.js';
import { ArpOp, decodeArpFrame } from './index.js';

const skip = netnsSkipReason(['arping', 'ndisc6', 'tcpdump']);
const harness = fileURLToPath(new URL('../test/harness.ts', import.meta.url));
const VIP = '198.51.100.10';

// The CLI is tested as a black box: build it from the current source once per file.
beforeAll(() => {
  if (!skip) buildPackage();
}, 120_000);

interface Ev {
  event: string;
  time: string;
  [k: string]: unknown;
}

describe.skipIf(skip)(
  `arp-responder vs arping and the kernel${skip ? ' — SKIPPED: ' + skip : ''}`,
  () => {
    let topo: Topology;
    let client: Netns;
    let resp: Netns;
    let respMac: string;

    beforeAll(async () => {
      topo = await Topology.create('arp');
      client = await topo.addNamespace('client');
      resp = await topo.addNamespace('resp');
      await topo.link(client, 'v1', resp, 'v2', {
        a: ['198.51.100.1/24', '2001:db8:1::1/64'],
        b: ['198.51.100.2/24', '2001:db8:1::2/64'],
      });
      respMac = await resp.mac('v2');
    });
    afterAll(async () => {
      await topo?.destroy();
    });

    it('ironlb-l2 answers arping with the interface MAC, sends a 12-frame burst 1.1 s apart, ignores unannounced addresses, exits 0 on SIGTERM', async () => {
      const cap = await Tcpdump.start(client, 'v1', 'arp');
      let p: NsProcess | undefined;
      let frames: { t: number; f: ReturnType<typeof decodeArpFrame> }[] = [];
      try {
        p = resp.spawn([
          nodeBinary(),
          cli,
          'announce',
          '--interface',
          'v2',
          '--log-level',
          'warn',
          VIP,
        ]);
        await p.waitForLine(/"event":"ready"/, 10_000);
        const hit = await arping(client, VIP, { count: 2 });
        expect(hit.code).toBe(0);
        expect(hit.macs.length).toBeGreaterThanOrEqual(1);
        expect(new Set(hit.macs)).toEqual(new Set([respMac]));
        const miss = await arping(client, '198.51.100.11');
        expect(miss.macs).toEqual([]);
        expect(miss.code).not.toBe(0);
        // the kernel still answers for its own address on the same link: we did not break it
        expect((await arping(client, '198.51.100.2')).macs).toEqual([respMac]);
        // let the burst finish: rounds at 0, 1.1, ..., 5.5 s
        await new Promise((r) => setTimeout(r, 6_500));
        const events = p.jsonLines<Ev>();
        expect(
          events.some(
            (e) => e.event === 'request' && e.address === VIP && e.senderIp === '198.51.100.1',
          ),
        ).toBe(true);
        expect(
          events.some((e) => e.event === 'reply' && e.address === VIP && e.mac === respMac),
        ).toBe(true);
        expect(events.filter((e) => e.event === 'gratuitous')).toHaveLength(6);
        for (const e of events) expect(e.time).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
        p.kill('SIGTERM');
        const st = await p.waitForExit(5_000);
        expect(st.code).toBe(0);
        expect(p.jsonLines<Ev>().at(-1)?.event).toBe('stopped');
        // after SIGTERM nobody answers for the address
        expect((await arping(client, VIP)).macs).toEqual([]);
      } finally {
        p?.kill('SIGKILL');
        const packets = await cap.stop();
        frames = packets.map((pk) => ({ t: pk.timeUs, f: decodeArpFrame(pk.data) }));
      }
      const garps = frames.filter(
        (x) =>
          formatMac(x.f.arp.senderMac) === respMac &&
          formatIPv4(x.f.arp.senderIp) === VIP &&
          formatIPv4(x.f.arp.targetIp) === VIP,
      );
      expect(garps).toHaveLength(12);
      expect(garps.map((g) => g.f.arp.op)).toEqual(
        Array.from({ length: 6 }, () => [ArpOp.Request, ArpOp.Reply]).flat(),
      );
      const rounds = garps.filter((_, i) => i % 2 === 0).map((g) => g.t);
      const gaps = rounds.slice(1).map((t, i) => (t - (rounds[i] ?? 0)) / 1000);
      for (const g of gaps) {
        expect(g).toBeGreaterThan(1_000);
        expect(g).toBeLessThan(1_300);
      }
      // the reply to arping is unicast to the client with our MAC
      const replies = frames.filter(
        (x) =>
          x.f.arp.op === ArpOp.Reply &&
          formatIPv4(x.f.arp.senderIp) === VIP &&
          formatMac(x.f.dst) !== 'ff:ff:ff:ff:ff:ff',
      );
      expect(replies.length).toBeGreaterThanOrEqual(1);
      expect(formatMac(replies[0]!.f.arp.senderMac)).toBe(respMac);
    });

    it('the library answers only while an address is announced (runtime add / remove, reference-counted)', async () => {
      const p = resp.spawnNode(harness, ['--interface', 'v2'], { stdin: true });
      try {
        await p.waitForLine(/"event":"ready"/, 15_000);
        expect((await arping(client, '198.51.100.20')).macs).toEqual([]);
        p.writeLine('announce 198.51.100.20');
        p.writeLine('announce 198.51.100.20');
        await p.waitForLine(/"event":"ack".*"cmd":"announce"/, 5_000, { from: 0 });
        expect((await arping(client, '198.51.100.20')).macs).toEqual([respMac]);
        p.writeLine('withdraw 198.51.100.20');
        await new Promise((r) => setTimeout(r, 200));
        expect((await arping(client, '198.51.100.20')).macs).toEqual([respMac]); // one owner left
        const from = p.lines.length;
        p.writeLine('withdraw 198.51.100.20');
        const ack = JSON.parse(await p.waitForLine(/"event":"ack"/, 5_000, { from })) as {
          announced: string[];
          counters: { requests: number; replies: number };
        };
        expect(ack.announced).toEqual([]);
        expect(ack.counters.replies).toBeGreaterThanOrEqual(2);
        expect((await arping(client, '198.51.100.20')).macs).toEqual([]);
      } finally {
        await p.stop();
      }
    });

    it('ironlb-l2 answers ARP and NDP for a dual-stack address set (arping + ndisc6)', async () => {
      const p = announceCli(resp, 'v2', '198.51.100.40', '2001:db8:1::40');
      try {
        await p.waitForLine(/"event":"ready"/, 10_000);
        expect((await arping(client, '198.51.100.40')).macs).toEqual([respMac]);
        const nd = await client.exec(
          ['ndisc6', '-1', '-r', '2', '-w', '700', '2001:db8:1::40', 'v1'],
          { timeoutMs: 10_000 },
        );
        expect(nd.code).toBe(0);
        expect(
          /Target link-layer address: ([0-9A-Fa-f:]{17})/.exec(nd.stdout)?.[1]?.toLowerCase(),
        ).toBe(respMac);
        // the reply is sent before its event line is written: wait for the lines, do not race them
        await p.waitForLine(/"event":"reply".*"address":"2001:db8:1::40"/, 5_000);
        await p.waitForLine(/"event":"reply".*"address":"198.51.100.40"/, 5_000);
        p.kill('SIGINT');
        expect((await p.waitForExit(5_000)).code).toBe(0);
      } finally {
        p.kill('SIGKILL');
      }
    });

    it('ironlb-l2 --refresh-interval re-announces periodically after the burst (MetalLB #2910)', async () => {
      const cap = await Tcpdump.start(client, 'v1', 'arp');
      const p = announceCli(
        resp,
        'v2',
        '--burst-duration',
        '0',
        '--refresh-interval',
        '1s',
        '198.51.100.50',
      );
      let garps: number[] = [];
      try {
        await p.waitForLine(/"event":"ready"/, 10_000);
        await new Promise((r) => setTimeout(r, 3_500));
        p.kill('SIGTERM');
        expect((await p.waitForExit(5_000)).code).toBe(0);
      } finally {
        p.kill('SIGKILL');
        garps = (await cap.stop())
          .filter((pk) => {
            const f = decodeArpFrame(pk.data);
            return (
              formatIPv4(f.arp.senderIp) === '198.51.100.50' &&
              formatIPv4(f.arp.targetIp) === '198.51.100.50' &&
              f.arp.op === ArpOp.Request
            );
          })
          .map((pk) => pk.timeUs);
      }
      const reasons = p
        .jsonLines<Ev>()
        .filter((e) => e.event === 'gratuitous')
        .map((e) => e.reason);
      expect(reasons).toEqual(['burst', 'refresh', 'refresh', 'refresh']);
      expect(garps).toHaveLength(4);
      for (let i = 1; i < garps.length; i++)
        expect(Math.abs((garps[i]! - garps[i - 1]!) / 1000 - 1000)).toBeLessThan(150);
    });

    it('rejects bad arguments with a one-line error and exit code 2', async () => {
      const bad = [
        ['announce', '--interface', 'nosuch0', VIP],
        ['announce', '--interface', 'v2', '198.51.100.300'],
        ['announce', '--interface', 'v2', 'ff02::1'],
        ['announce', '--interface', 'v2'],
        ['announce', VIP],
        ['announce', '--interface', 'v2', '--refresh-interval', 'soon', VIP],
        ['announce', '--interface', 'v2', '--bogus', VIP],
        ['frobnicate'],
      ];
      for (const args of bad) {
        const r = await resp.exec([nodeBinary(), cli, ...args]);
        expect(r.code, args.join(' ')).toBe(2);
        expect(r.stdout).toBe('');
        expect(r.stderr.trim().split('\n'), args.join(' ')).toHaveLength(1);
        expect(r.stderr).toMatch(/^ironlb-l2: /);
      }
      const unknown = await resp.exec([
        nodeBinary(),
        cli,
        'announce',
        '--interface',
        'nosuch0',
        VIP,
      ]);
      expect(unknown.stderr).toContain('unknown interface');
      const help = await resp.exec([nodeBinary(), cli, '--help']);
      expect(help.code).toBe(0);
      for (const flag of [
        '--interface',
        '--refresh-interval',
        '--burst-interval',
        '--burst-duration',
        '--log-level',
        '--help',
        'Example',
      ])
        expect(help.stdout).toContain(flag);
    });
  },
);

describe.skipIf(skip)(`arp takeover on a switch${skip ? ' — SKIPPED: ' + skip : ''}`, () => {
  let topo: Topology;
  afterAll(async () => {
    await topo?.destroy();
  });

  it("the client's neighbour table moves to the new responder's MAC when it takes the address over", async () => {
    topo = await Topology.create('arptk');
    const sw = await topo.addNamespace('sw');
    const client = await topo.addNamespace('client');
    const n1 = await topo.addNamespace('n1');
    const n2 = await topo.addNamespace('n2');
    await topo.link(client, 'v1', sw, 's1', { a: ['198.51.100.1/24'] });
    await topo.link(n1, 'v2', sw, 's2', { a: ['198.51.100.2/24'] });
    await topo.link(n2, 'v3', sw, 's3', { a: ['198.51.100.3/24'] });
    await topo.bridge(sw, 'br0', ['s1', 's2', 's3']);
    const mac1 = await n1.mac('v2');
    const mac2 = await n2.mac('v3');
    const neigh = async () => {
      const r = await client.exec(['ip', '-4', 'neigh', 'show', VIP, 'dev', 'v1']);
      return /lladdr ([0-9a-f:]{17})/.exec(r.stdout)?.[1];
    };
    const first = announceCli(n1, 'v2', VIP);
    let second: NsProcess | undefined;
    try {
      await first.waitForLine(/"event":"ready"/, 10_000);
      // the client resolves the address through the kernel (ping needs the neighbour entry)
      await client.exec(['ping', '-c', '1', '-W', '1', VIP]);
      expect(await neigh()).toBe(mac1);
      // planned handover: the old node stops, the new one starts and sends its burst
      first.kill('SIGTERM');
      expect((await first.waitForExit(5_000)).code).toBe(0);
      const t0 = Date.now();
      second = announceCli(n2, 'v3', VIP);
      await second.waitForLine(/"event":"gratuitous"/, 10_000);
      let now: string | undefined;
      while (Date.now() - t0 < 8_000 && (now = await neigh()) !== mac2)
        await new Promise((r) => setTimeout(r, 100));
      expect(now).toBe(mac2);
      // and traffic-driven resolution agrees
      expect((await arping(client, VIP)).macs).toEqual([mac2]);
    } finally {
      first.kill('SIGKILL');
      second?.kill('SIGKILL');
    }
  });

  it('a second responder announcing the same address is reported as a conflict by both (split brain)', async () => {
    const n1 = topo.ns('n1');
    const n2 = topo.ns('n2');
    const a = announceCli(n1, 'v2', '198.51.100.30');
    const b = announceCli(n2, 'v3', '198.51.100.30');
    try {
      const ca = JSON.parse(await a.waitForLine(/"event":"conflict"/, 10_000)) as Ev;
      const cb = JSON.parse(await b.waitForLine(/"event":"conflict"/, 10_000)) as Ev;
      expect(ca.otherMac).toBe(await n2.mac('v3'));
      expect(cb.otherMac).toBe(await n1.mac('v2'));
      expect(ca.address).toBe('198.51.100.30');
    } finally {
      await a.stop();
      await b.stop();
    }
  });
});
