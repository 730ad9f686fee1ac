// Runs bench/scale-real-agents.ts (N members in one process on real sockets) inside a network
// namespace with 5 % loss on every packet the namespace sends to itself (nftables, output hook:
// each datagram between two members is dropped with 5 % probability, TCP included).
import { Topology } from '@ironlb/netns-kit';
import type { ProfileName } from '../src/machine/config.js';

export interface RealScaleResult {
  members: number;
  profile: ProfileName;
  formed: boolean;
  formSec: number;
  soakSec: number;
  falseDeaths: number;
  suspicions: number;
  bytesPerSec: number;
  cpuPercentPerMember: number;
  cpuPercentProcess: number;
  eventLoopDelayP99Ms: number;
  detectionMs: number[];
  undetected: number;
  rssMiB: number;
}

export async function realScale(
  members: number,
  profile: ProfileName,
  opts: { soakSec: number; crashes: number; lossPercent: number },
): Promise<RealScaleResult> {
  const topo = await Topology.create('mlr');
  try {
    const a = await topo.addNamespace('agents');
    const b = await topo.addNamespace('peer');
    await topo.link(a, 'eth0', b, 'eth0', { a: ['198.51.100.10/24'] });
    if (opts.lossPercent > 0)
      await a.run(['nft', '-f', '-'], {
        input: [
          'add table inet mlloss',
          'add chain inet mlloss out { type filter hook output priority 0; }',
          `add rule inet mlloss out ip daddr 198.51.100.10 numgen random mod 100 < ${opts.lossPercent} drop`,
        ].join('\n'),
      });
    const p = a.spawnNode('packages/memberlist/bench/scale-real-agents.ts', [
      '--members',
      String(members),
      '--profile',
      profile,
      '--soak-sec',
      String(opts.soakSec),
      '--crashes',
      String(opts.crashes),
    ]);
    const st = await p.waitForExit(30 * 60_000);
    const line = p.lines.find((l) => l.startsWith('{'));
    if (st.code !== 0 || line === undefined)
      throw new Error(`scale-real-agents exited ${st.code}: ${p.stderr.slice(0, 2000)}`);
    return JSON.parse(line) as RealScaleResult;
  } finally {
    await topo.destroy();
  }
}
