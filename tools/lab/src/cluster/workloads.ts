// The workload controllers and scheduler stand-ins: Deployment → ReplicaSet → Pods, DaemonSet →
// one Pod per eligible node, pods placed on the least-loaded schedulable node that matches their
// nodeSelector. Level-triggered: `reconcile()` compares what should exist with the caches and
// writes the difference, then the workloads' status.
import { createHash, randomBytes } from 'node:crypto';
import type {
  V1DaemonSet,
  V1Deployment,
  V1Node,
  V1ObjectMeta,
  V1OwnerReference,
  V1Pod,
  V1PodTemplateSpec,
  V1ReplicaSet,
} from '@kubernetes/client-node';
import { PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import { statusOf, type ClusterApi } from './api.ts';

/** Kubernetes' pod-template-hash is a hash of the template; any stable short hash serves. */
export function templateHash(template: V1PodTemplateSpec | undefined): string {
  const h = createHash('sha256')
    .update(JSON.stringify(template ?? {}))
    .digest('hex');
  // Kubernetes uses "safe" alphanumerics (no vowels) so names never spell words.
  const alphabet = 'bcdfghjklmnpqrstvwxz2456789';
  let out = '';
  for (let i = 0; i < 10; i++)
    out += alphabet[parseInt(h.slice(i * 2, i * 2 + 2), 16) % alphabet.length];
  return out;
}

export function randomSuffix(): string {
  const alphabet = 'bcdfghjklmnpqrstvwxz2456789';
  return [...randomBytes(5)].map((b) => alphabet[b % alphabet.length]).join('');
}

export function schedulable(node: V1Node): boolean {
  return !node.spec?.unschedulable;
}

export function matchesNodeSelector(
  node: V1Node,
  selector: Record<string, string> | undefined,
): boolean {
  return Object.entries(selector ?? {}).every(([k, v]) => node.metadata?.labels?.[k] === v);
}

/** The node for a new pod: fewest pods of the same owner, then fewest pods overall, then by name. */
export function pickNode(
  nodes: readonly V1Node[],
  pods: readonly V1Pod[],
  ownerUid: string,
  selector: Record<string, string> | undefined,
): string | undefined {
  const candidates = nodes.filter((n) => schedulable(n) && matchesNodeSelector(n, selector));
  const count = (name: string, own: boolean) =>
    pods.filter(
      (p) =>
        p.spec?.nodeName === name &&
        (!own || p.metadata?.ownerReferences?.some((o) => o.uid === ownerUid)),
    ).length;
  return candidates
    .map((n) => n.metadata?.name ?? '')
    .sort(
      (a, b) =>
        count(a, true) - count(b, true) || count(a, false) - count(b, false) || a.localeCompare(b),
    )[0];
}

function ownerRef(kind: string, apiVersion: string, meta: V1ObjectMeta): V1OwnerReference {
  return {
    apiVersion,
    kind,
    name: meta.name ?? '',
    uid: meta.uid ?? '',
    controller: true,
    blockOwnerDeletion: true,
  };
}

const ownedBy = (uid: string | undefined) => (o: { metadata?: V1ObjectMeta }) =>
  o.metadata?.ownerReferences?.some((r) => r.uid === uid && r.controller) ?? false;

function podReady(p: V1Pod): boolean {
  return p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;
}

const alive = (p: V1Pod) =>
  !p.metadata?.deletionTimestamp && p.status?.phase !== 'Failed' && p.status?.phase !== 'Succeeded';

export class Workloads {
  private readonly api: ClusterApi;
  private readonly log: (line: string) => void;
  constructor(api: ClusterApi, log: (line: string) => void) {
    this.api = api;
    this.log = log;
  }

  async reconcile(): Promise<void> {
    for (const d of this.api.deployments.list()) await this.deployment(d);
    for (const rs of this.api.replicaSets.list()) await this.replicaSet(rs);
    for (const ds of this.api.daemonSets.list()) await this.daemonSet(ds);
  }

  private async ignoreGone(p: Promise<unknown>): Promise<void> {
    try {
      await p;
    } catch (e) {
      const s = statusOf(e);
      if (s !== 404 && s !== 409) throw e;
    }
  }

  private async deployment(d: V1Deployment): Promise<void> {
    const meta = d.metadata ?? {};
    if (meta.deletionTimestamp) return;
    const ns = meta.namespace ?? 'default';
    const hash = templateHash(d.spec?.template);
    const owned = this.api.replicaSets.list(ns).filter(ownedBy(meta.uid));
    const name = `${meta.name}-${hash}`;
    const want = d.spec?.replicas ?? 1;
    let current = owned.find((rs) => rs.metadata?.name === name);
    if (!current) {
      const template = structuredClone(d.spec?.template ?? {});
      template.metadata = {
        ...template.metadata,
        labels: { ...template.metadata?.labels, 'pod-template-hash': hash },
      };
      const rs: V1ReplicaSet = {
        apiVersion: 'apps/v1',
        kind: 'ReplicaSet',
        metadata: {
          name,
          namespace: ns,
          labels: { ...d.spec?.template?.metadata?.labels, 'pod-template-hash': hash },
          annotations: { 'deployment.kubernetes.io/revision': String(owned.length + 1) },
          ownerReferences: [ownerRef('Deployment', 'apps/v1', meta)],
        },
        spec: {
          replicas: want,
          selector: {
            matchLabels: { ...d.spec?.selector?.matchLabels, 'pod-template-hash': hash },
          },
          template,
        },
      };
      this.log(`deployment ${ns}/${meta.name}: replicaset ${name} (${want} replicas)`);
      current = await this.api.apps.createNamespacedReplicaSet({ namespace: ns, body: rs });
    } else if (current.spec?.replicas !== want) {
      await this.ignoreGone(
        this.api.apps.patchNamespacedReplicaSet(
          { name, namespace: ns, body: { spec: { replicas: want } } },
          mergePatch,
        ),
      );
    }
    // Older revisions are scaled to zero at once (a simple recreate; the lab has no surge budget).
    for (const old of owned) {
      if (old.metadata?.name !== name && (old.spec?.replicas ?? 0) !== 0) {
        await this.ignoreGone(
          this.api.apps.patchNamespacedReplicaSet(
            { name: old.metadata?.name ?? '', namespace: ns, body: { spec: { replicas: 0 } } },
            mergePatch,
          ),
        );
      }
    }
    const pods = this.api.pods
      .list(ns)
      .filter((p) => owned.some((rs) => ownedBy(rs.metadata?.uid)(p)) && alive(p));
    const updated = pods.filter((p) => p.metadata?.labels?.['pod-template-hash'] === hash);
    const ready = pods.filter(podReady).length;
    const status = {
      observedGeneration: meta.generation,
      replicas: pods.length,
      updatedReplicas: updated.length,
      readyReplicas: ready,
      availableReplicas: ready,
      unavailableReplicas: Math.max(0, want - ready),
      conditions: [
        {
          type: 'Available',
          status: ready >= want ? 'True' : 'False',
          reason: ready >= want ? 'MinimumReplicasAvailable' : 'MinimumReplicasUnavailable',
          message:
            ready >= want
              ? 'Deployment has minimum availability.'
              : 'Deployment does not have minimum availability.',
        },
        {
          type: 'Progressing',
          status: 'True',
          reason: updated.length >= want ? 'NewReplicaSetAvailable' : 'ReplicaSetUpdated',
          message: `ReplicaSet "${name}" ${updated.length >= want ? 'has successfully progressed' : 'is progressing'}.`,
        },
      ],
    };
    await this.writeStatus('Deployment', d.status, status, () =>
      this.api.apps.patchNamespacedDeploymentStatus(
        { name: meta.name ?? '', namespace: ns, body: { status } },
        mergePatch,
      ),
    );
  }

  private async replicaSet(rs: V1ReplicaSet): Promise<void> {
    const meta = rs.metadata ?? {};
    if (meta.deletionTimestamp) return;
    const ns = meta.namespace ?? 'default';
    const want = rs.spec?.replicas ?? 1;
    const pods = this.api.pods.list(ns).filter(ownedBy(meta.uid)).filter(alive);
    const nodes = this.api.nodes.list();
    let have = [...pods];
    // Pods created in this pass are not in the informer's cache yet: count them too.
    const placed = [...this.api.pods.list()];
    for (let i = have.length; i < want; i++) {
      const nodeName = pickNode(
        nodes,
        placed,
        meta.uid ?? '',
        rs.spec?.template?.spec?.nodeSelector,
      );
      const pod = this.podFrom(
        rs.spec?.template,
        ns,
        `${meta.name}-${randomSuffix()}`,
        ownerRef('ReplicaSet', 'apps/v1', meta),
        nodeName,
      );
      this.log(
        `replicaset ${ns}/${meta.name}: pod ${pod.metadata?.name} on ${nodeName ?? '(unschedulable)'}`,
      );
      const created = await this.api.core.createNamespacedPod({ namespace: ns, body: pod });
      have.push(created);
      placed.push(created);
    }
    if (have.length > want) {
      const extra = [...have]
        .sort((a, b) =>
          String(b.metadata?.creationTimestamp).localeCompare(
            String(a.metadata?.creationTimestamp),
          ),
        )
        .slice(0, have.length - want);
      for (const p of extra) {
        await this.ignoreGone(
          this.api.core.deleteNamespacedPod({ name: p.metadata?.name ?? '', namespace: ns }),
        );
      }
      have = have.filter((p) => !extra.includes(p));
    }
    const ready = have.filter(podReady).length;
    const status = {
      observedGeneration: meta.generation,
      replicas: have.length,
      fullyLabeledReplicas: have.length,
      readyReplicas: ready,
      availableReplicas: ready,
    };
    await this.writeStatus('ReplicaSet', rs.status, status, () =>
      this.api.apps.patchNamespacedReplicaSetStatus(
        { name: meta.name ?? '', namespace: ns, body: { status } },
        mergePatch,
      ),
    );
  }

  private async daemonSet(ds: V1DaemonSet): Promise<void> {
    const meta = ds.metadata ?? {};
    if (meta.deletionTimestamp) return;
    const ns = meta.namespace ?? 'default';
    const hash = templateHash(ds.spec?.template);
    // DaemonSet pods tolerate unschedulable nodes (the controller adds that toleration).
    const nodes = this.api.nodes
      .list()
      .filter((n) => matchesNodeSelector(n, ds.spec?.template?.spec?.nodeSelector));
    const pods = this.api.pods.list(ns).filter(ownedBy(meta.uid)).filter(alive);
    for (const n of nodes) {
      const name = n.metadata?.name ?? '';
      const onNode = pods.filter((p) => p.spec?.nodeName === name);
      const current = onNode.filter(
        (p) => p.metadata?.labels?.['controller-revision-hash'] === hash,
      );
      for (const stale of onNode.filter((p) => !current.includes(p))) {
        this.log(
          `daemonset ${ns}/${meta.name}: replacing ${stale.metadata?.name} on ${name} (template changed)`,
        );
        await this.ignoreGone(
          this.api.core.deleteNamespacedPod({ name: stale.metadata?.name ?? '', namespace: ns }),
        );
      }
      if (current.length === 0) {
        const template = structuredClone(ds.spec?.template ?? {});
        template.metadata = {
          ...template.metadata,
          labels: {
            ...template.metadata?.labels,
            'controller-revision-hash': hash,
            'pod-template-generation': String(meta.generation ?? 1),
          },
        };
        const pod = this.podFrom(
          template,
          ns,
          `${meta.name}-${randomSuffix()}`,
          ownerRef('DaemonSet', 'apps/v1', meta),
          name,
        );
        this.log(`daemonset ${ns}/${meta.name}: pod ${pod.metadata?.name} on ${name}`);
        await this.api.core.createNamespacedPod({ namespace: ns, body: pod });
      }
    }
    const all = this.api.pods.list(ns).filter(ownedBy(meta.uid)).filter(alive);
    const ready = all.filter(podReady).length;
    const status = {
      observedGeneration: meta.generation,
      desiredNumberScheduled: nodes.length,
      currentNumberScheduled: all.length,
      updatedNumberScheduled: all.filter(
        (p) => p.metadata?.labels?.['controller-revision-hash'] === hash,
      ).length,
      numberReady: ready,
      numberAvailable: ready,
      numberUnavailable: Math.max(0, nodes.length - ready),
      numberMisscheduled: 0,
    };
    await this.writeStatus('DaemonSet', ds.status, status, () =>
      this.api.apps.patchNamespacedDaemonSetStatus(
        { name: meta.name ?? '', namespace: ns, body: { status } },
        mergePatch,
      ),
    );
  }

  private podFrom(
    template: V1PodTemplateSpec | undefined,
    namespace: string,
    name: string,
    owner: V1OwnerReference,
    nodeName: string | undefined,
  ): V1Pod {
    const t = structuredClone(template ?? {});
    return {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { ...t.metadata, name, namespace, ownerReferences: [owner] },
      spec: { ...t.spec, containers: t.spec?.containers ?? [], ...(nodeName ? { nodeName } : {}) },
    };
  }

  private async writeStatus(
    kind: string,
    have: unknown,
    want: object,
    write: () => Promise<unknown>,
  ): Promise<void> {
    const same = Object.entries(want).every(
      ([k, v]) =>
        JSON.stringify((have as Record<string, unknown> | undefined)?.[k] ?? null) ===
        JSON.stringify(v ?? null),
    );
    if (same) return;
    try {
      await write();
    } catch (e) {
      if (statusOf(e) !== 404 && statusOf(e) !== 409)
        this.log(`${kind} status write failed: ${String(e)}`);
    }
  }
}

/** Options that make client-node send a JSON merge patch. */
export const mergePatch = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);
