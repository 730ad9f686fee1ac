// The kinds install manifests need (ReplicaSet, PodDisruptionBudget, NetworkPolicy,
// PriorityClass) with their real defaults and essential validation, the objects a kubeadm
// cluster starts with (kube-proxy ConfigMap, system PriorityClasses, bootstrap RBAC, default
// ServiceAccounts), and the new subresources in discovery — through @kubernetes/client-node.
import {
  AppsV1Api,
  NetworkingV1Api,
  PolicyV1Api,
  RbacAuthorizationV1Api,
  SchedulingV1Api,
} from '@kubernetes/client-node';
import { parse } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startWithClients, statusOf, type Clients } from './helpers.ts';

let c: Clients;
beforeAll(async () => {
  c = await startWithClients({ tls: false });
});
afterAll(async () => {
  await c.server.stop();
});

const template = {
  metadata: { labels: { app: 'x' } },
  spec: { containers: [{ name: 'c', image: 'nginx:1.27' }] },
};

describe('workloads', () => {
  it('ReplicaSets default replicas and show status.replicas 0; DaemonSets their counters', async () => {
    const apps = c.kc.makeApiClient(AppsV1Api);
    const rs = await apps.createNamespacedReplicaSet({
      namespace: 'default',
      body: {
        metadata: { name: 'rs' },
        spec: { selector: { matchLabels: { app: 'x' } }, template },
      },
    });
    expect(rs.spec?.replicas).toBe(1);
    expect(rs.status).toEqual({ replicas: 0 });
    expect(rs.metadata?.generation).toBe(1);
    expect(rs.spec?.template?.spec?.restartPolicy).toBe('Always');
    const ds = await apps.createNamespacedDaemonSet({
      namespace: 'default',
      body: {
        metadata: { name: 'ds' },
        spec: { selector: { matchLabels: { app: 'x' } }, template },
      },
    });
    expect(ds.status).toEqual({
      currentNumberScheduled: 0,
      numberMisscheduled: 0,
      desiredNumberScheduled: 0,
      numberReady: 0,
    });
    const bad = await statusOf(() =>
      apps.createNamespacedReplicaSet({
        namespace: 'default',
        body: {
          metadata: { name: 'bad' },
          spec: { selector: { matchLabels: { app: 'y' } }, template },
        },
      }),
    );
    expect(bad.details?.causes?.[0]).toMatchObject({ field: 'spec.template.metadata.labels' });
  });
});

describe('policy, networking and scheduling', () => {
  it('PodDisruptionBudgets: counters in status, one of minAvailable/maxUnavailable, percents', async () => {
    const policy = c.kc.makeApiClient(PolicyV1Api);
    const pdb = await policy.createNamespacedPodDisruptionBudget({
      namespace: 'default',
      body: {
        metadata: { name: 'pdb' },
        spec: { minAvailable: '50%' as never, selector: { matchLabels: { app: 'x' } } },
      },
    });
    expect(pdb.status).toEqual({
      disruptionsAllowed: 0,
      currentHealthy: 0,
      desiredHealthy: 0,
      expectedPods: 0,
    });
    const both = await statusOf(() =>
      policy.createNamespacedPodDisruptionBudget({
        namespace: 'default',
        body: {
          metadata: { name: 'both' },
          spec: { minAvailable: 1 as never, maxUnavailable: '150%' as never },
        },
      }),
    );
    expect(both.code).toBe(422);
    expect(
      both.details?.causes?.map((x) => [x.field, x.message.replace(/^Invalid value: .*?: /, '')]),
    ).toEqual([
      ['spec', 'minAvailable and maxUnavailable cannot be both set'],
      ['spec.maxUnavailable', 'must not be greater than 100%'],
    ]);
  });

  it('NetworkPolicies default policyTypes (Egress only with egress rules) and port protocols', async () => {
    const net = c.kc.makeApiClient(NetworkingV1Api);
    const ingressOnly = await net.createNamespacedNetworkPolicy({
      namespace: 'default',
      body: {
        metadata: { name: 'in' },
        spec: { ingress: [{ ports: [{ port: 7472 as never }] }] } as never,
      },
    });
    expect(ingressOnly.spec?.policyTypes).toEqual(['Ingress']);
    expect(ingressOnly.spec?.podSelector).toEqual({});
    expect(ingressOnly.spec?.ingress?.[0]?.ports?.[0]?.protocol).toBe('TCP');
    const both = await net.createNamespacedNetworkPolicy({
      namespace: 'default',
      body: { metadata: { name: 'out' }, spec: { podSelector: {}, egress: [{}] } },
    });
    expect(both.spec?.policyTypes).toEqual(['Ingress', 'Egress']);
    const bad = await statusOf(() =>
      net.createNamespacedNetworkPolicy({
        namespace: 'default',
        body: { metadata: { name: 'bad' }, spec: { podSelector: {}, policyTypes: ['Sideways'] } },
      }),
    );
    expect(bad.details?.causes?.[0]?.field).toBe('spec.policyTypes[0]');
  });

  it('PriorityClasses: the system ones exist; user values are capped; system- is reserved', async () => {
    const sched = c.kc.makeApiClient(SchedulingV1Api);
    expect((await sched.readPriorityClass({ name: 'system-node-critical' })).value).toBe(
      2000001000,
    );
    const pc = await sched.createPriorityClass({
      body: { metadata: { name: 'ironlb' }, value: 1000 },
    });
    expect(pc).toMatchObject({ preemptionPolicy: 'PreemptLowerPriority', value: 1000 });
    expect(
      (
        await statusOf(() =>
          sched.createPriorityClass({ body: { metadata: { name: 'huge' }, value: 2e9 } }),
        )
      ).message,
    ).toBe(
      'PriorityClass.scheduling.k8s.io "huge" is invalid: value: Forbidden: maximum allowed value of a user defined priority is 1000000000',
    );
    expect(
      (
        await statusOf(() =>
          sched.createPriorityClass({ body: { metadata: { name: 'system-x' }, value: 1 } }),
        )
      ).details?.causes?.[0]?.field,
    ).toBe('metadata.name');
    const changed = await statusOf(() =>
      sched.replacePriorityClass({ name: 'ironlb', body: { ...pc, value: 5 } }),
    );
    expect(changed.message).toContain('value: Forbidden: may not be changed in an update.');
  });
});

describe('what a cluster starts with', () => {
  it('kube-system/kube-proxy runs IPVS with strictARP off (the seeds edit it)', async () => {
    const cm = await c.core.readNamespacedConfigMap({
      name: 'kube-proxy',
      namespace: 'kube-system',
    });
    const cfg = parse(cm.data?.['config.conf'] ?? '') as {
      kind: string;
      mode: string;
      ipvs: { strictARP: boolean };
    };
    expect(cfg).toMatchObject({
      kind: 'KubeProxyConfiguration',
      mode: 'ipvs',
      ipvs: { strictARP: false },
    });
    expect(cm.data?.['config.conf']).toContain('  strictARP: false\n');
  });

  it('has the bootstrap RBAC policy and a default ServiceAccount in every namespace', async () => {
    const rbac = c.kc.makeApiClient(RbacAuthorizationV1Api);
    const admin = await rbac.readClusterRoleBinding({ name: 'cluster-admin' });
    expect(admin.subjects).toEqual([
      { apiGroup: 'rbac.authorization.k8s.io', kind: 'Group', name: 'system:masters' },
    ]);
    await c.core.createNamespace({ body: { metadata: { name: 'fresh' } } });
    const end = Date.now() + 5000;
    let names: (string | undefined)[] = [];
    while (!names.includes('default') && Date.now() < end) {
      names = (await c.core.listNamespacedServiceAccount({ namespace: 'fresh' })).items.map(
        (s) => s.metadata?.name,
      );
      await new Promise((r) => setTimeout(r, 10));
    }
    expect(names).toEqual(['default']);
  });

  it('lists pods/log, serviceaccounts/token and the access reviews in discovery', async () => {
    const v1 = (await (await fetch(`${c.server.url}/api/v1`)).json()) as {
      resources: Record<string, unknown>[];
    };
    expect(v1.resources.find((r) => r.name === 'pods/log')).toEqual({
      name: 'pods/log',
      singularName: '',
      namespaced: true,
      kind: 'Pod',
      verbs: ['get'],
    });
    expect(v1.resources.find((r) => r.name === 'serviceaccounts/token')).toEqual({
      name: 'serviceaccounts/token',
      singularName: '',
      namespaced: true,
      group: 'authentication.k8s.io',
      version: 'v1',
      kind: 'TokenRequest',
      verbs: ['create'],
    });
    const authz = (await (await fetch(`${c.server.url}/apis/authorization.k8s.io/v1`)).json()) as {
      resources: { name: string; verbs: string[] }[];
    };
    expect(authz.resources.map((r) => [r.name, r.verbs])).toEqual([
      ['selfsubjectaccessreviews', ['create']],
      ['selfsubjectrulesreviews', ['create']],
      ['subjectaccessreviews', ['create']],
    ]);
  });
});
