// Builders for the announce-decision tables: the parsed config's plain objects (as MetalLB's
// speaker tests build config.Pool / config.L2Advertisement directly), Services with ingress
// addresses, EndpointSlices and Nodes.
import type { LabelSelector } from '../../src/api/meta.js';
import type {
  BgpAdvertisementConfig,
  DomainConfig,
  L2AdvertisementConfig,
  PeerConfig,
  PoolConfig,
} from '../../src/config/types.js';
import type {
  EndpointSliceObject,
  NodeStatusObject,
  ServiceInput,
  ServiceObject,
} from '../../src/announce/types.js';

/** `app=nginx` → { matchLabels: { app: 'nginx' } } (MetalLB's tests use labels.Parse). */
export const sel = (text: string): LabelSelector => {
  const [k, v] = text.split('=') as [string, string];
  return { matchLabels: { [k]: v } };
};

/** A config.L2Advertisement: Go's zero values unless given (AllInterfaces false!). */
export function l2ad(
  p: {
    nodes?: string[];
    interfaces?: string[];
    allInterfaces?: boolean;
    serviceSelectors?: LabelSelector[];
    preferredNodes?: Record<string, number>;
    name?: string;
  } = {},
): L2AdvertisementConfig {
  return {
    name: p.name ?? '',
    nodes: [...(p.nodes ?? [])].sort(),
    interfaces: p.interfaces ?? [],
    allInterfaces: p.allInterfaces ?? false,
    serviceSelectors: p.serviceSelectors ?? [],
    preferredNodes: p.preferredNodes ?? {},
  };
}

/** A config.BGPAdvertisement (aggregation 32 / 128 unless given). */
export function bgpAd(
  p: {
    name?: string;
    nodes?: string[];
    aggregationLength?: number;
    aggregationLengthV6?: number;
    localPref?: number;
    communities?: string[];
    peers?: string[];
    serviceSelectors?: LabelSelector[];
  } = {},
): BgpAdvertisementConfig {
  return {
    name: p.name ?? '',
    aggregationLength: p.aggregationLength ?? 32,
    aggregationLengthV6: p.aggregationLengthV6 ?? 128,
    localPref: p.localPref ?? 0,
    communities: p.communities ?? [],
    nodes: [...(p.nodes ?? [])].sort(),
    peers: p.peers ?? [],
    serviceSelectors: p.serviceSelectors ?? [],
  };
}

/** A pool of one CIDR (what MetalLB's tests give config.Pool.CIDR). */
export function pool(
  cidr: string,
  p: { name?: string; l2?: L2AdvertisementConfig[]; bgp?: BgpAdvertisementConfig[] } = {},
): PoolConfig {
  return {
    name: p.name ?? 'default',
    labels: {},
    cidrs: [cidr],
    blocks: [{ source: cidr, cidrs: [cidr] }],
    autoAssign: true,
    avoidBuggyIPs: false,
    l2Advertisements: p.l2 ?? [],
    bgpAdvertisements: p.bgp ?? [],
  };
}

/** A config.Peer. */
export function peer(name: string, address: string, p: Partial<PeerConfig> = {}): PeerConfig {
  return {
    name,
    myASN: 64512,
    peerASN: 64512,
    address,
    port: 179,
    nodes: [],
    nodeSelectors: [],
    enableGracefulRestart: false,
    ebgpMultiHop: false,
    dualStackAddressFamily: false,
    ...p,
  };
}

export function config(pools: PoolConfig[], peers: PeerConfig[] = []): DomainConfig {
  return { pools, peers, bfdProfiles: [] };
}

/** A LoadBalancer Service with these ingress addresses (MetalLB's statusAssigned). */
export function svc(
  ips: string | string[],
  p: {
    name?: string;
    namespace?: string;
    etp?: 'Cluster' | 'Local';
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
    type?: string;
  } = {},
): ServiceObject {
  const list = typeof ips === 'string' ? [ips] : ips;
  return {
    metadata: {
      name: p.name ?? 'test1',
      namespace: p.namespace ?? 'default',
      ...(p.labels ? { labels: p.labels } : {}),
      ...(p.annotations ? { annotations: p.annotations } : {}),
    },
    spec: {
      type: p.type ?? 'LoadBalancer',
      ...(p.etp ? { externalTrafficPolicy: p.etp } : {}),
    },
    status: { loadBalancer: { ingress: list.map((ip) => ({ ip })) } },
  };
}

/** An endpoint: ready by default; addresses ["2.3.4.5"] unless given. */
export function ep(
  node: string | undefined,
  c: { ready?: boolean | null; serving?: boolean; addresses?: string[] } = {},
): NonNullable<EndpointSliceObject['endpoints']>[number] {
  return {
    addresses: c.addresses ?? ['2.3.4.5'],
    ...(node !== undefined ? { nodeName: node } : {}),
    conditions: {
      ...(c.ready !== null ? { ready: c.ready ?? true } : {}),
      ...(c.serving !== undefined ? { serving: c.serving } : {}),
    },
  };
}

export const slice = (...endpoints: ReturnType<typeof ep>[]): EndpointSliceObject => ({
  endpoints,
});

export const input = (
  service: ServiceObject,
  ...endpointSlices: EndpointSliceObject[]
): ServiceInput => ({
  service,
  endpointSlices,
});

export function node(
  name: string,
  p: { labels?: Record<string, string>; networkUnavailable?: boolean } = {},
): NodeStatusObject {
  return {
    metadata: { name, ...(p.labels ? { labels: p.labels } : {}) },
    ...(p.networkUnavailable !== undefined
      ? {
          status: {
            conditions: [
              { type: 'NetworkUnavailable', status: p.networkUnavailable ? 'True' : 'False' },
            ],
          },
        }
      : {}),
  };
}
