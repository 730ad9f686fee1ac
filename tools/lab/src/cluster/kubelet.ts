// The kubelet stand-in for every node of the lab: pods assigned to a node get a network namespace
// on the node's pod bridge (or the node's own, for hostNetwork pods), their volumes and
// environment, their containers started and probed, and their status written back — so Pod
// objects, EndpointSlices and `kubectl get pods -o wide` say what really runs.
import { mkdirSync, rmSync, writeFileSync, renameSync, existsSync, readFileSync } from 'node:fs';
import { join, dirname } from 'node:path';
import type { V1Container, V1Pod, V1PodStatus } from '@kubernetes/client-node';
import { deleteNamespace, run } from '@ironlb/netns-kit';
import { nsHandle, POD_BRIDGE } from '../network.ts';
import { namespaceName, podAddresses, type LabPlan, type NodePlan } from '../plan.ts';
import { statusOf, type ClusterApi } from './api.ts';
import { Container } from './container.ts';
import { containerScript, type Mount } from './mounts.ts';
import {
  PodSpecError,
  SA_MOUNT,
  securityOf,
  setprivArgv,
  containerArgv,
  containerEnv,
  volumeFiles,
  wantsServiceAccountMount,
  type PodContext,
} from './podspec.ts';
import { probeOnce, type ProbeTarget } from './probes.ts';
import { mergePatch } from './workloads.ts';

export interface ImageRun {
  /** The image's ENTRYPOINT when the pod gives no command. */
  entrypoint: string[];
  /** A folder of the machine shown to the container (the image's own files, e.g. /opt/ironlb). */
  tree?: { source: string; target: string };
  /** An application image: run the lab's pod server on the pod's and Services' ports. */
  appServer?: boolean;
  workingDir?: string;
  /** The image's USER (0 when it runs as root). */
  user?: number;
}

export interface KubeletDeps {
  lab: string;
  plan: LabPlan;
  stateDir: string;
  api: ClusterApi;
  image(image: string): ImageRun;
  caPem: string;
  kubernetesService: { host: string; port: number };
  /** A ServiceAccount token for a pod (TokenRequest), refreshed by the caller's policy. */
  token(namespace: string, serviceAccount: string): Promise<string>;
  /** Ports the pod server of an app pod listens on (container ports + selecting Services' targetPorts). */
  appPorts(pod: V1Pod): { port: number; protocol: 'TCP' | 'UDP' }[];
  log(line: string): void;
  /** A container's output line, for `kubectl logs` (pods/log). */
  podLog(namespace: string, pod: string, container: string, line: string): void;
  nodeBinary: string;
  podServerScript: string;
}

interface RunningPod {
  uid: string;
  namespace: string;
  name: string;
  node: NodePlan;
  netns: string;
  /** Own namespace (deleted with the pod), or the node's. */
  ownNetns: boolean;
  slot: number | undefined;
  ips: string[];
  dir: string;
  containers: Map<string, Container>;
  probeTimers: ReturnType<typeof setInterval>[];
  stopping: boolean;
  configError: string | undefined;
  lastStatus: string;
  appPortsJson?: string;
}

const isV6 = (a: string) => a.includes(':');
/**
 * Where a container finds the workspace's Node 24, bind-mounted read-only (the image's `node`).
 * Mounted, not reached through the workspace's own path: a pod that runs as another user
 * (the controller: uid 65534, as in MetalLB's manifests) cannot enter a workspace below a 0700
 * folder (what `mktemp -d` makes), and would otherwise start the machine's older Node.
 */
export const POD_NODE_DIR = '/opt/ironlb-lab/node/bin';

export class Kubelet {
  private readonly pods = new Map<string, RunningPod>();
  private readonly slots = new Map<string, Set<number>>();
  /** Nodes whose machine is down (crash) or shut down (drain): nothing runs there. */
  readonly down = new Map<string, { since: number; how: 'crash' | 'drain' }>();
  private readonly statusTimers = new Set<ReturnType<typeof setTimeout>>();

  private readonly d: KubeletDeps;
  constructor(d: KubeletDeps) {
    this.d = d;
  }

  private nodePlan(name: string | undefined): NodePlan | undefined {
    return this.d.plan.nodes.find((n) => n.name === name);
  }

  /** Starts what is assigned and not running, stops what is gone, refreshes volumes and status. */
  async reconcile(): Promise<void> {
    const wanted = new Map<string, V1Pod>();
    for (const p of this.d.api.pods.list()) {
      const node = this.nodePlan(p.spec?.nodeName);
      if (!node || !p.metadata?.uid) continue;
      if (p.metadata.deletionTimestamp) continue;
      wanted.set(p.metadata.uid, p);
    }
    for (const [uid, rp] of this.pods) {
      if (!wanted.has(uid) && !rp.stopping) void this.stopPod(rp, 'deleted');
    }
    for (const [uid, pod] of wanted) {
      let rp = this.pods.get(uid);
      if (!rp) {
        if (this.down.has(pod.spec?.nodeName ?? '')) continue;
        try {
          rp = await this.admit(pod);
        } catch (e) {
          this.d.log(
            `pod ${pod.metadata?.namespace}/${pod.metadata?.name}: cannot start: ${(e as Error).message}`,
          );
          continue;
        }
      }
      if (!this.down.has(rp.node.name)) await this.refresh(rp, pod);
      await this.writeStatus(rp, pod);
    }
  }

  private allocSlot(node: NodePlan): number {
    const used = this.slots.get(node.name) ?? new Set<number>();
    this.slots.set(node.name, used);
    for (let s = 0; s < 240; s++) {
      if (!used.has(s)) {
        used.add(s);
        return s;
      }
    }
    throw new Error(`node ${node.name}: no free pod address`);
  }

  private async admit(pod: V1Pod): Promise<RunningPod> {
    const node = this.nodePlan(pod.spec?.nodeName) as NodePlan;
    const uid = pod.metadata?.uid as string;
    const hostNetwork = pod.spec?.hostNetwork === true;
    const dir = join(
      this.d.stateDir,
      'pods',
      `${pod.metadata?.namespace}_${pod.metadata?.name}_${uid.slice(0, 8)}`,
    );
    mkdirSync(dir, { recursive: true });
    const nodeNs = namespaceName(this.d.lab, node.label);
    let rp: RunningPod;
    if (hostNetwork) {
      rp = {
        uid,
        namespace: pod.metadata?.namespace ?? 'default',
        name: pod.metadata?.name ?? '',
        node,
        netns: nodeNs,
        ownNetns: false,
        slot: undefined,
        ips: [node.v4, node.v6],
        dir,
        containers: new Map(),
        probeTimers: [],
        stopping: false,
        configError: undefined,
        lastStatus: '',
      };
    } else {
      const slot = this.allocSlot(node);
      const { v4, v6 } = podAddresses(node, slot);
      const netns = namespaceName(this.d.lab, `p${node.index}s${slot}`);
      const host = nsHandle(nodeNs, node.label);
      await run(['ip', 'netns', 'del', netns]).catch(() => undefined);
      await run(['ip', 'netns', 'add', netns]);
      const podNs = nsHandle(netns, 'pod');
      await podNs.run(['ip', 'link', 'set', 'dev', 'lo', 'up']);
      const hostIf = `vp${slot}`;
      await host.exec(['ip', 'link', 'del', hostIf]);
      await host.run([
        'ip',
        'link',
        'add',
        'name',
        hostIf,
        'type',
        'veth',
        'peer',
        'name',
        'eth0',
        'netns',
        netns,
      ]);
      await host.run(['ip', 'link', 'set', 'dev', hostIf, 'master', POD_BRIDGE]);
      await host.run(['ip', 'link', 'set', 'dev', hostIf, 'up']);
      await podNs.run(['ip', 'addr', 'add', `${v4}/24`, 'dev', 'eth0']);
      await podNs.run(['ip', 'addr', 'add', `${v6}/64`, 'dev', 'eth0', 'nodad']);
      await podNs.run(['ip', 'link', 'set', 'dev', 'eth0', 'up']);
      await podNs.run(['ip', 'route', 'add', 'default', 'via', node.bridgeV4]);
      await podNs.run(['ip', '-6', 'route', 'add', 'default', 'via', node.bridgeV6]);
      rp = {
        uid,
        namespace: pod.metadata?.namespace ?? 'default',
        name: pod.metadata?.name ?? '',
        node,
        netns,
        ownNetns: true,
        slot,
        ips: [v4, v6],
        dir,
        containers: new Map(),
        probeTimers: [],
        stopping: false,
        configError: undefined,
        lastStatus: '',
      };
    }
    this.pods.set(uid, rp);
    await this.startContainers(rp, pod);
    return rp;
  }

  private context(rp: RunningPod, pod: V1Pod): PodContext {
    return {
      pod,
      hostIP: rp.node.v4,
      hostIPs: [rp.node.v4, rp.node.v6],
      podIP: rp.ips[0] as string,
      podIPs: rp.ips,
      secret: (ns, name) => this.d.api.secrets.get(name, ns),
      configMap: (ns, name) => this.d.api.configMaps.get(name, ns),
      kubernetesService: this.d.kubernetesService,
    };
  }

  /** Writes a volume's files into its folder; returns whether anything changed. */
  private writeVolume(folder: string, files: Record<string, string | Uint8Array>): boolean {
    mkdirSync(folder, { recursive: true });
    let changed = false;
    for (const [rel, content] of Object.entries(files)) {
      const file = join(folder, rel);
      const bytes = typeof content === 'string' ? Buffer.from(content) : Buffer.from(content);
      if (existsSync(file) && readFileSync(file).equals(bytes)) continue;
      mkdirSync(dirname(file), { recursive: true });
      // Atomic replace, as the kubelet's ..data swap: a reader never sees half a file.
      writeFileSync(`${file}.tmp`, bytes);
      renameSync(`${file}.tmp`, file);
      changed = true;
    }
    return changed;
  }

  private async mountsFor(rp: RunningPod, pod: V1Pod, c: V1Container): Promise<Mount[]> {
    const ctx = this.context(rp, pod);
    const mounts: Mount[] = [];
    const sa = pod.spec?.serviceAccountName ?? 'default';
    const token = await this.d.token(rp.namespace, sa);
    for (const vm of c.volumeMounts ?? []) {
      const vol = pod.spec?.volumes?.find((v) => v.name === vm.name);
      if (!vol)
        throw new PodSpecError('CreateContainerConfigError', `volume "${vm.name}" not found`);
      const vf = volumeFiles(ctx, vol, token, this.d.caPem);
      const folder = vf.hostPath ?? join(rp.dir, 'volumes', vol.name);
      if (!vf.hostPath) this.writeVolume(folder, vf.files);
      const source = vm.subPath ? join(folder, vm.subPath) : folder;
      mounts.push({
        source,
        target: vm.mountPath,
        readOnly: vm.readOnly === true || !!vol.secret || !!vol.configMap || !!vol.projected,
        file: vm.subPath !== undefined,
      });
    }
    if (wantsServiceAccountMount(pod, c)) {
      const folder = join(rp.dir, 'volumes', 'kube-api-access');
      this.writeVolume(folder, { token, 'ca.crt': this.d.caPem, namespace: rp.namespace });
      mounts.push({ source: folder, target: SA_MOUNT, readOnly: true });
    }
    return mounts;
  }

  private async startContainers(rp: RunningPod, pod: V1Pod): Promise<void> {
    rp.configError = undefined;
    for (const c of pod.spec?.containers ?? []) {
      const existing = rp.containers.get(c.name);
      if (existing?.running) continue;
      try {
        const img = this.d.image(c.image ?? '');
        const env = {
          PATH: `${POD_NODE_DIR}:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin`,
          ...containerEnv(this.context(rp, pod), c),
        };
        const mounts = await this.mountsFor(rp, pod, c);
        let argv: string[];
        if (img.appServer) {
          const portsFile = join(rp.dir, 'ports.json');
          rp.appPortsJson = JSON.stringify(this.d.appPorts(pod));
          writeFileSync(portsFile, rp.appPortsJson);
          argv = [
            this.d.nodeBinary,
            this.d.podServerScript,
            '--pod',
            rp.name,
            '--node',
            rp.node.name,
            '--ports-file',
            portsFile,
          ];
        } else {
          if (img.tree)
            mounts.unshift({ source: img.tree.source, target: img.tree.target, readOnly: true });
          mounts.unshift({
            source: dirname(this.d.nodeBinary),
            target: POD_NODE_DIR,
            readOnly: true,
          });
          argv = containerArgv(c, env, img.entrypoint);
        }
        const script = containerScript(
          mounts,
          env,
          argv,
          join(rp.dir, 'scratch', c.name),
          c.workingDir ?? img.workingDir,
          setprivArgv(securityOf(pod, c, img.user ?? 0)),
        );
        const container =
          existing ??
          new Container({
            name: c.name,
            image: c.image ?? '',
            netns: rp.netns,
            script,
            logFile: join(rp.dir, `${c.name}.log`),
            restartPolicy:
              (pod.spec?.restartPolicy as 'Always' | 'OnFailure' | 'Never' | undefined) ?? 'Always',
            onLine: c.readinessProbe
              ? undefined
              : (line) => {
                  // No readiness probe: ready once the process runs (app pods: once listening).
                  if (!img.appServer || line.startsWith('ready')) this.markReady(rp, c.name);
                },
            onChange: () => this.kickStatus(rp),
            sink: (line) => this.d.podLog(rp.namespace, rp.name, c.name, line),
          });
        (container.spec as { script: string }).script = script;
        rp.containers.set(c.name, container);
        container.start();
        if (!c.readinessProbe && !img.appServer) setTimeout(() => this.markReady(rp, c.name), 200);
        this.startProbes(rp, c, container);
      } catch (e) {
        rp.configError = e instanceof PodSpecError ? e.message : String((e as Error).message ?? e);
        this.d.log(`pod ${rp.namespace}/${rp.name} container ${c.name}: ${rp.configError}`);
      }
    }
  }

  private markReady(rp: RunningPod, name: string): void {
    const c = rp.containers.get(name);
    if (c && c.running && !c.ready) {
      c.ready = true;
      this.kickStatus(rp);
    }
  }

  private startProbes(rp: RunningPod, spec: V1Container, c: Container): void {
    const target = (): ProbeTarget => ({
      podIP: rp.ips[0] as string,
      ports: spec.ports ?? [],
      nodeNetns: namespaceName(this.d.lab, rp.node.label),
    });
    for (const [kind, probe] of [
      ['readiness', spec.readinessProbe],
      ['liveness', spec.livenessProbe],
    ] as const) {
      if (!probe) continue;
      const periodMs = (probe.periodSeconds ?? 10) * 1000;
      const delayMs = (probe.initialDelaySeconds ?? 0) * 1000;
      let failures = 0;
      let successes = 0;
      const tick = async () => {
        if (!c.running || rp.stopping) return;
        const ok = await probeOnce(probe, target(), rp.netns);
        if (ok) {
          failures = 0;
          successes++;
          if (kind === 'readiness' && successes >= (probe.successThreshold ?? 1) && !c.ready) {
            c.ready = true;
            this.kickStatus(rp);
          }
        } else {
          successes = 0;
          failures++;
          if (failures >= (probe.failureThreshold ?? 3)) {
            if (kind === 'readiness' && c.ready) {
              c.ready = false;
              this.kickStatus(rp);
            }
            if (kind === 'liveness') {
              this.d.log(
                `pod ${rp.namespace}/${rp.name} container ${spec.name}: liveness probe failed ${failures}×, restarting`,
              );
              failures = 0;
              c.restartForLiveness();
            }
          }
        }
      };
      const first = setTimeout(
        () => {
          void tick();
          rp.probeTimers.push(setInterval(() => void tick(), periodMs));
        },
        Math.max(200, delayMs),
      );
      rp.probeTimers.push(first as unknown as ReturnType<typeof setInterval>);
    }
  }

  /** Volumes follow their Secrets and ConfigMaps; app pods follow their Services' ports. */
  private async refresh(rp: RunningPod, pod: V1Pod): Promise<void> {
    if (rp.stopping) return;
    const notRunning = [...rp.containers.values()].every(
      (c) => !c.running && c.state.kind !== 'waiting',
    );
    if (rp.containers.size === 0 || rp.configError || notRunning) {
      if (rp.containers.size === 0 || rp.configError) await this.startContainers(rp, pod);
      return;
    }
    for (const c of pod.spec?.containers ?? []) {
      try {
        await this.mountsFor(rp, pod, c);
      } catch {
        // keeps the last files, as the kubelet does when a Secret disappears
      }
    }
    const portsFile = join(rp.dir, 'ports.json');
    if (rp.appPortsJson !== undefined) {
      const now = JSON.stringify(this.d.appPorts(pod));
      if (now !== rp.appPortsJson) {
        rp.appPortsJson = now;
        writeFileSync(portsFile, now);
        for (const c of rp.containers.values()) if (c.pid) process.kill(c.pid, 'SIGHUP');
      }
    }
  }

  private kickStatus(rp: RunningPod): void {
    const t = setTimeout(() => {
      this.statusTimers.delete(t);
      const pod = this.d.api.pods.list(rp.namespace).find((p) => p.metadata?.uid === rp.uid);
      if (pod) void this.writeStatus(rp, pod);
    }, 20);
    this.statusTimers.add(t);
  }

  private podStatus(rp: RunningPod, pod: V1Pod): V1PodStatus {
    const down = this.down.get(rp.node.name);
    const graceMs = this.d.plan.scenario.nodeGraceSec * 1000;
    const nodeGone = down !== undefined && Date.now() - down.since >= graceMs;
    const statuses = (pod.spec?.containers ?? []).map((c) => {
      const k = rp.containers.get(c.name);
      const st = k?.state ?? {
        kind: 'waiting' as const,
        reason: rp.configError ? 'CreateContainerConfigError' : 'ContainerCreating',
        message: rp.configError,
      };
      const toK8s = (s: NonNullable<typeof k>['state']) =>
        s.kind === 'running'
          ? { running: { startedAt: new Date(s.startedAt) } }
          : s.kind === 'waiting'
            ? { waiting: { reason: s.reason, ...(s.message ? { message: s.message } : {}) } }
            : {
                terminated: {
                  exitCode: s.exitCode,
                  reason: s.reason,
                  startedAt: new Date(s.startedAt),
                  finishedAt: new Date(s.finishedAt),
                  ...(s.signal ? { signal: 0 } : {}),
                },
              };
      return {
        name: c.name,
        image: c.image ?? '',
        imageID: '',
        containerID: k?.pid ? `lab://${k.pid}` : undefined,
        ready: (k?.ready ?? false) && !nodeGone,
        started: k?.running ?? false,
        restartCount: k?.restartCount ?? 0,
        state: toK8s(st),
        ...(k?.lastState && k.state !== k.lastState ? { lastState: toK8s(k.lastState) } : {}),
      };
    });
    const allReady = statuses.length > 0 && statuses.every((s) => s.ready);
    const running = statuses.some((s) => s.state.running);
    const cond = (type: string, ok: boolean, reason?: string) => ({
      type,
      status: ok ? 'True' : 'False',
      ...(reason ? { reason } : {}),
    });
    return {
      phase: running || nodeGone ? 'Running' : 'Pending',
      hostIP: rp.node.v4,
      hostIPs: [{ ip: rp.node.v4 }, { ip: rp.node.v6 }],
      podIP: rp.ips[0],
      podIPs: rp.ips.map((ip) => ({ ip })),
      startTime: pod.status?.startTime ?? new Date(),
      qosClass: 'BestEffort',
      conditions: [
        cond('PodReadyToStartContainers', true),
        cond('Initialized', true),
        cond(
          'Ready',
          allReady,
          allReady ? undefined : nodeGone ? 'NodeNotReady' : 'ContainersNotReady',
        ),
        cond('ContainersReady', allReady, allReady ? undefined : 'ContainersNotReady'),
        cond('PodScheduled', true),
      ] as V1PodStatus['conditions'],
      containerStatuses: statuses as V1PodStatus['containerStatuses'],
    };
  }

  private async writeStatus(rp: RunningPod, pod: V1Pod): Promise<void> {
    const status = this.podStatus(rp, pod);
    const key = JSON.stringify({
      ...status,
      startTime: undefined,
      conditions: status.conditions?.map((c) => [c.type, c.status]),
    });
    if (key === rp.lastStatus) return;
    rp.lastStatus = key;
    try {
      await this.d.api.core.patchNamespacedPodStatus(
        { name: rp.name, namespace: rp.namespace, body: { status } },
        mergePatch,
      );
    } catch (e) {
      rp.lastStatus = '';
      if (statusOf(e) !== 404)
        this.d.log(`pod ${rp.namespace}/${rp.name}: status write failed: ${String(e)}`);
    }
  }

  private async stopPod(rp: RunningPod, why: string): Promise<void> {
    rp.stopping = true;
    for (const t of rp.probeTimers) clearInterval(t);
    // As a preStop pause: let EndpointSlices and every node's proxy rules drop the pod before it
    // stops answering, so a planned move fails no request.
    await new Promise((r) => setTimeout(r, rp.ownNetns ? 1000 : 0));
    await Promise.all([...rp.containers.values()].map((c) => c.stop(10_000)));
    this.d.log(`pod ${rp.namespace}/${rp.name} stopped (${why})`);
    await this.release(rp);
  }

  private async release(rp: RunningPod): Promise<void> {
    this.pods.delete(rp.uid);
    if (rp.ownNetns) {
      await nsHandle(namespaceName(this.d.lab, rp.node.label), 'node').exec([
        'ip',
        'link',
        'del',
        `vp${rp.slot}`,
      ]);
      await deleteNamespace(rp.netns);
      if (rp.slot !== undefined) this.slots.get(rp.node.name)?.delete(rp.slot);
    }
    rmSync(rp.dir, { recursive: true, force: true });
  }

  /** A crash: every process on the node is SIGKILLed and nothing restarts until restore. */
  async crashNode(node: string): Promise<string[]> {
    this.down.set(node, { since: Date.now(), how: 'crash' });
    const killed: string[] = [];
    for (const rp of this.pods.values()) {
      if (rp.node.name !== node) continue;
      for (const c of rp.containers.values()) {
        if (c.running) killed.push(`${rp.namespace}/${rp.name}/${c.spec.name}`);
        await c.kill();
      }
    }
    this.scheduleGraceStatus(node);
    return killed;
  }

  /** A planned stop of the node's speaker (SIGTERM, as on a node shutdown) after its app pods left. */
  async stopOnNode(
    node: string,
    match: (pod: RunningPod) => boolean,
    graceMs: number,
  ): Promise<string[]> {
    const stopped: string[] = [];
    for (const rp of this.pods.values()) {
      if (rp.node.name !== node || !match(rp)) continue;
      for (const c of rp.containers.values()) {
        stopped.push(`${rp.namespace}/${rp.name}/${c.spec.name}`);
        await c.stop(graceMs);
      }
    }
    return stopped;
  }

  markDown(node: string, how: 'crash' | 'drain'): void {
    this.down.set(node, { since: Date.now(), how });
    this.scheduleGraceStatus(node);
  }

  private scheduleGraceStatus(node: string): void {
    const t = setTimeout(
      () => {
        this.statusTimers.delete(t);
        for (const rp of this.pods.values()) if (rp.node.name === node) this.kickStatus(rp);
      },
      this.d.plan.scenario.nodeGraceSec * 1000 + 50,
    );
    this.statusTimers.add(t);
  }

  /** The node is back: its pods' containers start again. */
  async restoreNode(node: string): Promise<void> {
    this.down.delete(node);
    for (const rp of this.pods.values()) {
      if (rp.node.name !== node) continue;
      const pod = this.d.api.pods.list(rp.namespace).find((p) => p.metadata?.uid === rp.uid);
      for (const c of rp.containers.values()) if (!c.running) c.restartCount++;
      if (pod) await this.startContainers(rp, pod);
      this.kickStatus(rp);
    }
  }

  /** Output of a container, for pods/log. */
  logs(namespace: string, name: string, container?: string): string[] | undefined {
    for (const rp of this.pods.values()) {
      if (rp.namespace !== namespace || rp.name !== name) continue;
      const c = container ? rp.containers.get(container) : [...rp.containers.values()][0];
      return c?.lines;
    }
    return undefined;
  }

  /** Pods this kubelet runs, for `lab status`. */
  running(): {
    namespace: string;
    name: string;
    node: string;
    ips: string[];
    containers: { name: string; state: string; pid?: number }[];
  }[] {
    return [...this.pods.values()].map((rp) => ({
      namespace: rp.namespace,
      name: rp.name,
      node: rp.node.name,
      ips: rp.ips.filter((ip) => !isV6(ip) || true),
      containers: [...rp.containers.values()].map((c) => ({
        name: c.spec.name,
        state: c.state.kind,
        ...(c.pid ? { pid: c.pid } : {}),
      })),
    }));
  }

  findPods(match: (p: { namespace: string; name: string; node: string }) => boolean): RunningPod[] {
    return [...this.pods.values()].filter((rp) =>
      match({ namespace: rp.namespace, name: rp.name, node: rp.node.name }),
    );
  }

  async shutdown(): Promise<void> {
    for (const t of this.statusTimers) clearTimeout(t);
    await Promise.all(
      [...this.pods.values()].map((rp) =>
        Promise.all([...rp.containers.values()].map((c) => c.stop(3000))),
      ),
    );
  }
}

export type { RunningPod };
