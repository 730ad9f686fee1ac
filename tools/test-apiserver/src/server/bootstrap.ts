// What a fresh (or restored, with --data) API server holds before any request: the CRDs' APIs
// re-registered, Service IPs and ports re-claimed, and the objects every cluster starts with —
// the four system namespaces, the `kubernetes` Service and the kubeadm objects of
// cluster-objects.ts (bootstrap RBAC, system PriorityClasses, the kube-proxy ConfigMap).
import type { ServiceNetwork } from '../registry/service.ts';
import type { KubeObject, ResourceType } from '../registry/types.ts';
import { objectKey } from '../store.ts';
import { clusterObjects } from './cluster-objects.ts';
import { registerCrd } from './crd-apis.ts';
import type { CoreContext } from './core-context.ts';

export function bootstrap(
  cx: CoreContext,
  net: ServiceNetwork,
  builtins: readonly ResourceType[],
  create: (t: ResourceType, ns: string | undefined, body: KubeObject) => void,
): void {
  for (const crd of cx.store.list('apiextensions.k8s.io/customresourcedefinitions'))
    registerCrd(cx, crd);
  for (const svc of cx.store.list('/services')) net.restore(svc);
  const boot = (type: string, body: KubeObject) => {
    const t = builtins.find((b) => b.resource === type) as ResourceType;
    const ns = body.metadata.namespace;
    if (cx.store.get(t.storageKey, objectKey(ns, body.metadata.name ?? ''))) return;
    create(t, ns, body);
  };
  for (const ns of ['default', 'kube-system', 'kube-public', 'kube-node-lease'])
    boot('namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } });
  // The `kubernetes` Service takes the first address of the range, as on a real cluster.
  const first = net.ranges[0];
  const kubeIP = first
    ? first.cidr.replace(/\.0\/\d+$/, '.1').replace(/::\/\d+$/, '::1')
    : undefined;
  boot('services', {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: {
      name: 'kubernetes',
      namespace: 'default',
      labels: { component: 'apiserver', provider: 'kubernetes' },
    },
    spec: {
      type: 'ClusterIP',
      ports: [{ name: 'https', port: 443, protocol: 'TCP', targetPort: 6443 }],
      ...(kubeIP ? { clusterIP: kubeIP } : {}),
    },
  });
  for (const [type, body] of clusterObjects()) boot(type, body);
}
