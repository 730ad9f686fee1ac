// What the controller's integration tests share: a test API server with MetalLB's CRDs, clients
// (@kubernetes/client-node, as any user's tooling), the real controller process (the built
// dist/main.js, as an image runs it), and a watch that records every address a Service ever shows.
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer, type AddressInfo } from 'node:net';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import {
  CoreV1Api,
  CustomObjectsApi,
  KubernetesObjectApi,
  Watch,
  loadAllYaml,
  type KubeConfig,
  type KubernetesObject,
  type V1Service,
} from '@kubernetes/client-node';
import { startTestApiServer, type TestApiServer } from '@ironlb/test-apiserver';

export const ROOT = resolve(import.meta.dirname, '../../..');
export const MAIN = join(ROOT, 'apps/controller/dist/main.js');
export const NS = 'metallb-system';

/** Polls `check` until it returns something other than undefined/false. */
export async function eventually<T>(
  check: () => T | undefined | false | Promise<T | undefined | false>,
  timeoutMs = 20_000,
  what = 'condition',
): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await check();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > end) throw new Error(`${what} not met within ${timeoutMs} ms`);
    await sleep(25);
  }
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** A TCP port free right now (for flags where 0 means "disabled", like MetalLB's --port). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

export interface Cluster {
  server: TestApiServer;
  kc: KubeConfig;
  core: CoreV1Api;
  custom: CustomObjectsApi;
  objects: KubernetesObjectApi;
  dir: string;
  kubeconfigPath: string;
  dataFile: string | undefined;
  /** Stops the API server (keeps the data file when there is one). */
  stopServer(): Promise<void>;
  /** Starts the API server again on the same port, from the data file. */
  restartServer(): Promise<void>;
  close(): Promise<void>;
}

export interface ClusterOptions {
  /** Keep objects in a file so the server can restart (default false). */
  persistent?: boolean;
  /** Watch cache size (default the server's). */
  watchCacheSize?: number;
}

export async function startCluster(opts: ClusterOptions = {}): Promise<Cluster> {
  const dir = mkdtempSync(join(tmpdir(), 'ironlb-controller-'));
  const kubeconfigPath = join(dir, 'kubeconfig');
  const dataFile = opts.persistent ? join(dir, 'data.json') : undefined;
  const start = (listen: string) =>
    startTestApiServer({
      tls: false,
      listen,
      kubeconfigPath,
      ...(dataFile ? { dataFile } : {}),
      ...(opts.watchCacheSize ? { watchCacheSize: opts.watchCacheSize } : {}),
    });
  let server = await start('127.0.0.1:0');
  const port = new URL(server.url).port;
  const kc = server.kubeConfig();
  const cluster: Cluster = {
    get server() {
      return server;
    },
    kc,
    core: kc.makeApiClient(CoreV1Api),
    custom: kc.makeApiClient(CustomObjectsApi),
    objects: KubernetesObjectApi.makeApiClient(kc),
    dir,
    kubeconfigPath,
    dataFile,
    stopServer: () => server.stop(),
    async restartServer() {
      server = await start(`127.0.0.1:${port}`);
    },
    async close() {
      await server.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  } as Cluster;
  await cluster.core.createNamespace({ body: { metadata: { name: NS } } });
  await applyYaml(cluster, readFileSync(join(ROOT, 'deploy/crds/all.yaml'), 'utf8'));
  return cluster;
}

/** Creates every object of a YAML stream (client-node's typed parser keeps CRD schemas intact). */
export async function applyYaml(c: Cluster, text: string): Promise<KubernetesObject[]> {
  const out: KubernetesObject[] = [];
  for (const obj of loadAllYaml(text) as KubernetesObject[]) {
    if (!obj) continue;
    out.push(await c.objects.create(obj));
  }
  return out;
}

export function poolObject(
  name: string,
  addresses: string[],
  spec: Record<string, unknown> = {},
): KubernetesObject & { spec: unknown } {
  return {
    apiVersion: 'metallb.io/v1beta1',
    kind: 'IPAddressPool',
    metadata: { name, namespace: NS },
    spec: { addresses, ...spec },
  };
}

export async function createPool(
  c: Cluster,
  name: string,
  addresses: string[],
  spec: Record<string, unknown> = {},
): Promise<void> {
  await c.objects.create(poolObject(name, addresses, spec));
}

export interface ServiceDef {
  name: string;
  namespace?: string;
  annotations?: Record<string, string>;
  labels?: Record<string, string>;
  type?: string;
  ports?: { port: number; protocol?: string }[];
  loadBalancerIP?: string;
  loadBalancerClass?: string;
  ipFamilyPolicy?: string;
  ipFamilies?: string[];
  externalTrafficPolicy?: string;
  selector?: Record<string, string>;
}

export function serviceBody(d: ServiceDef): V1Service {
  return {
    metadata: {
      name: d.name,
      ...(d.annotations ? { annotations: d.annotations } : {}),
      ...(d.labels ? { labels: d.labels } : {}),
    },
    spec: {
      type: d.type ?? 'LoadBalancer',
      ports: (d.ports ?? [{ port: 80 }]).map((p) => ({
        port: p.port,
        protocol: p.protocol ?? 'TCP',
      })),
      selector: d.selector ?? { app: d.name },
      ...(d.loadBalancerIP ? { loadBalancerIP: d.loadBalancerIP } : {}),
      ...(d.loadBalancerClass ? { loadBalancerClass: d.loadBalancerClass } : {}),
      ...(d.ipFamilyPolicy ? { ipFamilyPolicy: d.ipFamilyPolicy } : {}),
      ...(d.ipFamilies ? { ipFamilies: d.ipFamilies } : {}),
      ...(d.externalTrafficPolicy ? { externalTrafficPolicy: d.externalTrafficPolicy } : {}),
    },
  };
}

export async function createService(c: Cluster, d: ServiceDef): Promise<V1Service> {
  return c.core.createNamespacedService({
    namespace: d.namespace ?? 'default',
    body: serviceBody(d),
  });
}

export const ingressOf = (s: V1Service | undefined): string[] =>
  (s?.status?.loadBalancer?.ingress ?? []).map((i) => i.ip ?? '').filter((x) => x !== '');

const keyOf = (s: V1Service) => `${s.metadata?.namespace}/${s.metadata?.name}`;

/** Records every distinct address list each Service shows, from a watch started now. */
export class ServiceWatch {
  readonly history = new Map<string, string[][]>();
  readonly current = new Map<string, V1Service>();
  /** Status/annotation changes seen (MODIFIED events whose ingress or pool annotation changed). */
  statusChanges = 0;
  modified = 0;
  private req: { abort(): void } | undefined;
  private stopped = false;

  constructor(private readonly c: Cluster) {}

  async start(): Promise<void> {
    await this.relist();
  }

  /** Completed lists (1 after start(); more after a 410). */
  lists = 0;

  private async relist(): Promise<void> {
    const list = await this.c.core.listServiceForAllNamespaces();
    for (const s of list.items) this.record(this.current.has(keyOf(s)) ? 'MODIFIED' : 'ADDED', s);
    this.lists++;
    await this.watch(list.metadata?.resourceVersion ?? '');
  }

  private async watch(rv: string): Promise<void> {
    let last = rv;
    let expired = false;
    const w = new Watch(this.c.kc);
    const again = () => {
      if (this.stopped) return;
      // Reconnect from where we were (API server restarts), or relist after 410 Gone.
      setTimeout(() => void (expired ? this.relist() : this.watch(last)).catch(again), 200);
    };
    try {
      this.req = await w.watch(
        '/api/v1/services',
        { resourceVersion: last, allowWatchBookmarks: true },
        (type, obj: V1Service) => {
          if (type === 'ERROR') {
            expired = true;
            return;
          }
          if (obj?.metadata?.resourceVersion) last = obj.metadata.resourceVersion;
          if (type === 'ADDED' || type === 'MODIFIED' || type === 'DELETED') this.record(type, obj);
        },
        () => again(),
      );
    } catch {
      again();
    }
  }

  private record(type: string, s: V1Service): void {
    const key = keyOf(s);
    if (type === 'DELETED') {
      this.current.delete(key);
      return;
    }
    const before = this.current.get(key);
    if (type === 'MODIFIED') this.modified++;
    const pool = (o: V1Service | undefined) =>
      o?.metadata?.annotations?.['metallb.io/ip-allocated-from-pool'];
    if (before && (ingressOf(before).join() !== ingressOf(s).join() || pool(before) !== pool(s)))
      this.statusChanges++;
    this.current.set(key, s);
    const ips = ingressOf(s);
    const h = this.history.get(key) ?? [];
    if (ips.length > 0 && (h.length === 0 || h.at(-1)!.join() !== ips.join())) h.push(ips);
    this.history.set(key, h);
  }

  ips(key: string): string[] {
    return ingressOf(this.current.get(key));
  }

  /** Keys whose address list ever changed after it was first set. */
  changed(): string[] {
    return [...this.history].filter(([, h]) => h.length > 1).map(([k]) => k);
  }

  /** Addresses held by more than one Service right now (no sharing keys in these tests). */
  duplicates(): string[] {
    const seen = new Map<string, string>();
    const dups: string[] = [];
    for (const [k, s] of this.current) {
      for (const ip of ingressOf(s)) {
        if (seen.has(ip)) dups.push(`${ip}: ${seen.get(ip)} and ${k}`);
        seen.set(ip, k);
      }
    }
    return dups;
  }

  stop(): void {
    this.stopped = true;
    this.req?.abort();
  }
}

export interface LogLine {
  level: string;
  ts: string;
  msg: string;
  [k: string]: unknown;
}

/** The real controller, run as a process from the built bundle. */
export class ControllerProcess {
  readonly logs: LogLine[] = [];
  stderr = '';
  readonly exited: Promise<number | null>;
  private buf = '';

  private constructor(
    readonly proc: ChildProcess,
    readonly name: string,
  ) {
    proc.stdout!.setEncoding('utf8');
    proc.stdout!.on('data', (d: string) => {
      this.buf += d;
      let nl: number;
      while ((nl = this.buf.indexOf('\n')) >= 0) {
        const line = this.buf.slice(0, nl);
        this.buf = this.buf.slice(nl + 1);
        try {
          this.logs.push(JSON.parse(line) as LogLine);
        } catch {
          this.logs.push({ level: 'raw', ts: '', msg: line });
        }
      }
    });
    proc.stderr!.on('data', (d: Buffer) => (this.stderr += d.toString()));
    this.exited = new Promise((r) => proc.on('exit', (code) => r(code)));
    running.add(this);
    void this.exited.then(() => running.delete(this));
  }

  static start(
    c: Pick<Cluster, 'kubeconfigPath'>,
    name: string,
    extra: string[] = [],
    kubeconfig?: string,
  ): ControllerProcess {
    if (!existsSync(MAIN)) throw new Error(`${MAIN} is missing: run \`npm run build\` first`);
    const args = [
      MAIN,
      '--kubeconfig',
      kubeconfig ?? c.kubeconfigPath,
      '--namespace',
      NS,
      '--pod-name',
      name,
      '--port',
      '0',
      '--health-probe-port',
      '0',
      '--webhook-port',
      '0',
      '--leader-elect-lease-duration',
      '2s',
      '--leader-elect-renew-deadline',
      '1500ms',
      '--leader-elect-retry-period',
      '300ms',
      ...extra,
    ];
    const proc = spawn(process.execPath, args, {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, METALLB_BGP_TYPE: 'frr-k8s' },
    });
    return new ControllerProcess(proc, name);
  }

  find(pred: (l: LogLine) => boolean): LogLine | undefined {
    return this.logs.find(pred);
  }

  waitFor(pred: (l: LogLine) => boolean, timeoutMs = 20_000, what = 'log line'): Promise<LogLine> {
    return eventually(
      () => {
        if (this.proc.exitCode !== null)
          throw new Error(`${this.name} exited ${this.proc.exitCode}: ${this.stderr}`);
        return this.find(pred);
      },
      timeoutMs,
      `${this.name}: ${what}`,
    );
  }

  async started(): Promise<{ healthPort: number; metricsPort: number; webhookPort: number }> {
    const l = await this.waitFor((x) => x.msg === 'controller started', 30_000, 'start');
    return l as unknown as { healthPort: number; metricsPort: number; webhookPort: number };
  }

  kill(signal: NodeJS.Signals = 'SIGKILL'): Promise<number | null> {
    if (this.proc.exitCode === null && this.proc.signalCode === null) this.proc.kill(signal);
    return this.exited;
  }
}

const running = new Set<ControllerProcess>();
/** Kills every controller a test left running (afterAll / afterEach). */
export async function killAll(): Promise<void> {
  await Promise.all([...running].map((p) => p.kill('SIGKILL')));
}

/** Events in a namespace with a reason, as `type reason: message`. */
export async function eventsFor(c: Cluster, namespace: string, name?: string): Promise<string[]> {
  const list = await c.core.listNamespacedEvent({ namespace });
  return list.items
    .filter((e) => !name || e.involvedObject.name === name)
    .map((e) => `${e.type} ${e.reason}: ${e.message}`);
}
