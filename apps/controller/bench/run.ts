// controller benchmark (DESIGN.md §5, §6; issue 16). Every process is separate: the test API
// server (its CLI, plain HTTP), the controller (the built bundle, as an image runs it), and this
// process (creates objects, watches, measures). Figures, each against an anchor from the same run:
//   - cold start: 10k LoadBalancer Services over 5 pools exist, the controller starts; time until
//     every Service shows an address on a watch. Anchor: the same API server taking 10k raw
//     Service status writes of the controller's shape from a keep-alive client (the faster of 32
//     and 64 in flight; the controller keeps 64), the writes the controller has to make with
//     nothing to decide, measured just before and just after. Target ≤ 1.5×.
//   - API writes per Service during the cold start (target: 1 status write + 1 event).
//   - controller RSS with the 10k Services (target ≤ 200 MiB), and idle RSS bundled (what ships)
//     vs unbundled (the same entry resolving packages from node_modules, as `tsc` output would).
//   - steady state with the 10k present: 1,000 creates one after the other, each timed from the
//     create request to the status seen on a watch (target p99 < 50 ms). Anchor: the same creates
//     timed to their own ADDED event on the watch with no controller running.
//   npx nx run controller:bench       (2-4 minutes; CONTROLLER_BENCH_SERVICES=2000 for a smoke run)
// Experiments: CONTROLLER_BENCH_ROUNDS, CONTROLLER_BENCH_STEADY (counts), CONTROLLER_BENCH_CPU_PROF=DIR
// (the controller's V8 CPU profile), CONTROLLER_BENCH_NODE_ARGS / CONTROLLER_BENCH_API_ARGS (Node
// options for the controller / the API server, e.g. --trace-gc or --cpu-prof --cpu-prof-dir DIR),
// CONTROLLER_BENCH_LOG_LEVEL (the controller's log on stdout), CONTROLLER_BENCH_AB=OTHER/main.js
// (paired cold starts of this build and another one; see abCompare).
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { Agent, request, type IncomingMessage } from 'node:http';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { BenchReport, median, percentile } from '@ironlb/bench-kit';

const N = Number(process.env.CONTROLLER_BENCH_SERVICES ?? 10_000);
const ROUNDS = Number(process.env.CONTROLLER_BENCH_ROUNDS ?? 5);
const STEADY = Number(process.env.CONTROLLER_BENCH_STEADY ?? 1000);
const CONCURRENCY = 64;
const ROOT = resolve(import.meta.dirname, '../../..');
const MAIN = join(ROOT, 'apps/controller/dist/main.js');
const CLI = join(ROOT, 'tools/test-apiserver/src/cli.ts');
const report = new BenchReport('controller');
const t00 = performance.now();
const stage = (s: string) =>
  process.stderr.write(`[${((performance.now() - t00) / 1000).toFixed(1)} s] ${s}\n`);
const MiB = 1024 * 1024;

if (!existsSync(MAIN)) throw new Error(`${MAIN} missing: run npx nx run controller:build first`);

// ---------------------------------------------------------------- plumbing

interface Api {
  proc: ChildProcess;
  url: string;
  dir: string;
  kubeconfig: string;
}

async function startApi(): Promise<Api> {
  const dir = mkdtempSync(join(tmpdir(), 'ironlb-controller-bench-'));
  const kubeconfig = join(dir, 'kubeconfig');
  const proc = spawn(
    process.execPath,
    [
      ...(process.env.CONTROLLER_BENCH_API_ARGS
        ? process.env.CONTROLLER_BENCH_API_ARGS.split(' ')
        : []),
      CLI,
      '--http',
      '--listen',
      '127.0.0.1:0',
      '--kubeconfig',
      kubeconfig,
      '--watch-cache-size',
      String(N * 6 + 10_000),
    ],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const url = await new Promise<string>((res, rej) => {
    let out = '';
    let found = false;
    proc.stdout!.on('data', (d: Buffer) => {
      // Its first line is the URL; anything else (CONTROLLER_BENCH_API_ARGS='--trace-gc') goes on.
      if (found) return void process.stdout.write(d);
      out += d.toString();
      const m = /^https?:\/\/\S+$/m.exec(out);
      if (!m) return;
      found = true;
      res(m[0]);
      process.stdout.write(out.replace(m[0], ''));
    });
    proc.on('exit', (code) => rej(new Error(`API server exited ${code}`)));
  });
  return { proc, url, dir, kubeconfig };
}

async function stopProc(p: ChildProcess): Promise<void> {
  if (p.exitCode !== null || p.signalCode !== null) return;
  const done = new Promise((r) => p.once('exit', r));
  p.kill('SIGTERM');
  const t = setTimeout(() => p.kill('SIGKILL'), 10_000);
  await done;
  clearTimeout(t);
}

const agent = new Agent({ keepAlive: true, maxSockets: 64 });

/** One request over the keep-alive agent; a connection the server closed while idle is retried once. */
async function call<T = unknown>(
  api: Api,
  method: string,
  path: string,
  body?: unknown,
  contentType = 'application/json',
): Promise<{ status: number; body: T }> {
  try {
    return await callOnce<T>(api, method, path, body, contentType);
  } catch (e) {
    const code = (e as { code?: string }).code;
    if (code !== 'ECONNRESET' && code !== 'EPIPE') throw e;
    return callOnce<T>(api, method, path, body, contentType);
  }
}

function callOnce<T>(
  api: Api,
  method: string,
  path: string,
  body: unknown,
  contentType: string,
): Promise<{ status: number; body: T }> {
  const data = body === undefined ? undefined : JSON.stringify(body);
  return new Promise((res, rej) => {
    const req = request(
      `${api.url}${path}`,
      {
        method,
        agent,
        headers:
          data === undefined
            ? {}
            : { 'Content-Type': contentType, 'Content-Length': Buffer.byteLength(data) },
      },
      (r) => {
        const chunks: Buffer[] = [];
        r.on('data', (c: Buffer) => chunks.push(c));
        r.on('error', rej);
        r.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          const status = r.statusCode ?? 0;
          if (status >= 400)
            return rej(new Error(`${method} ${path}: ${status} ${text.slice(0, 200)}`));
          res({ status, body: (text ? JSON.parse(text) : undefined) as T });
        });
      },
    );
    req.on('error', rej);
    req.end(data);
  });
}

async function pool<T>(
  items: readonly T[],
  parallel: number,
  fn: (x: T, i: number) => Promise<unknown>,
): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: parallel }, async () => {
      for (;;) {
        const i = next++;
        if (i >= items.length) return;
        await fn(items[i]!, i);
      }
    }),
  );
}

const svcBody = (name: string) => ({
  apiVersion: 'v1',
  kind: 'Service',
  metadata: { name, labels: { app: name } },
  // No NodePorts: the default range holds fewer than 10k, as on a real cluster.
  spec: {
    type: 'LoadBalancer',
    allocateLoadBalancerNodePorts: false,
    ports: [{ name: 'http', port: 80 }],
    selector: { app: name },
  },
});

async function createServices(api: Api, ns: string, names: string[]): Promise<void> {
  await pool(names, CONCURRENCY, (n) =>
    call(api, 'POST', `/api/v1/namespaces/${ns}/services`, svcBody(n)),
  );
}

/** A raw watch on a namespace's Services: calls `on` with each event and the time it arrived. */
function watchServices(
  api: Api,
  ns: string,
  rv: string,
  on: (type: string, obj: ServiceLike, at: number) => void,
): { close(): void } {
  const path = ns ? `/api/v1/namespaces/${ns}/services` : '/api/v1/services';
  const req = request(
    `${api.url}${path}?watch=1&resourceVersion=${rv}&allowWatchBookmarks=true`,
    { agent: new Agent() },
    (r: IncomingMessage) => {
      r.on('error', () => undefined);
      let buf = '';
      r.setEncoding('utf8');
      r.on('data', (d: string) => {
        const at = performance.now();
        buf += d;
        let nl: number;
        while ((nl = buf.indexOf('\n')) >= 0) {
          const line = buf.slice(0, nl);
          buf = buf.slice(nl + 1);
          if (!line.trim()) continue;
          const ev = JSON.parse(line) as { type: string; object: ServiceLike };
          on(ev.type, ev.object, at);
        }
      });
    },
  );
  req.on('error', () => undefined);
  req.end();
  return { close: () => req.destroy() };
}

interface ServiceLike {
  metadata: { name: string; resourceVersion?: string };
  status?: { loadBalancer?: { ingress?: { ip?: string }[] } };
}

const hasAddress = (s: ServiceLike) => (s.status?.loadBalancer?.ingress ?? []).some((i) => i.ip);

async function listRv(api: Api, path: string): Promise<string> {
  const r = await call<{ metadata: { resourceVersion: string } }>(api, 'GET', `${path}?limit=1`);
  return r.body.metadata.resourceVersion;
}

/** CPU seconds (user + system) a process used so far. */
function cpuSec(pid: number): number {
  const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(f[11]) + Number(f[12])) / 100;
}

function rss(pid: number): { rss: number; hwm: number } {
  const text = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (k: string) => Number(new RegExp(`${k}:\\s+(\\d+) kB`).exec(text)?.[1] ?? 0) * 1024;
  return { rss: kb('VmRSS'), hwm: kb('VmHWM') };
}

// CONTROLLER_BENCH_CPU_PROF=DIR: the controller writes a V8 CPU profile there when it stops.
const PROF = process.env.CONTROLLER_BENCH_CPU_PROF;
// CONTROLLER_BENCH_NODE_ARGS='--trace-gc ...': Node options for the controller (its stdout shown);
// the launcher keeps a --max-semi-space-size given here instead of its own.
const NODE_ARGS = process.env.CONTROLLER_BENCH_NODE_ARGS;
// CONTROLLER_BENCH_LOG_LEVEL=info: the controller's log on stdout (its start-up steps, timed).
const LOG_LEVEL = process.env.CONTROLLER_BENCH_LOG_LEVEL;

function startController(
  api: Api,
  entry = MAIN,
  nodeArgs: string[] = [],
  env: Record<string, string> = {},
): ChildProcess {
  return spawn(
    process.execPath,
    [
      ...(PROF ? ['--cpu-prof', '--cpu-prof-dir', PROF] : []),
      ...(NODE_ARGS ? NODE_ARGS.split(' ') : []),
      ...nodeArgs,
      entry,
      '--kubeconfig',
      api.kubeconfig,
      '--namespace',
      'metallb-system',
      '--port',
      '0',
      '--health-probe-port',
      '0',
      '--webhook-mode',
      'disabled',
      '--log-level',
      LOG_LEVEL ?? 'error',
    ],
    {
      stdio: ['ignore', NODE_ARGS || LOG_LEVEL ? 'inherit' : 'ignore', 'inherit'],
      env: { ...process.env, METALLB_BGP_TYPE: 'frr-k8s', ...env },
    },
  );
}

const until = async (check: () => boolean, timeoutMs: number, what: string) => {
  const end = performance.now() + timeoutMs;
  while (!check()) {
    if (performance.now() > end) throw new Error(`${what}: not within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 5));
  }
};

async function prepareCluster(api: Api): Promise<void> {
  for (const ns of ['metallb-system', 'bench', 'anchor', 'steady', 'quiet']) {
    await call(api, 'POST', '/api/v1/namespaces', {
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: { name: ns },
    });
  }
  const crds = readFileSync(join(ROOT, 'deploy/crds/all.yaml'), 'utf8');
  const { parseAllDocuments } = await import('yaml');
  for (const d of parseAllDocuments(crds)) {
    const o = d.toJS() as object | null;
    if (o) await call(api, 'POST', '/apis/apiextensions.k8s.io/v1/customresourcedefinitions', o);
  }
  await new Promise((r) => setTimeout(r, 300));
  // 5 pools of 4096 addresses each (the benchmarking range; API objects only).
  for (let p = 0; p < 5; p++) {
    await call(api, 'POST', '/apis/metallb.io/v1beta1/namespaces/metallb-system/ipaddresspools', {
      apiVersion: 'metallb.io/v1beta1',
      kind: 'IPAddressPool',
      metadata: { name: `pool-${p}`, namespace: 'metallb-system' },
      spec: { addresses: [`198.19.${p * 16}.0/20`] },
    });
  }
}

// ---------------------------------------------------------------- one round

interface Round {
  rawSec: number;
  coldSec: number;
  statusPerSvc: number;
  eventsPerSvc: number;
  rssMiB: number;
  hwmMiB: number;
  steady: number[];
  anchorSteady: number[];
}

/**
 * The anchor: N raw status writes of the request the controller sends (a merge patch of the
 * ingress and the pool annotation, conditional on resourceVersion), CONCURRENCY in flight, with the
 * watches the cold start has (the one it is observed with, and a controller's informer on every
 * namespace's Services) so that the server fans each write out alike. `otherClass`: Services of a
 * load-balancer class the controller does not handle. Seconds until every write is seen.
 */
async function rawWrites(
  api: Api,
  names: string[],
  otherClass: boolean,
  inFlight: number,
): Promise<number> {
  await pool(names, CONCURRENCY, (n) => {
    const b = svcBody(n);
    if (otherClass)
      (b.spec as Record<string, unknown>).loadBalancerClass = 'bench.ironlb.io/anchor';
    return call(api, 'POST', '/api/v1/namespaces/anchor/services', b);
  });
  const listed = (
    await call<{
      metadata: { resourceVersion: string };
      items: { metadata: { name: string; resourceVersion: string } }[];
    }>(api, 'GET', '/api/v1/namespaces/anchor/services')
  ).body;
  let seen = 0;
  const aw = watchServices(api, 'anchor', listed.metadata.resourceVersion, (type) => {
    if (type === 'MODIFIED') seen++;
  });
  const informerLike = watchServices(api, '', listed.metadata.resourceVersion, () => undefined);
  const t0 = performance.now();
  await pool(listed.items, inFlight, (o, i) =>
    call(
      api,
      'PATCH',
      `/api/v1/namespaces/anchor/services/${o.metadata.name}/status?fieldManager=bench`,
      {
        metadata: {
          resourceVersion: o.metadata.resourceVersion,
          annotations: { 'metallb.io/ip-allocated-from-pool': 'pool-0' },
        },
        status: {
          loadBalancer: { ingress: [{ ip: `198.19.${Math.floor(i / 256)}.${i % 256}` }] },
        },
      },
      'application/merge-patch+json',
    ),
  );
  await until(() => seen === names.length, 120_000, 'anchor writes seen on the watch');
  const sec = (performance.now() - t0) / 1000;
  aw.close();
  informerLike.close();
  return sec;
}

/** The faster of the raw writes with half and with all of the controller's concurrency. */
async function bestRaw(api: Api, names: string[]): Promise<number> {
  let best = Infinity;
  for (const inFlight of [CONCURRENCY / 2, CONCURRENCY]) {
    best = Math.min(best, await rawWrites(api, names, false, inFlight));
    await call(api, 'DELETE', '/api/v1/namespaces/anchor/services');
  }
  return best;
}

async function round(r: number): Promise<Round> {
  const api = await startApi();
  try {
    await prepareCluster(api);
    const names = Array.from({ length: N }, (_, i) => `svc-${i}`);

    stage(`round ${r}: anchor before — ${N} raw status writes`);
    const rawBefore = await bestRaw(api, names);

    // Subject: cold start over N Services.
    stage(`round ${r}: cold start — ${N} Services, 5 pools`);
    await createServices(api, 'bench', names);
    const rv = await listRv(api, '/api/v1/namespaces/bench/services');
    const addressed = new Set<string>();
    let statusEvents = 0;
    let firstAt = 0;
    const w = watchServices(api, 'bench', rv, (type, s, at) => {
      if (type !== 'MODIFIED') return;
      statusEvents++;
      if (hasAddress(s)) addressed.add(s.metadata.name);
      if (firstAt === 0) firstAt = at;
    });
    const api0 = cpuSec(api.proc.pid!);
    const me0 = process.cpuUsage();
    const c0 = performance.now();
    if (LOG_LEVEL) stage(`round ${r}: controller spawned at ${new Date().toISOString()}`);
    const ctl = startController(api);
    await until(() => addressed.size === N, 300_000, 'all Services addressed');
    const coldSec = (performance.now() - c0) / 1000;
    const ctlCpu = cpuSec(ctl.pid!);
    const apiCpuCold = cpuSec(api.proc.pid!);
    const me = process.cpuUsage(me0);
    // How many events the API server held when the last address was seen: events go at low
    // priority, so those sent earlier competed with the status writes for the server's CPU.
    const eventsAtCold = (
      await call<{ items: unknown[] }>(api, 'GET', '/api/v1/namespaces/bench/events')
    ).body.items.length;
    // Let the events (sent after the status writes) and the pool status land.
    let events = 0;
    for (let i = 0; i < 120; i++) {
      await new Promise((res) => setTimeout(res, 500));
      const list = await call<{ items: { count?: number }[] }>(
        api,
        'GET',
        '/api/v1/namespaces/bench/events',
      );
      const n = list.body.items.reduce((a, e) => a + (e.count ?? 1), 0);
      if (n === events && n >= N) break;
      events = n;
    }
    const mem = rss(ctl.pid!);
    w.close();
    await stopProc(ctl);
    // The anchor again, so that the cold start is compared with the server's rate just before and
    // just after it (the machine is shared: its speed drifts within seconds).
    stage(`round ${r}: anchor after — ${N} raw status writes`);
    const rawAfter = await bestRaw(api, names);
    const rawSec = (rawBefore + rawAfter) / 2;
    stage(
      `round ${r}: raw ${rawBefore.toFixed(2)} / ${rawAfter.toFixed(2)} s, cold ${coldSec.toFixed(2)} s (${(coldSec / rawSec).toFixed(2)}×; first address after ${((firstAt - c0) / 1000).toFixed(2)} s; CPU: controller ${ctlCpu.toFixed(2)} s, API server ${(apiCpuCold - api0).toFixed(2)} s, observer ${((me.user + me.system) / 1e6).toFixed(2)} s), ${statusEvents} status writes, ${events} events (${eventsAtCold} by the last address), RSS ${(mem.rss / MiB).toFixed(0)} MiB`,
    );

    // Steady state with the N Services present: create → address on a watch. The controller
    // restarts first (restoring the N addresses) and is ready once a probe Service has one.
    stage(`round ${r}: steady state — ${STEADY} creates with the controller`);
    const ctl2 = startController(api);
    await sequential(api, 'steady', 1, true, 'probe');
    const steady = await sequential(api, 'steady', STEADY, true);
    await stopProc(ctl2);
    stage(`round ${r}: steady-state anchor — ${STEADY} creates, no controller`);
    const anchorSteady = await sequential(api, 'quiet', STEADY, false);
    return {
      rawSec,
      coldSec,
      statusPerSvc: statusEvents / N,
      eventsPerSvc: events / N,
      rssMiB: mem.rss / MiB,
      hwmMiB: mem.hwm / MiB,
      steady,
      anchorSteady,
    };
  } finally {
    await stopProc(api.proc);
    rmSync(api.dir, { recursive: true, force: true });
  }
}

/**
 * One create at a time: each is timed from sending it to the watch event that answers it (its
 * address; or, for the anchor, its own ADDED event), and the next one starts once it is answered.
 */
async function sequential(
  api: Api,
  ns: string,
  n: number,
  wantAddress: boolean,
  prefix = 's',
): Promise<number[]> {
  const rv = await listRv(api, `/api/v1/namespaces/${ns}/services`);
  let waiting: { name: string; t: number; done: (ms: number) => void } | undefined;
  const w = watchServices(api, ns, rv, (type, s, at) => {
    if (!waiting || s.metadata.name !== waiting.name) return;
    if (wantAddress ? type === 'MODIFIED' && hasAddress(s) : type === 'ADDED') {
      const h = waiting;
      waiting = undefined;
      h.done(at - h.t);
    }
  });
  await new Promise((r) => setTimeout(r, 200));
  const lat: number[] = [];
  for (let i = 0; i < n; i++) {
    const name = `${prefix}-${i}`;
    const answered = new Promise<number>(
      (done) => (waiting = { name, t: performance.now(), done }),
    );
    await call(api, 'POST', `/api/v1/namespaces/${ns}/services`, svcBody(name));
    lat.push(
      await Promise.race([
        answered,
        new Promise<number>((_, rej) =>
          setTimeout(() => rej(new Error(`${ns}/${name} not answered in 30 s`)), 30_000),
        ),
      ]),
    );
  }
  w.close();
  return lat;
}

/** Idle RSS of the controller bundled (dist/main.js) and unbundled (packages from node_modules). */
async function idleMemory(): Promise<{ bundled: number; unbundled: number }> {
  const { build } = await import('esbuild');
  const unbundled = join(ROOT, 'apps/controller/dist/unbundled-controller.js');
  await build({
    entryPoints: [join(ROOT, 'apps/controller/src/controller.ts')],
    outfile: unbundled,
    bundle: true,
    packages: 'external',
    platform: 'node',
    format: 'esm',
    target: 'node24',
    logLevel: 'error',
  });
  const api = await startApi();
  try {
    await prepareCluster(api);
    await createServices(api, 'bench', ['a', 'b', 'c']);
    const out: number[] = [];
    // The same Node settings as the launcher applies to dist/main.js (src/tuning.ts).
    const tuned = {
      nodeArgs: ['--max-semi-space-size=4', '--max-old-space-size=512'],
      env: { MALLOC_ARENA_MAX: '2', IRONLB_NODE_TUNED: '1' },
    };
    for (const entry of [MAIN, unbundled]) {
      const ctl =
        entry === MAIN
          ? startController(api, entry)
          : startController(api, entry, tuned.nodeArgs, tuned.env);
      const samples: number[] = [];
      await new Promise((r) => setTimeout(r, 3000));
      for (let i = 0; i < 5; i++) {
        samples.push(rss(ctl.pid!).rss);
        await new Promise((r) => setTimeout(r, 200));
      }
      out.push(median(samples) / MiB);
      await stopProc(ctl);
    }
    return { bundled: out[0]!, unbundled: out[1]! };
  } finally {
    await stopProc(api.proc);
    rmSync(api.dir, { recursive: true, force: true });
    rmSync(unbundled, { force: true });
  }
}

// ---------------------------------------------------------------- main

/**
 * CONTROLLER_BENCH_AB=OTHER_MAIN_JS: no report; cold starts of this build (A) and of another
 * build's dist/main.js (B) alternate on one API server, each over N fresh Services (the last
 * run's deleted first), so that a change is judged by paired runs in the same minutes rather
 * than by rounds minutes apart on a machine whose speed drifts. Prints wall and CPU per run.
 */
async function abCompare(other: string, pairs: number): Promise<void> {
  const api = await startApi();
  try {
    await prepareCluster(api);
    const names = Array.from({ length: N }, (_, i) => `svc-${i}`);
    const out: Record<'A' | 'B', { wall: number[]; cpu: number[] }> = {
      A: { wall: [], cpu: [] },
      B: { wall: [], cpu: [] },
    };
    // A warm-up pair first (each build's first start fills Node's compile cache), not counted.
    for (let i = -2; i < pairs * 2; i++) {
      const v = (i === -2 || i % 4 === 0 || i % 4 === 3 ? 'A' : 'B') as 'A' | 'B'; // AB, ABBA …
      await call(api, 'DELETE', '/api/v1/namespaces/bench/services');
      await createServices(api, 'bench', names);
      const rv = await listRv(api, '/api/v1/namespaces/bench/services');
      const addressed = new Set<string>();
      const w = watchServices(api, 'bench', rv, (type, s) => {
        if (type === 'MODIFIED' && hasAddress(s)) addressed.add(s.metadata.name);
      });
      await new Promise((r) => setTimeout(r, 300));
      const c0 = performance.now();
      const ctl = startController(api, v === 'A' ? MAIN : other);
      await until(() => addressed.size === N, 300_000, 'all Services addressed');
      const wall = (performance.now() - c0) / 1000;
      const cpu = cpuSec(ctl.pid!);
      const mem = rss(ctl.pid!).rss / MiB;
      w.close();
      await stopProc(ctl);
      if (i >= 0) {
        out[v].wall.push(wall);
        out[v].cpu.push(cpu);
      }
      stage(
        `ab ${i < 0 ? 'warm-up' : i + 1}: ${v} cold ${wall.toFixed(2)} s, controller CPU ${cpu.toFixed(2)} s, RSS ${mem.toFixed(0)} MiB`,
      );
    }
    for (const v of ['A', 'B'] as const)
      stage(
        `ab ${v}: median cold ${median(out[v].wall).toFixed(2)} s, controller CPU ${median(out[v].cpu).toFixed(2)} s (${v === 'A' ? MAIN : other})`,
      );
  } finally {
    await stopProc(api.proc);
    rmSync(api.dir, { recursive: true, force: true });
  }
}

if (process.env.CONTROLLER_BENCH_AB) {
  await abCompare(
    resolve(process.env.CONTROLLER_BENCH_AB),
    Number(process.env.CONTROLLER_BENCH_AB_PAIRS ?? 4),
  );
  process.exit(0);
}

const rounds: Round[] = [];
for (let r = 1; r <= ROUNDS; r++) rounds.push(await round(r));
stage('idle memory, bundled vs unbundled');
const idle = await idleMemory();

const med = (f: (x: Round) => number) => median(rounds.map(f));
const coldRatio = med((x) => x.coldSec / x.rawSec);
report.add({
  name: `cold start: ${N} Services over 5 pools, all addressed (median of ${ROUNDS})`,
  value: med((x) => x.coldSec),
  unit: 's',
  anchor: med((x) => x.rawSec),
  anchorName: `${N} raw status patches (best of ${CONCURRENCY / 2} and ${CONCURRENCY} in flight), before and after`,
  ratio: coldRatio,
  target: '≤ 1.5× raw writes',
  pass: coldRatio <= 1.5,
  note: 'from spawning the controller (process start, cache sync, leader election, restore, allocation, writes) to the last address seen on a watch',
});
report.add({
  name: 'raw status-write rate of the test API server',
  value: med((x) => N / x.rawSec),
  unit: 'writes/s',
});
report.add({
  name: 'status writes per Service (cold start)',
  value: med((x) => x.statusPerSvc),
  unit: 'writes',
  target: '1',
  pass: med((x) => x.statusPerSvc) <= 1.0001,
});
report.add({
  name: 'events per Service (cold start)',
  value: med((x) => x.eventsPerSvc),
  unit: 'events',
  target: '1',
  pass: Math.abs(med((x) => x.eventsPerSvc) - 1) < 0.0001,
});
report.add({
  name: `controller RSS with ${N} Services (after the cold start)`,
  value: med((x) => x.rssMiB),
  unit: 'MiB',
  target: '≤ 200 MiB',
  pass: med((x) => x.rssMiB) <= 200,
});
report.add({
  name: `controller peak RSS during the cold start`,
  value: med((x) => x.hwmMiB),
  unit: 'MiB',
  target: '≤ 200 MiB',
  pass: med((x) => x.hwmMiB) <= 200,
});
const steady = rounds.flatMap((x) => x.steady);
const anchorSteady = rounds.flatMap((x) => x.anchorSteady);
const p99 = median(rounds.map((x) => percentile(x.steady, 99)));
const a99 = median(rounds.map((x) => percentile(x.anchorSteady, 99)));
report.add({
  name: `steady state (${N} present): create → address on a watch, p99 (median of ${ROUNDS})`,
  value: p99,
  unit: 'ms',
  anchor: a99,
  anchorName: 'create → ADDED on a watch, no controller',
  target: 'p99 < 50 ms',
  pass: p99 < 50,
});
report.add({
  name: 'steady state: create → address, p50',
  value: percentile(steady, 50),
  unit: 'ms',
  anchor: percentile(anchorSteady, 50),
  anchorName: 'create → ADDED, no controller',
});
report.add({
  name: 'idle RSS, bundled dist/main.js (what ships)',
  value: idle.bundled,
  unit: 'MiB',
  anchor: idle.unbundled,
  anchorName: 'same entry, packages from node_modules',
});
console.log(report.table());
report.write();
