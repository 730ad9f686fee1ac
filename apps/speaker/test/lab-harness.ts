// What the speaker's integration tests and its bench share: the lab (tools/lab — node namespaces on
// one L2 segment, a FRR router with ECMP, a client, the test API server, kubelet / kube-proxy
// stand-ins) with MetalLB's CRDs, the real controller process (apps/controller/dist/main.js) in the
// API server's namespace, and one real speaker process (apps/speaker/dist/main.js, as an image
// runs it) per node, started directly in the node's namespace with MetalLB's environment. Each
// node also gets a stand-in speaker Pod (host network, MetalLB's labels) so that speakers find each
// other for memberlist through the API as they do in a cluster.
import { spawnSync } from 'node:child_process';
import { appendFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  control,
  downLab,
  inHost,
  kubectl as labKubectl,
  namespaceName,
  upLab,
  type LabInfo,
  type NodePlan,
} from '@ironlb/lab';
import { Netns, NsProcess, nodeBinary, workspaceRoot } from '@ironlb/netns-kit';

export const SPEAKER_MAIN = join(workspaceRoot, 'apps/speaker/dist/main.js');
export const CONTROLLER_MAIN = join(workspaceRoot, 'apps/controller/dist/main.js');
export const NS = 'metallb-system';
export const ML_LABELS = 'app.kubernetes.io/name=ironlb,app.kubernetes.io/component=speaker';
export const ML_SECRET = 'ironlb-memberlist';

/** MetalLB's manifests' metallb-excludel2 ConfigMap (the default interface exclusions). */
export const EXCLUDE_L2_YAML = `
apiVersion: v1
kind: ConfigMap
metadata: {name: metallb-excludel2, namespace: ${NS}}
data:
  excludel2.yaml: |
    announcedInterfacesToExclude: ["^docker.*", "^cbr.*", "^dummy.*", "^virbr.*", "^lxcbr.*", "^veth.*", "^lo$", "^cali.*", "^tunl.*", "^flannel.*", "^kube-ipvs.*", "^cni.*", "^nodelocaldns.*", "^lxc.*"]
`;

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export async function eventually<T>(
  what: string,
  check: () => T | undefined | false | Promise<T | undefined | false>,
  timeoutMs = 30_000,
  intervalMs = 100,
): Promise<T> {
  const end = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await check();
      if (v !== undefined && v !== false) return v;
      last = v;
    } catch (e) {
      last = e;
    }
    if (Date.now() > end)
      throw new Error(`${what}: not within ${timeoutMs} ms (last: ${String(last).slice(0, 300)})`);
    await sleep(intervalMs);
  }
}

export interface SpeakerHandle {
  readonly node: NodePlan;
  readonly proc: NsProcess;
  /** JSON log lines so far. */
  logs(): Record<string, unknown>[];
}

export interface SpeakerLabOptions {
  /** Lab name (a-z0-9, ≤ 10). */
  readonly name: string;
  /** Labels per node (the lab's scenario nodeLabels). */
  readonly scenarioLabels?: Record<string, Record<string, string>>;
  /** Extra speaker flags for every speaker. */
  readonly speakerArgs?: readonly string[];
  /** memberlist on (default true). */
  readonly memberlist?: boolean;
  /** Encrypt memberlist with the controller's Secret (default true). */
  readonly encrypt?: boolean;
  readonly progress?: (line: string) => void;
}

export class SpeakerLab {
  readonly speakers = new Map<string, SpeakerHandle>();
  controller: NsProcess | undefined;
  private readonly procs: NsProcess[] = [];
  readonly dir = mkdtempSync(join(tmpdir(), 'ironlb-speaker-lab-'));
  secret = '';

  readonly lab: LabInfo;
  readonly o: SpeakerLabOptions;

  private constructor(lab: LabInfo, o: SpeakerLabOptions) {
    this.lab = lab;
    this.o = o;
  }

  static async up(o: SpeakerLabOptions): Promise<SpeakerLab> {
    const lab = await upLab({
      name: o.name,
      scenario: { nodes: 3, router: 'frr', nodeLabels: o.scenarioLabels ?? {}, nodeGraceSec: 2 },
      progress: o.progress ?? (() => undefined),
    });
    const s = new SpeakerLab(lab, o);
    try {
      await s.install();
    } catch (e) {
      await s.down();
      throw e;
    }
    return s;
  }

  get nodes(): NodePlan[] {
    return this.lab.plan.nodes;
  }

  node(name: string): NodePlan {
    const n = this.nodes.find((x) => x.name === name);
    if (!n) throw new Error(`no node ${name}`);
    return n;
  }

  ns(host: string): Netns {
    const label =
      this.nodes.find((n) => n.name === host)?.label ??
      { client: 'client', router: 'router', apiserver: 'apiserver', 'client-wan': 'clientwan' }[
        host
      ] ??
      host;
    return new Netns(namespaceName(this.lab.name, label), label, (p) => this.procs.push(p));
  }

  kubectl(args: string[], input?: string): string {
    const r = labKubectl(this.lab, args, input);
    if (r.code !== 0) throw new Error(`kubectl ${args.join(' ')}: ${r.stderr || r.stdout}`);
    return r.stdout;
  }

  apply(yaml: string): void {
    this.kubectl(['apply', '--validate=false', '-f', '-'], yaml);
  }

  getJson<T = Record<string, unknown>>(args: string[]): T {
    return JSON.parse(this.kubectl([...args, '-o', 'json'])) as T;
  }

  /** Runs a command on a host and returns its output (no throw). */
  sh(host: string, argv: string[], timeoutMs = 20_000): { code: number; out: string } {
    const [cmd, ...rest] = inHost(this.lab, host, argv);
    const r = spawnSync(cmd as string, rest, { encoding: 'utf8', timeout: timeoutMs });
    return { code: r.status ?? 1, out: (r.stdout ?? '') + (r.stderr ?? '') };
  }

  private async install(): Promise<void> {
    this.kubectl(['create', 'namespace', NS]);
    this.kubectl(['apply', '-f', join(workspaceRoot, 'deploy/crds/all.yaml')]);
    this.apply(EXCLUDE_L2_YAML);
    // Stand-in speaker Pods: host network, MetalLB-style labels; their podIP is the node's address.
    const labels = Object.fromEntries(ML_LABELS.split(',').map((kv) => kv.split('=')));
    for (const n of this.nodes) {
      this.apply(
        JSON.stringify({
          apiVersion: 'v1',
          kind: 'Pod',
          metadata: { name: `speaker-${n.name}`, namespace: NS, labels },
          spec: {
            nodeName: n.name,
            hostNetwork: true,
            containers: [{ name: 'stand-in', image: 'registry.example/stand-in:1' }],
          },
        }),
      );
    }
    await eventually(
      'stand-in speaker pods with addresses',
      () => {
        const pods = this.getJson<{ items: { status?: { podIP?: string } }[] }>([
          'get',
          'pods',
          '-n',
          NS,
          '-l',
          ML_LABELS,
        ]);
        return pods.items.filter((p) => p.status?.podIP).length === this.nodes.length;
      },
      60_000,
      250,
    );
    this.startController();
    if (this.o.memberlist !== false && this.o.encrypt !== false) {
      const secret = await eventually(
        'the memberlist Secret',
        () => {
          const r = labKubectl(this.lab, [
            'get',
            'secret',
            '-n',
            NS,
            ML_SECRET,
            '-o',
            'jsonpath={.data.secretkey}',
          ]);
          return r.code === 0 && r.stdout.trim() !== '' ? r.stdout.trim() : undefined;
        },
        30_000,
      );
      this.secret = Buffer.from(secret, 'base64').toString('utf8');
      for (const n of this.nodes) this.writeKey(n.name, this.secret);
    }
  }

  /** The folder a node's memberlist key is "mounted" at (METALLB_ML_SECRET_KEY_PATH). */
  keyDir(node: string): string {
    return join(this.dir, node, 'ml_secret_key');
  }

  /** Writes a node's key file the way the kubelet updates a Secret volume (atomic replace). */
  writeKey(node: string, secret: string): void {
    const dir = this.keyDir(node);
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'secretkey.tmp'), secret);
    spawnSync('mv', ['-f', join(dir, 'secretkey.tmp'), join(dir, 'secretkey')]);
  }

  /** Keeps a process's output in <dir>/<name>.log (for a failing test's post-mortem). */
  persist(proc: NsProcess, name: string): void {
    const file = join(this.logDir, `${name}.log`);
    let out = 0;
    let err = 0;
    const flush = () => {
      const lines = proc.lines.slice(out).concat(proc.errLines.slice(err));
      out = proc.lines.length;
      err = proc.errLines.length;
      if (lines.length) appendFileSync(file, lines.join('\n') + '\n');
    };
    const t = setInterval(flush, 500);
    t.unref();
    void proc.waitForExit(24 * 3_600_000).then(
      () => {
        flush();
        clearInterval(t);
      },
      () => clearInterval(t),
    );
  }

  /** Where process logs are kept: $SPEAKER_LAB_LOGS, else a folder removed with the lab. */
  get logDir(): string {
    const d = process.env.SPEAKER_LAB_LOGS ?? join(this.dir, 'logs');
    mkdirSync(d, { recursive: true });
    return d;
  }

  private startController(): void {
    const p = this.ns('apiserver').spawn(
      [
        nodeBinary(),
        CONTROLLER_MAIN,
        '--kubeconfig',
        this.lab.kubeconfig,
        '--namespace',
        NS,
        '--ml-secret-name',
        ML_SECRET,
        '--webhook-mode',
        'disabled',
        '--port',
        '0',
        '--health-probe-port',
        '0',
        '--leader-elect=false',
      ],
      { env: { NODE_OPTIONS: '' } },
    );
    this.controller = p;
    this.persist(p, 'controller');
  }

  /** Starts (or restarts) the speaker of a node, in the node's namespace. */
  async startSpeaker(node: string, extraArgs: readonly string[] = []): Promise<SpeakerHandle> {
    const n = this.node(node);
    const memberlist = this.o.memberlist !== false;
    const env: NodeJS.ProcessEnv = {
      METALLB_NODE_NAME: n.name,
      METALLB_HOST: n.v4,
      METALLB_NAMESPACE: NS,
      METALLB_POD_NAME: `speaker-${n.name}`,
      ...(memberlist
        ? {
            METALLB_ML_BIND_ADDR: n.v4,
            METALLB_ML_BIND_PORT: '7946',
            METALLB_ML_LABELS: ML_LABELS,
            ...(this.o.encrypt !== false
              ? { METALLB_ML_SECRET_KEY_PATH: this.keyDir(n.name) }
              : {}),
          }
        : {}),
    };
    const proc = this.ns(n.name).spawn(
      [
        nodeBinary(),
        SPEAKER_MAIN,
        '--kubeconfig',
        this.lab.kubeconfig,
        '--port',
        '9120',
        ...(this.o.speakerArgs ?? []),
        ...extraArgs,
      ],
      { env },
    );
    const h: SpeakerHandle = {
      node: n,
      proc,
      logs: () => proc.jsonLines(),
    };
    this.persist(proc, `speaker-${n.name}`);
    this.speakers.set(n.name, h);
    await proc.waitForLine(/"speaker started"/, 60_000);
    return h;
  }

  async startSpeakers(): Promise<void> {
    await Promise.all(this.nodes.map((n) => this.startSpeaker(n.name)));
  }

  /**
   * Pulls a node's cable, or plugs it back: nothing leaves its NIC (a blackhole qdisc) and nothing
   * arrives (an ingress drop), as the lab's own `crash` does, without killing the node's pods.
   */
  async link(node: string, state: 'up' | 'down'): Promise<void> {
    const ns = this.ns(node);
    if (state === 'down') {
      await ns.exec(['tc', 'qdisc', 'replace', 'dev', 'eth0', 'root', 'blackhole']);
      await ns.exec(['nft', 'add', 'table', 'netdev', 'ilbspkcut']);
      await ns.exec([
        'nft',
        'add chain netdev ilbspkcut in { type filter hook ingress device "eth0" priority 0; policy drop; }',
      ]);
    } else {
      await ns.exec(['tc', 'qdisc', 'del', 'dev', 'eth0', 'root']);
      await ns.exec(['nft', 'delete', 'table', 'netdev', 'ilbspkcut']);
    }
  }

  /** The MAC of a node's segment NIC. */
  async mac(node: string): Promise<string> {
    return this.ns(node).mac('eth0');
  }

  control<T>(cmd: string, args: Record<string, string> = {}): Promise<T> {
    return control<T>(this.lab.name, cmd, args);
  }

  /** /metrics of a node's speaker (HTTPS, self-signed), as text. */
  metrics(node: string): string {
    const n = this.node(node);
    return this.sh(node, ['curl', '-sk', '-m', '5', `https://${n.v4}:9120/metrics`]).out;
  }

  async down(): Promise<void> {
    for (const p of [...this.procs].reverse()) {
      if (p.running) await p.stop(2000).catch(() => undefined);
    }
    await downLab(this.lab.name).catch(() => undefined);
    rmSync(this.dir, { recursive: true, force: true });
  }
}
