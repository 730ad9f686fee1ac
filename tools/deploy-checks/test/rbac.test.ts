// Least privilege, per component: every API call each process makes is allowed by its Roles and
// ClusterRoles in deploy/ironlb-native.yaml, and every rule granted is used by some call.
// The controller's calls are the ones its code makes (packages/k8s-glue src/kube: informers,
// writer, event recorder, leader elector, certificate manager, memberlist Secret, coexistence
// guard). The speaker's are the ones issue 17 plans, MetalLB's speaker makes, and deploy/README.md
// lists. When an app adds a call, add it here and to the chart's rbac.yaml.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  allowed,
  expandGrants,
  grantsOf,
  parseManifests,
  repoRoot,
  type ApiCall,
} from '../src/index.ts';

const NS = 'metallb-system';
const METALLB_CONFIG = [
  'ipaddresspools',
  'communities',
  'bgppeers',
  'bfdprofiles',
  'bgpadvertisements',
  'l2advertisements',
];
const watch = (group: string, resource: string, why: string, namespace?: string): ApiCall[] => [
  { verb: 'list', group, resource, why, ...(namespace ? { namespace } : {}) },
  { verb: 'watch', group, resource, why, ...(namespace ? { namespace } : {}) },
];

export const CONTROLLER_CALLS: ApiCall[] = [
  ...watch('', 'services', 'informer: Services to allocate'),
  {
    // A merge patch (k8s-glue kube/controller-writes.ts serviceStatus), as the lab showed: the
    // controller was refused with 403 while the Role granted only update.
    verb: 'patch',
    group: '',
    resource: 'services/status',
    namespace: 'default',
    name: 'nginx',
    why: 'status.loadBalancer.ingress',
  },
  ...watch('', 'namespaces', 'informer: pool namespace selectors'),
  ...watch('', 'nodes', 'informer: webhook validation of node selectors'),
  {
    verb: 'create',
    group: '',
    resource: 'events',
    namespace: 'default',
    why: 'IPAllocated, AllocationFailed, ...',
  },
  {
    verb: 'patch',
    group: '',
    resource: 'events',
    namespace: 'default',
    name: 'nginx.1',
    why: 'aggregated event count',
  },
  {
    verb: 'get',
    group: 'admissionregistration.k8s.io',
    resource: 'validatingwebhookconfigurations',
    name: 'metallb-webhook-configuration',
    why: 'cert manager reads the caBundle',
  },
  {
    verb: 'update',
    group: 'admissionregistration.k8s.io',
    resource: 'validatingwebhookconfigurations',
    name: 'metallb-webhook-configuration',
    why: 'cert manager patches the caBundle',
  },
  {
    verb: 'get',
    group: 'apiextensions.k8s.io',
    resource: 'customresourcedefinitions',
    name: 'bgppeers.metallb.io',
    why: 'cert manager reads the conversion caBundle',
  },
  {
    verb: 'update',
    group: 'apiextensions.k8s.io',
    resource: 'customresourcedefinitions',
    name: 'bgppeers.metallb.io',
    why: 'cert manager patches the conversion caBundle',
  },
  {
    verb: 'get',
    group: '',
    resource: 'secrets',
    namespace: NS,
    name: 'metallb-webhook-cert',
    why: 'webhook certificate',
  },
  {
    verb: 'create',
    group: '',
    resource: 'secrets',
    namespace: NS,
    why: 'webhook certificate / memberlist Secret when missing',
  },
  {
    verb: 'update',
    group: '',
    resource: 'secrets',
    namespace: NS,
    name: 'metallb-webhook-cert',
    why: 'certificate rotation',
  },
  ...watch('', 'secrets', 'informer: BGP password Secrets; memberlist Secret lookup', NS),
  ...watch('', 'configmaps', 'informer: legacy config ConfigMap warning', NS),
  {
    verb: 'get',
    group: '',
    resource: 'pods',
    namespace: NS,
    name: 'ironlb-controller-6b7c8d9f5-abcde',
    why: 'own Pod (ConfigurationState owner)',
  },
  {
    verb: 'list',
    group: '',
    resource: 'pods',
    namespace: NS,
    why: 'coexistence guard: is MetalLB running?',
  },
  {
    verb: 'get',
    group: 'apps',
    resource: 'deployments',
    namespace: NS,
    name: 'ironlb-controller',
    why: 'owner of the memberlist Secret',
  },
  {
    verb: 'create',
    group: 'coordination.k8s.io',
    resource: 'leases',
    namespace: NS,
    why: 'leader election: first candidate',
  },
  {
    verb: 'get',
    group: 'coordination.k8s.io',
    resource: 'leases',
    namespace: NS,
    name: 'ironlb-controller',
    why: 'leader election',
  },
  {
    verb: 'update',
    group: 'coordination.k8s.io',
    resource: 'leases',
    namespace: NS,
    name: 'ironlb-controller',
    why: 'leader election: renew, take over, release',
  },
  ...METALLB_CONFIG.flatMap((r) => watch('metallb.io', r, 'informer: configuration', NS)),
  {
    verb: 'patch',
    group: 'metallb.io',
    resource: 'ipaddresspools/status',
    namespace: NS,
    name: 'pool',
    why: 'pool usage counters (merge patch with the resourceVersion: conflicts detected)',
  },
  ...watch('metallb.io', 'configurationstates', 'informer: own ConfigurationState', NS),
  {
    verb: 'get',
    group: 'metallb.io',
    resource: 'configurationstates',
    namespace: NS,
    name: 'controller',
    why: 'own ConfigurationState',
  },
  {
    verb: 'create',
    group: 'metallb.io',
    resource: 'configurationstates',
    namespace: NS,
    why: 'own ConfigurationState',
  },
  {
    verb: 'update',
    group: 'metallb.io',
    resource: 'configurationstates/status',
    namespace: NS,
    name: 'controller',
    why: 'Valid / Invalid and why',
  },
];

export const SPEAKER_CALLS: ApiCall[] = [
  ...watch('', 'services', 'informer: Services to announce'),
  ...watch('', 'nodes', 'informer: selectors, NetworkUnavailable, exclusion label'),
  ...watch('', 'namespaces', 'informer: service selectors by namespace labels'),
  ...watch('discovery.k8s.io', 'endpointslices', 'informer: serving endpoints (ETP Local)'),
  {
    verb: 'create',
    group: '',
    resource: 'events',
    namespace: 'default',
    why: 'nodeAssigned, announceFailed',
  },
  {
    verb: 'patch',
    group: '',
    resource: 'events',
    namespace: 'default',
    name: 'nginx.2',
    why: 'aggregated event count',
  },
  {
    verb: 'get',
    group: '',
    resource: 'pods',
    namespace: NS,
    name: 'ironlb-speaker-7hj3k',
    why: 'own Pod (owner of its status objects)',
  },
  {
    verb: 'list',
    group: '',
    resource: 'pods',
    namespace: NS,
    why: 'memberlist peers by METALLB_ML_LABELS; the coexistence guard looks for MetalLB’s Pods',
  },
  ...watch('', 'secrets', 'informer: BGP passwords', NS),
  ...watch('', 'configmaps', 'informer: bgpextras (rejected with a reason)', NS),
  ...METALLB_CONFIG.flatMap((r) => watch('metallb.io', r, 'informer: configuration', NS)),
  ...['servicel2statuses', 'servicebgpstatuses'].flatMap((r): ApiCall[] => [
    ...watch('metallb.io', r, 'informer: own status objects', NS),
    {
      verb: 'create',
      group: 'metallb.io',
      resource: r,
      namespace: NS,
      why: 'status object for an announced Service',
    },
    {
      verb: 'delete',
      group: 'metallb.io',
      resource: r,
      namespace: NS,
      name: 'l2-x',
      why: 'Service no longer announced from this node',
    },
    {
      verb: 'update',
      group: 'metallb.io',
      resource: `${r}/status`,
      namespace: NS,
      name: 'l2-x',
      why: 'node, interfaces, peers',
    },
  ]),
  ...watch('metallb.io', 'configurationstates', 'informer: own ConfigurationState', NS),
  {
    verb: 'get',
    group: 'metallb.io',
    resource: 'configurationstates',
    namespace: NS,
    name: 'speaker-node-1',
    why: 'own ConfigurationState',
  },
  {
    verb: 'create',
    group: 'metallb.io',
    resource: 'configurationstates',
    namespace: NS,
    why: 'own ConfigurationState',
  },
  {
    verb: 'update',
    group: 'metallb.io',
    resource: 'configurationstates/status',
    namespace: NS,
    name: 'speaker-node-1',
    why: 'Valid / Invalid and why',
  },
];

const objs = parseManifests(readFileSync(join(repoRoot, 'deploy', 'ironlb-native.yaml'), 'utf8'));
const components = [
  { name: 'controller', sa: 'ironlb-controller', calls: CONTROLLER_CALLS },
  { name: 'speaker', sa: 'ironlb-speaker', calls: SPEAKER_CALLS },
];
const show = (c: ApiCall) =>
  `${c.verb} ${c.group || 'core'}/${c.resource}${c.name ? `/${c.name}` : ''}${c.namespace ? ` in ${c.namespace}` : ' (cluster)'}`;

describe('RBAC: least privilege per component (deploy/ironlb-native.yaml)', () => {
  for (const comp of components) {
    const grants = grantsOf(objs, { name: comp.sa, namespace: NS });

    it(`${comp.name}: every call it makes is allowed`, () => {
      expect(grants.length).toBeGreaterThan(0);
      const denied = comp.calls
        .filter((c) => !allowed(grants, c))
        .map((c) => `${show(c)}: ${c.why}`);
      expect(denied).toEqual([]);
    });

    it(`${comp.name}: nothing more is granted (every verb of every rule is used)`, () => {
      const unused = expandGrants(grants)
        .filter(
          (g) =>
            !comp.calls.some(
              (c) =>
                c.verb === g.verb &&
                c.group === g.group &&
                c.resource === g.resource &&
                (g.name === undefined || c.name === g.name) &&
                (g.grant.scope === 'cluster' || c.namespace === g.grant.scope),
            ),
        )
        .map(
          (g) =>
            `${g.grant.from}: ${g.verb} ${g.group || 'core'}/${g.resource}${g.name ? `/${g.name}` : ''}`,
        );
      expect(unused).toEqual([]);
    });
  }

  it('no wildcard, no escalation verbs, no Secrets outside the namespace, no Pod exec', () => {
    for (const comp of components) {
      for (const g of grantsOf(objs, { name: comp.sa, namespace: NS })) {
        const r = g.rule;
        for (const list of [r.verbs, r.resources, r.apiGroups]) expect(list).not.toContain('*');
        for (const v of ['escalate', 'bind', 'impersonate']) expect(r.verbs).not.toContain(v);
        if (r.resources?.includes('secrets')) expect(g.scope).toBe(NS);
        expect(r.resources).not.toContain('pods/exec');
      }
    }
    // Spot checks of what must be denied.
    const speaker = grantsOf(objs, { name: 'ironlb-speaker', namespace: NS });
    const controller = grantsOf(objs, { name: 'ironlb-controller', namespace: NS });
    expect(
      allowed(speaker, {
        verb: 'update',
        group: '',
        resource: 'services/status',
        namespace: 'default',
        why: '',
      }),
    ).toBeUndefined();
    expect(
      allowed(controller, {
        verb: 'list',
        group: '',
        resource: 'secrets',
        namespace: 'kube-system',
        why: '',
      }),
    ).toBeUndefined();
    expect(
      allowed(controller, { verb: 'list', group: '', resource: 'secrets', why: 'all namespaces' }),
    ).toBeUndefined();
    expect(
      allowed(controller, {
        verb: 'update',
        group: 'apiextensions.k8s.io',
        resource: 'customresourcedefinitions',
        name: 'ipaddresspools.metallb.io',
        why: '',
      }),
    ).toBeUndefined();
    expect(
      allowed(controller, {
        verb: 'update',
        group: 'coordination.k8s.io',
        resource: 'leases',
        namespace: NS,
        name: 'other-lease',
        why: '',
      }),
    ).toBeUndefined();
    expect(
      allowed(controller, {
        verb: 'update',
        group: '',
        resource: 'services',
        namespace: 'default',
        name: 'x',
        why: 'spec',
      }),
    ).toBeUndefined();
  });

  it('the authorizer itself: resourceNames never match list, a RoleBinding grants only in its namespace', () => {
    const grants = grantsOf(objs, { name: 'ironlb-controller', namespace: NS });
    expect(
      allowed(grants, {
        verb: 'list',
        group: 'apps',
        resource: 'deployments',
        namespace: NS,
        why: '',
      }),
    ).toBeUndefined();
    expect(
      allowed(grants, {
        verb: 'get',
        group: 'apps',
        resource: 'deployments',
        namespace: NS,
        name: 'ironlb-controller',
        why: '',
      })?.from,
    ).toBe('Role/metallb-system/ironlb-controller');
    expect(
      allowed(grants, {
        verb: 'get',
        group: 'apps',
        resource: 'deployments',
        namespace: 'other',
        name: 'ironlb-controller',
        why: '',
      }),
    ).toBeUndefined();
    // Another ServiceAccount (e.g. MetalLB's `controller`) gets nothing from IronLB's bindings.
    expect(grantsOf(objs, { name: 'controller', namespace: NS })).toEqual([]);
  });
});
