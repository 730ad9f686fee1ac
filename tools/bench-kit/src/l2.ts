// `@ironlb/bench-kit/l2`: the benchmark plumbing the ARP and NDP responder benches share (DESIGN.md
// §5, §6; issue 13's targets): a client and a responder namespace on a veth pair, wire latency
// from tcpdump's kernel timestamps paired per target (the kernel anchor and the responder are
// asked at the same time, so they see the same machine), a frame sender for periodic, paced and
// back-to-back traffic (./l2-sender.ts), CPU from /proc, and the report rows both benches print.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { CapturedPacket, Netns, NsProcess } from '@ironlb/netns-kit';
import { Tcpdump, Topology, netnsSkipReason } from '@ironlb/netns-kit';
import type { WireKind } from './l2-wire.ts';
import { BenchReport } from './report.ts';
import type { Summary } from './stats.ts';
import { summarize } from './stats.ts';

export const KERNEL_ANCHOR = 'Linux kernel, own address';
/** USER_HZ: /proc/<pid>/stat counts CPU time in 10 ms ticks on Linux. */
const TICK_MS = 10;
/** The sender CLI (see l2-sender.ts). */
export const SENDER = fileURLToPath(new URL('./l2-sender.ts', import.meta.url));
const UDP_ECHO = fileURLToPath(new URL('./udp-echo.ts', import.meta.url));
const UDP_PROBE = fileURLToPath(new URL('./udp-probe.ts', import.meta.url));
export const NODE_FLOOR = 'Node dgram UDP echo (the floor of any JS responder)';

/** Starts the Node UDP echo anchor in `ns` (family 4 or 6). */
export async function startUdpEcho(ns: Netns, family: 4 | 6): Promise<NsProcess> {
  const p = ns.spawnNode(UDP_ECHO, [String(family)]);
  await p.waitForJson((e: { event: string }) => e.event === 'ready', 30_000);
  return p;
}

/** UDP datagrams from `ns` to the echo anchor at `host`: `count`, `intervalMs` apart. */
export async function udpProbes(
  ns: Netns,
  host: string,
  count: number,
  intervalMs: number,
): Promise<void> {
  const p = ns.spawnNode(UDP_PROBE, [host, String(count), String(intervalMs)]);
  await p.waitForExit(count * intervalMs + 60_000);
}

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

/** Runs `fn` and returns the CPU `pid` used meanwhile, in ms of CPU per second of wall time. */
export async function cpuWhile(pid: number, fn: () => Promise<void>): Promise<number> {
  const t0 = cpuTicks(pid);
  const start = Date.now();
  await fn();
  return ((cpuTicks(pid) - t0) * TICK_MS) / ((Date.now() - start) / 1000);
}

/**
 * Starts a bench responder script in `ns` and waits for its {"event":"ready","pid":N} line. `env`
 * typically carries TSX_TSCONFIG_PATH (workspace packages from source).
 */
export async function startResponder(
  ns: Netns,
  script: string,
  args: readonly string[],
  env: NodeJS.ProcessEnv = {},
): Promise<{ p: NsProcess; pid: number }> {
  const p = ns.spawnNode(script, args, { env });
  const ready = await p.waitForJson<{ event: string; pid: number }>(
    (e) => e.event === 'ready',
    30_000,
  );
  return { p, pid: ready.pid };
}

export type { WireKind } from './l2-wire.ts';
export { serveBenchResponder, stampingOpener } from './l2-stamps.ts';
export type { Stamp } from './l2-stamps.ts';
export { UDP_ECHO_KEY, UDP_ECHO_PORT, classifyUdpEcho } from './l2-wire.ts';

/**
 * Request→reply times on the wire from tcpdump's kernel timestamps, per key (target address):
 * each reply is paired with the latest unanswered request for the same key. Frames `classify`
 * rejects (or throws on) are skipped.
 */
export function wireLatenciesUs(
  packets: readonly CapturedPacket[],
  classify: (frame: Uint8Array) => WireKind,
): Map<string, { us: number; requestUs: number; replyUs: number }[]> {
  const out = new Map<string, { us: number; requestUs: number; replyUs: number }[]>();
  const pending = new Map<string, number>();
  for (const pk of packets) {
    let c: WireKind;
    try {
      c = classify(pk.data);
    } catch {
      continue;
    }
    if (!c) continue;
    if (c.kind === 'request') pending.set(c.key, pk.timeUs);
    else {
      const at = pending.get(c.key);
      if (at === undefined) continue;
      pending.delete(c.key);
      const list = out.get(c.key) ?? [];
      list.push({ us: pk.timeUs - at, requestUs: at, replyUs: pk.timeUs });
      out.set(c.key, list);
    }
  }
  return out;
}

/** Result line of the sender CLI. */
export interface SenderResult {
  sent: number;
  replies: number;
  /** Time spent sending, ms. */
  sendMs: number;
  /** From the first send to the last reply (or the end of sending), ms. */
  elapsedMs: number;
  /** sent / sendMs, frames per second. */
  offeredPerSec: number;
  sendErrors: number;
}

/**
 * Runs the sender CLI in `ns`: `frame` (hex) `count` times — back to back (`mode: 'flood'`), every
 * `intervalMs`, or paced at `ratePerSec` for `durationS` — counting frames its `replyFilter`
 * (a BPF program) accepts. Bounded by count and time.
 */
export async function send(
  ns: Netns,
  opts: {
    iface: string;
    etherType: number;
    frameHex: string;
    count: number;
    mode: 'flood' | 'interval' | 'rate';
    intervalMs?: number;
    ratePerSec?: number;
    durationS?: number;
    /** JSON of a BpfProgram ([{code,jt,jf,k}]) selecting the replies to count; default none. */
    replyFilter?: string;
    env?: NodeJS.ProcessEnv;
  },
): Promise<SenderResult> {
  const args = [
    '--interface',
    opts.iface,
    '--ether-type',
    String(opts.etherType),
    '--frame',
    opts.frameHex,
    '--count',
    String(opts.count),
    '--mode',
    opts.mode,
    ...(opts.intervalMs !== undefined ? ['--interval-ms', String(opts.intervalMs)] : []),
    ...(opts.ratePerSec !== undefined ? ['--rate', String(opts.ratePerSec)] : []),
    ...(opts.durationS !== undefined ? ['--duration-s', String(opts.durationS)] : []),
    ...(opts.replyFilter ? ['--reply-filter', opts.replyFilter] : []),
  ];
  const p = ns.spawnNode(SENDER, args, { env: opts.env ?? {} });
  await p.waitForExit(600_000);
  const r = p.jsonLines<SenderResult & { event: string }>().find((e) => e.event === 'done');
  if (!r) throw new Error(`sender failed: ${p.stderr.slice(-1000)}`);
  return r;
}

/** The p50 / p99 rows of a wire latency, ours against the kernel's, with their targets. */
export function addLatencyRows(
  report: BenchReport,
  label: string,
  ours: Summary,
  kernel: Summary,
  targets: { p50Us: number; p99Us?: number },
  floor?: Summary,
): void {
  report.add({
    name: `${label} p50`,
    value: ours.p50,
    unit: 'µs',
    anchor: kernel.p50,
    anchorName: KERNEL_ANCHOR,
    target: `≤ ${targets.p50Us} µs`,
    pass: ours.p50 <= targets.p50Us,
    note: `n=${ours.count}/${kernel.count}; p90 ${ours.p90.toFixed(0)} µs (kernel ${kernel.p90.toFixed(0)})`,
  });
  report.add({
    name: `${label} p99`,
    value: ours.p99,
    unit: 'µs',
    anchor: kernel.p99,
    anchorName: KERNEL_ANCHOR,
    ...(targets.p99Us !== undefined
      ? { target: `≤ ${targets.p99Us} µs`, pass: ours.p99 <= targets.p99Us }
      : {}),
  });
  if (floor && floor.count)
    report.add({
      name: `${label}: same exchange with ${NODE_FLOOR}, p50`,
      value: floor.p50,
      unit: 'µs',
      anchor: kernel.p50,
      anchorName: KERNEL_ANCHOR,
      note: `p99 ${floor.p99.toFixed(0)} µs, n=${floor.count}; asked in the same run`,
    });
}

/** Fraction answered and reply rate under a flood, ours against the kernel's. */
export function addFloodRows(
  report: BenchReport,
  label: string,
  ours: SenderResult,
  kernel: SenderResult,
  extra: { kernelDrops?: number } = {},
): void {
  const pct = (r: SenderResult) => (100 * r.replies) / Math.max(1, r.sent);
  report.add({
    name: `${label}: answered`,
    value: pct(ours),
    unit: '%',
    anchor: pct(kernel),
    anchorName: KERNEL_ANCHOR,
    target: '≥ 99 %',
    pass: pct(ours) >= 99,
    note:
      `${ours.replies}/${ours.sent} (kernel ${kernel.replies}/${kernel.sent}); offered ` +
      `${Math.round(ours.offeredPerSec)} req/s (kernel run ${Math.round(kernel.offeredPerSec)}), ` +
      `one sender back to back` +
      (extra.kernelDrops !== undefined ? `; ring drops ${extra.kernelDrops}` : ''),
  });
  const rate = (r: SenderResult) => r.replies / (r.elapsedMs / 1000);
  report.add({
    name: `${label}: replies/s`,
    value: rate(ours),
    unit: 'replies/s',
    anchor: rate(kernel),
    anchorName: KERNEL_ANCHOR,
  });
}

/** Summaries of per-key latencies (µs) for `key`. */
export function latencySummary(lat: Map<string, { us: number }[]>, key: string): Summary {
  return summarize((lat.get(key) ?? []).map((x) => x.us));
}

/**
 * Where the time of one answer goes, from the wire timestamps (tcpdump at the responder) and the
 * responder's own realtime stamps per request (handler entry, send call, send return): wake-up
 * (request on the wire → JavaScript handler), decision (handler → send call), send syscall, and
 * the reply reaching the wire after send returns. Rows are medians.
 */
export function addBreakdownRows(
  report: BenchReport,
  label: string,
  wire: { requestUs: number; replyUs: number }[],
  stamps: { entryUs: number; sendUs: number; sentUs: number }[],
): void {
  // Pair each wire exchange with the responder stamp closest after its request.
  const parts: number[][] = [[], [], [], []];
  let j = 0;
  for (const w of wire) {
    while (j < stamps.length && (stamps[j]?.entryUs ?? 0) < w.requestUs) j++;
    const s = stamps[j];
    if (!s || s.entryUs > w.replyUs + 1_000) continue;
    parts[0]?.push(s.entryUs - w.requestUs);
    parts[1]?.push(s.sendUs - s.entryUs);
    parts[2]?.push(s.sentUs - s.sendUs);
    parts[3]?.push(w.replyUs - s.sendUs);
  }
  const names = [
    'wake-up: request on the wire → handler runs',
    'decision: handler → send call',
    'send syscall',
    'send call → reply on the wire',
  ];
  names.forEach((n, i) => {
    const s = summarize(parts[i] ?? []);
    report.add({
      name: `${label}, ${n} (p50)`,
      value: s.p50,
      unit: 'µs',
      note: `p90 ${s.p90.toFixed(0)} µs, n=${s.count}`,
    });
  });
}
