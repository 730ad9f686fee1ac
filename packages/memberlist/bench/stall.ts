// How long a member may go silent (an event-loop stall, a GC pause) before the others declare it
// dead, per profile and cluster size: the member is cut off (no packet in or out) for S ms, then
// reconnected; a trial counts whether anyone declared it dead. Simulation, no loss.
import type { ProfileName } from '../src/machine/config.js';
import { Simulation } from '../src/testing/simulation.js';

export async function stallTolerance(
  n: number,
  profile: ProfileName,
  stallsMs: readonly number[],
  trials: number,
): Promise<{ stallMs: number; deaths: number; trials: number }[]> {
  const sim = new Simulation({ seed: 77 + n, profile, eventTypes: ['dead', 'leave'] });
  await sim.startCluster(n, 3000, n >= 200 ? 5 : 0);
  for (let i = 0; i < 30 && !sim.converged(); i++) sim.run(2000);
  const out: { stallMs: number; deaths: number; trials: number }[] = [];
  for (const stallMs of stallsMs) {
    let deaths = 0;
    for (let t = 0; t < trials; t++) {
      const victim = `m${1 + ((t * 7 + stallMs) % (n - 1))}`;
      const addr = sim.get(victim).addr;
      sim.run(500 + ((t * 131) % 400));
      const since = sim.clock.now();
      sim.network.isolate(addr);
      sim.run(stallMs);
      sim.network.heal();
      sim.run(profile === 'lan' ? 60_000 : 10_000);
      if (sim.events.some((e) => e.atMs >= since && e.member === victim)) deaths++;
      // Let a victim that was declared dead rejoin before the next trial.
      for (let i = 0; i < 30 && !sim.converged(); i++) sim.run(2000);
    }
    out.push({ stallMs, deaths, trials });
  }
  return out;
}
