// Objects a kubeadm cluster has from the start beyond the namespaces: the bootstrap RBAC policy,
// the system PriorityClasses, the `kube-system/kube-proxy` ConfigMap (kube-proxy in IPVS mode with
// strictARP off — the seeds' strictARP step edits it), and the ServiceAccount controller's
// `default` ServiceAccount in every namespace.
import { bootstrapClusterRoleBindings, bootstrapClusterRoles } from '../auth/bootstrap-policy.ts';
import type { KubeObject } from '../registry/types.ts';
import type { Store, StoreEvent } from '../store.ts';
import { objectKey } from '../store.ts';

/** kubeadm's rendering of the kube-proxy component config (KubeProxyConfiguration v1alpha1). */
export const KUBE_PROXY_CONFIG = `apiVersion: kubeproxy.config.k8s.io/v1alpha1
bindAddress: 0.0.0.0
bindAddressHardFail: false
clientConnection:
  acceptContentTypes: ""
  burst: 0
  contentType: ""
  kubeconfig: /var/lib/kube-proxy/kubeconfig.conf
  qps: 0
clusterCIDR: 198.19.0.0/16
configSyncPeriod: 0s
conntrack:
  maxPerCore: null
  min: null
  tcpBeLiberal: false
  tcpCloseWaitTimeout: null
  tcpEstablishedTimeout: null
  udpStreamTimeout: 0s
  udpTimeout: 0s
detectLocal:
  bridgeInterface: ""
  interfaceNamePrefix: ""
detectLocalMode: ""
enableProfiling: false
healthzBindAddress: ""
hostnameOverride: ""
iptables:
  localhostNodePorts: null
  masqueradeAll: false
  masqueradeBit: null
  minSyncPeriod: 0s
  syncPeriod: 0s
ipvs:
  excludeCIDRs: null
  minSyncPeriod: 0s
  scheduler: ""
  strictARP: false
  syncPeriod: 0s
  tcpFinTimeout: 0s
  tcpTimeout: 0s
  udpTimeout: 0s
kind: KubeProxyConfiguration
logging:
  flushFrequency: 0
  options:
    json:
      infoBufferSize: "0"
    text:
      infoBufferSize: "0"
  verbosity: 0
metricsBindAddress: ""
mode: ipvs
nftables:
  masqueradeAll: false
  masqueradeBit: null
  minSyncPeriod: 0s
  syncPeriod: 0s
nodePortAddresses: null
oomScoreAdj: null
portRange: ""
showHiddenMetricsForVersion: ""
winkernel:
  enableDSR: false
  forwardHealthCheckVip: false
  networkName: ""
  rootHnsEndpointName: ""
  sourceVip: ""
`;

const KUBE_PROXY_KUBECONFIG = `apiVersion: v1
kind: Config
clusters:
- cluster:
    certificate-authority: /var/run/secrets/kubernetes.io/serviceaccount/ca.crt
    server: https://kubernetes.default.svc:443
  name: default
contexts:
- context:
    cluster: default
    namespace: default
    user: default
  name: default
current-context: default
users:
- name: default
  user:
    tokenFile: /var/run/secrets/kubernetes.io/serviceaccount/token
`;

/** [resource, object] pairs created at start-up when missing. */
export function clusterObjects(): [string, KubeObject][] {
  const out: [string, KubeObject][] = [];
  for (const r of bootstrapClusterRoles()) out.push(['clusterroles', r]);
  for (const b of bootstrapClusterRoleBindings()) out.push(['clusterrolebindings', b]);
  out.push([
    'priorityclasses',
    {
      apiVersion: 'scheduling.k8s.io/v1',
      kind: 'PriorityClass',
      metadata: { name: 'system-node-critical' },
      value: 2_000_001_000,
      description: 'Used for system critical pods that must not be moved from their current node.',
    },
  ]);
  out.push([
    'priorityclasses',
    {
      apiVersion: 'scheduling.k8s.io/v1',
      kind: 'PriorityClass',
      metadata: { name: 'system-cluster-critical' },
      value: 2_000_000_000,
      description:
        'Used for system critical pods that must run in the cluster, but can be moved to another node if necessary.',
    },
  ]);
  out.push([
    'configmaps',
    {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'kube-proxy', namespace: 'kube-system', labels: { app: 'kube-proxy' } },
      data: { 'config.conf': KUBE_PROXY_CONFIG, 'kubeconfig.conf': KUBE_PROXY_KUBECONFIG },
    },
  ]);
  return out;
}

/**
 * The ServiceAccount controller's part that matters to clients: every namespace that is not
 * terminating has a `default` ServiceAccount (re-created if deleted). Runs after the event,
 * never inside the store's event delivery.
 */
export function startDefaultServiceAccounts(
  store: Store,
  create: (namespace: string) => void,
): () => void {
  const ensure = (ns: string) => {
    const nsObj = store.get('/namespaces', ns);
    if (!nsObj || nsObj.metadata.deletionTimestamp) return;
    if (store.get('/serviceaccounts', objectKey(ns, 'default'))) return;
    try {
      create(ns);
    } catch (e) {
      process.emitWarning(
        `ironlb-test-apiserver: default ServiceAccount in ${ns}: ${(e as Error).message}`,
      );
    }
  };
  for (const ns of store.list('/namespaces')) ensure(ns.metadata.name ?? '');
  return store.subscribe((ev: StoreEvent) => {
    if (ev.bucket === '/namespaces' && ev.type === 'ADDED')
      setImmediate(() => ensure(ev.obj.metadata.name ?? ''));
    else if (
      ev.bucket === '/serviceaccounts' &&
      ev.type === 'DELETED' &&
      ev.obj.metadata.name === 'default'
    )
      setImmediate(() => ensure(ev.obj.metadata.namespace ?? ''));
  });
}
