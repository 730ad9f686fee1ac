// Memory of a real agent under issue 14's attacks (the figures the issue measured: 75 → 807 MB
// under 120 trickling TCP connections, 75 → 355 MB under a fake-member flood), read from the
// victim's own `stats` lines; the anchor is the same agent idle just before, in the same run.
import type { BenchReport } from '@ironlb/bench-kit';
import type { NsProcess, Topology } from '@ironlb/netns-kit';
import { createLab, startAgent, statsLines, waitConverged } from '../test/lab.js';
import type { AgentStats, Member } from '../test/lab.js';

const ATTACKER = 'packages/memberlist/test/attacker.ts';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const MiB = 2 ** 20;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? NaN;
}

export async function attackMemory(topo: Topology, report: BenchReport): Promise<void> {
  const lab = await createLab(topo, 4);
  const members = lab.members.slice(0, 3);
  const atk = lab.members[3] as Member;
  const sources = Array.from({ length: 15 }, (_, i) => `198.51.100.${100 + i}`);
  await topo.addAddresses(
    atk.ns,
    'eth0',
    sources.map((a) => `${a}/24`),
  );
  const attacks = (plaintext: boolean): [string, string[]][] => [
    [
      'tcp',
      [
        'tcp-trickle',
        '--target',
        (members[0] as Member).addr,
        '--sources',
        sources.join(','),
        '--connections',
        '120',
        '--seconds',
        '10',
        '--chunk-bytes',
        '16384',
        '--every-ms',
        '20',
      ],
    ],
    [
      'udp',
      [
        'udp-flood',
        '--target',
        (members[0] as Member).addr,
        '--packets',
        '100',
        '--alives',
        '512',
        ...(plaintext ? [] : ['--secret-file', lab.secretFile]),
      ],
    ],
  ];
  for (const plaintext of [false, true]) {
    const mode = plaintext ? 'plaintext' : 'keyring';
    lab.plaintext = plaintext;
    for (const [kind, args] of attacks(plaintext)) {
      // A fresh cluster per attack: RSS does not shrink back, so attacks must not share an agent.
      for (const m of members)
        startAgent(lab, m, 'fast', [members[0] as Member], ['--stats-interval-ms', '250']);
      await waitConverged(lab, 30_000);
      const victim = (members[0] as Member).proc as NsProcess;
      await sleep(5000);
      const idle =
        median(
          statsLines(victim)
            .slice(-8)
            .map((s) => s.rssBytes),
        ) / MiB;
      const mark = victim.lines.length;
      const p = atk.ns.spawnNode(ATTACKER, args);
      await p.waitForExit(60_000);
      await sleep(1000);
      const st: AgentStats[] = statsLines(victim, mark);
      const peak = Math.max(...st.map((s) => s.rssBytes)) / MiB;
      if (kind === 'tcp')
        report.add({
          name: `real: agent RSS under 120 TCP connections trickling 4 MiB frames (${mode})`,
          value: peak,
          unit: 'MiB',
          anchor: idle,
          anchorName: 'same agent idle',
          note: `peak bytes buffered for incomplete streams ${(Math.max(...st.map((s) => s.peakBufferedBytes)) / 1024).toFixed(1)} KiB; max streams open ${Math.max(...st.map((s) => s.inboundStreams))}; issue 14 measured 75 → 807 MB before the bounds`,
        });
      else
        report.add({
          name: `real: agent RSS under 100 UDP packets × 512 invented members (${mode}${plaintext ? '' : ', insider'})`,
          value: peak,
          unit: 'MiB',
          anchor: idle,
          anchorName: 'same agent idle',
          note: `member table stayed at ${Math.max(...st.map((s) => s.members))} (2 real members); pending verifications peak ${Math.max(...st.map((s) => s.pendingMembers))}; issue 14 measured 75 → 355 MB and ~33k table entries before the bounds`,
        });
      for (const m of members) {
        m.proc?.kill('SIGKILL');
        await m.proc?.waitForExit(5000).catch(() => {});
        m.proc = null;
      }
    }
  }
}
