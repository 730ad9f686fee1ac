// Benchmark plumbing shared by the ARP and NDP responder benches (DESIGN.md §5, §6): responder
// start-up, CPU accounting from /proc, request→reply pairing on tcpdump captures, a bounded
// request flood over a Link, and the report rows both benches print. Not shipped (outside `files`);
// the responders' bench/ folders import it as `@ironlb/raw-link/bench` through a `paths` entry in
// their tsconfig.json, which tsx honours (so a bench script runs with its package as cwd).
import { readFileSync } from 'node:fs';
import type { Summary } from '@ironlb/bench-kit';
import { BenchReport } from '@ironlb/bench-kit';
import type { CapturedPacket, Netns, NsProcess } from '@ironlb/netns-kit';
import { Tcpdump, Topology, netnsSkipReason } from '@ironlb/netns-kit';
import type { Link } from '../src/link.js';

export const KERNEL_ANCHOR = 'Linux kernel, own address';
const TICK_MS = 10; // USER_HZ = 100 on Linux

/**
 * The frame of both benches: skips (exit 0, with the reason) without root or `tools`; otherwise
 * links namespace `client` (v1, `clientAddresses`) to `resp` (v2, `respAddresses`), runs `body`,
 * tears the topology down and writes the report.
 */
export async function runLinkedPairBench(
  opts: {
    project: string;
    topology: string;
    tools: string[];
    clientAddresses: string[];
    respAddresses: string[];
  },
  body: (ctx: { report: BenchReport; client: Netns; resp: Netns }) => Promise<void>,
): Promise<void> {
  const report = new BenchReport(opts.project);
  const skip = netnsSkipReason(opts.tools);
  if (skip) {
    console.log(`${opts.project} bench SKIPPED: ${skip}`);
    return;
  }
  const topo = await Topology.create(opts.topology);
  try {
    const client = await topo.addNamespace('client');
    const resp = await topo.addNamespace('resp');
    await topo.link(client, 'v1', resp, 'v2', {
      a: opts.clientAddresses,
      b: opts.respAddresses,
    });
    await body({ report, client, resp });
  } finally {
    await topo.destroy();
  }
  report.write();
}

/** tcpdump on `iface` of `ns` while `run` runs; the captured packets (also when `run` throws). */
export async function captureWhile(
  ns: Netns,
  iface: string,
  filter: string,
  run: () => Promise<void>,
): Promise<CapturedPacket[]> {
  const wire = await Tcpdump.start(ns, iface, filter);
  let packets: CapturedPacket[];
  try {
    await run();
  } finally {
    packets = await wire.stop();
  }
  return packets;
}

/** utime + stime of a process, in clock ticks (fields 14, 15 of proc(5)). */
export function cpuTicks(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return Number(fields[11]) + Number(fields[12]);
}

/** Starts a bench responder script on `iface` and waits for its {"event":"ready","pid":N} line. */
export async function startResponder(
  ns: Netns,
  script: string,
  args: readonly string[],
): Promise<{ p: NsProcess; pid: number }> {
  const p = ns.spawnNode(script, args);
  const ready = JSON.parse(await p.waitForLine(/"event":"ready"/, 20_000)) as { pid: number };
  return { p, pid: ready.pid };
}

/** Responder CPU (ms per second) while `pingArgv` (a bounded `ping -f`) loads the segment. */
export async function cpuUnderLoad(
  client: Netns,
  pid: number,
  pingArgv: string[],
): Promise<{ cpuMsPerSec: number; pps: number }> {
  const t0 = cpuTicks(pid);
  const start = Date.now();
  const r = await client.exec(pingArgv, { timeoutMs: 20_000 });
  const secs = (Date.now() - start) / 1000;
  const ticks = cpuTicks(pid) - t0;
  const tx = Number(/(\d+) packets transmitted/.exec(r.stdout)?.[1] ?? 0);
  return { cpuMsPerSec: (ticks * TICK_MS) / secs, pps: (2 * tx) / secs };
}

/**
 * Request→reply times on the wire from tcpdump's kernel timestamps: each reply is paired with the
 * latest unanswered request. `classify` returns undefined for frames that are neither.
 */
export function wireLatenciesUs(
  packets: readonly CapturedPacket[],
  classify: (frame: Uint8Array) => 'request' | 'reply' | undefined,
): number[] {
  const out: number[] = [];
  let pending: number | undefined;
  for (const pk of packets) {
    let kind: 'request' | 'reply' | undefined;
    try {
      kind = classify(pk.data);
    } catch {
      continue;
    }
    if (kind === 'request') pending = pk.timeUs;
    else if (kind === 'reply' && pending !== undefined) {
      out.push(pk.timeUs - pending);
      pending = undefined;
    }
  }
  return out;
}

/** The p50 / p99 rows (with targets) of a wire latency, ours against the kernel's. */
export function addWireLatencyRows(
  report: BenchReport,
  names: { p50: string; p99: string },
  ours: Summary,
  kernel: Summary,
): void {
  report.add({
    name: names.p50,
    value: ours.p50,
    unit: 'µs',
    anchor: kernel.p50,
    anchorName: KERNEL_ANCHOR,
    target: '≤ 200 µs',
    pass: ours.p50 <= 200,
    note: `n=${ours.count}/${kernel.count}`,
  });
  report.add({
    name: names.p99,
    value: ours.p99,
    unit: 'µs',
    anchor: kernel.p99,
    anchorName: KERNEL_ANCHOR,
    target: '≤ 2000 µs',
    pass: ours.p99 <= 2000,
  });
}

/**
 * Idle CPU on a busy segment: the responder as shipped (BPF filter on), then the same responder
 * restarted with --no-filter as the anchor. Stops `running` and the unfiltered one.
 */
export async function addIdleCpuRow(
  report: BenchReport,
  opts: {
    name: string;
    client: Netns;
    running: { p: NsProcess; pid: number };
    startUnfiltered: () => Promise<{ p: NsProcess; pid: number }>;
    pingArgv: string[];
  },
): Promise<void> {
  const busy = await cpuUnderLoad(opts.client, opts.running.pid, opts.pingArgv);
  await opts.running.p.stop();
  const nf = await opts.startUnfiltered();
  const unfiltered = await cpuUnderLoad(opts.client, nf.pid, opts.pingArgv);
  await nf.p.stop();
  report.add({
    name: opts.name,
    value: busy.cpuMsPerSec,
    unit: 'ms CPU/s',
    anchor: unfiltered.cpuMsPerSec,
    anchorName: 'same responder, capture without BPF filter',
    note: `segment load ${busy.pps.toFixed(0)} / ${unfiltered.pps.toFixed(0)} frames/s; 10 ms tick resolution`,
  });
}

export interface FloodResult {
  sent: number;
  replies: number;
  elapsedMs: number;
}

/** Replies counted by the caller's frame handler, and when the last one arrived (hrtime ns, 0n if none). */
export interface ReplyCount {
  replies: number;
  lastReply: bigint;
}

/**
 * Sends `count` copies of `frame` as fast as the link takes them, in batches of 200 yielding to
 * the event loop so replies can be read; once all are sent, calls `done` with the elapsed time
 * (to the last reply) as soon as replies have dried up for 300 ms. Bounded by `count`. Returns
 * the result so far, for a caller's own time limit.
 */
export function floodLink(
  link: Link,
  frame: Uint8Array,
  count: number,
  seen: ReplyCount,
  done: (r: FloodResult) => void,
): () => FloodResult {
  const start = process.hrtime.bigint();
  let sent = 0;
  const result = (): FloodResult => {
    const end = seen.lastReply > start ? seen.lastReply : process.hrtime.bigint();
    return { sent, replies: seen.replies, elapsedMs: Number(end - start) / 1e6 };
  };
  const batch = () => {
    for (let i = 0; i < 200 && sent < count; i++, sent++) link.send(frame);
    if (sent < count) setImmediate(batch);
    else {
      const idle = setInterval(() => {
        if (process.hrtime.bigint() - (seen.lastReply || start) > 300_000_000n) {
          clearInterval(idle);
          done(result());
        }
      }, 50);
    }
  };
  batch();
  return result;
}

/** Rows of one summary statistic each, ours against the kernel's (µs, kernel anchor). */
export function addAnchoredRows(
  report: BenchReport,
  rows: readonly { name: string; stat: 'p50' | 'p99' | 'max'; note?: string }[],
  ours: Summary,
  kernel: Summary,
): void {
  for (const r of rows)
    report.add({
      name: r.name,
      value: ours[r.stat],
      unit: 'µs',
      anchor: kernel[r.stat],
      anchorName: KERNEL_ANCHOR,
      ...(r.note === undefined ? {} : { note: r.note }),
    });
}

/** Replies per second under a bounded flood, ours against the kernel's. */
export function addFloodRow(
  report: BenchReport,
  name: string,
  ours: Partial<FloodResult>,
  kernel: Partial<FloodResult>,
): void {
  const rate = (f: Partial<FloodResult>) => (f.replies ?? 0) / ((f.elapsedMs ?? 1) / 1000);
  report.add({
    name,
    value: rate(ours),
    unit: 'replies/s',
    anchor: rate(kernel),
    anchorName: KERNEL_ANCHOR,
    note: `answered ${ours.replies}/${ours.sent} (kernel ${kernel.replies}/${kernel.sent})`,
  });
}
