// The speaker's memory (issue 17: one process per node, RSS ≤ 128 MiB with 1k Services and ≤ 25
// MiB growth from 0 to 1k). In a network namespace of its own (a veth to a second one, so Layer 2
// really answers on an interface): the test API server on the namespace's loopback, one speaker
// process as a DaemonSet runs it — memberlist on (its worker thread, encrypted; alone, no peers),
// metrics over HTTPS — 0 Services, then 1,000 LoadBalancer Services with an address and a
// ready endpoint each, all announced by this node. Measured for the bundle the image runs
// (dist/main.js, with its launcher's Node tuning), for the plain import (the same sources compiled
// file by file, packages resolved from node_modules as `tsc` output would, client-node's package
// root and undici included), and for the bundle with Node's defaults; bare Node is the anchor.
// Experiments: SPEAKER_BENCH_RSS_EXTRA='{"ENV":"value"}' and/or SPEAKER_BENCH_RSS_EXTRA_ARGS='--v8-flag'
// add a variant of the bundle (SPEAKER_BENCH_RSS_EXTRA_MAIN=PATH/main.js: another build of it);
// SPEAKER_BENCH_RSS_VARIANTS=0,3 picks variants by index;
// SPEAKER_BENCH_SMAPS=1 prints where the loaded RSS goes (mappings, V8 spaces), and with
// SPEAKER_BENCH_SNAPSHOT=1 also signals SIGUSR2 first (a variant started with
// --heapsnapshot-signal=SIGUSR2 writes a heap snapshot).
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { build } from 'esbuild';
import { Topology, nodeBinary, workspaceRoot } from '@ironlb/netns-kit';
import type { BenchReport } from '@ironlb/bench-kit';

const APP = join(workspaceRoot, 'apps/speaker');
const BUNDLE = join(APP, 'dist/main.js');
const PLAIN_DIR = join(APP, 'dist/plain');
const MiB = 1024 * 1024;

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Resident set of a process in bytes (VmRSS), 0 when gone. */
export function rssOf(pid: number): number {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}

/** Median of a few samples over `ms`: RSS moves with GC. */
async function sampleRss(pid: number, ms: number): Promise<number> {
  const out: number[] = [];
  for (let t = 0; t < ms; t += 500) {
    out.push(rssOf(pid));
    await sleep(500);
  }
  out.sort((a, b) => a - b);
  return out[Math.floor(out.length / 2)] ?? 0;
}

/** The app's sources compiled one file each (no bundling), as `tsc` would emit them. */
async function buildPlain(): Promise<string> {
  rmSync(PLAIN_DIR, { recursive: true, force: true });
  const files = [
    'main',
    'tuning',
    'speaker',
    'bgp',
    'layer2',
    'membership',
    'membership-protocol',
    'membership-thread',
    'membership-worker',
    'worker-telemetry',
    'undici-stub',
  ];
  await build({
    entryPoints: files.map((f) => join(APP, 'src', `${f}.ts`)),
    outdir: PLAIN_DIR,
    bundle: false,
    format: 'esm',
    platform: 'node',
    target: 'node24',
    logLevel: 'warning',
  });
  // The launcher loads ./speaker.js, as in the bundle.
  return join(PLAIN_DIR, 'main.js');
}

interface Variant {
  readonly name: string;
  readonly main: string;
  readonly env: Record<string, string>;
  /** Node options before the script (SPEAKER_BENCH_RSS_EXTRA_ARGS, space-separated). */
  readonly args?: readonly string[];
}

export async function measureRss(
  report: BenchReport,
  stage: (s: string) => void,
  count: number,
): Promise<void> {
  const plain = await buildPlain();
  const only = process.env.SPEAKER_BENCH_RSS_VARIANTS?.split(',');
  const extra: Variant[] =
    process.env.SPEAKER_BENCH_RSS_EXTRA ||
    process.env.SPEAKER_BENCH_RSS_EXTRA_ARGS ||
    process.env.SPEAKER_BENCH_RSS_EXTRA_MAIN
      ? [
          {
            name: 'experiment',
            main: process.env.SPEAKER_BENCH_RSS_EXTRA_MAIN ?? BUNDLE,
            env: JSON.parse(process.env.SPEAKER_BENCH_RSS_EXTRA ?? '{}') as Record<string, string>,
            args: process.env.SPEAKER_BENCH_RSS_EXTRA_ARGS?.split(' ') ?? [],
          },
        ]
      : [];
  const all: Variant[] = [
    { name: 'bundle (what ships)', main: BUNDLE, env: {} },
    { name: 'plain import', main: plain, env: {} },
    { name: 'bundle, Node defaults', main: BUNDLE, env: { IRONLB_NODE_TUNING: 'off' } },
    ...extra,
  ];
  const variants = only ? all.filter((v, i) => only.includes(String(i))) : all;
  const topo = await Topology.create('spkrss');
  const results = new Map<
    string,
    { idle: number; loaded: number; announced: number; idleHeap: number; loadedHeap: number }
  >();
  let bare = 0;
  try {
    const node = await topo.addNamespace('node');
    const peer = await topo.addNamespace('peer');
    await topo.link(node, 'eth0', peer, 'eth0');
    await topo.addAddresses(node, 'eth0', ['192.0.2.1/24']);
    await topo.addAddresses(peer, 'eth0', ['192.0.2.2/24']);
    const dir = topo.tempDir('rss');
    writeFileSync(join(dir, 'secretkey'), 'bench-memberlist-key');
    const speakerEnv = {
      METALLB_ML_BIND_ADDR: '192.0.2.1',
      METALLB_ML_LABELS: 'app.kubernetes.io/component=speaker',
      METALLB_ML_SECRET_KEY_PATH: dir,
    };
    // Anchor: bare Node, idle, in the same run.
    const idle = node.spawn([nodeBinary(), '-e', 'setInterval(() => {}, 1000)']);
    await sleep(1500);
    bare = await sampleRss(idle.pid, 2000);
    await idle.stop();
    for (const v of variants) {
      stage(`memory: ${v.name}`);
      const kubeconfig = join(dir, `kubeconfig-${results.size}`);
      const api = node.spawnNode(join(workspaceRoot, 'tools/test-apiserver/src/cli.ts'), [
        '--http',
        '--listen',
        '127.0.0.1:0',
        '--kubeconfig',
        kubeconfig,
        '--watch-cache-size',
        String(count * 6 + 1000),
      ]);
      const url = (await api.waitForLine(/^http:/, 30_000)).trim();
      const load = async (args: string[]) => {
        const p = node.spawn([
          nodeBinary(),
          join(APP, 'bench/load.ts'),
          '--url',
          url,
          '--root',
          workspaceRoot,
          ...args,
        ]);
        await p.waitForLine(/^done$/, 300_000);
      };
      await load(['setup']);
      const speaker = node.spawn(
        [
          nodeBinary(),
          ...(v.args ?? []),
          v.main,
          '--kubeconfig',
          kubeconfig,
          '--node-name',
          'node-1',
          '--namespace',
          'metallb-system',
          '--port',
          '9120',
          '--health-probe-port',
          '17472',
          '--log-level',
          'warn',
        ],
        { env: { ...speakerEnv, ...v.env } },
      );
      const announced = async () => {
        const r = await node.exec(['curl', '-sk', '-m', '5', 'https://127.0.0.1:9120/metrics']);
        return [...r.stdout.matchAll(/^metallb_speaker_announced\{[^}]*\} 1$/gm)].length;
      };
      const ready = async () =>
        (await node.exec(['curl', '-s', '-m', '2', 'http://127.0.0.1:17472/readyz'])).stdout ===
        'ok';
      for (let i = 0; i < 120 && !(await ready()); i++) await sleep(500);
      if (!(await ready()))
        throw new Error(
          `${v.name}: the speaker never got ready\n${speaker.lines.slice(-10).join('\n')}`,
        );
      await sleep(3000);
      const idleRss = await sampleRss(speaker.pid, 4000);
      const heap = async () => {
        const r = await node.exec(['curl', '-sk', '-m', '5', 'https://127.0.0.1:9120/metrics']);
        return Number(/^nodejs_heap_size_used_bytes (\S+)$/m.exec(r.stdout)?.[1] ?? 0);
      };
      const idleHeap = await heap();
      await load(['services', '--count', String(count)]);
      let n = 0;
      for (let i = 0; i < 240; i++) {
        n = await announced();
        if (n >= count) break;
        await sleep(500);
      }
      // Wait for the writes that follow (a ServiceL2Status and a nodeAssigned event per Service),
      // then for the heap to settle: the figure is the steady state, not the burst.
      const items = async (path: string) => {
        const r = await node.exec(['curl', '-s', '-m', '10', `${url}${path}`]);
        return (r.stdout.match(/"kind":"(ServiceL2Status|Event)"/g) ?? []).length;
      };
      for (let i = 0; i < 240; i++) {
        const st = await items(
          '/apis/metallb.io/v1beta1/namespaces/metallb-system/servicel2statuses',
        );
        const ev = await items('/api/v1/namespaces/default/events');
        if (st >= count && ev >= count) break;
        await sleep(1000);
      }
      await sleep(20_000);
      const loadedRss = await sampleRss(speaker.pid, 6000);
      const loadedHeap = await heap();
      if (process.env.SPEAKER_BENCH_SMAPS) {
        const text = readFileSync(`/proc/${speaker.pid}/smaps`, 'utf8');
        const maps: { name: string; rss: number }[] = [];
        let cur = '';
        for (const line of text.split('\n')) {
          const head = /^[0-9a-f]+-[0-9a-f]+ \S+ \S+ \S+ \S+\s*(.*)$/.exec(line);
          if (head) cur = head[1] || '[anon]';
          const r = /^Rss:\s+(\d+) kB/.exec(line);
          if (r) maps.push({ name: cur, rss: Number(r[1]) });
        }
        const by = new Map<string, number>();
        for (const m of maps) by.set(m.name, (by.get(m.name) ?? 0) + m.rss);
        process.stderr.write(
          [...by]
            .sort((a, b) => b[1] - a[1])
            .slice(0, 12)
            .map(([n, k]) => `${(k / 1024).toFixed(1)} MiB ${n}`)
            .join('\n') + '\n',
        );
        process.stderr.write(readFileSync(`/proc/${speaker.pid}/smaps_rollup`, 'utf8'));
        if (process.env.SPEAKER_BENCH_SNAPSHOT) {
          process.kill(speaker.pid, 'SIGUSR2');
          await sleep(15_000);
        }
        const mr = await node.exec(['curl', '-sk', '-m', '5', 'https://127.0.0.1:9120/metrics']);
        process.stderr.write(
          mr.stdout
            .split('\n')
            .filter((l) =>
              /^(nodejs_heap|nodejs_external|process_resident|ironlb_.*(heap|worker))/.test(l),
            )
            .join('\n') + '\n',
        );
      }
      results.set(v.name, {
        idle: idleRss,
        loaded: loadedRss,
        announced: n,
        idleHeap,
        loadedHeap,
      });
      writeFileSync(join(dir, `speaker-${results.size}.log`), speaker.lines.join('\n'));
      await speaker.stop(10_000);
      await api.stop();
    }
  } finally {
    await topo.destroy();
    rmSync(PLAIN_DIR, { recursive: true, force: true });
  }
  const mib = (b: number) => b / MiB;
  const ship = results.get('bundle (what ships)');
  const plainR = results.get('plain import');
  const defaults = results.get('bundle, Node defaults');
  const exp = results.get('experiment');
  if (exp)
    process.stderr.write(
      `experiment: 0 → ${mib(exp.idle).toFixed(1)} MiB, ${count} → ${mib(exp.loaded).toFixed(1)} MiB (heap ${mib(exp.idleHeap).toFixed(1)} → ${mib(exp.loadedHeap).toFixed(1)})\n`,
    );
  if (ship) {
    report.add({
      name: `speaker RSS, ${count} Services announced (bundle)`,
      value: mib(ship.loaded),
      unit: 'MiB',
      anchor: mib(bare),
      anchorName: 'bare Node, idle',
      target: '≤ 128 MiB',
      pass: mib(ship.loaded) <= 128,
      note: `${ship.announced} of ${count} announced; JS heap used ${mib(ship.idleHeap).toFixed(1)} → ${mib(ship.loadedHeap).toFixed(1)} MiB; the bundle (dist/main.js) re-executes with --optimize-for-size, --max-semi-space-size, --max-old-space-size and MALLOC_ARENA_MAX=2`,
    });
    report.add({
      name: 'speaker RSS, 0 Services (bundle)',
      value: mib(ship.idle),
      unit: 'MiB',
      anchor: mib(bare),
      anchorName: 'bare Node, idle',
    });
    report.add({
      name: `speaker RSS growth 0 → ${count} Services (bundle)`,
      value: mib(ship.loaded - ship.idle),
      unit: 'MiB',
      target: '≤ 25 MiB',
      pass: mib(ship.loaded - ship.idle) <= 25,
    });
  }
  for (const [label, r] of [
    ['plain import', plainR],
    ['bundle, Node defaults', defaults],
  ] as const) {
    if (!r) continue;
    report.add({
      name: `speaker RSS, 0 / ${count} Services (${label})`,
      value: mib(r.loaded),
      unit: 'MiB',
      anchor: ship ? mib(ship.loaded) : undefined,
      anchorName: 'bundle',
      note: `0 Services: ${mib(r.idle).toFixed(1)} MiB; growth ${mib(r.loaded - r.idle).toFixed(1)} MiB; JS heap used ${mib(r.idleHeap).toFixed(1)} → ${mib(r.loadedHeap).toFixed(1)} MiB; ${r.announced} announced`,
    });
  }
}
