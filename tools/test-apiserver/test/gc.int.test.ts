// Garbage collection of ownerReferences as kube-controller-manager's collector does it, driven by
// @kubernetes/client-node and `kubectl delete --cascade`: background (owner first, then
// dependents), foreground (dependents first, owner waits with foregroundDeletion while a
// blockOwnerDeletion dependent remains), orphan (references removed, dependents kept), and the
// cross-namespace rules (namespaced dependents of cluster-scoped owners; owners in another
// namespace are absent; cluster-scoped dependents of namespaced kinds are never collected).
import {
  AppsV1Api,
  CoreV1Api,
  RbacAuthorizationV1Api,
  type V1OwnerReference,
} from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StoreEvent } from '../src/store.ts';
import { skipReason, startCliServer, type CliServer } from './cli/harness.ts';

const skip = skipReason();

/** Polls an asynchronous check until it returns a value (bounded: 5 s). */
async function eventually<T>(check: () => Promise<T | undefined>, timeoutMs = 5000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await check();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe.skipIf(skip !== undefined)(
  `garbage collection${skip ? ` — SKIPPED: ${skip}` : ''}`,
  () => {
    let c: CliServer;
    let apps: AppsV1Api;
    let core: CoreV1Api;
    const deletedOrder: string[] = [];

    beforeAll(async () => {
      c = await startCliServer();
      apps = c.server.kubeConfig().makeApiClient(AppsV1Api);
      core = c.server.kubeConfig().makeApiClient(CoreV1Api);
      c.server.core.store.subscribe((ev: StoreEvent) => {
        if (ev.type === 'DELETED') deletedOrder.push(`${ev.obj.kind}/${ev.obj.metadata.name}`);
      });
    });
    afterAll(async () => {
      await c?.stop();
    });

    const ref = (
      o: { apiVersion?: string; kind?: string; metadata?: { name?: string; uid?: string } },
      block = true,
    ): V1OwnerReference => ({
      apiVersion: o.apiVersion ?? '',
      kind: o.kind ?? '',
      name: o.metadata?.name ?? '',
      uid: o.metadata?.uid ?? '',
      controller: true,
      blockOwnerDeletion: block,
    });

    /** A Deployment → ReplicaSet → 2 Pods chain, as the controllers would have made it. */
    async function chain(name: string) {
      const labels = { app: name };
      const template = {
        metadata: { labels },
        spec: { containers: [{ name: 'c', image: 'nginx:1.27' }] },
      };
      const d = await apps.createNamespacedDeployment({
        namespace: 'default',
        body: { metadata: { name }, spec: { selector: { matchLabels: labels }, template } },
      });
      const rs = await apps.createNamespacedReplicaSet({
        namespace: 'default',
        body: {
          metadata: {
            name: `${name}-5d8f`,
            labels,
            ownerReferences: [ref({ ...d, apiVersion: 'apps/v1', kind: 'Deployment' })],
          },
          spec: { selector: { matchLabels: labels }, template },
        },
      });
      for (const p of ['a', 'b'])
        await core.createNamespacedPod({
          namespace: 'default',
          body: {
            metadata: {
              name: `${name}-5d8f-${p}`,
              labels,
              ownerReferences: [ref({ ...rs, apiVersion: 'apps/v1', kind: 'ReplicaSet' })],
            },
            spec: template.spec,
          },
        });
      return { d, rs };
    }

    const exists = async (fn: () => Promise<unknown>) =>
      fn().then(
        () => true,
        () => false,
      );
    const podCount = async (name: string) =>
      (await core.listNamespacedPod({ namespace: 'default', labelSelector: `app=${name}` })).items
        .length;

    it('background (the default): the owner goes at once, its dependents after it', async () => {
      await chain('bg');
      deletedOrder.length = 0;
      await apps.deleteNamespacedDeployment({ name: 'bg', namespace: 'default' });
      expect(
        await exists(() => apps.readNamespacedDeployment({ name: 'bg', namespace: 'default' })),
      ).toBe(false);
      await eventually(async () => ((await podCount('bg')) === 0 ? true : undefined), 5000);
      expect(deletedOrder[0]).toBe('Deployment/bg');
      expect(deletedOrder.slice(1).sort()).toEqual([
        'Pod/bg-5d8f-a',
        'Pod/bg-5d8f-b',
        'ReplicaSet/bg-5d8f',
      ]);
    });

    it('kubectl delete --cascade=foreground: dependents first, the owner last', async () => {
      await chain('fg');
      deletedOrder.length = 0;
      const r = await c.kubectl(['delete', 'deployment', 'fg', '--cascade=foreground']);
      expect(r).toMatchObject({
        code: 0,
        stdout: 'deployment.apps "fg" deleted from default namespace\n',
      });
      expect(deletedOrder.at(-1)).toBe('Deployment/fg');
      expect(deletedOrder.indexOf('ReplicaSet/fg-5d8f')).toBeGreaterThan(
        deletedOrder.indexOf('Pod/fg-5d8f-a'),
      );
      expect(await podCount('fg')).toBe(0);
    });

    it('foreground waits for a blocking dependent that has a finalizer of its own', async () => {
      const { d } = await chain('hold');
      await core.patchNamespacedPod({
        name: 'hold-5d8f-a',
        namespace: 'default',
        body: [{ op: 'add', path: '/metadata/finalizers', value: ['test.ironlb.io/hold'] }],
      });
      await apps.deleteNamespacedDeployment({
        name: 'hold',
        namespace: 'default',
        body: { propagationPolicy: 'Foreground' },
      });
      const waiting = await apps.readNamespacedDeployment({ name: 'hold', namespace: 'default' });
      expect(waiting.metadata?.finalizers).toEqual(['foregroundDeletion']);
      expect(waiting.metadata?.deletionTimestamp).toBeDefined();
      // The held pod is deleting (and still blocks its ReplicaSet, which blocks the Deployment).
      await eventually(async () => {
        const p = await core.readNamespacedPod({ name: 'hold-5d8f-a', namespace: 'default' });
        return p.metadata?.deletionTimestamp ? true : undefined;
      });
      await new Promise((r) => setTimeout(r, 200));
      expect(
        (await apps.readNamespacedDeployment({ name: 'hold', namespace: 'default' })).metadata?.uid,
      ).toBe(d.metadata?.uid);
      await core.patchNamespacedPod({
        name: 'hold-5d8f-a',
        namespace: 'default',
        body: [{ op: 'remove', path: '/metadata/finalizers' }],
      });
      await eventually(async () =>
        (await exists(() => apps.readNamespacedDeployment({ name: 'hold', namespace: 'default' })))
          ? undefined
          : true,
      );
    });

    it('kubectl delete --cascade=orphan: dependents stay, without the reference', async () => {
      await chain('or');
      const r = await c.kubectl(['delete', 'deployment', 'or', '--cascade=orphan']);
      expect(r.code).toBe(0);
      const rs = await apps.readNamespacedReplicaSet({ name: 'or-5d8f', namespace: 'default' });
      expect(rs.metadata?.ownerReferences).toBeUndefined();
      expect(await podCount('or')).toBe(2);
    });

    it('applies the cross-namespace rules and collects dependents of owners that never existed', async () => {
      const rbac = c.server.kubeConfig().makeApiClient(RbacAuthorizationV1Api);
      const role = await rbac.createClusterRole({
        body: { metadata: { name: 'owner-role' }, rules: [] },
      });
      const roleRef = ref(
        { ...role, apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole' },
        false,
      );
      const d = await apps.readNamespacedReplicaSet({ name: 'or-5d8f', namespace: 'default' });
      const rsRef = ref({ ...d, apiVersion: 'apps/v1', kind: 'ReplicaSet' }, false);
      await core.createNamespace({ body: { metadata: { name: 'other' } } });
      const cm = (name: string, namespace: string, owners: V1OwnerReference[]) =>
        core.createNamespacedConfigMap({
          namespace,
          body: { metadata: { name, ownerReferences: owners } },
        });
      // A namespaced dependent of a cluster-scoped owner: kept while the owner lives.
      await cm('of-cluster-owner', 'other', [roleRef]);
      // A namespaced owner is looked up in the dependent's namespace: from 'other' it is absent.
      await cm('owner-elsewhere', 'other', [rsRef]);
      // An owner uid that does not exist.
      await cm('dangling', 'default', [{ ...rsRef, uid: '00000000-0000-0000-0000-000000000000' }]);
      // A cluster-scoped dependent naming a namespaced kind: unresolvable, never collected.
      await rbac.createClusterRole({
        body: { metadata: { name: 'odd', ownerReferences: [rsRef] }, rules: [] },
      });
      const gone = (name: string, ns: string) =>
        exists(() => core.readNamespacedConfigMap({ name, namespace: ns })).then((e) =>
          e ? undefined : true,
        );
      await eventually(() => gone('owner-elsewhere', 'other'));
      await eventually(() => gone('dangling', 'default'));
      expect(
        await exists(() =>
          core.readNamespacedConfigMap({ name: 'of-cluster-owner', namespace: 'other' }),
        ),
      ).toBe(true);
      await rbac.deleteClusterRole({ name: 'owner-role' });
      await eventually(() => gone('of-cluster-owner', 'other'));
      expect(await exists(() => rbac.readClusterRole({ name: 'odd' }))).toBe(true);
    });
  },
);
