// @ironlb/l2-announcer in network namespaces, against Debian's arping and ndisc6, tcpdump and the
// Linux kernel (issues 6, 9, 13): the ironlb-l2 CLI as a black box (built from the current
// source), the library over discovered interfaces with its real rescan timer, and a planned
// handover between two nodes on a switch with a client asking all along.
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Netns, NsProcess } from '@ironlb/netns-kit';
import { Tcpdump, Topology, netnsSkipReason, nodeBinary } from '@ironlb/netns-kit';
import { ArpOp, decodeArpFrame } from '@ironlb/arp-responder';
import { formatIPv4 } from '@ironlb/raw-link';
import {
  announceCli,
  arping,
  buildPackage,
  cli,
  ndisc6,
  tsconfig,
  waitLinkLocal,
} from '../test/int.js';

const skip = netnsSkipReason(['arping', 'ndisc6', 'tcpdump']);
const harness = fileURLToPath(new URL('../test/announcer.ts', import.meta.url));
const VIP = '198.51.100.10';

interface Ev {
  event: string;
  time: string;
  [k: string]: unknown;
}

beforeAll(() => {
  if (!skip) buildPackage();
}, 300_000);

describe.skipIf(skip)(`ironlb-l2 (CLI)${skip ? ' — SKIPPED: ' + skip : ''}`, () => {
  let topo: Topology;
  let client: Netns;
  let resp: Netns;
  let respMac: string;

  beforeAll(async () => {
    topo = await Topology.create('l2cli');
    client = await topo.addNamespace('client');
    resp = await topo.addNamespace('resp');
    await topo.link(client, 'v1', resp, 'v2', {
      a: ['198.51.100.1/24', '2001:db8:1::1/64'],
      b: ['198.51.100.2/24', '2001:db8:1::2/64'],
    });
    respMac = await resp.mac('v2');
    await waitLinkLocal(resp, 'v2');
  });
  afterAll(async () => {
    await topo?.destroy();
  });

  it('answers arping and ndisc6 with the interface MAC, prints JSON lines, bursts, exits 0 on SIGTERM and stops answering', async () => {
    const cap = await Tcpdump.start(client, 'v1', 'arp');
    let p: NsProcess | undefined;
    let garps = 0;
    try {
      p = announceCli(resp, '--interface', 'v2', VIP, '2001:db8:1::40');
      const ready = await p.waitForJson<Ev>((e) => e.event === 'ready', 20_000);
      expect(ready).toMatchObject({
        iface: 'v2',
        mac: respMac,
        interfaces: [{ name: 'v2', mac: respMac }],
        addresses: [VIP, '2001:db8:1::40'],
      });
      const hit = await arping(client, VIP, { count: 2 });
      expect(new Set(hit.macs)).toEqual(new Set([respMac]));
      expect((await arping(client, '198.51.100.11')).macs).toEqual([]);
      // the kernel still answers for its own address on the same link
      expect((await arping(client, '198.51.100.2')).macs).toEqual([respMac]);
      expect(await ndisc6(client, 'v1', '2001:db8:1::40')).toBe(respMac);
      // replies go out before their event lines: wait for the lines, do not race them
      await p.waitForJson<Ev>((e) => e.event === 'reply' && e.address === VIP, 5_000);
      await p.waitForJson<Ev>((e) => e.event === 'reply' && e.address === '2001:db8:1::40', 5_000);
      const events = p.jsonLines<Ev>();
      expect(events.some((e) => e.event === 'request' && e.senderIp === '198.51.100.1')).toBe(true);
      for (const e of events) expect(e.time).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
      p.kill('SIGTERM');
      expect((await p.waitForExit(10_000)).code).toBe(0);
      expect(p.jsonLines<Ev>().at(-1)).toMatchObject({ event: 'stopped', signal: 'SIGTERM' });
      expect((await arping(client, VIP)).macs).toEqual([]);
    } finally {
      p?.kill('SIGKILL');
      garps = (await cap.stop()).filter((pk) => {
        const f = decodeArpFrame(pk.data);
        return formatIPv4(f.arp.senderIp) === VIP && formatIPv4(f.arp.targetIp) === VIP;
      }).length;
    }
    // at least the first rounds of the burst (request + reply form each)
    expect(garps).toBeGreaterThanOrEqual(2);
    expect(garps % 2).toBe(0);
  });

  it('--refresh-interval re-announces periodically after the burst (MetalLB #2910)', async () => {
    const cap = await Tcpdump.start(client, 'v1', 'arp');
    const p = announceCli(
      resp,
      '-i',
      'v2',
      '--burst-duration',
      '0',
      '--refresh-interval',
      '1s',
      '198.51.100.50',
    );
    let stamps: number[] = [];
    try {
      await p.waitForJson<Ev>(
        () => p.jsonLines<Ev>().filter((e) => e.event === 'gratuitous').length >= 4,
        15_000,
      );
      p.kill('SIGTERM');
      expect((await p.waitForExit(10_000)).code).toBe(0);
    } finally {
      p.kill('SIGKILL');
      stamps = (await cap.stop())
        .filter((pk) => {
          const f = decodeArpFrame(pk.data);
          return formatIPv4(f.arp.senderIp) === '198.51.100.50' && f.arp.op === ArpOp.Request;
        })
        .map((pk) => pk.timeUs);
    }
    const reasons = p
      .jsonLines<Ev>()
      .filter((e) => e.event === 'gratuitous')
      .map((e) => e.reason);
    expect(reasons.slice(0, 4)).toEqual(['burst', 'refresh', 'refresh', 'refresh']);
    for (let i = 1; i < 4; i++)
      expect(Math.abs(((stamps[i] ?? 0) - (stamps[i - 1] ?? 0)) / 1000 - 1000)).toBeLessThan(150);
  });

  it('rejects bad arguments with a one-line error and exit code 2; --help documents every flag', async () => {
    const bad = [
      ['announce', '--interface', 'nosuch0', VIP],
      ['announce', '--interface', 'v2', '198.51.100.300'],
      ['announce', '--interface', 'v2', 'ff02::1'],
      ['announce', '--interface', 'v2'],
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
    const unknown = await resp.exec([nodeBinary(), cli, 'announce', '-i', 'nosuch0', VIP]);
    expect(unknown.stderr).toContain('unknown interface');
    const help = await resp.exec([nodeBinary(), cli, '--help']);
    expect(help.code).toBe(0);
    for (const flag of ['--interface', '--exclude', '--handover-wait', '--log-level', 'Example'])
      expect(help.stdout).toContain(flag);
  });
});

describe.skipIf(skip)(
  `L2 announcer over discovered interfaces${skip ? ' — SKIPPED: ' + skip : ''}`,
  () => {
    let topo: Topology;
    afterAll(async () => {
      await topo?.destroy();
    });

    it('answers on every eligible interface, one that appears later (real rescan timer), or only the requested ones', async () => {
      topo = await Topology.create('l2ann');
      const node = await topo.addNamespace('node');
      const c1 = await topo.addNamespace('c1');
      const c2 = await topo.addNamespace('c2');
      await topo.link(c1, 'v1', node, 'eth1', { a: ['198.51.100.1/24'], b: ['198.51.100.2/24'] });
      const p = node.spawnNode(harness, [], { stdin: true, env: { TSX_TSCONFIG_PATH: tsconfig } });
      const ack = async (line: string) => {
        const from = p.lineCount();
        p.writeLine(line);
        return p.waitForJson<Ev>((e) => e.event === 'ack' || e.event === 'error', 10_000, { from });
      };
      try {
        const ready = await p.waitForJson<Ev>((e) => e.event === 'ready', 20_000);
        expect(ready.interfaces).toEqual(['eth1']); // lo excluded by MetalLB's default list
        expect((await ack(`announce ${VIP}`)).interfaces).toEqual(['eth1']);
        expect((await arping(c1, VIP)).macs).toEqual([await node.mac('eth1')]);
        // a second interface appears: the 300 ms rescan opens a responder on it and bursts
        const from = p.lineCount();
        await topo.link(c2, 'v1', node, 'eth2', { a: ['203.0.113.1/24'], b: ['203.0.113.2/24'] });
        await p.waitForJson<Ev>((e) => e.event === 'gratuitous' && e.iface === 'eth2', 20_000, {
          from,
        });
        expect((await arping(c2, VIP)).macs).toEqual([await node.mac('eth2')]);
        // an address restricted to eth2 is not answered on eth1
        expect((await ack('announce 198.51.100.11 eth2')).interfaces).toEqual(['eth2']);
        expect((await arping(c1, '198.51.100.11')).macs).toEqual([]);
        expect((await arping(c2, '198.51.100.11')).macs).toEqual([await node.mac('eth2')]);
      } finally {
        await p.stop();
      }
    });
  },
);

describe.skipIf(skip)(`planned handover on a switch${skip ? ' — SKIPPED: ' + skip : ''}`, () => {
  let topo: Topology;
  afterAll(async () => {
    await topo?.destroy();
  });

  it('the leaving node answers until the next one announces: a client asking every 100 ms misses nothing', async () => {
    topo = await Topology.create('l2ho');
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
    const first = announceCli(n1, '-i', 'v2', '--handover-wait', '20s', VIP);
    let second: NsProcess | undefined;
    try {
      await first.waitForJson<Ev>((e) => e.event === 'ready', 20_000);
      expect((await arping(client, VIP)).macs).toEqual([mac1]);
      // 80 requests, 100 ms apart, while the handover happens
      const asking = client.exec(['arping', '-c', '80', '-W', '0.1', '-i', 'v1', VIP], {
        timeoutMs: 60_000,
      });
      await new Promise((r) => setTimeout(r, 1_000));
      first.kill('SIGTERM');
      await first.waitForJson<Ev>((e) => e.event === 'draining', 10_000);
      // still answering while nobody else has announced
      await new Promise((r) => setTimeout(r, 1_000));
      second = announceCli(n2, '-i', 'v3', VIP);
      const handover = await first.waitForJson<Ev>((e) => e.event === 'handover', 20_000);
      expect(handover).toMatchObject({ address: VIP, toMac: mac2 });
      expect((await first.waitForExit(10_000)).code).toBe(0);
      expect(first.jsonLines<Ev>().at(-1)).toMatchObject({
        event: 'stopped',
        handedOver: [{ address: VIP, toMac: mac2 }],
        remaining: [],
      });
      const r = await asking;
      const macs = new Set([...r.stdout.matchAll(/bytes from ([0-9a-f:]{17})/g)].map((m) => m[1]));
      expect(macs).toEqual(new Set([mac1, mac2]));
      // every one of the 80 requests got an answer (arping prints "Timeout" for one that did not)
      expect(r.stdout, r.stdout.slice(-400)).toMatch(/80 packets transmitted/);
      expect(r.stdout).toMatch(/ 0% unanswered/);
      expect(r.stdout).not.toMatch(/Timeout/);
    } finally {
      first.kill('SIGKILL');
      second?.kill('SIGKILL');
    }
  });
});
