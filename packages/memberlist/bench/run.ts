// npx nx run memberlist:bench — crash detection, false positives, bandwidth and CPU of the `fast`
// profile against the `lan` profile (hashicorp's LAN defaults = MetalLB's behaviour) measured in the
// same run (DESIGN.md §5): 5 members in simulation and on a real network, 100 and 1,000 members in
// simulation and 100 on real sockets (issue 17), and an agent's memory under issue 14's attacks.
// Real-network parts need root (network namespaces); without it they are reported as skipped.
//
// Environment: ML_BENCH_SOAK_MS (5-member real soak, default 60000), ML_BENCH_SIM_SIZES (default
// "100,1000"), ML_BENCH_REAL_SIZES (default "50,100"), ML_BENCH_PARTS (default
// "sim,scale-sim,real,scale-real,attacks").
import { BenchReport, summarize } from '@ironlb/bench-kit';
import { netnsSkipReason, Topology } from '@ironlb/netns-kit';
import type { NsProcess } from '@ironlb/netns-kit';
import { Simulation } from '../src/testing/simulation.js';
import type { ProfileName } from '../src/machine/config.js';
import { attackMemory } from './attack-memory.js';
import { scaleReal, scaleSimulation, stalls } from './scale.js';
import {
  buildCli,
  cpuSeconds,
  createLab,
  setEgressLoss,
  startAgent,
  txBytes,
  waitConverged,
  waitEvent,
} from '../test/lab.js';
import type { Lab, Member } from '../test/lab.js';

const report = new BenchReport('memberlist');
const MEMBERS = 5;
const SOAK_REAL_MS = Number(process.env['ML_BENCH_SOAK_MS'] ?? 60_000);
const TRIALS: Record<ProfileName, number> = { fast: 10, lan: 4 };

// ---- simulation ---------------------------------------------------------------------------------

async function simFalsePositives(
  profile: ProfileName,
  minutes: number,
): Promise<{ fp: number; suspicions: number }> {
  const sim = new Simulation({ seed: 2026, profile, lossPercent: 5 });
  await sim.startCluster(MEMBERS);
  const since = sim.clock.now();
  sim.run(minutes * 60_000);
  const after = sim.events.filter((e) => e.atMs >= since);
  return {
    fp: after.filter((e) => e.type === 'dead' || e.type === 'leave').length,
    suspicions: after.filter((e) => e.type === 'suspect').length,
  };
}

async function simDetection(profile: ProfileName, loss: number, seeds: number): Promise<number[]> {
  const out: number[] = [];
  for (let seed = 1; seed <= seeds; seed++) {
    const sim = new Simulation({ seed: seed * 31 + loss, profile, lossPercent: loss });
    await sim.startCluster(MEMBERS);
    sim.run(2000 + ((seed * 379) % 1000));
    const at = sim.clock.now();
    await sim.crash('m3');
    sim.run(profile === 'lan' ? 40_000 : 5000);
    const seen = new Map<string, number>();
    for (const e of sim.eventsOf('dead', 'm3'))
      if (!seen.has(e.observer)) seen.set(e.observer, e.atMs - at);
    out.push(...seen.values());
  }
  return out;
}

async function simulation(): Promise<void> {
  for (const loss of [0, 5]) {
    const fast = summarize(await simDetection('fast', loss, 20));
    const lan = summarize(await simDetection('lan', loss, 8));
    report.add({
      name: `sim: crash detection p50, 5 members, ${loss} % loss`,
      value: fast.p50,
      unit: 'ms',
      anchor: lan.p50,
      anchorName: 'lan profile',
      target: loss === 0 ? '≤ 500 ms' : '≤ 800 ms',
      pass: fast.p50 <= (loss === 0 ? 500 : 800),
      note: `fast p99 ${fast.p99.toFixed(0)} ms, lan p99 ${lan.p99.toFixed(0)} ms; simulated time, 0.2 ms links`,
    });
  }
  const fast = await simFalsePositives('fast', 30);
  const lan = await simFalsePositives('lan', 30);
  report.add({
    name: 'sim: false deaths, 5 members, 5 % loss, 30 simulated min',
    value: fast.fp,
    unit: 'events',
    anchor: lan.fp,
    anchorName: 'lan profile',
    target: '0',
    pass: fast.fp === 0,
    note: `suspicions raised and refuted: fast ${fast.suspicions}, lan ${lan.suspicions}`,
  });
}

// ---- real network -------------------------------------------------------------------------------

async function stopAll(lab: Lab): Promise<void> {
  await Promise.all(
    lab.members.map(async (m) => {
      if (m.proc === null) return;
      m.proc.kill('SIGTERM');
      await m.proc.waitForExit(10_000).catch(() => m.proc?.kill('SIGKILL'));
      m.proc = null;
    }),
  );
}

async function startCluster(lab: Lab, profile: ProfileName): Promise<void> {
  const seed = lab.members[0] as Member;
  for (const m of lab.members) startAgent(lab, m, profile, [seed]);
  await waitConverged(lab, 30_000);
}

/** SIGKILL members in turn; returns each survivor's detection delay (ms) per crash. */
async function crashTrials(lab: Lab, profile: ProfileName, trials: number): Promise<number[]> {
  const delays: number[] = [];
  for (let t = 0; t < trials; t++) {
    const victim = lab.members[1 + (t % (MEMBERS - 1))] as Member;
    const survivors = lab.members.filter((m) => m !== victim);
    const marks = survivors.map((m) => (m.proc as NsProcess).lines.length);
    // Land the crash at a random phase of the protocol period.
    await new Promise((r) => setTimeout(r, 200 + Math.random() * 800));
    const at = Date.now();
    victim.proc?.kill('SIGKILL');
    const seen = await Promise.all(
      survivors.map((m, i) =>
        waitEvent(m.proc as NsProcess, 'dead', victim.name, 60_000, marks[i]),
      ),
    );
    delays.push(...seen.map((e) => Date.parse(e.time) - at));
    await victim.proc?.waitForExit(5000);
    const rejoinMarks = survivors.map((m) => (m.proc as NsProcess).lines.length);
    startAgent(lab, victim, profile, [lab.members[0] as Member]);
    await Promise.all(
      survivors.map((m, i) =>
        waitEvent(m.proc as NsProcess, 'join', victim.name, 30_000, rejoinMarks[i]),
      ),
    );
  }
  return delays;
}

interface Soak {
  falseDeaths: number;
  suspicions: number;
  bytesPerSec: number;
  cpuPercent: number;
}

async function soak(lab: Lab, ms: number): Promise<Soak> {
  const marks = lab.members.map((m) => (m.proc as NsProcess).lines.length);
  const tx0 = await Promise.all(lab.members.map(txBytes));
  const cpu0 = lab.members.map((m) => cpuSeconds(m.proc?.child.pid as number));
  const t0 = Date.now();
  await new Promise((r) => setTimeout(r, ms));
  const secs = (Date.now() - t0) / 1000;
  const tx1 = await Promise.all(lab.members.map(txBytes));
  const cpu1 = lab.members.map((m) => cpuSeconds(m.proc?.child.pid as number));
  let falseDeaths = 0;
  let suspicions = 0;
  lab.members.forEach((m, i) => {
    const evs = (m.proc as NsProcess).jsonLines<{ event: string }>().slice(0);
    const lines = (m.proc as NsProcess).lines.slice(marks[i]);
    void evs;
    for (const l of lines) {
      if (l.includes('"event":"dead"') || l.includes('"event":"leave"')) falseDeaths++;
      if (l.includes('"event":"suspect"')) suspicions++;
    }
  });
  const bytes = tx1.map((b, i) => b - (tx0[i] as number));
  const cpu = cpu1.map((c, i) => c - (cpu0[i] as number));
  return {
    falseDeaths,
    suspicions,
    bytesPerSec: bytes.reduce((a, b) => a + b, 0) / lab.members.length / secs,
    cpuPercent: (100 * cpu.reduce((a, b) => a + b, 0)) / lab.members.length / secs,
  };
}

async function realNetwork(): Promise<void> {
  const skip = netnsSkipReason(['nft']);
  if (skip) {
    report.add({ name: 'real network: SKIPPED', value: 0, unit: '', note: skip });
    return;
  }
  buildCli();
  const topo = await Topology.create('mlb');
  try {
    const lab = await createLab(topo, MEMBERS);
    const det: Record<string, number[]> = {};
    const soaks: Partial<Record<ProfileName, Soak>> = {};
    for (const profile of ['fast', 'lan'] as const) {
      for (const loss of [0, 5]) {
        for (const m of lab.members) await setEgressLoss(m, loss);
        await startCluster(lab, profile);
        det[`${profile}/${loss}`] = await crashTrials(lab, profile, TRIALS[profile]);
        if (loss === 5)
          soaks[profile] = await soak(lab, profile === 'fast' ? SOAK_REAL_MS : SOAK_REAL_MS / 2);
        await stopAll(lab);
      }
    }
    for (const loss of [0, 5]) {
      const f = summarize(det[`fast/${loss}`] ?? []);
      const l = summarize(det[`lan/${loss}`] ?? []);
      const target = loss === 0 ? 500 : 800;
      report.add({
        name: `real: crash detection p50, 5 members, ${loss} % loss`,
        value: f.p50,
        unit: 'ms',
        anchor: l.p50,
        anchorName: 'lan profile (hashicorp LAN defaults)',
        target: `≤ ${target} ms`,
        pass: f.p50 <= target,
        note: `${f.count} samples (${TRIALS.fast} crashes × 4 survivors); lan ${l.count} samples`,
      });
      report.add({
        name: `real: crash detection p99, 5 members, ${loss} % loss`,
        value: f.p99,
        unit: 'ms',
        anchor: l.p99,
        anchorName: 'lan profile',
      });
    }
    const fs = soaks.fast;
    const ls = soaks.lan;
    if (fs && ls) {
      report.add({
        name: `real: false deaths, 5 members, 5 % loss, ${SOAK_REAL_MS / 1000} s soak`,
        value: fs.falseDeaths,
        unit: 'events',
        anchor: ls.falseDeaths,
        anchorName: `lan profile, ${SOAK_REAL_MS / 2000} s`,
        target: '0',
        pass: fs.falseDeaths === 0,
        note: `suspicions raised and refuted: fast ${fs.suspicions}, lan ${ls.suspicions}`,
      });
      report.add({
        name: 'real: bytes/s sent per member (5 % loss, incl. Ethernet/IP/UDP headers)',
        value: fs.bytesPerSec,
        unit: 'B/s',
        anchor: ls.bytesPerSec,
        anchorName: 'lan profile',
      });
      report.add({
        name: 'real: CPU per member (5 % loss)',
        value: fs.cpuPercent,
        unit: '% of a core',
        anchor: ls.cpuPercent,
        anchorName: 'lan profile',
      });
    }
  } finally {
    await topo.destroy();
  }
}

// ---- scale (issue 17): bench/scale.ts ------------------------------------------------------------

const parts = new Set(
  (process.env['ML_BENCH_PARTS'] ?? 'sim,scale-sim,real,scale-real,attacks').split(','),
);

async function attacks(): Promise<void> {
  const skip = netnsSkipReason(['nft']);
  if (skip) {
    report.add({ name: 'attacks: SKIPPED', value: 0, unit: '', note: skip });
    return;
  }
  buildCli();
  const topo = await Topology.create('mlm');
  try {
    await attackMemory(topo, report);
  } finally {
    await topo.destroy();
  }
}

if (parts.has('sim')) await simulation();
if (parts.has('scale-sim')) await scaleSimulation(report);
if (parts.has('scale-sim')) await stalls(report);
if (parts.has('real')) await realNetwork();
if (parts.has('scale-real')) await scaleReal(report);
if (parts.has('attacks')) await attacks();
report.write();
process.exit(0);
