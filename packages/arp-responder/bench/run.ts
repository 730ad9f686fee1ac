// `npx nx run arp-responder:bench` — ARP reply latency, throughput and idle CPU of the responder,
// each against the Linux kernel answering for its own address on the same veth pair in the same
// run (DESIGN.md §5, §6). Needs root (network namespaces); prints why and exits 0 otherwise.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { BenchReport, summarize } from '@ironlb/bench-kit';
import type { Netns, NsProcess } from '@ironlb/netns-kit';
import { Topology, netnsSkipReason } from '@ironlb/netns-kit';

const here = (f: string) => fileURLToPath(new URL(f, import.meta.url));
const KERNEL_IP = '198.51.100.2';
const VIP = '198.51.100.10';
const ROUNDS = 4;
const PINGS_PER_ROUND = 150;
const FLOOD_COUNT = 20_000;

async function arpingUs(ns: Netns, ip: string, n: number): Promise<number[]> {
  const r = await ns.exec(['arping', '-c', String(n), '-W', '0.005', '-i', 'v1', ip], {
    timeoutMs: 60_000,
  });
  return [...r.stdout.matchAll(/time=([\d.]+) (usec|msec|sec)/g)].map(
    (m) => Number(m[1]) * (m[2] === 'usec' ? 1 : m[2] === 'msec' ? 1000 : 1e6),
  );
}

function cpuTicks(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return Number(fields[11]) + Number(fields[12]); // utime + stime (fields 14, 15 of proc(5))
}
const TICK_MS = 10; // USER_HZ = 100 on Linux

async function startResponder(
  ns: Netns,
  extra: string[] = [],
): Promise<{ p: NsProcess; pid: number }> {
  const p = ns.spawnNode(here('./responder.ts'), ['--interface', 'v2', '--address', VIP, ...extra]);
  const ready = JSON.parse(await p.waitForLine(/"event":"ready"/, 20_000)) as { pid: number };
  return { p, pid: ready.pid };
}

async function flood(client: Netns, target: string) {
  const p = client.spawnNode(here('./flood.ts'), [
    '--interface',
    'v1',
    '--target',
    target,
    '--count',
    String(FLOOD_COUNT),
  ]);
  await p.waitForExit(60_000);
  return (
    p.jsonLines<{ sent: number; replies: number; elapsedMs: number }>()[0] ?? {
      sent: 0,
      replies: 0,
      elapsedMs: 1,
    }
  );
}

/** Responder CPU (ms per second) while `ping -f` loads the segment with non-ARP frames for 5 s. */
async function cpuUnderLoad(
  client: Netns,
  pid: number,
): Promise<{ cpuMsPerSec: number; pps: number }> {
  const t0 = cpuTicks(pid);
  const start = Date.now();
  const r = await client.exec(['ping', '-f', '-q', '-w', '5', KERNEL_IP], { timeoutMs: 20_000 });
  const secs = (Date.now() - start) / 1000;
  const ticks = cpuTicks(pid) - t0;
  const tx = Number(/(\d+) packets transmitted/.exec(r.stdout)?.[1] ?? 0);
  return { cpuMsPerSec: (ticks * TICK_MS) / secs, pps: (2 * tx) / secs };
}

async function main() {
  const report = new BenchReport('arp-responder');
  const skip = netnsSkipReason(['arping', 'ping']);
  if (skip) {
    console.log(`arp-responder bench SKIPPED: ${skip}`);
    return;
  }
  const topo = await Topology.create('arpbench');
  try {
    const client = await topo.addNamespace('client');
    const resp = await topo.addNamespace('resp');
    await topo.link(client, 'v1', resp, 'v2', { a: ['198.51.100.1/24'], b: [`${KERNEL_IP}/24`] });
    const { p, pid } = await startResponder(resp);

    // Latency: interleave kernel and responder rounds so both see the same machine noise.
    const kernel: number[] = [];
    const ours: number[] = [];
    await arpingUs(client, VIP, 20); // warm-up (JIT, page faults)
    for (let i = 0; i < ROUNDS; i++) {
      kernel.push(...(await arpingUs(client, KERNEL_IP, PINGS_PER_ROUND)));
      ours.push(...(await arpingUs(client, VIP, PINGS_PER_ROUND)));
    }
    const k = summarize(kernel);
    const o = summarize(ours);
    report.add({
      name: 'ARP reply latency p50 (arping RTT)',
      value: o.p50,
      unit: 'µs',
      anchor: k.p50,
      anchorName: 'Linux kernel, own address',
      target: '≤ 200 µs',
      pass: o.p50 <= 200,
      note: `n=${o.count}/${k.count}`,
    });
    report.add({
      name: 'ARP reply latency p99 (arping RTT)',
      value: o.p99,
      unit: 'µs',
      anchor: k.p99,
      anchorName: 'Linux kernel, own address',
      target: '≤ 2000 µs',
      pass: o.p99 <= 2000,
    });
    report.add({
      name: 'ARP reply latency max',
      value: o.max,
      unit: 'µs',
      anchor: k.max,
      anchorName: 'Linux kernel, own address',
    });
    const lossPct = 100 * (1 - o.count / (ROUNDS * PINGS_PER_ROUND));
    report.add({ name: 'arping requests unanswered (responder)', value: lossPct, unit: '%' });

    // Throughput under a bounded request flood.
    const fk = await flood(client, KERNEL_IP);
    const fo = await flood(client, VIP);
    report.add({
      name: `replies/s under a ${FLOOD_COUNT}-request flood`,
      value: fo.replies / (fo.elapsedMs / 1000),
      unit: 'replies/s',
      anchor: fk.replies / (fk.elapsedMs / 1000),
      anchorName: 'Linux kernel, own address',
      note: `answered ${fo.replies}/${fo.sent} (kernel ${fk.replies}/${fk.sent})`,
    });

    // Idle CPU on a busy segment: BPF filter on (the responder as shipped) vs off.
    const busy = await cpuUnderLoad(client, pid);
    await p.stop();
    const nf = await startResponder(resp, ['--no-filter']);
    const unfiltered = await cpuUnderLoad(client, nf.pid);
    await nf.p.stop();
    report.add({
      name: 'responder CPU while idle on a busy segment (ping -f, 5 s)',
      value: busy.cpuMsPerSec,
      unit: 'ms CPU/s',
      anchor: unfiltered.cpuMsPerSec,
      anchorName: 'same responder, capture without BPF filter',
      note: `segment load ${busy.pps.toFixed(0)} / ${unfiltered.pps.toFixed(0)} frames/s; 10 ms tick resolution`,
    });
  } finally {
    await topo.destroy();
  }
  report.write();
}

await main();
