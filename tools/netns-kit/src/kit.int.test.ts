import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fileURLToPath } from 'node:url';
import {
  NsProcess,
  Tcpdump,
  decodeFrame,
  Topology,
  namespaceExists,
  netnsSkipReason,
  nodeBinary,
  sweepStale,
} from './index.ts';

const skip = netnsSkipReason(['ping', 'tcpdump', 'nft', 'tc']);

function pingStats(out: string): { sent: number; received: number } {
  const m = /(\d+) packets transmitted, (\d+) received/.exec(out);
  if (!m) throw new Error(`no ping summary in: ${out}`);
  return { sent: Number(m[1]), received: Number(m[2]) };
}

describe.skipIf(skip)(`netns kit${skip ? ' — SKIPPED: ' + skip : ''}`, () => {
  let topo: Topology;
  beforeAll(async () => {
    topo = await Topology.create('kit');
  });
  afterAll(async () => {
    await topo?.destroy();
  });

  it('joins two namespaces with a veth pair that pings over IPv4 and IPv6', async () => {
    const a = await topo.addNamespace('a');
    const b = await topo.addNamespace('b');
    await topo.link(a, 'v1', b, 'v2', {
      a: ['198.51.100.1/24', '2001:db8:100::1/64'],
      b: ['198.51.100.2/24', '2001:db8:100::2/64'],
    });
    const v4 = await a.exec(['ping', '-c', '3', '-i', '0.2', '-W', '1', '198.51.100.2']);
    expect(v4.code).toBe(0);
    expect(pingStats(v4.stdout).received).toBe(3);
    const v6 = await a.exec(['ping', '-6', '-c', '3', '-i', '0.2', '-W', '1', '2001:db8:100::2']);
    expect(v6.code).toBe(0);
    // An address nobody owns does not answer: the ping above proves the link, not a loopback.
    const none = await a.exec(['ping', '-c', '1', '-W', '1', '198.51.100.99']);
    expect(none.code).not.toBe(0);
  });

  it('captures traffic with tcpdump and parses the frames', async () => {
    const a = topo.ns('a');
    const b = topo.ns('b');
    const cap = await Tcpdump.start(b, 'v2', 'icmp');
    await a.run(['ping', '-c', '4', '-i', '0.1', '198.51.100.2']);
    const packets = await cap.stop();
    // 4 echo requests in, 4 replies out; Ethernet type 0x0800, ICMP protocol 1.
    expect(packets.length).toBe(8);
    const decoded = packets.map((p) => decodeFrame(p.data));
    expect(
      decoded.filter((f) => f?.ipv4?.src === '198.51.100.1' && f.ipv4.protocol === 1),
    ).toHaveLength(4);
    expect(
      decoded.filter((f) => f?.ipv4?.src === '198.51.100.2' && f.ipv4.dst === '198.51.100.1'),
    ).toHaveLength(4);
    expect(packets[7]!.timeUs).toBeGreaterThan(packets[0]!.timeUs);
    expect(await a.mac('v1')).toMatch(/^([0-9a-f]{2}:){5}[0-9a-f]{2}$/);
  });

  it('injects random loss that measurably drops packets, and clears it', async () => {
    const a = topo.ns('a');
    const b = topo.ns('b');
    await topo.setLoss(b, 'v2', 30);
    // 300 pings, 5 ms apart: bounded in count and time. 30 % each way → ~51 % round-trip loss.
    const lossy = pingStats(
      (
        await a.exec(['ping', '-c', '300', '-i', '0.005', '-W', '1', '198.51.100.2'], {
          timeoutMs: 30_000,
        })
      ).stdout,
    );
    expect(lossy.sent).toBe(300);
    expect(lossy.received).toBeGreaterThan(60);
    expect(lossy.received).toBeLessThan(240);
    await topo.clearLoss(b, 'v2');
    const clean = pingStats(
      (
        await a.exec(['ping', '-c', '100', '-i', '0.005', '-W', '1', '198.51.100.2'], {
          timeoutMs: 30_000,
        })
      ).stdout,
    );
    expect(clean.received).toBe(100);
  });

  it('blackholes a link completely', async () => {
    const a = topo.ns('a');
    const b = topo.ns('b');
    await topo.blackhole(b, 'v2');
    const dead = pingStats(
      (
        await a.exec(['ping', '-c', '20', '-i', '0.01', '-W', '1', '198.51.100.2'], {
          timeoutMs: 30_000,
        })
      ).stdout,
    );
    expect(dead.received).toBe(0);
    await topo.clearLoss(b, 'v2');
    const back = await a.exec(['ping', '-c', '2', '-i', '0.1', '-W', '1', '198.51.100.2']);
    expect(back.code).toBe(0);
  });

  it('builds a switch: three hosts on a bridge reach each other', async () => {
    const sw = await topo.addNamespace('sw');
    const hosts = [];
    for (const i of [1, 2, 3]) {
      const h = await topo.addNamespace(`h${i}`);
      await topo.link(h, 'eth0', sw, `p${i}`, { a: [`192.0.2.${i}/24`] });
      hosts.push(h);
    }
    await topo.bridge(sw, 'br0', ['p1', 'p2', 'p3']);
    for (const target of ['192.0.2.2', '192.0.2.3']) {
      const r = await hosts[0]!.exec(['ping', '-c', '2', '-i', '0.1', '-W', '2', target]);
      expect(r.code, `ping ${target}: ${r.stdout}`).toBe(0);
    }
  });

  it('runs Node 24 inside a namespace and waits for its output', async () => {
    const a = topo.ns('a');
    const p = a.spawn([
      'node',
      '-e',
      'console.log(JSON.stringify({event:"hello", v: process.versions.node}))',
    ]);
    const line = await p.waitForLine(/hello/, 10_000);
    expect(JSON.parse(line).v).toMatch(/^24\./);
    expect((await p.waitForExit(5_000)).code).toBe(0);
  });

  it('sweeps what a crashed test run left behind', async () => {
    const harness = fileURLToPath(new URL('../test/crash-harness.ts', import.meta.url));
    const crashed = new NsProcess([nodeBinary(), harness]);
    const line = await crashed.waitForLine(/namespace/, 20_000);
    const status = await crashed.waitForExit(10_000);
    expect(status.signal).toBe('SIGKILL');
    const name = JSON.parse(line).namespace as string;
    expect(await namespaceExists(name)).toBe(true);
    const deleted = await sweepStale();
    expect(deleted).toContain(name);
    expect(await namespaceExists(name)).toBe(false);
    // Our own live namespaces are not touched by a sweep.
    expect(await namespaceExists(topo.ns('a').name)).toBe(true);
  });
});
