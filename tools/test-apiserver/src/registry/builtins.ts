// The built-in kinds IronLB and the lab use, with the defaults and validation essentials of their
// real strategies (pkg/registry/<group>/<kind>/strategy.go, pkg/apis/<group>/validation). Kinds
// that are "stored, not run" (Deployment, DaemonSet, webhook configurations) get their API
// behaviour, not their controllers. More kinds: builtins-extra.ts.
import type { ServiceNetwork } from './service.ts';
import { serviceStrategy } from './service-strategy.ts';
import { ALL_VERBS, type ResourceType, type Strategy } from './types.ts';
import { eventsV1FromCore, eventsV1ToCore, validateEventsV1 } from './events.ts';
import { coreStrategies } from './strategies-core.ts';
import {
  bindingStrategy,
  endpointSliceStrategy,
  rbacRoleStrategy,
  webhookConfigStrategy,
  workloadStrategy,
} from './strategies-other.ts';

export interface BuiltinOptions {
  net: ServiceNetwork;
}

type Def = Omit<
  ResourceType,
  | 'storageKey'
  | 'storageVersion'
  | 'listKind'
  | 'singular'
  | 'verbs'
  | 'shortNames'
  | 'categories'
  | 'extraSubresources'
> &
  Partial<
    Pick<
      ResourceType,
      'storageKey' | 'storageVersion' | 'shortNames' | 'categories' | 'extraSubresources'
    >
  >;

export function def(d: Def): ResourceType {
  return {
    listKind: `${d.kind}List`,
    singular: d.kind.toLowerCase(),
    verbs: ALL_VERBS,
    shortNames: [],
    categories: [],
    extraSubresources: [],
    storageKey: `${d.group}/${d.resource}`,
    storageVersion: d.version,
    ...d,
  };
}

export function builtinTypes(opts: BuiltinOptions): ResourceType[] {
  const {
    namespaceStrategy,
    nodeStrategy,
    podStrategy,
    secretStrategy,
    configMapStrategy,
    eventStrategy,
    leaseStrategy,
  } = coreStrategies();
  const plain: Strategy = { allowUnconditionalUpdate: true };
  const crdPlaceholder: Strategy = {}; // replaced by the CRD registry (crd.ts)
  return [
    def({
      group: '',
      version: 'v1',
      resource: 'namespaces',
      kind: 'Namespace',
      namespaced: false,
      hasStatus: true,
      shortNames: ['ns'],

      strategy: namespaceStrategy,
    }),
    def({
      group: '',
      version: 'v1',
      resource: 'nodes',
      kind: 'Node',
      namespaced: false,
      hasStatus: true,
      shortNames: ['no'],
      strategy: nodeStrategy,
    }),
    def({
      group: '',
      version: 'v1',
      resource: 'services',
      kind: 'Service',
      namespaced: true,
      hasStatus: true,
      shortNames: ['svc'],
      categories: ['all'],
      strategy: serviceStrategy(opts.net),
    }),
    def({
      group: '',
      version: 'v1',
      resource: 'pods',
      kind: 'Pod',
      namespaced: true,
      hasStatus: true,
      shortNames: ['po'],
      categories: ['all'],
      strategy: podStrategy,
    }),
    def({
      group: '',
      version: 'v1',
      resource: 'secrets',
      kind: 'Secret',
      namespaced: true,
      hasStatus: false,
      strategy: secretStrategy,
    }),
    def({
      group: '',
      version: 'v1',
      resource: 'configmaps',
      kind: 'ConfigMap',
      namespaced: true,
      hasStatus: false,
      shortNames: ['cm'],
      strategy: configMapStrategy,
    }),
    def({
      group: '',
      version: 'v1',
      resource: 'serviceaccounts',
      kind: 'ServiceAccount',
      namespaced: true,
      hasStatus: false,
      shortNames: ['sa'],
      strategy: plain,
    }),
    def({
      group: '',
      version: 'v1',
      resource: 'events',
      kind: 'Event',
      namespaced: true,
      hasStatus: false,
      shortNames: ['ev'],
      strategy: eventStrategy,
    }),
    def({
      group: 'events.k8s.io',
      version: 'v1',
      resource: 'events',
      kind: 'Event',
      namespaced: true,
      hasStatus: false,
      shortNames: ['ev'],
      storageKey: '/events',
      storageVersion: 'v1',
      strategy: {
        ...eventStrategy,
        validate: (o) => validateEventsV1(o),
        selectableFields: eventStrategy.selectableFields,
      },
      fromStorage: eventsV1FromCore,
      toStorage: eventsV1ToCore,
    }),
    def({
      group: 'coordination.k8s.io',
      version: 'v1',
      resource: 'leases',
      kind: 'Lease',
      namespaced: true,
      hasStatus: false,
      strategy: leaseStrategy,
    }),
    def({
      group: 'discovery.k8s.io',
      version: 'v1',
      resource: 'endpointslices',
      kind: 'EndpointSlice',
      namespaced: true,
      hasStatus: false,
      strategy: endpointSliceStrategy(),
    }),
    def({
      group: 'apps',
      version: 'v1',
      resource: 'deployments',
      kind: 'Deployment',
      namespaced: true,
      hasStatus: true,
      shortNames: ['deploy'],
      categories: ['all'],
      scale: { specReplicasPath: '.spec.replicas', statusReplicasPath: '.status.replicas' },
      strategy: workloadStrategy('Deployment'),
    }),
    def({
      group: 'apps',
      version: 'v1',
      resource: 'daemonsets',
      kind: 'DaemonSet',
      namespaced: true,
      hasStatus: true,
      shortNames: ['ds'],
      categories: ['all'],
      strategy: workloadStrategy('DaemonSet'),
    }),
    def({
      group: 'rbac.authorization.k8s.io',
      version: 'v1',
      resource: 'roles',
      kind: 'Role',
      namespaced: true,
      hasStatus: false,
      strategy: rbacRoleStrategy(),
    }),
    def({
      group: 'rbac.authorization.k8s.io',
      version: 'v1',
      resource: 'clusterroles',
      kind: 'ClusterRole',
      namespaced: false,
      hasStatus: false,
      strategy: rbacRoleStrategy(),
    }),
    def({
      group: 'rbac.authorization.k8s.io',
      version: 'v1',
      resource: 'rolebindings',
      kind: 'RoleBinding',
      namespaced: true,
      hasStatus: false,
      strategy: bindingStrategy(false),
    }),
    def({
      group: 'rbac.authorization.k8s.io',
      version: 'v1',
      resource: 'clusterrolebindings',
      kind: 'ClusterRoleBinding',
      namespaced: false,
      hasStatus: false,
      strategy: bindingStrategy(true),
    }),
    def({
      group: 'admissionregistration.k8s.io',
      version: 'v1',
      resource: 'validatingwebhookconfigurations',
      kind: 'ValidatingWebhookConfiguration',
      namespaced: false,
      hasStatus: false,
      categories: ['api-extensions'],
      strategy: webhookConfigStrategy(),
    }),
    def({
      group: 'admissionregistration.k8s.io',
      version: 'v1',
      resource: 'mutatingwebhookconfigurations',
      kind: 'MutatingWebhookConfiguration',
      namespaced: false,
      hasStatus: false,
      categories: ['api-extensions'],
      strategy: webhookConfigStrategy(true),
    }),
    def({
      group: 'apiextensions.k8s.io',
      version: 'v1',
      resource: 'customresourcedefinitions',
      kind: 'CustomResourceDefinition',
      namespaced: false,
      hasStatus: true,
      shortNames: ['crd', 'crds'],
      categories: ['api-extensions'],
      strategy: crdPlaceholder,
    }),
  ];
}
