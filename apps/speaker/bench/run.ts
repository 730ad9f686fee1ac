// The speaker's benchmark (DESIGN.md §5, §6; issue 17), every figure beside an anchor measured in
// the same run:
//   - memory: RSS with 0 and 1k Services, the bundle against the plain import (bench/rss.ts);
//   - the lab (bench/lab.ts): Layer 2 crash failover from the client's side (SIGKILL → first ARP
//     reply from the new MAC) with the `fast` profile, beside memberlist's detection alone and
//     beside the `lan` profile (MetalLB's timers); failed requests across a planned handover;
//     BGP: Service created → prefix installed by the router, beside ironlb-bgp announcing the
//     same kind of prefix to the same router.
//   npx nx run speaker:bench   (root; ~8 minutes)   SPEAKER_BENCH_PARTS=rss,lab to choose
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { BenchReport } from '@ironlb/bench-kit';
import { netnsSkipReason, workspaceRoot } from '@ironlb/netns-kit';
import { measureRss } from './rss.ts';

const parts = new Set((process.env.SPEAKER_BENCH_PARTS ?? 'rss,lab').split(','));
const report = new BenchReport('speaker');
const t0 = performance.now();
const stage = (s: string) =>
  process.stderr.write(`[${((performance.now() - t0) / 1000).toFixed(1)} s] ${s}\n`);

for (const f of ['apps/speaker/dist/main.js', 'apps/controller/dist/main.js'])
  if (!existsSync(join(workspaceRoot, f)))
    throw new Error(`${f} missing: npx nx run-many -t build -p @ironlb/speaker @ironlb/controller`);
const skip = netnsSkipReason(['nft', 'curl', 'arping', 'bird', '/usr/lib/frr/bgpd']);
if (skip) {
  process.stderr.write(`speaker bench SKIPPED: ${skip}\n`);
  process.exit(0);
}

if (parts.has('rss'))
  await measureRss(report, stage, Number(process.env.SPEAKER_BENCH_SERVICES ?? 1000));
if (parts.has('lab')) {
  const { measureLab } = await import('./lab.ts');
  await measureLab(report, stage);
}
report.write();
