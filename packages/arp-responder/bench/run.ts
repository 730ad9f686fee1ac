// `npx nx run arp-responder:bench` — ARP reply latency, throughput and idle CPU of the responder,
// each against the Linux kernel answering for its own address on the same veth pair in the same
// run (DESIGN.md §5, §6). Needs root (network namespaces); prints why and exits 0 otherwise.
import { fileURLToPath } from 'node:url';
import { summarize } from '@ironlb/bench-kit';
import type { Netns } from '@ironlb/netns-kit';
import type { CapturedPacket } from '@ironlb/netns-kit';
import { formatIPv4 } from '@ironlb/raw-link';
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
import { ArpOp, decodeArpFrame } from '../src/index.js';

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

const startResponder = (ns: Netns, extra: string[] = []) =>
  startScript(ns, here('./responder.ts'), ['--interface', 'v2', '--address', VIP, ...extra]);
const PING_FLOOD = ['ping', '-f', '-q', '-w', '5', KERNEL_IP];

async function flood(client: Netns, target: string) {
  const p = client.spawnNode(
    here('./flood.ts'),
    ['--interface', 'v1', '--target', target, '--count', String(FLOOD_COUNT)],
    { cwd: here('..') },
  );
  await p.waitForExit(60_000);
  return (
    p.jsonLines<{ sent: number; replies: number; elapsedMs: number }>()[0] ?? {
      sent: 0,
      replies: 0,
      elapsedMs: 1,
    }
  );
}

/** Request→reply time on the wire at the responder's interface (tcpdump kernel timestamps). */
function wireLatenciesUs(packets: CapturedPacket[], ip: string): number[] {
  return pairOnWire(packets, (data) => {
    const { arp } = decodeArpFrame(data);
    if (arp.op === ArpOp.Request && formatIPv4(arp.targetIp) === ip) return 'request';
    if (arp.op === ArpOp.Reply && formatIPv4(arp.senderIp) === ip) return 'reply';
    return undefined;
  });
}

async function main() {
  await runLinkedPairBench(
    {
      project: 'arp-responder',
      topology: 'arpbench',
      tools: ['arping', 'ping', 'tcpdump'],
      clientAddresses: ['198.51.100.1/24'],
      respAddresses: [`${KERNEL_IP}/24`],
    },
    async ({ report, client, resp }) => {
      const running = await startResponder(resp);

      // Latency: interleave kernel and responder rounds so both see the same machine noise.
      const kernel: number[] = [];
      const ours: number[] = [];
      await arpingUs(client, VIP, 20); // warm-up (JIT, page faults)
      const packets = await captureWhile(resp, 'v2', 'arp', async () => {
        for (let i = 0; i < ROUNDS; i++) {
          kernel.push(...(await arpingUs(client, KERNEL_IP, PINGS_PER_ROUND)));
          ours.push(...(await arpingUs(client, VIP, PINGS_PER_ROUND)));
        }
      });
      const k = summarize(kernel);
      const o = summarize(ours);
      // Headline: request→reply time on the wire at the responder's interface, from tcpdump's kernel
      // timestamps. arping's own RTT is shown too but is not trustworthy for a userspace responder on
      // a small VM: arping (2.23) stamps the send time after pcap_inject returns, and when our
      // responder is woken on the same CPU it can run before arping does, so RTTs come out too short.
      const wk = summarize(wireLatenciesUs(packets, KERNEL_IP));
      const wo = summarize(wireLatenciesUs(packets, VIP));
      addWireLatencyRows(
        report,
        {
          p50: 'ARP reply latency p50 (request→reply on the wire, tcpdump at the responder)',
          p99: 'ARP reply latency p99 (on the wire)',
        },
        wo,
        wk,
      );
      addAnchoredRows(
        report,
        [{ name: 'ARP reply latency max (on the wire)', stat: 'max' }],
        wo,
        wk,
      );
      addAnchoredRows(
        report,
        [
          {
            name: 'arping-reported RTT p50 (unreliable here, see bench/run.ts)',
            stat: 'p50',
            note: `n=${o.count}/${k.count}`,
          },
          { name: 'arping-reported RTT p99', stat: 'p99' },
        ],
        o,
        k,
      );
      const lossPct = 100 * (1 - o.count / (ROUNDS * PINGS_PER_ROUND));
      report.add({ name: 'arping requests unanswered (responder)', value: lossPct, unit: '%' });

      // Throughput under a bounded request flood.
      const fk = await flood(client, KERNEL_IP);
      const fo = await flood(client, VIP);
      addFloodRow(report, `replies/s under a ${FLOOD_COUNT}-request flood`, fo, fk);

      // Idle CPU on a busy segment: BPF filter on (the responder as shipped) vs off.
      await addIdleCpuRow(report, {
        name: 'responder CPU while idle on a busy segment (ping -f, 5 s)',
        client,
        running,
        startUnfiltered: () => startResponder(resp, ['--no-filter']),
        pingArgv: PING_FLOOD,
      });
    },
  );
}

await main();
