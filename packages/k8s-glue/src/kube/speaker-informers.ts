// What the speaker watches (MetalLB's speaker caches: Services, EndpointSlices, Nodes, Namespaces,
// the metallb.io kinds, Secrets and ConfigMaps of its namespace, its status objects), the indexes
// it keeps over them, and the configuration inputs it reads from them.
import type {
  BFDProfile,
  BGPAdvertisement,
  BGPPeer,
  Community,
  ConfigurationState,
  IPAddressPool,
  L2Advertisement,
} from '../api/types.generated.js';
import type { ConfigMapObject, NamespaceObject, SecretObject } from '../api/meta.js';
import type { EndpointSliceObject, NodeStatusObject } from '../announce/types.js';
import type { ServiceObject } from '../controller/service.js';
import type { ClusterResources } from '../config/resources.js';
import { anySelectorMatches } from '../config/selector.js';
import { speakerConfigurationStateName } from '../speaker/status-objects.js';
import {
  Informer,
  objectKey,
  stripForCache,
  type InformerDeps,
  type KubeObject,
} from './informer.js';
import { BGP_EXTRAS_CONFIGMAP } from './list.js';
import { METALLB_KINDS, paths } from './resources.js';
import type { StatusObject } from './speaker-writes.js';

type Inf<T> = Informer<T & KubeObject>;

export interface SpeakerInformers {
  readonly services: Inf<ServiceObject>;
  readonly endpointSlices: Inf<EndpointSliceObject>;
  readonly nodes: Inf<NodeStatusObject>;
  readonly namespaces: Inf<NamespaceObject>;
  readonly pools: Inf<IPAddressPool>;
  readonly communities: Inf<Community>;
  readonly peers: Inf<BGPPeer>;
  readonly bfdProfiles: Inf<BFDProfile>;
  readonly bgpAdvertisements: Inf<BGPAdvertisement>;
  readonly l2Advertisements: Inf<L2Advertisement>;
  readonly secrets: Inf<SecretObject>;
  readonly configMaps: Inf<ConfigMapObject>;
  readonly l2Statuses: Inf<StatusObject>;
  readonly bgpStatuses: Inf<StatusObject>;
  readonly configStates: Inf<ConfigurationState>;
}

export function makeSpeakerInformers(
  deps: InformerDeps,
  namespace: string,
  nodeName: string,
): SpeakerInformers {
  const mk = <T>(name: string, path: string, extra: { fieldSelector?: string } = {}) =>
    // managedFields and kubectl's last-applied copy are most of a small object's size.
    new Informer<T & KubeObject>(deps, { name, path, transform: stripForCache, ...extra });
  const cr = (k: keyof typeof METALLB_KINDS) =>
    paths.metallb(namespace, METALLB_KINDS[k].version, METALLB_KINDS[k].plural);
  return {
    services: mk('services', paths.services()),
    endpointSlices: mk('endpointslices', paths.endpointSlices()),
    nodes: mk('nodes', paths.nodes()),
    namespaces: mk('namespaces', paths.namespaces()),
    pools: mk('ipaddresspools', cr('pools')),
    communities: mk('communities', cr('communities')),
    peers: mk('bgppeers', cr('peers')),
    bfdProfiles: mk('bfdprofiles', cr('bfdProfiles')),
    bgpAdvertisements: mk('bgpadvertisements', cr('bgpAdvertisements')),
    l2Advertisements: mk('l2advertisements', cr('l2Advertisements')),
    secrets: mk('secrets', paths.secrets(namespace)),
    configMaps: mk('configmaps', paths.configMaps(namespace)),
    l2Statuses: mk('servicel2statuses', cr('serviceL2Statuses')),
    bgpStatuses: mk('servicebgpstatuses', cr('serviceBGPStatuses')),
    configStates: mk('configurationstates', cr('configurationStates'), {
      fieldSelector: `metadata.name=${speakerConfigurationStateName(nodeName)}`,
    }),
  };
}

/** Object keys grouped by the Service they belong to ("namespace/name"). */
export class ByService {
  private readonly map = new Map<string, Set<string>>();

  add(service: string | undefined, key: string): void {
    if (service === undefined) return;
    const set = this.map.get(service) ?? new Set();
    set.add(key);
    this.map.set(service, set);
  }

  remove(service: string | undefined, key: string): void {
    if (service === undefined) return;
    const set = this.map.get(service);
    set?.delete(key);
    if (set?.size === 0) this.map.delete(service);
  }

  get(service: string): ReadonlySet<string> {
    return this.map.get(service) ?? new Set();
  }
}

/** The Service an EndpointSlice belongs to (its kubernetes.io/service-name label). */
export function sliceServiceKey(s: EndpointSliceObject & KubeObject): string | undefined {
  const name = s.metadata.labels?.['kubernetes.io/service-name'];
  return name === undefined ? undefined : `${s.metadata.namespace ?? ''}/${name}`;
}

export function networkUnavailable(n: NodeStatusObject): boolean {
  return (n.status?.conditions ?? []).some(
    (c) => c.type === 'NetworkUnavailable' && c.status === 'True',
  );
}

/**
 * The configuration inputs, as MetalLB's speaker reads them: everything, except that BGPPeers and
 * BGPAdvertisements that do not select this node are left out — a broken peer elsewhere does not
 * invalidate this node's configuration (MetalLB's "node-specific results").
 */
export function speakerClusterResources(
  i: SpeakerInformers,
  namespace: string,
  nodeName: string,
): ClusterResources {
  const labels = i.nodes.get(nodeName)?.metadata.labels ?? {};
  const forMe = (sels: unknown) => {
    if (!Array.isArray(sels) || sels.length === 0) return true;
    try {
      return anySelectorMatches(sels, labels);
    } catch {
      return true; // let the parser report the malformed selector
    }
  };
  const extras = i.configMaps.get(`${namespace}/${BGP_EXTRAS_CONFIGMAP}`);
  return {
    pools: i.pools.list(),
    communities: i.communities.list(),
    namespaces: i.namespaces.list(),
    peers: i.peers.list().filter((p) => forMe(p.spec?.nodeSelectors)),
    bfdProfiles: i.bfdProfiles.list(),
    bgpAdvertisements: i.bgpAdvertisements.list().filter((a) => forMe(a.spec?.nodeSelectors)),
    l2Advertisements: i.l2Advertisements.list(),
    nodes: i.nodes.list(),
    secrets: i.secrets.list(),
    ...(extras ? { bgpExtras: extras } : {}),
  };
}

/** What the informers' events mean to the speaker. */
export interface SpeakerTriggers {
  readonly nodeName: string;
  readonly excludeL2ConfigMap: string;
  /** A decision input changed: decide again (debounced). */
  sync(): void;
  /** A configuration input changed: parse again, then decide. */
  config(): void;
  /** This node's labels changed. */
  ownNodeLabels(): void;
}

/**
 * Which changes matter, as MetalLB's speaker reconcilers see them: Services and EndpointSlices
 * (indexed by Service) always; Nodes as configuration through their labels (node selectors) and
 * as a decision input through NetworkUnavailable; Namespaces through their labels; the metallb.io
 * kinds and Secrets when their spec changes (a status write changes no generation); the bgpextras
 * ConfigMap as configuration, metallb-excludel2 as a decision input.
 */
export function wireSpeakerInformers(
  i: SpeakerInformers,
  slices: ByService,
  t: SpeakerTriggers,
): void {
  const labelsChanged = (a: KubeObject, b: KubeObject) =>
    JSON.stringify(a.metadata.labels ?? {}) !== JSON.stringify(b.metadata.labels ?? {});
  i.services.on({ add: t.sync, update: t.sync, delete: t.sync });
  i.endpointSlices.on({
    add: (sl) => {
      slices.add(sliceServiceKey(sl), objectKey(sl));
      t.sync();
    },
    update: (o, sl) => {
      slices.remove(sliceServiceKey(o), objectKey(o));
      slices.add(sliceServiceKey(sl), objectKey(sl));
      t.sync();
    },
    delete: (sl) => {
      slices.remove(sliceServiceKey(sl), objectKey(sl));
      t.sync();
    },
  });
  i.nodes.on({
    add: t.config,
    delete: t.config,
    update: (o, n) => {
      if (labelsChanged(o, n)) {
        t.config();
        if (n.metadata.name === t.nodeName) t.ownNodeLabels();
      } else if (networkUnavailable(o) !== networkUnavailable(n)) t.sync();
    },
  });
  i.namespaces.on({
    add: t.config,
    delete: t.config,
    update: (o, n) => {
      if (labelsChanged(o, n)) t.config();
    },
  });
  for (const inf of [
    i.pools,
    i.communities,
    i.peers,
    i.bfdProfiles,
    i.bgpAdvertisements,
    i.l2Advertisements,
    i.secrets,
  ] as Informer<KubeObject>[]) {
    inf.on({
      add: t.config,
      delete: t.config,
      update: (o, n) => {
        if (o.metadata.generation === undefined || o.metadata.generation !== n.metadata.generation)
          t.config();
      },
    });
  }
  const cm = (c: ConfigMapObject & KubeObject) => {
    if (c.metadata.name === BGP_EXTRAS_CONFIGMAP) t.config();
    if (c.metadata.name === t.excludeL2ConfigMap) t.sync();
  };
  i.configMaps.on({ add: cm, update: (_o, c) => cm(c), delete: cm });
}
