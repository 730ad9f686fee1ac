// Real sockets at scale (issue 17): N members on one documentation address in one network
// namespace, hosted `perProcess` to a Node process (bench/scale-real-agents.ts), AES-256-GCM on, with 5 % loss on
// every packet the namespace sends to itself (nftables output hook: each datagram between two
// members is dropped with 5 % probability, TCP included). Forms the cluster, soaks (false deaths,
// bytes/s and CPU per member, event-loop delay), then crashes members one at a time; every
// survivor's `dead` event (wall clock) minus the crash time is a detection sample.
import { Topology } from '@ironlb/netns-kit';
import type { NsProcess } from '@ironlb/netns-kit';
import type { ProfileName } from '../src/machine/config.js';

export interface RealScaleResult {
  members: number;
  profile: ProfileName;
  processes: number;
  formed: boolean;
  formSec: number;
  soakSec: number;
  falseDeaths: number;
  suspicions: number;
  bytesPerSec: number;
  /** Process CPU over the soak per member, % of one core. */
  cpuPercentPerMember: number;
  /** Worst process's event-loop delay p99 over the soak, ms. */
  eventLoopDelayP99Ms: number;
  detectionMs: number[];
  undetected: number;
}

interface Ev {
  ev?: string;
  at: number;
  observer?: string;
  member?: string;
  crashed?: string;
  status?: { converged: boolean; cpuUs: number; bytes: number; eldP99Ms: number };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const parse = (l: string): Ev | null => {
  try {
    return l.startsWith('{') ? (JSON.parse(l) as Ev) : null;
  } catch {
    return null;
  }
};

export async function realScale(
  n: number,
  profile: ProfileName,
  opts: { soakSec: number; crashes: number; lossPercent: number; perProcess: number },
): Promise<RealScaleResult> {
  const PER_PROCESS = opts.perProcess;
  const topo = await Topology.create('mlr');
  const hosts: NsProcess[] = [];
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
    for (let from = 0; from < n; from += PER_PROCESS) {
      const p = a.spawnNode(
        'packages/memberlist/bench/scale-real-agents.ts',
        [
          '--from',
          String(from),
          '--count',
          String(Math.min(PER_PROCESS, n - from)),
          '--profile',
          profile,
        ],
        { stdin: true },
      );
      hosts.push(p);
      await p.waitForLine((l) => l.includes('"ready"'), 60_000);
    }
    const lines = () => hosts.flatMap((h) => h.lines.map(parse).filter((e): e is Ev => e !== null));
    const status = async (alive: number) => {
      const marks = hosts.map((h) => h.lines.length);
      hosts.forEach((h) => h.writeLine(`status ${alive}`));
      return Promise.all(
        hosts.map(async (h, i) => {
          const l = await h.waitForLine((x) => x.includes('"status"'), 30_000, { from: marks[i] });
          return (parse(l) as Ev).status as NonNullable<Ev['status']>;
        }),
      );
    };
    const t0 = Date.now();
    let formed = false;
    for (let i = 0; i < 180 && !formed; i++) {
      await sleep(1000);
      formed = (await status(n)).every((s) => s.converged);
    }
    const formSec = (Date.now() - t0) / 1000;

    hosts.forEach((h) => h.writeLine('eld-reset'));
    const soakFrom = Date.now();
    const s0 = await status(n);
    await sleep(opts.soakSec * 1000);
    const s1 = await status(n);
    const cpuUs = s1.reduce((x, s, i) => x + s.cpuUs - (s0[i]?.cpuUs ?? 0), 0);
    const bytes = s1.reduce((x, s, i) => x + s.bytes - (s0[i]?.bytes ?? 0), 0);

    const detectionMs: number[] = [];
    const victims: string[] = [];
    let undetected = 0;
    const maxWaitMs = profile === 'lan' ? 60_000 : 15_000;
    for (let k = 0; k < opts.crashes && formed; k++) {
      const idx = 1 + Math.floor(((k + 1) * (n - 1)) / (opts.crashes + 1));
      const victim = `m${idx}`;
      victims.push(victim);
      await sleep(500 + Math.random() * 1000);
      const host = hosts[Math.floor(idx / PER_PROCESS)] as NsProcess;
      const mark = host.lines.length;
      host.writeLine(`crash ${victim}`);
      const at = (
        parse(
          await host.waitForLine((l) => l.includes(`"crashed":"${victim}"`), 10_000, {
            from: mark,
          }),
        ) as Ev
      ).at;
      const want = n - 1 - victims.length;
      const seen = new Map<string, number>();
      for (let waited = 0; waited < maxWaitMs && seen.size < want; waited += 200) {
        await sleep(200);
        for (const e of lines())
          if (
            e.ev === 'dead' &&
            e.member === victim &&
            e.at >= at &&
            !victims.includes(e.observer ?? '') &&
            !seen.has(e.observer ?? '')
          )
            seen.set(e.observer ?? '', e.at - at);
      }
      detectionMs.push(...seen.values());
      undetected += Math.max(0, want - seen.size);
    }
    const after = lines().filter((e) => e.ev !== undefined && e.at >= soakFrom);
    hosts.forEach((h) => h.writeLine('quit'));
    await Promise.all(hosts.map((h) => h.waitForExit(30_000).catch(() => h.kill('SIGKILL'))));
    return {
      members: n,
      profile,
      processes: hosts.length,
      formed,
      formSec,
      soakSec: opts.soakSec,
      falseDeaths: after.filter(
        (e) => (e.ev === 'dead' || e.ev === 'leave') && !victims.includes(e.member ?? ''),
      ).length,
      suspicions: after.filter((e) => e.ev === 'suspect' && !victims.includes(e.member ?? ''))
        .length,
      bytesPerSec: bytes / n / opts.soakSec,
      cpuPercentPerMember: (100 * cpuUs) / 1e6 / n / opts.soakSec,
      eventLoopDelayP99Ms: Math.max(...s1.map((s) => s.eldP99Ms)),
      detectionMs,
      undetected,
    };
  } finally {
    await topo.destroy();
  }
}
