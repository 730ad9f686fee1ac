// How the speaker reads its inputs, as MetalLB does: which endpoints can serve
// (internal/k8s/epslices EndpointCanServe), which nodes are unavailable or excluded
// (internal/k8s/nodes), the Service's addresses and the pool holding them (speaker/main.go
// SetBalancer, poolFor), and which nodes run a speaker (internal/speakerlist UsableSpeakers).
import { formatAddress, parsePoolEntry, parseAddress } from '@ironlb/ipam';
import {
  ANNOTATIONS,
  DEPRECATED_ANNOTATIONS,
  handlesLoadBalancerClass,
  serviceKey,
} from '../controller/service.js';
import type { DomainConfig, PoolConfig } from '../config/types.js';
import { serviceReasonLog, type ServiceReason } from './reasons.js';
import type {
  EndpointSliceObject,
  LogLine,
  NodeStatusObject,
  ServiceObject,
  SpeakerView,
} from './types.js';

/** core/v1 LabelNodeExcludeBalancers: any value excludes the node. */
export const EXCLUDE_BALANCERS_LABEL = 'node.kubernetes.io/exclude-from-external-load-balancers';

type Endpoint = NonNullable<EndpointSliceObject['endpoints']>[number];

/**
 * MetalLB EndpointCanServe: `ready` unset or true, or `serving` true (a terminating endpoint that
 * still serves counts, KEP-1669).
 */
export function endpointCanServe(ep: Endpoint): boolean {
  const c = ep.conditions ?? {};
  if (c.ready === undefined || c.ready === null || c.ready === true) return true;
  return c.serving === true;
}

/** Any endpoint anywhere that can serve (Layer 2's "at least one serving endpoint"). */
export function anyServingEndpoint(slices: readonly EndpointSliceObject[]): boolean {
  return slices.some((s) => (s.endpoints ?? []).some(endpointCanServe));
}

/** Nodes with an endpoint that can serve (Layer 2, ETP=Local). */
export function nodesWithServingEndpoint(slices: readonly EndpointSliceObject[]): Set<string> {
  const out = new Set<string>();
  for (const s of slices)
    for (const ep of s.endpoints ?? [])
      if (ep.nodeName !== undefined && endpointCanServe(ep)) out.add(ep.nodeName);
  return out;
}

/**
 * MetalLB hasHealthyEndpoint (BGP): an endpoint with at least one address that can serve, on
 * `node` when given (ETP=Local), anywhere otherwise.
 */
export function hasHealthyEndpoint(slices: readonly EndpointSliceObject[], node?: string): boolean {
  return slices.some((s) =>
    (s.endpoints ?? []).some(
      (ep) =>
        (node === undefined || ep.nodeName === node) &&
        (ep.addresses ?? []).length > 0 &&
        endpointCanServe(ep),
    ),
  );
}

/** NodeNetworkUnavailable=True. A node the speaker has no object for is not unavailable. */
export function isNetworkUnavailable(node: NodeStatusObject | undefined): boolean {
  return (node?.status?.conditions ?? []).some(
    (c) => c.type === 'NetworkUnavailable' && c.status === 'True',
  );
}

/** Labelled node.kubernetes.io/exclude-from-external-load-balancers (any value). */
export function isExcludedFromBalancers(node: NodeStatusObject | undefined): boolean {
  return Object.hasOwn(node?.metadata.labels ?? {}, EXCLUDE_BALANCERS_LABEL);
}

/**
 * Whether the Service carries allow-shared-ip in either spelling, even empty (MetalLB
 * serviceHasSharedIP: presence, not value, metallb-behaviour.md §2 (q)).
 */
export function hasSharedIPAnnotation(svc: ServiceObject): boolean {
  const a = svc.metadata.annotations ?? {};
  return (
    Object.hasOwn(a, ANNOTATIONS.allowSharedIP) ||
    Object.hasOwn(a, DEPRECATED_ANNOTATIONS.allowSharedIP)
  );
}

/** Node name → Node, for lookups. */
export function nodeIndex(nodes: readonly NodeStatusObject[]): Map<string, NodeStatusObject> {
  return new Map(nodes.map((n) => [n.metadata.name ?? '', n]));
}

/**
 * The nodes that run a speaker: the live members, or every known node when memberlist is off
 * (MetalLB assumes a speaker on every node then, metallb-behaviour.md §6).
 */
export function speakerNodes(view: SpeakerView): string[] {
  if (view.members === undefined) return view.nodes.map((n) => n.metadata.name ?? '');
  return [...view.members];
}

// Every pool's entry ranges, computed once per parsed config (the config is immutable).
const rangesOf = new WeakMap<DomainConfig, { pool: PoolConfig; lo: bigint; hi: bigint }[]>();
function ranges(config: DomainConfig): { pool: PoolConfig; lo: bigint; hi: bigint }[] {
  let r = rangesOf.get(config);
  if (!r) {
    r = [];
    for (const pool of config.pools)
      for (const b of pool.blocks) {
        const e = parsePoolEntry(b.source);
        if (!('error' in e)) r.push({ pool, lo: e.lo, hi: e.hi });
      }
    rangesOf.set(config, r);
  }
  return r;
}

/** MetalLB poolFor: the pool holding every one of the addresses (pools never overlap). */
export function poolOf(config: DomainConfig, addresses: readonly bigint[]): PoolConfig | undefined {
  const rs = ranges(config);
  let pool: PoolConfig | undefined;
  for (const a of addresses) {
    const hit = rs.find((r) => r.lo <= a && a <= r.hi);
    if (!hit || (pool && hit.pool !== pool)) return undefined;
    pool = hit.pool;
  }
  return pool;
}

/** A Service the protocols are asked about: its key, addresses (Go's canonical text), pool. */
export interface AnnounceableService {
  readonly key: string;
  readonly service: ServiceObject;
  readonly endpointSlices: readonly EndpointSliceObject[];
  /** Ingress addresses in status order, as Go's net.IP.String() prints them. */
  readonly ips: readonly string[];
  readonly values: readonly bigint[];
  readonly pool: PoolConfig;
}

/** Why a Service is not considered at all, with MetalLB's log line. */
export interface ServiceWithdrawal {
  readonly key: string;
  readonly reason: ServiceReason;
  readonly log?: LogLine;
}

/**
 * MetalLB's SetBalancer checks before the protocols: a LoadBalancer with addresses assigned, all
 * valid and inside one configured pool. `undefined` = a Service of another load-balancer class,
 * which the speaker ignores entirely.
 */
export function checkService(
  view: SpeakerView,
  service: ServiceObject,
  endpointSlices: readonly EndpointSliceObject[],
): AnnounceableService | ServiceWithdrawal | undefined {
  const key = serviceKey(service);
  if (!handlesLoadBalancerClass(service, view.loadBalancerClass)) return undefined;
  if (service.spec?.type !== 'LoadBalancer') return { key, reason: 'notLoadBalancer' };
  const ingress = service.status?.loadBalancer?.ingress ?? [];
  if (ingress.length === 0) return { key, reason: 'noIPAllocated' };
  const values: bigint[] = [];
  for (const i of ingress) {
    const v = parseAddress(i.ip ?? '');
    if (v === undefined) {
      const log = serviceReasonLog('invalidIP', i.ip ?? '');
      return { key, reason: 'invalidIP', ...(log ? { log } : {}) };
    }
    values.push(v);
  }
  const pool = poolOf(view.config, values);
  if (!pool) {
    const log = serviceReasonLog('ipNotAllowed');
    return { key, reason: 'ipNotAllowed', ...(log ? { log } : {}) };
  }
  return { key, service, endpointSlices, ips: values.map(formatAddress), values, pool };
}
