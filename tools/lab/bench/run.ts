// The lab's benchmark (issue 18; DESIGN.md §5): IronLB installed from deploy/ on the lab's virtual
// bare-metal cluster, every figure measured at a client beside an anchor from the same run:
//   - Layer 2 crash failover at the client (the demo's request loop, the announcing node crashed
//     with the lab's `crash`), beside memberlist's detection alone and beside the same crash with
//     the speakers restarted on `--ml-profile lan` (the DaemonSet's args patched with kubectl);
//   - planned-handover failures (the lab's `drain` of the announcing node during the loop);
//   - BGP convergence after a change (Service created → the router's kernel holding the /32 with a
//     next hop through every node), beside ironlb-bgp announcing a /32 to the same router;
//   - ECMP spread: 1,000 new connections from client-wan to the demo's dual-stack BGP Service
//     (externalTrafficPolicy Local, one nginx pod per node), beside the ideal even split.
//   npx nx run @ironlb/lab:bench   (root; ~5 minutes)
//   LAB_BENCH_CRASHES=5 LAB_BENCH_LAN_CRASHES=3 LAB_BENCH_HANDOVERS=3 LAB_BENCH_BGP=20
//   LAB_BENCH_PARTS=ecmp,bgp,crash,drain,lan to choose
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { BenchReport, summarize } from '@ironlb/bench-kit';
import { netnsSkipReason, workspaceRoot } from '@ironlb/netns-kit';
import { downLab, kubectl, upLab, type LabInfo } from '../src/lab.ts';
import { resolveScenario } from '../src/plan.ts';
import {
  BGP_CONFIG,
  DUAL_STACK_SERVICE,
  must,
  rewriteSeedAddresses,
  routerNextHops,
  waitFor,
} from '../src/demo.ts';
import { bgpConvergence, ecmpSpread, type BgpFigures, type Spread } from './bgp.ts';
import { crashOnce, drainOnce, useLanProfile, type Crash, type Handover } from './l2.ts';

const N_FAST = Number(process.env.LAB_BENCH_CRASHES ?? 5);
const N_LAN = Number(process.env.LAB_BENCH_LAN_CRASHES ?? 3);
const N_HANDOVER = Number(process.env.LAB_BENCH_HANDOVERS ?? 3);
const N_BGP = Number(process.env.LAB_BENCH_BGP ?? 20);
const N_ECMP = 1000;
const parts = new Set((process.env.LAB_BENCH_PARTS ?? 'ecmp,bgp,crash,drain,lan').split(','));

const t0 = performance.now();
const stage = (s: string) =>
  process.stderr.write(`[${((performance.now() - t0) / 1000).toFixed(1)} s] ${s}\n`);

for (const f of ['apps/speaker/dist/main.js', 'apps/controller/dist/main.js'])
  if (!existsSync(join(workspaceRoot, f))) throw new Error(`${f} missing: npm run build first`);
const skip = netnsSkipReason(['nft', 'curl', 'nsenter', 'unshare', 'setpriv', '/usr/lib/frr/bgpd']);
if (skip) {
  process.stderr.write(`lab bench SKIPPED: ${skip}\n`);
  process.exit(0);
}

const report = new BenchReport('lab', 'npx nx run @ironlb/lab:bench');
const name = `lb${process.pid}`.slice(0, 10);
let lab: LabInfo | undefined;
const crashes: Crash[] = [];
const lanCrashes: Crash[] = [];
const handovers: Handover[] = [];
let bgp: BgpFigures | undefined;
let spread: Spread | undefined;
let failure: Error | undefined;
// Tear the lab down on Ctrl-C too; the finally below does it otherwise.
process.once('SIGINT', () => void downLab(name).finally(() => process.exit(130)));
try {
  stage(`lab ${name}: up, IronLB installed from deploy/`);
  lab = await upLab({
    name,
    scenario: resolveScenario(undefined),
    ironlb: true,
    progress: (l) => stage(`  ${l}`),
  });
  const l = lab;
  const k = (args: string[], input?: string) =>
    must(kubectl(l, args, input), `kubectl ${args.join(' ')}`);

  // The demo's setup: the seeds' pool and L2Advertisement (addresses rewritten), nginx exposed as
  // the seeds do on 8080, scaled to one pod per node, and the dual-stack BGP Service beside it.
  const seed = readFileSync(join(workspaceRoot, 'tools/lab/fixtures/seeds/001-crs.yaml'), 'utf8');
  k(['apply', '-f', '-'], rewriteSeedAddresses(seed, '198.51.100.200-198.51.100.250').yaml);
  k(['create', 'deploy', 'nginx', '--image', 'nginx:latest', '--port', '80', '-n', 'default']);
  k(['scale', 'deployment', 'nginx', '--replicas', '3']);
  k([
    'expose',
    'deployment',
    'nginx',
    '--name',
    'nginx-lb',
    '--port',
    '8080',
    '--target-port',
    '80',
    '--type',
    'LoadBalancer',
  ]);
  await waitFor(
    'one ready nginx pod per node',
    () =>
      kubectl(l, [
        'get',
        'po',
        '-l',
        'app=nginx',
        '-o',
        'jsonpath={range .items[?(@.status.phase=="Running")]}{.spec.nodeName}{"\\n"}{end}',
      ])
        .stdout.split('\n')
        .filter(Boolean),
    (nodes) => nodes.length === 3 && new Set(nodes).size === 3,
    60_000,
  );
  const ip = await waitFor(
    'the nginx-lb address',
    () =>
      kubectl(l, [
        'get',
        'svc',
        'nginx-lb',
        '-o',
        'jsonpath={.status.loadBalancer.ingress[0].ip}',
      ]).stdout.trim(),
    (s) => s !== '',
    30_000,
  );
  k(['apply', '-f', '-'], BGP_CONFIG);
  k(['apply', '-f', '-'], DUAL_STACK_SERVICE);
  const v4 = await waitFor(
    'the web-bgp IPv4 address',
    () =>
      kubectl(l, ['get', 'svc', 'web-bgp', '-o', 'jsonpath={.status.loadBalancer.ingress[*].ip}'])
        .stdout.split(/\s+/)
        .find((a) => a !== '' && !a.includes(':')) ?? '',
    (s) => s !== '',
    30_000,
  );
  await waitFor(
    `the router holding ${v4} through every node`,
    () => routerNextHops(l, '-4', v4),
    (h) => h.length === 3,
    60_000,
  );

  if (parts.has('ecmp')) {
    stage(`ECMP: ${N_ECMP} new connections from client-wan to ${v4}`);
    spread = await ecmpSpread(l, v4, N_ECMP);
  }
  if (parts.has('bgp')) {
    stage(`BGP: ${N_BGP} Services created, then ${N_BGP} ironlb-bgp announcements`);
    bgp = await bgpConvergence(l, N_BGP, 'bgp-pool');
  }
  if (parts.has('crash'))
    for (let i = 0; i < N_FAST; i++) {
      stage(`L2 crash ${i + 1}/${N_FAST} (fast profile), ${ip}:8080 from client`);
      const c = await crashOnce(l, ip, 4000);
      stage(`  ${c.from} → ${c.to}: failover ${c.failoverMs} ms, detection ${c.detectionMs} ms`);
      crashes.push(c);
    }
  if (parts.has('drain'))
    for (let i = 0; i < N_HANDOVER; i++) {
      stage(`planned handover ${i + 1}/${N_HANDOVER}: drain the announcing node`);
      const h = await drainOnce(l, ip);
      stage(
        `  ${h.node}: ${h.requests} requests, ${h.failed} failed (+${h.failedEviction} while its pods were evicted)`,
      );
      handovers.push(h);
    }
  if (parts.has('lan')) {
    stage('speakers restarted with --ml-profile lan (DaemonSet args patched)');
    await useLanProfile(l);
    for (let i = 0; i < N_LAN; i++) {
      stage(`L2 crash ${i + 1}/${N_LAN} (lan profile)`);
      const c = await crashOnce(l, ip, 12_000);
      stage(`  ${c.from} → ${c.to}: failover ${c.failoverMs} ms, detection ${c.detectionMs} ms`);
      lanCrashes.push(c);
    }
  }
} catch (e) {
  failure = e as Error;
  stage(`FAILED: ${failure.stack ?? failure.message}`);
} finally {
  stage('removing the lab');
  await downLab(name);
}

// ---- report (whatever was measured before a failure is still reported, and the run fails)
const num = (xs: (number | undefined)[]) => xs.filter((x): x is number => x !== undefined);
if (crashes.length) {
  const f = summarize(num(crashes.map((c) => c.failoverMs)));
  const d = summarize(num(crashes.map((c) => c.detectionMs)));
  const lf = summarize(num(lanCrashes.map((c) => c.failoverMs)));
  const ld = summarize(num(lanCrashes.map((c) => c.detectionMs)));
  const missing = crashes.filter((c) => c.failoverMs === undefined).length;
  report.add({
    name: `L2 crash failover at the client, median (request loop, announcing node crashed; ${f.count} runs)`,
    value: f.p50,
    unit: 'ms',
    anchor: d.p50,
    anchorName: "memberlist detection alone: the new owner's speaker logs the member dead",
    target: '≤ 1000 ms',
    pass: missing === 0 && f.p50 <= 1000,
    note: `worst ${f.max} ms, runs ${crashes.map((c) => c.failoverMs ?? 'none').join(', ')} ms; detection runs ${crashes.map((c) => c.detectionMs ?? '?').join(', ')} ms; requests every 20 ms, 250 ms deadline${missing ? `; ${missing} run(s) never recovered` : ''}`,
  });
  if (lanCrashes.length)
    report.add({
      name: `L2 crash failover at the client, median, against the lan profile (${lf.count} runs)`,
      value: f.p50,
      unit: 'ms',
      anchor: lf.p50,
      anchorName: "same crash, speakers on --ml-profile lan (MetalLB's memberlist timers)",
      note: `lan: runs ${lanCrashes.map((c) => c.failoverMs ?? 'none').join(', ')} ms; its detection alone median ${ld.p50} ms (runs ${lanCrashes.map((c) => c.detectionMs ?? '?').join(', ')} ms)`,
    });
}
if (handovers.length) {
  const worst = Math.max(...handovers.map((h) => h.failed));
  const evicted = handovers.reduce((n, h) => n + h.failedEviction, 0);
  report.add({
    name: `planned handover (drain the announcing node; from the speaker's SIGTERM on): failed requests, worst of ${handovers.length} runs`,
    value: worst,
    unit: 'requests',
    target: '0',
    pass: worst === 0,
    note: `a new connection every 20 ms, 1 s deadline; per run failed/sent ${handovers.map((h) => `${h.failed}/${h.requests} (speaker stopped in ${h.stopMs} ms, slowest answer ${h.slowestMs.toFixed(0)} ms)`).join(', ')}`,
  });
  report.add({
    name: `the whole drain, the node's app pods' eviction included: failed requests, total of ${handovers.length} runs`,
    value: evicted + handovers.reduce((n, h) => n + h.failed, 0),
    unit: 'requests',
    note: `${evicted} sent while the pods were evicted, before the speaker got SIGTERM (kube-proxy's and the pods' part, not the load balancer's)${handovers.some((h) => h.failures.length) ? `: ${handovers.flatMap((h) => h.failures.slice(0, 3)).join('; ')}` : ''}`,
  });
}
if (bgp) {
  const b = summarize(bgp.allHops);
  const fh = summarize(bgp.firstHop);
  const a = summarize(bgp.anchor);
  const al = summarize(bgp.allocation);
  report.add({
    name: `BGP: Service created → router's kernel holds the /32 via every node, p99 (${b.count} Services)`,
    value: b.p99,
    unit: 'ms',
    anchor: a.p99,
    anchorName: 'ironlb-bgp announcing a /32 to the same router, timed the same way',
    target: '< 100 ms',
    pass: b.p99 < 100,
    note: `median ${b.p50} ms (ironlb-bgp ${a.p50} ms); first next hop median ${fh.p50} ms, p99 ${fh.p99} ms; of which the controller's allocation (address seen on a watch) median ${al.p50} ms; FRR's zebra installing the route is in both`,
  });
}
if (spread) {
  const counts = [...spread.perNode.values()];
  const max = Math.max(...counts);
  const min = Math.min(...counts);
  const ideal = N_ECMP / spread.perNode.size;
  report.add({
    name: `ECMP spread: busiest / least busy node, ${N_ECMP} new connections from client-wan (ETP Local, one pod per node)`,
    value: min > 0 ? max / min : Number.POSITIVE_INFINITY,
    unit: 'ratio',
    anchor: 1,
    anchorName: `ideal even split (${ideal.toFixed(0)} each)`,
    note: `per node ${[...spread.perNode].map(([n, c]) => `${n} ${c}`).join(', ')}; ${spread.failed} failed; the router hashes on L4 ports (fib_multipath_hash_policy=1)`,
  });
}
report.write();
if (failure) process.exit(1);
