// `npx nx run ndp-responder:bench` — the NDP responder against the Linux kernel answering for its
// own address on the same veth pair, in the same run (DESIGN.md §5, §6; issue 13's targets):
//   - sparse solicitations (one every 0.5 s) and rapid ones (every 10 ms), multicast with a Source
//     Link-Layer option as ndisc6 sends them: NS→NA time on the wire at the responder's interface
//     (tcpdump's kernel timestamps), the kernel and the responder asked at the same time; plus
//     where the responder's time goes, and Node's own UDP echo as the floor of a JS responder;
//   - a 20k-NS flood, one sender back to back at its maximum rate: share answered;
//   - CPU while idle on a segment carrying ≥ 10k NS/s for other targets, read from /proc over
//     30 s, against the same responder with a filter passing every NS/NA.
// Needs root (network namespaces); prints why and exits 0 otherwise.
import { fileURLToPath } from 'node:url';
import type { BenchReport } from '@ironlb/bench-kit';
import type { NsProcess } from '@ironlb/netns-kit';
import {
  UDP_ECHO_KEY,
  addBreakdownRows,
  addFloodRows,
  addLatencyRows,
  captureWhile,
  classifyUdpEcho,
  cpuWhile,
  latencySummary,
  runLinkedPairBench,
  send,
  startResponder,
  startUdpEcho,
  udpProbes,
  wireLatenciesUs,
} from '@ironlb/bench-kit/l2';
import { BPF_ACCEPT, BpfBuilder, BpfOp, formatIPv6, parseIPv6 } from '@ironlb/raw-link';
import { bytesToHex } from '@ironlb/raw-link/testing';
import { decodeNdpFrame } from '../src/index.js';
import { neighborSolicitationFrame } from '../src/testing/index.js';

const here = (f: string) => fileURLToPath(new URL(f, import.meta.url));
const env = { TSX_TSCONFIG_PATH: here('../tsconfig.json') };
const CLIENT_IP = '2001:db8:1::1';
const KERNEL_IP = '2001:db8:1::2';
const VIP = '2001:db8:1::10';
const OTHER = '2001:db8:1::99';
const SPARSE = Number(process.env.BENCH_SPARSE ?? 300);
const RAPID = 600;
const FLOOD = 20_000;
const IDLE_S = 30;
const IDLE_RATE = 12_000;

function classify(frame: Uint8Array) {
  if (frame[20] !== 58) return classifyUdpEcho(frame);
  const p = decodeNdpFrame(frame);
  const key = formatIPv6(p.message.target);
  return p.message.kind === 'ns'
    ? { kind: 'request' as const, key }
    : p.message.solicited
      ? { kind: 'reply' as const, key }
      : undefined;
}

/** A BPF program accepting Neighbor Advertisements for `target`: what the flood sender counts. */
function advertisementsFor(target: string): string {
  const t = parseIPv6(target);
  const v = new DataView(t.buffer, t.byteOffset, 16);
  const b = new BpfBuilder()
    .load(BpfOp.LdAbsH, 12)
    .jump(BpfOp.JeqK, 0x86dd, null, 'drop')
    .load(BpfOp.LdAbsB, 20)
    .jump(BpfOp.JeqK, 58, null, 'drop')
    .load(BpfOp.LdAbsB, 54)
    .jump(BpfOp.JeqK, 136, null, 'drop');
  for (let w = 0; w < 4; w++)
    b.load(BpfOp.LdAbsW, 62 + 4 * w).jump(BpfOp.JeqK, v.getUint32(4 * w), null, 'drop');
  return JSON.stringify(b.ret(BPF_ACCEPT).label('drop').ret(0).build());
}

async function stampsOf(p: NsProcess) {
  const from = p.lineCount();
  p.kill('SIGUSR2');
  return p.waitForJson<{
    event: string;
    stamps: { entryUs: number; sendUs: number; sentUs: number }[];
    linkStats: { kernelDrops: number; received: number };
  }>((e) => e.event === 'stamps', 10_000, { from });
}

async function main() {
  await runLinkedPairBench(
    {
      project: 'ndp-responder',
      topology: 'ndpbench',
      tools: ['tcpdump'],
      clientAddresses: [`${CLIENT_IP}/64`],
      respAddresses: [`${KERNEL_IP}/64`],
    },
    async ({ report, client, resp }) => {
      const clientMac = await client.mac('v1');
      const solicit = (target: string) =>
        bytesToHex(neighborSolicitationFrame({ fromMac: clientMac, fromIp: CLIENT_IP, target }));
      const solicitations = (target: string, count: number, intervalMs: number) =>
        send(client, {
          iface: 'v1',
          etherType: 0x86dd,
          frameHex: solicit(target),
          count,
          mode: 'interval',
          intervalMs,
          env,
        });
      let r = await startResponder(
        resp,
        here('./responder.ts'),
        ['--interface', 'v2', '--address', VIP],
        env,
      );
      await startUdpEcho(resp, 6);
      await solicitations(VIP, 20, 10); // warm-up (JIT, page faults)

      const phase = async (
        label: string,
        count: number,
        intervalMs: number,
        targets: { p50Us: number; p99Us?: number },
      ) => {
        await stampsOf(r.p);
        const later = (f: number) => new Promise((res) => setTimeout(res, f * intervalMs));
        const packets = await captureWhile(resp, 'v2', 'icmp6 or udp port 9009', async () => {
          await Promise.all([
            solicitations(KERNEL_IP, count, intervalMs),
            later(1 / 3).then(() => solicitations(VIP, count, intervalMs)),
            later(2 / 3).then(() => udpProbes(client, KERNEL_IP, count, intervalMs)),
          ]);
        });
        const lat = wireLatenciesUs(packets, classify);
        addLatencyRows(
          report,
          `${label}: NS→NA on the wire`,
          latencySummary(lat, VIP),
          latencySummary(lat, KERNEL_IP),
          targets,
          latencySummary(lat, UDP_ECHO_KEY),
        );
        addBreakdownRows(report, label, lat.get(VIP) ?? [], (await stampsOf(r.p)).stamps);
      };
      await phase('sparse (every 0.5 s)', SPARSE, 500, { p50Us: 200, p99Us: 2000 });
      await phase('rapid (every 10 ms)', RAPID, 10, { p50Us: 100 });

      const flood = (target: string) =>
        send(client, {
          iface: 'v1',
          etherType: 0x86dd,
          frameHex: solicit(target),
          count: FLOOD,
          mode: 'flood',
          replyFilter: advertisementsFor(target),
          env,
        });
      const kernelFlood = await flood(KERNEL_IP);
      const before = (await stampsOf(r.p)).linkStats.kernelDrops;
      const ourFlood = await flood(VIP);
      const drops = (await stampsOf(r.p)).linkStats.kernelDrops - before;
      addFloodRows(report, `${FLOOD}-NS flood`, ourFlood, kernelFlood, { kernelDrops: drops });

      const idle = async (pid: number) => {
        let load = { sent: 0, sendMs: 1 };
        const cpu = await cpuWhile(pid, async () => {
          load = await send(client, {
            iface: 'v1',
            etherType: 0x86dd,
            frameHex: solicit(OTHER),
            count: IDLE_RATE * IDLE_S,
            mode: 'rate',
            ratePerSec: IDLE_RATE,
            durationS: IDLE_S,
            env,
          });
        });
        return { cpu, rate: load.sent / (load.sendMs / 1000) };
      };
      const ours = await idle(r.pid);
      await r.p.stop();
      r = await startResponder(
        resp,
        here('./responder.ts'),
        ['--interface', 'v2', '--address', VIP, '--all-ndp'],
        env,
      );
      const anchor = await idle(r.pid);
      await r.p.stop();
      idleRow(report, ours, anchor);
    },
  );
}

function idleRow(
  report: BenchReport,
  ours: { cpu: number; rate: number },
  anchor: { cpu: number; rate: number },
) {
  report.add({
    name: `CPU while idle, segment carrying NS for other targets (${IDLE_S} s)`,
    value: ours.cpu / 10,
    unit: '% of a core',
    anchor: anchor.cpu / 10,
    anchorName: 'same responder, filter passing every NS/NA',
    target: '≤ 1 %',
    pass: ours.cpu / 10 <= 1,
    note: `segment load ${Math.round(ours.rate)} / ${Math.round(anchor.rate)} frames/s; /proc ticks of 10 ms`,
  });
}

await main();
