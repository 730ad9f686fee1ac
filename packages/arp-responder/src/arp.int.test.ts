// The ARP responder against Debian's arping and the Linux kernel, in network namespaces (issues 6,
// 13, 14). The library runs in a harness driven over stdin (test/harness.ts); the ironlb-l2 CLI is
// tested in @ironlb/l2-announcer.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Netns, NsProcess } from '@ironlb/netns-kit';
import { Tcpdump, Topology, netnsSkipReason } from '@ironlb/netns-kit';
import { formatIPv4, formatMac, parseMac } from '@ironlb/raw-link';
import { bytesToHex } from '@ironlb/raw-link/testing';
import { arping, command, spawnResponder } from '../test/int.js';
import { ArpOp, decodeArpFrame } from './index.js';
import { arpRequestFrame } from './testing/index.js';

const skip = netnsSkipReason(['arping', 'tcpdump']);
const VIP = '198.51.100.10';
const KERNEL = '198.51.100.2';
const sender = fileURLToPath(new URL('../../raw-link/test/send-frames.ts', import.meta.url));

interface Ev {
  event: string;
  [k: string]: unknown;
}

/** utime + stime of a process in clock ticks (proc(5) fields 14 and 15). */
function cpuTicks(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return Number(f[11]) + Number(f[12]);
}

describe.skipIf(skip)(
  `arp-responder vs arping and the kernel${skip ? ' — SKIPPED: ' + skip : ''}`,
  () => {
    let topo: Topology;
    let client: Netns;
    let resp: Netns;
    let respMac: string;
    let p: NsProcess;

    beforeAll(async () => {
      topo = await Topology.create('arp');
      client = await topo.addNamespace('client');
      resp = await topo.addNamespace('resp');
      await topo.link(client, 'v1', resp, 'v2', { a: ['198.51.100.1/24'], b: [`${KERNEL}/24`] });
      respMac = await resp.mac('v2');
      p = spawnResponder(resp, 'v2');
      await p.waitForJson((o: Ev) => o.event === 'ready', 20_000);
    });
    afterAll(async () => {
      await topo?.destroy();
    });

    it('answers arping with the interface MAC, bursts 12 frames 1.1 s apart, stays silent for other addresses', async () => {
      const cap = await Tcpdump.start(client, 'v1', 'arp');
      let frames: { t: number; f: ReturnType<typeof decodeArpFrame> }[] = [];
      try {
        expect((await command(p, `announce ${VIP}`)).announced).toEqual([VIP]);
        const hit = await arping(client, VIP, { count: 2 });
        expect(hit.code).toBe(0);
        expect(new Set(hit.macs)).toEqual(new Set([respMac]));
        const miss = await arping(client, '198.51.100.11');
        expect(miss.macs).toEqual([]);
        // the kernel still answers for its own address on the same link: we did not break it
        expect((await arping(client, KERNEL)).macs).toEqual([respMac]);
        // the reply is sent before its event line is written: wait for the lines, do not race them
        await p.waitForJson((e: Ev) => e.event === 'reply' && e.toIp === '198.51.100.1', 5_000);
        // let the burst finish: rounds at 0, 1.1, ..., 5.5 s
        await p.waitForJson(
          () => p.jsonLines<Ev>().filter((e) => e.event === 'gratuitous').length === 6,
          10_000,
        );
        await new Promise((r) => setTimeout(r, 200));
      } finally {
        frames = (await cap.stop()).map((pk) => ({ t: pk.timeUs, f: decodeArpFrame(pk.data) }));
      }
      const garps = frames.filter(
        (x) =>
          formatMac(x.f.arp.senderMac) === respMac &&
          formatIPv4(x.f.arp.senderIp) === VIP &&
          formatIPv4(x.f.arp.targetIp) === VIP,
      );
      expect(garps.map((g) => g.f.arp.op)).toEqual(
        Array.from({ length: 6 }, () => [ArpOp.Request, ArpOp.Reply]).flat(),
      );
      const rounds = garps.filter((_, i) => i % 2 === 0).map((g) => g.t);
      for (let i = 1; i < rounds.length; i++) {
        const gapMs = ((rounds[i] ?? 0) - (rounds[i - 1] ?? 0)) / 1000;
        expect(gapMs).toBeGreaterThan(1_000);
        expect(gapMs).toBeLessThan(1_300);
      }
      const replies = frames.filter(
        (x) =>
          x.f.arp.op === ArpOp.Reply &&
          formatIPv4(x.f.arp.senderIp) === VIP &&
          formatMac(x.f.dst) !== 'ff:ff:ff:ff:ff:ff',
      );
      expect(replies.length).toBeGreaterThanOrEqual(1);
      expect(formatMac(replies[0]!.f.arp.senderMac)).toBe(respMac);
      expect(formatMac(replies[0]!.f.dst)).toBe(await client.mac('v1'));
    });

    it('answers only while an address is announced (runtime add / remove, reference-counted)', async () => {
      const A = '198.51.100.20';
      expect((await arping(client, A)).macs).toEqual([]);
      await command(p, `announce ${A}`);
      await command(p, `announce ${A}`);
      expect((await arping(client, A)).macs).toEqual([respMac]);
      await command(p, `withdraw ${A}`);
      expect((await arping(client, A)).macs).toEqual([respMac]); // one owner left
      const ack = await command(p, `withdraw ${A}`);
      expect(ack.announced).not.toContain(A);
      expect(ack.counters?.replies).toBeGreaterThanOrEqual(2);
      expect((await arping(client, A)).macs).toEqual([]);
    });

    it('ignores requests from sender addresses the kernel ignores, and counts them (issue 14)', async () => {
      // Side by side with the kernel answering for its own address, sender by sender.
      const martians: [string, string[]][] = [
        ['255.255.255.255', ['-b']],
        ['224.0.0.1', []],
        ['239.255.0.9', []],
        ['127.0.0.1', []],
      ];
      for (const [spa, flags] of martians) {
        const opts = { count: 1, extra: flags, ...(flags.length ? {} : { source: spa }) };
        expect((await arping(client, KERNEL, opts)).macs, `kernel, sender ${spa}`).toEqual([]);
        expect((await arping(client, VIP, opts)).macs, `responder, sender ${spa}`).toEqual([]);
      }
      const st = await command(p, `state ${VIP}`);
      expect(st.counters?.ignored).toBe(martians.length);
      // Senders the kernel does answer, we answer too: 0.0.0.0/8 and 240.0.0.0/4 (with
      // rp_filter off, as here), and a probe from 0.0.0.0 (RFC 5227).
      for (const spa of ['0.1.2.3', '240.0.0.1']) {
        expect((await arping(client, KERNEL, { source: spa })).macs, spa).toEqual([respMac]);
        expect((await arping(client, VIP, { source: spa })).macs, spa).toEqual([respMac]);
      }
      expect((await arping(client, KERNEL, { extra: ['-0'] })).macs).toEqual([respMac]);
      expect((await arping(client, VIP, { extra: ['-0'] })).macs).toEqual([respMac]);
      await p.waitForJson((e: Ev) => e.event === 'conflict' && e.kind === 'probe', 5_000);
    });

    it('ignores an 802.1Q-tagged request: the NIC path strips the tag and the kernel filter drops it', async () => {
      const clientMac = await client.mac('v1');
      const plain = arpRequestFrame({ fromMac: clientMac, fromIp: '198.51.100.1', targetIp: VIP });
      // The same request tagged with VLAN 100: 4 bytes after the source MAC.
      const tagged = new Uint8Array(64);
      tagged.set(plain.subarray(0, 12), 0);
      tagged.set([0x81, 0x00, 0x00, 100], 12);
      tagged.set(plain.subarray(12, 60), 16);
      expect(parseMac(formatMac(tagged.subarray(6, 12)))).toEqual(tagged.subarray(6, 12));
      const cap = await Tcpdump.start(client, 'v1', `arp and ether dst ${clientMac}`);
      let replies = 0;
      try {
        const s = client.spawnNode(sender, ['--interface', 'v1', bytesToHex(tagged)]);
        await s.waitForExit(20_000);
        expect(s.exitStatus?.code).toBe(0);
        await new Promise((r) => setTimeout(r, 500));
      } finally {
        replies = (await cap.stop()).length;
      }
      expect(replies).toBe(0);
      // control: the untagged request sent the same way is answered
      const ok = await Tcpdump.start(client, 'v1', `arp and ether dst ${clientMac}`);
      try {
        const s = client.spawnNode(sender, ['--interface', 'v1', bytesToHex(plain)]);
        await s.waitForExit(20_000);
        await p.waitForJson((e: Ev) => e.event === 'reply' && e.toMac === clientMac, 5_000);
      } finally {
        replies = (await ok.stop()).length;
      }
      expect(replies).toBe(1);
    });

    it('is not woken by ARP for other hosts: the kernel filter follows the announced set', async () => {
      const received = async () => (await command(p, 'linkstats')).linkStats?.received;
      const before = await received();
      expect(before).toBeGreaterThan(0);
      const other = arpRequestFrame({
        fromMac: await client.mac('v1'),
        fromIp: '198.51.100.1',
        targetIp: '198.51.100.99',
      });
      const s = client.spawnNode(sender, [
        '--interface',
        'v1',
        ...Array.from({ length: 400 }, () => bytesToHex(other)),
      ]);
      await s.waitForExit(20_000);
      expect(s.exitStatus?.code).toBe(0);
      await new Promise((r) => setTimeout(r, 300));
      expect(await received()).toBe(before);
    });

    it('refreshes periodically when asked (MetalLB #2910)', async () => {
      const r = spawnResponder(
        resp,
        'v2',
        '--burst-duration-ms',
        '0',
        '--refresh-interval-ms',
        '1000',
      );
      const cap = await Tcpdump.start(client, 'v1', 'arp');
      let garps: number[] = [];
      try {
        await r.waitForJson((o: Ev) => o.event === 'ready', 20_000);
        await command(r, 'announce 198.51.100.50');
        await r.waitForJson(
          () => r.jsonLines<Ev>().filter((e) => e.event === 'gratuitous').length >= 4,
          10_000,
        );
        const reasons = r
          .jsonLines<Ev>()
          .filter((e) => e.event === 'gratuitous')
          .map((e) => e.reason);
        expect(reasons.slice(0, 4)).toEqual(['burst', 'refresh', 'refresh', 'refresh']);
      } finally {
        await r.stop();
        garps = (await cap.stop())
          .filter((pk) => {
            const f = decodeArpFrame(pk.data);
            return formatIPv4(f.arp.senderIp) === '198.51.100.50' && f.arp.op === ArpOp.Request;
          })
          .map((pk) => pk.timeUs);
      }
      expect(garps.length).toBeGreaterThanOrEqual(4);
      for (let i = 1; i < 4; i++)
        expect(Math.abs((garps[i]! - garps[i - 1]!) / 1000 - 1000)).toBeLessThan(150);
    });

    it('survives its interface being deleted: the error is reported once and the CPU stays idle', async () => {
      const extra = await topo.addNamespace('gone');
      await topo.link(extra, 'g1', resp, 'g2', { a: ['203.0.113.1/24'] });
      const r = spawnResponder(resp, 'g2');
      try {
        await r.waitForJson((o: Ev) => o.event === 'ready', 20_000);
        await command(r, 'announce 203.0.113.10');
        await extra.run(['ip', 'link', 'del', 'g1']);
        await r.waitForLine(/link error/, 10_000, { stderr: true });
        const t0 = cpuTicks(r.pid);
        await new Promise((res) => setTimeout(res, 2_000));
        // A spinning event loop would burn ~200 ticks in 2 s.
        expect(cpuTicks(r.pid) - t0).toBeLessThan(20);
        expect(r.running).toBe(true);
      } finally {
        await r.stop();
      }
    });
  },
);

describe.skipIf(skip)(`arp takeover on a switch${skip ? ' — SKIPPED: ' + skip : ''}`, () => {
  let topo: Topology;
  afterAll(async () => {
    await topo?.destroy();
  });

  it("moves the client's neighbour entry to the new responder's MAC; two responders report each other as a conflict", async () => {
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
    const first = spawnResponder(n1, 'v2');
    const second = spawnResponder(n2, 'v3');
    await first.waitForJson((o: Ev) => o.event === 'ready', 20_000);
    await second.waitForJson((o: Ev) => o.event === 'ready', 20_000);
    await command(first, `announce ${VIP}`);
    // the client resolves the address through the kernel (ping needs the neighbour entry)
    await client.exec(['ping', '-c', '1', '-W', '1', VIP]);
    expect(await neigh()).toBe(mac1);
    // takeover: the old node withdraws, the new one announces and bursts
    await command(first, `withdraw ${VIP}`);
    const t0 = Date.now();
    await command(second, `announce ${VIP}`);
    let now: string | undefined;
    while (Date.now() - t0 < 8_000 && (now = await neigh()) !== mac2)
      await new Promise((r) => setTimeout(r, 100));
    expect(now).toBe(mac2);
    expect((await arping(client, VIP)).macs).toEqual([mac2]);
    // split brain: both announce one address and each reports the other's MAC
    const B = '198.51.100.30';
    await command(first, `announce ${B}`);
    await command(second, `announce ${B}`);
    const ca = await first.waitForJson(
      (e: Ev) => e.event === 'conflict' && e.address === B,
      10_000,
    );
    const cb = await second.waitForJson(
      (e: Ev) => e.event === 'conflict' && e.address === B,
      10_000,
    );
    expect(ca.otherMac).toBe(mac2);
    expect(cb.otherMac).toBe(mac1);
  });
});
