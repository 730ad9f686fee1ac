// Issue 17's scale proof for `npx nx run memberlist:bench`: 100 and 1,000 members in simulation,
// how long a member may stall before it is declared dead, and 50/100 members on real sockets —
// `fast` beside `lan` in the same run. Rows go into the report passed in.
import { readFileSync } from 'node:fs';
import { summarize } from '@ironlb/bench-kit';
import type { BenchReport } from '@ironlb/bench-kit';
import { netnsSkipReason } from '@ironlb/netns-kit';
import type { ProfileName } from '../src/machine/config.js';
import { realScale } from './scale-real.js';
import type { RealScaleResult } from './scale-real.js';
import { describe as describeSim, simScale } from './scale-sim.js';
import type { SimScaleResult } from './scale-sim.js';
import { stallTolerance } from './stall.js';

const sizes = (v: string | undefined, d: string) => (v ?? d).split(',').filter(Boolean).map(Number);

type ScaleResult = Pick<
  SimScaleResult,
  'members' | 'detectionMs' | 'undetected' | 'falseDeaths' | 'suspicions' | 'bytesPerSec'
>;

function scaleRows(
  report: BenchReport,
  where: 'sim' | 'real',
  f: ScaleResult,
  l: ScaleResult,
  soak: string,
  cpu: [number, number, string],
  extra = '',
): void {
  const fd = summarize(f.detectionMs);
  const ld = summarize(l.detectionMs);
  const n = f.members;
  report.add({
    name: `${where}: crash detection p50, ${n} members, 5 % loss`,
    value: fd.p50,
    unit: 'ms',
    anchor: ld.p50,
    anchorName: 'lan profile',
    target: '≤ 1000 ms (the speaker’s failover budget)',
    pass: fd.p50 <= 1000,
    note: `every survivor of every crash is a sample: fast ${fd.count} (${f.undetected} never detected), lan ${ld.count} (${l.undetected}); max fast ${fd.max.toFixed(0)} ms, lan ${ld.max.toFixed(0)} ms${extra}`,
  });
  report.add({
    name: `${where}: crash detection p99, ${n} members, 5 % loss`,
    value: fd.p99,
    unit: 'ms',
    anchor: ld.p99,
    anchorName: 'lan profile',
  });
  report.add({
    name: `${where}: false deaths, ${n} members, 5 % loss, ${soak}`,
    value: f.falseDeaths,
    unit: 'events',
    anchor: l.falseDeaths,
    anchorName: 'lan profile',
    target: '0',
    pass: f.falseDeaths === 0 && f.undetected === 0,
    note: `suspicion events (one per observer) raised and refuted: fast ${f.suspicions}, lan ${l.suspicions}`,
  });
  report.add({
    name: `${where}: bytes/s sent per member, ${n} members (incl. Ethernet/IP/UDP headers)`,
    value: f.bytesPerSec,
    unit: 'B/s',
    anchor: l.bytesPerSec,
    anchorName: 'lan profile',
  });
  report.add({
    name: `${where}: CPU per member, ${n} members (${cpu[2]})`,
    value: cpu[0],
    unit: where === 'sim' ? 'ms CPU per member-s' : '% of a core',
    anchor: cpu[1],
    anchorName: 'lan profile',
  });
}

export async function scaleSimulation(report: BenchReport): Promise<void> {
  for (const n of sizes(process.env['ML_BENCH_SIM_SIZES'], '100,1000')) {
    const opts = n >= 500 ? { soakSec: 30, crashes: 3 } : { soakSec: 120, crashes: 10 };
    const f = await simScale(n, 'fast', opts);
    console.log(describeSim(f));
    const l = await simScale(n, 'lan', opts);
    console.log(describeSim(l));
    scaleRows(report, 'sim', f, l, `${opts.soakSec} simulated s + ${opts.crashes} crashes`, [
      f.cpuMsPerMemberSec,
      l.cpuMsPerMemberSec,
      'simulator CPU per simulated member-second, plaintext',
    ]);
  }
}

/** The longest silence (stall) every trial survived without being declared dead. */
export async function stalls(report: BenchReport): Promise<void> {
  const sets: Record<ProfileName, number[]> = {
    fast: [100, 200, 300, 400, 500, 750, 1000],
    lan: [1000, 2000, 3000, 4000, 6000, 8000],
  };
  for (const n of [5, 100]) {
    const r = {
      fast: await stallTolerance(n, 'fast', sets.fast, 10),
      lan: await stallTolerance(n, 'lan', sets.lan, 10),
    };
    const survived = (xs: { stallMs: number; deaths: number }[]) =>
      Math.max(
        0,
        ...xs
          .filter((x, i) => xs.slice(0, i + 1).every((y) => y.deaths === 0))
          .map((x) => x.stallMs),
      );
    const show = (xs: { stallMs: number; deaths: number; trials: number }[]) =>
      xs.map((x) => `${x.stallMs} ms ${x.deaths}/${x.trials}`).join(', ');
    report.add({
      name: `sim: longest silence (event-loop stall) with no false death in 10 trials, ${n} members`,
      value: survived(r.fast),
      unit: 'ms',
      anchor: survived(r.lan),
      anchorName: 'lan profile',
      note: `trials declared dead — fast: ${show(r.fast)}; lan: ${show(r.lan)}`,
    });
  }
}

export async function scaleReal(report: BenchReport): Promise<void> {
  const skip = netnsSkipReason(['nft']);
  if (skip) {
    report.add({ name: 'real scale: SKIPPED', value: 0, unit: '', note: skip });
    return;
  }
  for (const n of sizes(process.env['ML_BENCH_REAL_SIZES'], '50,100')) {
    const opts = { soakSec: 60, crashes: 5, lossPercent: 5, perProcess: 25 };
    const load = readFileSync('/proc/loadavg', 'utf8').split(' ')[0];
    const r: Partial<Record<ProfileName, RealScaleResult>> = {};
    for (const profile of ['fast', 'lan'] as const) {
      r[profile] = await realScale(n, profile, opts);
      console.log(
        `real ${profile} ${n}: ${JSON.stringify({ ...r[profile], detectionMs: undefined })}`,
      );
    }
    const f = r.fast as RealScaleResult;
    const l = r.lan as RealScaleResult;
    scaleRows(
      report,
      'real',
      f,
      l,
      `${opts.soakSec} s + ${opts.crashes} crashes`,
      [f.cpuPercentPerMember, l.cpuPercentPerMember, '25 members per Node process, AES-GCM on'],
      `; ${f.processes} Node processes of ≤ 25 members on one address, 2 cores shared with other work (load average ${load} at the start): worst event-loop delay p99 fast ${f.eventLoopDelayP99Ms.toFixed(0)} ms, lan ${l.eventLoopDelayP99Ms.toFixed(0)} ms; formed ${f.formed}/${l.formed} in ${f.formSec.toFixed(0)}/${l.formSec.toFixed(0)} s`,
    );
  }
}
