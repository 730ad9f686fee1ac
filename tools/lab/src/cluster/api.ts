// The stand-ins' view of the cluster: client-node informers on the kinds they act on, and the typed
// clients they write with. Every stand-in is level-triggered: any change schedules one debounced
// pass that compares the desired state with the cached one.
import {
  AppsV1Api,
  CoreV1Api,
  DiscoveryV1Api,
  KubeConfig,
  makeInformer,
  type Informer,
  type KubernetesObject,
  type ObjectCache,
  type V1ConfigMap,
  type V1DaemonSet,
  type V1Deployment,
  type V1EndpointSlice,
  type V1Node,
  type V1Pod,
  type V1ReplicaSet,
  type V1Secret,
  type V1Service,
  type V1ServiceAccount,
} from '@kubernetes/client-node';

type Cache<T extends KubernetesObject> = Informer<T> & ObjectCache<T>;

export interface ClusterApi {
  kc: KubeConfig;
  core: CoreV1Api;
  apps: AppsV1Api;
  discovery: DiscoveryV1Api;
  pods: Cache<V1Pod>;
  services: Cache<V1Service>;
  slices: Cache<V1EndpointSlice>;
  nodes: Cache<V1Node>;
  deployments: Cache<V1Deployment>;
  replicaSets: Cache<V1ReplicaSet>;
  daemonSets: Cache<V1DaemonSet>;
  secrets: Cache<V1Secret>;
  configMaps: Cache<V1ConfigMap>;
  serviceAccounts: Cache<V1ServiceAccount>;
  /** Called after any cached object changes. */
  onChange(fn: (kind: string) => void): void;
  start(): Promise<void>;
  stop(): Promise<void>;
}

export function clusterApi(kubeconfigText: string, log: (line: string) => void): ClusterApi {
  const kc = new KubeConfig();
  kc.loadFromString(kubeconfigText);
  const core = kc.makeApiClient(CoreV1Api);
  const apps = kc.makeApiClient(AppsV1Api);
  const discovery = kc.makeApiClient(DiscoveryV1Api);
  const listeners: ((kind: string) => void)[] = [];
  const all: [string, Cache<KubernetesObject>][] = [];
  let stopped = false;

  function watch<T extends KubernetesObject>(
    kind: string,
    path: string,
    list: () => Promise<{ items: T[] }>,
  ): Cache<T> {
    const inf = makeInformer<T>(kc, path, list as never);
    for (const verb of ['add', 'update', 'delete'] as const) {
      inf.on(verb, () => listeners.forEach((fn) => fn(kind)));
    }
    // client-node's informer stops on an error; start it again (relisting) like client-go does.
    inf.on('error', (err) => {
      if (stopped) return;
      log(`watch ${kind} failed (${String((err as Error)?.message ?? err)}); restarting in 1 s`);
      setTimeout(() => {
        if (!stopped) void inf.start().catch(() => undefined);
      }, 1000);
    });
    all.push([kind, inf as unknown as Cache<KubernetesObject>]);
    return inf;
  }

  const api: ClusterApi = {
    kc,
    core,
    apps,
    discovery,
    pods: watch('Pod', '/api/v1/pods', () => core.listPodForAllNamespaces()),
    services: watch('Service', '/api/v1/services', () => core.listServiceForAllNamespaces()),
    slices: watch('EndpointSlice', '/apis/discovery.k8s.io/v1/endpointslices', () =>
      discovery.listEndpointSliceForAllNamespaces(),
    ),
    nodes: watch('Node', '/api/v1/nodes', () => core.listNode()),
    deployments: watch('Deployment', '/apis/apps/v1/deployments', () =>
      apps.listDeploymentForAllNamespaces(),
    ),
    replicaSets: watch('ReplicaSet', '/apis/apps/v1/replicasets', () =>
      apps.listReplicaSetForAllNamespaces(),
    ),
    daemonSets: watch('DaemonSet', '/apis/apps/v1/daemonsets', () =>
      apps.listDaemonSetForAllNamespaces(),
    ),
    secrets: watch('Secret', '/api/v1/secrets', () => core.listSecretForAllNamespaces()),
    configMaps: watch('ConfigMap', '/api/v1/configmaps', () =>
      core.listConfigMapForAllNamespaces(),
    ),
    serviceAccounts: watch('ServiceAccount', '/api/v1/serviceaccounts', () =>
      core.listServiceAccountForAllNamespaces(),
    ),
    onChange(fn) {
      listeners.push(fn);
    },
    async start() {
      for (const [, inf] of all) await inf.start();
    },
    async stop() {
      stopped = true;
      for (const [, inf] of all) await inf.stop().catch(() => undefined);
    },
  };
  return api;
}

/** A debounced, non-reentrant pass: `kick()` any number of times, `run` executes once per burst. */
export function debounced(
  run: () => Promise<void>,
  delayMs: number,
  onError: (e: unknown) => void,
): { kick(): void; stop(): void } {
  let timer: ReturnType<typeof setTimeout> | undefined;
  let running = false;
  let again = false;
  let stopped = false;
  const fire = async () => {
    timer = undefined;
    if (stopped) return;
    if (running) {
      again = true;
      return;
    }
    running = true;
    try {
      await run();
    } catch (e) {
      onError(e);
    } finally {
      running = false;
      if (again && !stopped) {
        again = false;
        kick();
      }
    }
  };
  const kick = () => {
    if (stopped || timer) return;
    timer = setTimeout(() => void fire(), delayMs);
  };
  return {
    kick,
    stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
    },
  };
}

/** HTTP status of a client-node error (ApiException.code), or undefined. */
export function statusOf(err: unknown): number | undefined {
  const code = (err as { code?: unknown })?.code;
  return typeof code === 'number' ? code : undefined;
}
