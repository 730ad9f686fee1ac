// test-apiserver benchmark (DESIGN.md §5, issue 4). The server runs as its own process (the CLI);
// the clients are @kubernetes/client-node in this process. Plain HTTP (--http): client-node 2.x
// opens a new connection per request, and a TLS handshake each time would measure the handshake,
// not the API server (with HTTPS both subject and anchor drop to ≈200 requests/s).
//   npx nx run test-apiserver:bench     (≈1 minute; APISERVER_BENCH_SERVICES=2000 for a smoke run)
// Figures:
//   - raw write throughput: Service creates and Service status writes per second through
//     client-node — the anchor the controller's cold-start benchmark is compared against (§6) —
//     and through a keep-alive client (what the server itself sustains).
//     Anchor in this run: a bare HTTP server that answers every POST/PUT with the body it got
//     (client + HTTP cost only), so the ratio is the API server's own share.
//   - list: one unpaged list and a paged list (limit 500) of all Services, objects/s.
//   - watch fan-out: 10 client-node watchers resuming from before N status writes, each receiving
//     all N events; delivered objects/s across all watchers, anchored on a single watcher.
//   - server memory (RSS) after loading the Services and at the end.
//   - kubectl apply -f of one 1,000-object file (seconds), anchored on the same apply through
//     client-node in the same run (bench/apply.ts).
import { spawn, type ChildProcess } from 'node:child_process';
import { Agent, createServer, request } from 'node:http';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { AddressInfo } from 'node:net';
import { CoreV1Api, KubeConfig, Watch, type V1Service } from '@kubernetes/client-node';
import { BenchReport, median } from '@ironlb/bench-kit';
import { kubeconfigFor } from '../src/start.ts';
import { applyBench } from './apply.ts';

const N = Number(process.env.APISERVER_BENCH_SERVICES ?? 10_000);
const WATCHERS = 10;
// client-node 2.x makes a new connection per request; beyond ~8 in flight throughput falls.
const IN_FLIGHT = 8;
const ns = 'bench';
const report = new BenchReport('test-apiserver');
const dir = mkdtempSync(join(tmpdir(), 'ironlb-apiserver-bench-'));

async function startServer(): Promise<{ proc: ChildProcess; url: string }> {
  const cli = fileURLToPath(new URL('../src/cli.ts', import.meta.url));
  const proc = spawn(
    process.execPath,
    [
      cli,
      '--http',
      '--listen',
      '127.0.0.1:0',
      '--kubeconfig',
      join(dir, 'kubeconfig'),
      '--watch-cache-size',
      String(N * 3),
    ],
    {
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    proc.stdout?.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes('\n')) resolve(out.trim());
    });
    proc.on('exit', (code) => reject(new Error(`server exited ${code}`)));
  });
  return { proc, url };
}

function rssBytes(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return Number(m?.[1] ?? 0) * 1024;
}

/**
 * Runs `count` requests (indices 0..count-1) with `IN_FLIGHT` outstanding, in 5 consecutive
 * chunks; returns the median chunk rate in requests per second (the machine is shared and noisy).
 */
async function pump(count: number, fn: (i: number) => Promise<unknown>): Promise<number> {
  const chunks = 5;
  const rates: number[] = [];
  for (let c = 0; c < chunks; c++) {
    const from = Math.floor((c * count) / chunks);
    const to = Math.floor(((c + 1) * count) / chunks);
    let next = from;
    const t0 = performance.now();
    const worker = async () => {
      while (next < to) {
        const i = next++;
        await fn(i);
      }
    };
    await Promise.all(Array.from({ length: IN_FLIGHT }, worker));
    rates.push((to - from) / ((performance.now() - t0) / 1000));
  }
  return median(rates);
}

const svc = (i: number): V1Service => ({
  metadata: { name: `svc-${i}`, labels: { app: `app-${i % 100}` } },
  // No NodePorts: the default range (30000-32767) holds fewer than 10k, as on a real cluster.
  spec: {
    type: 'LoadBalancer',
    allocateLoadBalancerNodePorts: false,
    ports: [{ name: 'http', port: 80 }],
    selector: { app: `app-${i % 100}` },
  },
});

/** The anchor: a bare HTTP echo server, same client, no API semantics. */
async function echoAnchor(count: number): Promise<{ createPerSec: number; putPerSec: number }> {
  let rv = 0;
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = JSON.parse(Buffer.concat(chunks).toString() || '{}') as {
        metadata?: Record<string, unknown>;
      };
      body.metadata = { ...body.metadata, resourceVersion: String(++rv) };
      res.writeHead(req.method === 'POST' ? 201 : 200, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify(body));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const port = (server.address() as AddressInfo).port;
  const kc = new KubeConfig();
  kc.loadFromString(kubeconfigFor(`http://127.0.0.1:${port}`, undefined));
  const core = kc.makeApiClient(CoreV1Api);
  const createPerSec = await pump(count, (i) =>
    core.createNamespacedService({ namespace: ns, body: svc(i) }),
  );
  const putPerSec = await pump(count, (i) =>
    core.replaceNamespacedServiceStatus({
      name: `svc-${i}`,
      namespace: ns,
      body: { ...svc(i), status: { loadBalancer: { ingress: [{ ip: '192.0.2.1' }] } } },
    }),
  );
  server.closeAllConnections();
  server.close();
  return { createPerSec, putPerSec };
}

/** Starts `n` client-node watches from `rv`; resolves when each has seen `expect` events. */
async function watchers(
  kc: KubeConfig,
  n: number,
  rv: string,
  expectEvents: number,
): Promise<{ done: Promise<number>; abort: () => void }> {
  const counts = new Array<number>(n).fill(0);
  const ctls: AbortController[] = [];
  let resolve: (t: number) => void = () => {};
  const done = new Promise<number>((r) => (resolve = r));
  let finished = 0;
  for (let w = 0; w < n; w++) {
    ctls.push(
      await new Watch(kc).watch(
        `/api/v1/namespaces/${ns}/services`,
        { resourceVersion: rv },
        (type) => {
          if (type === 'BOOKMARK') return;
          counts[w] = (counts[w] ?? 0) + 1;
          if (counts[w] === expectEvents && ++finished === n) resolve(performance.now());
        },
        () => undefined,
      ),
    );
  }
  return { done, abort: () => ctls.forEach((c) => c.abort()) };
}

const agent = new Agent({ keepAlive: true, maxSockets: IN_FLIGHT });

/** One request over a keep-alive node:http agent; resolves with the HTTP status. */
function raw(
  url: string,
  method: string,
  path: string,
  contentType: string,
  body: unknown,
): Promise<number> {
  const data = JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const headers = { 'Content-Type': contentType, 'Content-Length': Buffer.byteLength(data) };
    const req = request(`${url}${path}`, { method, agent, headers }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
    req.end(data);
  });
}

/** Status writes with a keep-alive HTTP client: what the server itself sustains. */
async function statusRoundKeepAlive(url: string, round: number): Promise<number> {
  return pump(N, async (i) => {
    const body = {
      status: { loadBalancer: { ingress: [{ ip: `192.0.2.${(round % 250) + 1}` }] } },
    };
    const code = await raw(
      url,
      'PATCH',
      `/api/v1/namespaces/${ns}/services/svc-${i}/status`,
      'application/merge-patch+json',
      body,
    );
    if (code !== 200) throw new Error(`status write: HTTP ${code}`);
  });
}

async function main(): Promise<void> {
  const { proc, url } = await startServer();
  try {
    const kc = new KubeConfig();
    kc.loadFromFile(join(dir, 'kubeconfig'));
    const core = kc.makeApiClient(CoreV1Api);
    await core.createNamespace({ body: { metadata: { name: ns } } });
    const rssStart = rssBytes(proc.pid as number);
    const sample = Math.min(N, 2000);
    const anchor = await echoAnchor(sample);

    // Raw write throughput through client-node (the controller's client): a sample of creates
    // and of status writes, against the echo anchor.
    const createPerSec = await pump(sample, (i) =>
      core.createNamespacedService({ namespace: ns, body: svc(i) }),
    );
    report.add({
      name: `Service creates via client-node (${IN_FLIGHT} in flight, ${sample})`,
      value: createPerSec,
      unit: 'writes/s',
      anchor: anchor.createPerSec,
      anchorName: 'bare HTTP echo, same client',
    });
    const statusPerSec = await pump(sample, (i) =>
      core.replaceNamespacedServiceStatus({
        name: `svc-${i}`,
        namespace: ns,
        body: { ...svc(i), status: { loadBalancer: { ingress: [{ ip: '192.0.2.1' }] } } },
      }),
    );
    report.add({
      name: `Service status writes via client-node (PUT /status, ${sample})`,
      value: statusPerSec,
      unit: 'writes/s',
      anchor: anchor.putPerSec,
      anchorName: 'bare HTTP echo, same client',
    });

    // The rest of the Services through a keep-alive client: what the server sustains.
    const rest = N - sample;
    if (rest > 0) {
      const keepAlive = await pump(rest, async (k) => {
        const i = sample + k;
        const code = await raw(
          url,
          'POST',
          `/api/v1/namespaces/${ns}/services`,
          'application/json',
          svc(i),
        );
        if (code !== 201) throw new Error(`create: HTTP ${code}`);
      });
      report.add({
        name: `Service creates via keep-alive node:http (${rest})`,
        value: keepAlive,
        unit: 'writes/s',
        anchor: createPerSec,
        anchorName: 'client-node creates',
      });
    }
    const rssLoaded = rssBytes(proc.pid as number);
    report.add({
      name: `server RSS with ${N} Services`,
      value: rssLoaded / 2 ** 20,
      unit: 'MiB',
      anchor: rssStart / 2 ** 20,
      anchorName: 'empty server',
    });

    const listTimes: number[] = [];
    for (let r = 0; r < 5; r++) {
      const t0 = performance.now();
      const l = await core.listNamespacedService({ namespace: ns });
      listTimes.push(performance.now() - t0);
      if (l.items.length !== N) throw new Error(`listed ${l.items.length}`);
    }
    const pagedTimes: number[] = [];
    for (let r = 0; r < 3; r++) {
      const t0 = performance.now();
      let cont: string | undefined;
      let total = 0;
      do {
        const l = await core.listNamespacedService({ namespace: ns, limit: 500, _continue: cont });
        total += l.items.length;
        cont = l.metadata?._continue;
      } while (cont);
      pagedTimes.push(performance.now() - t0);
      if (total !== N) throw new Error(`paged ${total}`);
    }
    const listRate = N / (median(listTimes) / 1000);
    report.add({
      name: `list ${N} Services via client-node, one request (median of 5)`,
      value: listRate,
      unit: 'objects/s',
      note: `${median(listTimes).toFixed(0)} ms`,
    });
    report.add({
      name: `list ${N} Services, limit=500 pages (median of 3)`,
      value: N / (median(pagedTimes) / 1000),
      unit: 'objects/s',
      anchor: listRate,
      anchorName: 'unpaged list',
      note: `${median(pagedTimes).toFixed(0)} ms`,
    });

    // Status writes (server-bound), then watch fan-out: watchers resume from the resourceVersion
    // before the writes, so the server replays N events to each as fast as it and client-node can.
    const rvBefore =
      (await core.listNamespacedService({ namespace: ns, limit: 1 })).metadata?.resourceVersion ??
      '0';
    const writeRate = await statusRoundKeepAlive(url, 2);
    report.add({
      name: `Service status writes via keep-alive node:http (${N})`,
      value: writeRate,
      unit: 'writes/s',
      anchor: statusPerSec,
      anchorName: 'client-node status writes',
    });
    const fan = async (n: number) => {
      const t0 = performance.now();
      const w = await watchers(kc, n, rvBefore, N);
      const tEnd = await w.done;
      w.abort();
      return (n * N) / ((tEnd - t0) / 1000);
    };
    const single = await fan(1);
    const rssBeforeFan = rssBytes(proc.pid as number);
    const multi = await fan(WATCHERS);
    const rssAfterFan = rssBytes(proc.pid as number);
    report.add({
      name: `watch fan-out: ${WATCHERS} client-node watchers × ${N} events`,
      value: multi,
      unit: 'objects/s',
      anchor: single,
      anchorName: '1 watcher, same events',
    });
    report.add({
      name: `server RSS after ${WATCHERS}-watcher fan-out`,
      value: rssAfterFan / 2 ** 20,
      unit: 'MiB',
      anchor: rssBeforeFan / 2 ** 20,
      anchorName: 'before fan-out',
    });

    // Initial-state fan-out: every watcher starts from "now" (resourceVersion 0): N ADDED each.
    const t0 = performance.now();
    const init = await watchers(kc, WATCHERS, '0', N);
    const tInit = await init.done;
    init.abort();
    report.add({
      name: `watch from rv=0: ${WATCHERS} watchers × ${N} initial ADDED`,
      value: (WATCHERS * N) / ((tInit - t0) / 1000),
      unit: 'objects/s',
      anchor: listRate,
      anchorName: 'unpaged list',
    });

    // Last, with the 10k Services still stored: what a user applying a big file waits for.
    await applyBench(report, kc, join(dir, 'kubeconfig'), dir);
  } finally {
    proc.kill('SIGTERM');
    await new Promise((r) => proc.on('exit', r));
    rmSync(dir, { recursive: true, force: true });
  }
  report.write();
}

await main();
