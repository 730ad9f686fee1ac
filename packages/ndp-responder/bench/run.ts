// `npx nx run ndp-responder:bench` — NS→NA latency, throughput and idle CPU of the responder, each
// against the Linux kernel answering for its own address on the same veth pair in the same run
// (DESIGN.md §5, §6). ndisc6 prints no RTT, so one prober (bench/probe.ts) times both. Needs root.
import { fileURLToPath } from 'node:url';
import { summarize } from '@ironlb/bench-kit';
import type { Netns } from '@ironlb/netns-kit';
import type { CapturedPacket } from '@ironlb/netns-kit';
import { formatIPv6 } from '@ironlb/raw-link';
import {
  addAnchoredRows,
  addFloodRow,
  addIdleCpuRow,
  captureWhile,
  runLinkedPairBench,
  addWireLatencyRows,
  startResponder as startScript,
  wireLatenciesUs as pairOnWire,
} from '@ironlb/raw-link/bench';
import { decodeNdpFrame } from '../src/index.js';

const here = (f: string) => fileURLToPath(new URL(f, import.meta.url));
const KERNEL_IP = '2001:db8:1::2';
const VIP = '2001:db8:1::10';
const ROUNDS = 4;
const PROBES_PER_ROUND = 150;
const FLOOD_COUNT = 20_000;

/** `n` ndisc6 look-ups in a row (each a fresh process: a few ms apart, like real resolutions). */
async function ndisc6Loop(client: Netns, target: string, n: number): Promise<void> {
  await client.exec(
    ['sh', '-c', `for i in $(seq ${n}); do ndisc6 -1 -q -r 1 -w 200 ${target} v1 >/dev/null; done`],
    {
      timeoutMs: 120_000,
    },
  );
}

async function probe(client: Netns, target: string, mode: 'latency' | 'flood', count: number) {
  const p = client.spawnNode(
    here('./probe.ts'),
    ['--interface', 'v1', '--target', target, '--mode', mode, '--count', String(count)],
    { cwd: here('..') },
  );
  await p.waitForExit(90_000);
  return (
    p.jsonLines<{
      rttsUs?: number[];
      lost?: number;
      sent?: number;
      replies?: number;
      elapsedMs?: number;
    }>()[0] ?? {}
  );
}

const startResponder = (ns: Netns, extra: string[] = []) =>
  startScript(ns, here('./responder.ts'), ['--interface', 'v2', '--address', VIP, ...extra]);
const PING_FLOOD = ['ping', '-6', '-f', '-q', '-w', '5', KERNEL_IP];

/**
 * Reply latency on the wire at the responder's interface: for each NS for `target`, the time to
 * the next solicited NA for it, from tcpdump's kernel timestamps. Excludes the prober entirely.
 */
function wireLatenciesUs(packets: CapturedPacket[], target: string): number[] {
  return pairOnWire(packets, (data) => {
    const { message } = decodeNdpFrame(data);
    if (formatIPv6(message.target) !== target) return undefined;
    if (message.kind === 'ns') return 'request';
    return message.solicited ? 'reply' : undefined;
  });
}

async function main() {
  await runLinkedPairBench(
    {
      project: 'ndp-responder',
      topology: 'ndpbench',
      tools: ['ping', 'ndisc6', 'tcpdump'],
      clientAddresses: ['2001:db8:1::1/64'],
      respAddresses: [`${KERNEL_IP}/64`],
    },
    async ({ report, client, resp }) => {
      const running = await startResponder(resp);
      await probe(client, VIP, 'latency', 20); // warm-up
      const kernel: number[] = [];
      const ours: number[] = [];
      let lost = 0;
      const packets = await captureWhile(
        resp,
        'v2',
        'icmp6 and (ip6[40] = 135 or ip6[40] = 136)',
        async () => {
          // Real clients: ndisc6, timed on the wire (ndisc6 prints no RTT).
          for (let i = 0; i < ROUNDS; i++) {
            await ndisc6Loop(client, KERNEL_IP, PROBES_PER_ROUND);
            await ndisc6Loop(client, VIP, PROBES_PER_ROUND);
          }
        },
      );
      // A Node prober for round-trip times (it adds its own receive path to both sides).
      for (let i = 0; i < 2; i++) {
        kernel.push(
          ...((await probe(client, KERNEL_IP, 'latency', PROBES_PER_ROUND)).rttsUs ?? []),
        );
        const r = await probe(client, VIP, 'latency', PROBES_PER_ROUND);
        ours.push(...(r.rttsUs ?? []));
        lost += r.lost ?? 0;
      }
      const wk = summarize(wireLatenciesUs(packets, KERNEL_IP));
      const wo = summarize(wireLatenciesUs(packets, VIP));
      addWireLatencyRows(
        report,
        {
          p50: 'NS→NA reply latency p50 (ndisc6 NS→NA on the wire, tcpdump at the responder)',
          p99: 'NS→NA reply latency p99 (on the wire)',
        },
        wo,
        wk,
      );
      const k = summarize(kernel);
      const o = summarize(ours);
      addAnchoredRows(
        report,
        [
          {
            name: 'NS→NA round trip p50 (Node prober)',
            stat: 'p50',
            note: `n=${o.count}/${k.count}; includes the prober's own Node/libpcap receive path on both`,
          },
          { name: 'NS→NA round trip p99 (Node prober)', stat: 'p99' },
          { name: 'NS→NA round trip max (Node prober)', stat: 'max' },
        ],
        o,
        k,
      );
      report.add({
        name: 'solicitations unanswered (responder)',
        value: (100 * lost) / (2 * PROBES_PER_ROUND),
        unit: '%',
      });
      const fk = await probe(client, KERNEL_IP, 'flood', FLOOD_COUNT);
      const fo = await probe(client, VIP, 'flood', FLOOD_COUNT);
      addFloodRow(report, `replies/s under a ${FLOOD_COUNT}-NS flood`, fo, fk);
      await addIdleCpuRow(report, {
        name: 'responder CPU while idle on a busy segment (ping -6 -f, 5 s)',
        client,
        running,
        startUnfiltered: () => startResponder(resp, ['--no-filter']),
        pingArgv: PING_FLOOD,
      });
    },
  );
}

await main();
