// Issue 17's scale proof in simulation: 100 and 1,000 members, `fast` beside `lan` (hashicorp's LAN
// defaults, MetalLB's timings) in the same run. Real Memberlist instances (io + machine + codec,
// plaintext) on the in-memory network and a manual clock, 0.2 ms links, 5 % loss on every link.
// Per profile and size: one cluster is formed (members joining one after another, as a DaemonSet
// rolls out), soaked at 5 % loss (false deaths, bytes/s and CPU per member), then members are
// crashed one at a time (every survivor's detection delay is a sample).
import { summarize } from '@ironlb/bench-kit';
import type { ProfileName } from '../src/machine/config.js';
import { Simulation } from '../src/testing/simulation.js';

export interface SimScaleResult {
  members: number;
  profile: ProfileName;
  /** Every survivor's delay from crash to its `dead` event, ms (simulated). */
  detectionMs: number[];
  /** Survivors that had not declared a victim dead when the trial ended. */
  undetected: number;
  crashes: number;
  falseDeaths: number;
  suspicions: number;
  soakSec: number;
  /** Bytes sent per member per second, with 42 bytes of Ethernet/IP/UDP headers per datagram. */
  bytesPerSec: number;
  /** Process CPU spent simulating one member for one second, ms (no syscalls, no crypto). */
  cpuMsPerMemberSec: number;
  formSec: number;
}

const sleepless = (sim: Simulation, ms: number) => sim.run(ms);

function sent(sim: Simulation): { bytes: number; packets: number } {
  let bytes = 0;
  let packets = 0;
  for (const s of sim.network.sent.values()) {
    bytes += s.bytes;
    packets += s.packets;
  }
  return { bytes, packets };
}

export async function simScale(
  n: number,
  profile: ProfileName,
  opts: { soakSec: number; crashes: number; seed?: number },
): Promise<SimScaleResult> {
  const t0 = performance.now();
  const sim = new Simulation({
    seed: opts.seed ?? n,
    profile,
    eventTypes: ['suspect', 'dead', 'leave'],
  });
  // A rollout: one member every 5 ms (1,000 members in 5 s), then settle until converged.
  await sim.startCluster(n, 3000, n >= 200 ? 5 : 0);
  for (let i = 0; i < 30 && !sim.converged(); i++) sleepless(sim, 2000);
  if (!sim.converged()) throw new Error(`${n} ${profile}: cluster did not converge`);
  const formSec = (performance.now() - t0) / 1000;

  sim.network.setLossAll(5);
  const since = sim.clock.now();
  const before = sent(sim);
  const cpu0 = process.cpuUsage();
  sleepless(sim, opts.soakSec * 1000);
  const cpu = process.cpuUsage(cpu0);
  const after = sent(sim);
  const soakEvents = sim.events.filter((e) => e.atMs >= since);
  const bytes = after.bytes - before.bytes + 42 * (after.packets - before.packets);

  const detectionMs: number[] = [];
  let undetected = 0;
  const victims: string[] = [];
  const maxWaitMs = profile === 'lan' ? 60_000 : 15_000;
  for (let k = 0; k < opts.crashes; k++) {
    const victim = `m${1 + Math.floor(((k + 1) * n) / (opts.crashes + 1))}`;
    victims.push(victim);
    sleepless(sim, 1000 + ((k * 379) % 1000)); // land at a random phase of the protocol period
    const at = sim.clock.now();
    await sim.crash(victim);
    const survivors = [...sim.members.keys()];
    const seen = new Map<string, number>();
    for (let waited = 0; waited < maxWaitMs && seen.size < survivors.length; waited += 250) {
      sleepless(sim, 250);
      for (const e of sim.eventsOf('dead', victim))
        if (!seen.has(e.observer)) seen.set(e.observer, e.atMs - at);
    }
    detectionMs.push(...seen.values());
    undetected += survivors.length - seen.size;
  }
  const falseDeaths = sim.events.filter(
    (e) =>
      e.atMs >= since && (e.type === 'dead' || e.type === 'leave') && !victims.includes(e.member),
  ).length;
  return {
    members: n,
    profile,
    detectionMs,
    undetected,
    crashes: opts.crashes,
    falseDeaths,
    suspicions: soakEvents.filter((e) => e.type === 'suspect').length,
    soakSec: opts.soakSec,
    bytesPerSec: bytes / n / opts.soakSec,
    cpuMsPerMemberSec: (cpu.user + cpu.system) / 1000 / n / opts.soakSec,
    formSec,
  };
}

export function describe(r: SimScaleResult): string {
  const d = summarize(r.detectionMs);
  return (
    `${r.profile} ${r.members}: formed in ${r.formSec.toFixed(0)} s wall; detection p50 ` +
    `${d.p50.toFixed(0)} p99 ${d.p99.toFixed(0)} max ${d.max.toFixed(0)} ms over ${d.count} samples ` +
    `(${r.undetected} missing); ${r.falseDeaths} false deaths, ${r.suspicions} suspicions in ` +
    `${r.soakSec} s; ${r.bytesPerSec.toFixed(0)} B/s and ${r.cpuMsPerMemberSec.toFixed(2)} ms CPU/s per member`
  );
}
