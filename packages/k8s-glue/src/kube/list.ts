// Reading everything parseConfig() and the webhook need, straight from the API through
// @kubernetes/client-node (one list per kind). The controller and speaker will feed the same
// ClusterResources from informers; this is the simple path for the webhook and for tools.
import { CoreV1Api, CustomObjectsApi, type KubeConfig } from '@kubernetes/client-node';
import type {
  BFDProfile,
  BGPAdvertisement,
  BGPPeer,
  Community,
  IPAddressPool,
  L2Advertisement,
} from '../api/types.generated.js';
import type { ConfigMapObject, NamespaceObject, NodeObject, SecretObject } from '../api/meta.js';
import { DEFAULT_NAMESPACE, type ClusterResources } from '../config/resources.js';
import { KubeClientError } from '../webhook/kube-client.js';

/** MetalLB's name for the raw-FRR ConfigMap IronLB refuses. */
export const BGP_EXTRAS_CONFIGMAP = 'bgpextras';

async function wrap<T>(what: string, p: Promise<T>): Promise<T> {
  try {
    return await p;
  } catch (e) {
    const code = (e as { code?: unknown }).code;
    throw new KubeClientError(
      `listing ${what} failed: ${(e as Error).message}`,
      typeof code === 'number' ? code : undefined,
      e,
    );
  }
}

export async function listClusterResources(
  kc: KubeConfig,
  namespace: string = DEFAULT_NAMESPACE,
): Promise<ClusterResources> {
  const custom = kc.makeApiClient(CustomObjectsApi);
  const core = kc.makeApiClient(CoreV1Api);
  const list = async <T>(version: string, plural: string): Promise<T[]> => {
    const r = (await wrap(
      plural,
      custom.listNamespacedCustomObject({ group: 'metallb.io', version, namespace, plural }),
    )) as { items?: T[] };
    return r.items ?? [];
  };
  const [
    pools,
    peers,
    bfdProfiles,
    bgpAdvertisements,
    l2Advertisements,
    communities,
    nodes,
    namespaces,
    secrets,
    extras,
  ] = await Promise.all([
    list<IPAddressPool>('v1beta1', 'ipaddresspools'),
    list<BGPPeer>('v1beta2', 'bgppeers'),
    list<BFDProfile>('v1beta1', 'bfdprofiles'),
    list<BGPAdvertisement>('v1beta1', 'bgpadvertisements'),
    list<L2Advertisement>('v1beta1', 'l2advertisements'),
    list<Community>('v1beta1', 'communities'),
    wrap('nodes', core.listNode()).then((l) => l.items as NodeObject[]),
    wrap('namespaces', core.listNamespace()).then((l) => l.items as NamespaceObject[]),
    wrap('secrets', core.listNamespacedSecret({ namespace })).then(
      (l) => l.items as SecretObject[],
    ),
    wrap(
      'configmaps',
      core.listNamespacedConfigMap({
        namespace,
        fieldSelector: `metadata.name=${BGP_EXTRAS_CONFIGMAP}`,
      }),
    ).then((l) => l.items as ConfigMapObject[]),
  ]);
  return {
    pools,
    peers,
    bfdProfiles,
    bgpAdvertisements,
    l2Advertisements,
    communities,
    nodes,
    namespaces,
    secrets,
    ...(extras[0] ? { bgpExtras: extras[0] } : {}),
  };
}
