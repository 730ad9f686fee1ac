// The remaining stand-ins: Node objects (what kubelet registers and the node-lifecycle controller
// updates), the EndpointSlice controller, and kube-proxy on every node.
import { release } from 'node:os';
import type { V1EndpointSlice, V1Node, V1Pod, V1Service } from '@kubernetes/client-node';
import { nsHandle } from '../network.ts';
import { namespaceName, type LabPlan, type NodePlan } from '../plan.ts';
import { statusOf, type ClusterApi } from './api.ts';
import {
  desiredSlices,
  sameSlice,
  SERVICE_NAME_LABEL,
  MANAGED_BY_LABEL,
  MANAGED_BY,
  selects,
} from './endpoints.ts';
import { proxyRules, type ProxyService } from './kube-proxy.ts';
import { mergePatch } from './workloads.ts';

export function nodeObject(n: NodePlan, extraLabels: Record<string, string>): V1Node {
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: {
      name: n.name,
      labels: {
        'kubernetes.io/hostname': n.name,
        'kubernetes.io/os': 'linux',
        'kubernetes.io/arch': 'amd64',
        'beta.kubernetes.io/os': 'linux',
        'beta.kubernetes.io/arch': 'amd64',
        ...(n.index === 1 ? { 'node-role.kubernetes.io/control-plane': '' } : {}),
        ...extraLabels,
      },
      annotations: { 'node.alpha.kubernetes.io/ttl': '0' },
    },
    spec: { podCIDR: n.podCidrV4, podCIDRs: [n.podCidrV4, n.podCidrV6] },
  };
}

export function nodeStatus(
  n: NodePlan,
  ready: 'True' | 'False' | 'Unknown',
  heartbeat: Date,
): V1Node['status'] {
  const cond = (type: string, status: string, reason: string, message: string) => ({
    type,
    status,
    reason,
    message,
    lastHeartbeatTime: heartbeat,
    lastTransitionTime: heartbeat,
  });
  const unknown = ready === 'Unknown';
  return {
    addresses: [
      { type: 'InternalIP', address: n.v4 },
      { type: 'InternalIP', address: n.v6 },
      { type: 'Hostname', address: n.name },
    ],
    capacity: { cpu: '2', memory: '8Gi', pods: '110', 'ephemeral-storage': '50Gi' },
    allocatable: { cpu: '2', memory: '8Gi', pods: '110', 'ephemeral-storage': '50Gi' },
    conditions: [
      cond(
        'MemoryPressure',
        unknown ? 'Unknown' : 'False',
        unknown ? 'NodeStatusUnknown' : 'KubeletHasSufficientMemory',
        unknown
          ? 'Kubelet stopped posting node status.'
          : 'kubelet has sufficient memory available',
      ),
      cond(
        'DiskPressure',
        unknown ? 'Unknown' : 'False',
        unknown ? 'NodeStatusUnknown' : 'KubeletHasNoDiskPressure',
        unknown ? 'Kubelet stopped posting node status.' : 'kubelet has no disk pressure',
      ),
      cond(
        'PIDPressure',
        unknown ? 'Unknown' : 'False',
        unknown ? 'NodeStatusUnknown' : 'KubeletHasSufficientPID',
        unknown ? 'Kubelet stopped posting node status.' : 'kubelet has sufficient PID available',
      ),
      cond(
        'Ready',
        ready,
        unknown ? 'NodeStatusUnknown' : 'KubeletReady',
        unknown ? 'Kubelet stopped posting node status.' : 'kubelet is posting ready status',
      ),
    ],
    nodeInfo: {
      architecture: 'amd64',
      bootID: '',
      containerRuntimeVersion: 'ironlb-lab://1',
      kernelVersion: release(),
      kubeProxyVersion: 'v1.35.0',
      kubeletVersion: 'v1.35.0-lab',
      machineID: '',
      operatingSystem: 'linux',
      osImage: 'IronLB lab (network namespace)',
      systemUUID: '',
    },
  };
}

/** Registers the nodes and keeps their Ready condition in step with the lab's crashes. */
export class NodeController {
  private readonly lastReady = new Map<string, string>();
  private readonly api: ClusterApi;
  private readonly plan: LabPlan;
  private readonly isDown: (node: string) => { since: number } | undefined;
  constructor(
    api: ClusterApi,
    plan: LabPlan,
    isDown: (node: string) => { since: number } | undefined,
  ) {
    this.api = api;
    this.plan = plan;
    this.isDown = isDown;
  }

  async register(): Promise<void> {
    for (const n of this.plan.nodes) {
      const body = nodeObject(n, this.plan.scenario.nodeLabels[n.name] ?? {});
      try {
        await this.api.core.createNode({ body });
      } catch (e) {
        if (statusOf(e) !== 409) throw e;
      }
      await this.api.core.patchNodeStatus(
        { name: n.name, body: { status: nodeStatus(n, 'True', new Date()) } },
        mergePatch,
      );
      this.lastReady.set(n.name, 'True');
    }
  }

  async reconcile(): Promise<void> {
    const graceMs = this.plan.scenario.nodeGraceSec * 1000;
    for (const n of this.plan.nodes) {
      const down = this.isDown(n.name);
      const ready =
        down && Date.now() - down.since >= graceMs
          ? 'Unknown'
          : down
            ? (this.lastReady.get(n.name) ?? 'True')
            : 'True';
      if (this.lastReady.get(n.name) === ready) continue;
      this.lastReady.set(n.name, ready);
      await this.api.core
        .patchNodeStatus(
          { name: n.name, body: { status: nodeStatus(n, ready as 'True', new Date()) } },
          mergePatch,
        )
        .catch(() => undefined);
    }
  }

  async setUnschedulable(node: string, value: boolean): Promise<void> {
    await this.api.core.patchNode(
      { name: node, body: { spec: { unschedulable: value || null } } },
      mergePatch,
    );
  }
}

/** EndpointSlices for every Service with a selector, and the `kubernetes` Service's own. */
export class EndpointController {
  private readonly api: ClusterApi;
  private readonly plan: LabPlan;
  private readonly log: (line: string) => void;
  constructor(api: ClusterApi, plan: LabPlan, log: (line: string) => void) {
    this.api = api;
    this.plan = plan;
    this.log = log;
  }

  async reconcile(): Promise<void> {
    const pods = this.api.pods.list() as V1Pod[];
    for (const svc of this.api.services.list()) {
      const ns = svc.metadata?.namespace ?? 'default';
      const desired =
        svc.metadata?.name === 'kubernetes' && ns === 'default'
          ? this.kubernetesSlices()
          : desiredSlices(svc, pods);
      const existing = this.api.slices
        .list(ns)
        .filter(
          (s) =>
            s.metadata?.labels?.[SERVICE_NAME_LABEL] === svc.metadata?.name &&
            s.metadata?.labels?.[MANAGED_BY_LABEL] === MANAGED_BY,
        );
      for (const want of desired) {
        const have = existing.find((s) => s.metadata?.name === want.metadata?.name);
        try {
          if (!have)
            await this.api.discovery.createNamespacedEndpointSlice({ namespace: ns, body: want });
          else if (!sameSlice(have, want))
            await this.api.discovery.replaceNamespacedEndpointSlice({
              name: want.metadata?.name ?? '',
              namespace: ns,
              body: {
                ...want,
                metadata: { ...want.metadata, resourceVersion: have.metadata?.resourceVersion },
              },
            });
        } catch (e) {
          if (statusOf(e) !== 409 && statusOf(e) !== 404)
            this.log(`endpointslice ${ns}/${want.metadata?.name}: ${String(e)}`);
        }
      }
      for (const stale of existing.filter(
        (s) => !desired.some((d) => d.metadata?.name === s.metadata?.name),
      )) {
        await this.api.discovery
          .deleteNamespacedEndpointSlice({ name: stale.metadata?.name ?? '', namespace: ns })
          .catch(() => undefined);
      }
    }
    // Slices of deleted Services go with them (ownerReferences; also removed here for servers without GC).
    for (const s of this.api.slices.list()) {
      const owner = s.metadata?.labels?.[SERVICE_NAME_LABEL];
      if (s.metadata?.labels?.[MANAGED_BY_LABEL] !== MANAGED_BY || !owner) continue;
      if (!this.api.services.get(owner, s.metadata?.namespace)) {
        await this.api.discovery
          .deleteNamespacedEndpointSlice({
            name: s.metadata?.name ?? '',
            namespace: s.metadata?.namespace ?? 'default',
          })
          .catch(() => undefined);
      }
    }
  }

  /** The API server's own endpoints, as kube-apiserver maintains them. */
  private kubernetesSlices(): V1EndpointSlice[] {
    const svc = this.api.services.get('kubernetes', 'default');
    const port = svc?.spec?.ports?.[0];
    return ['IPv4', 'IPv6'].map((family) => ({
      apiVersion: 'discovery.k8s.io/v1',
      kind: 'EndpointSlice',
      metadata: {
        name: `kubernetes-${family === 'IPv6' ? 'ipv6' : 'ipv4'}`,
        namespace: 'default',
        labels: { [SERVICE_NAME_LABEL]: 'kubernetes', [MANAGED_BY_LABEL]: MANAGED_BY },
      },
      addressType: family,
      endpoints: [
        {
          addresses: [family === 'IPv6' ? this.plan.apiserver.v6 : this.plan.apiserver.v4],
          conditions: { ready: true, serving: true, terminating: false },
        },
      ],
      ports: [{ name: port?.name ?? 'https', port: this.plan.apiserver.port, protocol: 'TCP' }],
    }));
  }
}

/** Ports an app pod's server listens on: its container ports and its Services' targetPorts. */
export function appPorts(
  pod: V1Pod,
  services: readonly V1Service[],
): { port: number; protocol: 'TCP' | 'UDP' }[] {
  const out = new Map<string, { port: number; protocol: 'TCP' | 'UDP' }>();
  const add = (port: number, protocol: string | undefined) => {
    const p = (protocol ?? 'TCP') === 'UDP' ? 'UDP' : 'TCP';
    out.set(`${p}/${port}`, { port, protocol: p });
  };
  for (const c of pod.spec?.containers ?? [])
    for (const p of c.ports ?? []) add(p.containerPort, p.protocol);
  for (const svc of services) {
    if (
      svc.metadata?.namespace !== pod.metadata?.namespace ||
      !selects(svc.spec?.selector, pod.metadata?.labels)
    )
      continue;
    for (const sp of svc.spec?.ports ?? []) {
      const tp = sp.targetPort ?? sp.port;
      if (typeof tp === 'number') add(tp, sp.protocol);
      else if (/^\d+$/.test(tp)) add(Number(tp), sp.protocol);
    }
  }
  // An image with no declared port (the seeds' `kubectl create deployment nginx --image=nginx`)
  // still serves on 80, as nginx does.
  if (out.size === 0) add(80, 'TCP');
  return [...out.values()].sort((a, b) => a.port - b.port || a.protocol.localeCompare(b.protocol));
}

/** kube-proxy on every node: rebuilds each node's nftables tables when Services or endpoints change. */
export class ProxyController {
  private readonly applied = new Map<string, string>();
  private readonly api: ClusterApi;
  private readonly plan: LabPlan;
  private readonly lab: string;
  private readonly isDown: (node: string) => unknown;
  private readonly log: (line: string) => void;
  constructor(
    api: ClusterApi,
    plan: LabPlan,
    lab: string,
    isDown: (node: string) => unknown,
    log: (line: string) => void,
  ) {
    this.api = api;
    this.plan = plan;
    this.lab = lab;
    this.isDown = isDown;
    this.log = log;
  }

  services(): ProxyService[] {
    return this.api.services.list().map((svc) => {
      const ns = svc.metadata?.namespace ?? 'default';
      const slices = this.api.slices
        .list(ns)
        .filter((s) => s.metadata?.labels?.[SERVICE_NAME_LABEL] === svc.metadata?.name);
      const endpoints = slices.flatMap((s) =>
        (s.endpoints ?? []).map((e) => ({
          addresses: e.addresses,
          nodeName: e.nodeName,
          ready: e.conditions?.ready !== false,
          serving: e.conditions?.serving !== false,
          terminating: e.conditions?.terminating === true,
          ports: Object.fromEntries((s.ports ?? []).map((p) => [p.name ?? '', p.port ?? 0])),
        })),
      );
      return {
        namespace: ns,
        name: svc.metadata?.name ?? '',
        type: (svc.spec?.type ?? 'ClusterIP') as ProxyService['type'],
        clusterIPs: (
          svc.spec?.clusterIPs ?? (svc.spec?.clusterIP ? [svc.spec.clusterIP] : [])
        ).filter((ip) => ip && ip !== 'None'),
        loadBalancerIPs: (svc.status?.loadBalancer?.ingress ?? [])
          .map((i) => i.ip ?? '')
          .filter(Boolean),
        externalTrafficPolicy: svc.spec?.externalTrafficPolicy === 'Local' ? 'Local' : 'Cluster',
        ports: (svc.spec?.ports ?? []).map((p) => ({
          name: p.name ?? '',
          protocol: (p.protocol ?? 'TCP') as 'TCP',
          port: p.port,
          ...(p.nodePort ? { nodePort: p.nodePort } : {}),
        })),
        endpoints,
      };
    });
  }

  async reconcile(): Promise<void> {
    const services = this.services();
    for (const n of this.plan.nodes) {
      if (this.isDown(n.name)) continue;
      const node = { name: n.name, addresses: [n.v4, n.v6] };
      const script = proxyRules(node, services, 4) + proxyRules(node, services, 6);
      if (this.applied.get(n.name) === script) continue;
      const r = await nsHandle(namespaceName(this.lab, n.label), n.label).exec(['nft', '-f', '-'], {
        input: script,
      });
      if (r.code !== 0) {
        this.log(
          `kube-proxy on ${n.name}: nft failed: ${r.stderr.trim().split('\n').slice(0, 3).join(' | ')}`,
        );
        continue;
      }
      this.applied.set(n.name, script);
    }
  }

  forget(node: string): void {
    this.applied.delete(node);
  }
}
