// BGP: which sessions this node opens and which prefixes go to which peer with which attributes
// (MetalLB speaker/bgp_controller.go ShouldAnnounce / SetBalancer / publishAds / syncPeers,
// metallb-behaviour.md §5.1).
//
// A Service is announced by this node when an advertisement of its pool selects this node and
// matches the Service; the matching advertisements agree on LOCAL_PREF
// (conflictingAdvertisements otherwise); the node is neither NetworkUnavailable nor excluded
// from load balancers; and there is a serving endpoint with an address — on this node under
// externalTrafficPolicy Local. Each address × matching advertisement is one route: the address
// masked to the advertisement's aggregation length, its LOCAL_PREF and communities, to the peers
// it names (all when none). Routes for the same prefix to the same peer are merged, their
// communities unioned; if they disagree on LOCAL_PREF the prefix is not sent to that peer and
// the conflict is reported (MetalLB leaves it to FRR, which applies whichever route-map entry
// matches first).
import { compareCommunities, parseCommunity } from '../config/community.js';
import { compatibleLocalPref } from '../config/advertisements.js';
import { anySelectorMatches } from '../config/selector.js';
import type { BgpAdvertisementConfig, PoolConfig } from '../config/types.js';
import { makeCidr } from '../config/net.js';
import {
  checkService,
  hasHealthyEndpoint,
  isExcludedFromBalancers,
  isNetworkUnavailable,
  nodeIndex,
} from './inputs.js';
import {
  announceLog,
  bgpReasonLog,
  nodeAssignedEvent,
  type BgpReason,
  type ServiceReason,
} from './reasons.js';
import { bgpSessions, type BgpSession } from './sessions.js';
import type { LogLine, ServiceEvent, ServiceInput, SpeakerView } from './types.js';

/** RFC 8092 large community, as @ironlb/bgp-speaker takes it. */
export interface LargeCommunityValue {
  readonly global: number;
  readonly local1: number;
  readonly local2: number;
}

/** A route's attributes in @ironlb/bgp-speaker's AnnounceOptions shape (field for field). */
export interface BgpRouteAttributes {
  /** RFC 1997 communities as 32-bit numbers (`A:B` = A × 65536 + B). */
  readonly communities: readonly number[];
  readonly largeCommunities: readonly LargeCommunityValue[];
  /** LOCAL_PREF; absent when no advertisement sets one (0 = unset, as in MetalLB's FRR modes). */
  readonly localPref?: number;
}

/** One prefix sent to one peer. */
export interface BgpRoute {
  readonly prefix: string;
  /** Communities in MetalLB's text (`A:B`, `large:X:Y:Z`), sorted as MetalLB sorts them. */
  readonly communities: readonly string[];
  readonly attributes: BgpRouteAttributes;
  /** The Services it stands for (namespace/name). */
  readonly services: readonly string[];
}

/** The routes one session of this node carries. */
export interface BgpPeerRoutes {
  /** BGPPeer name. */
  readonly peer: string;
  readonly address: string;
  /** Sorted by prefix. */
  readonly routes: readonly BgpRoute[];
}

/** A prefix withheld from a peer because the Services' advertisements disagree on LOCAL_PREF. */
export interface BgpLocalPrefConflict {
  readonly peer: string;
  readonly prefix: string;
  readonly localPrefs: readonly number[];
  readonly services: readonly string[];
}

export type BgpServiceDecision =
  | {
      readonly key: string;
      readonly announce: true;
      readonly ips: readonly string[];
      /** BGPPeer names it is sent to (ServiceBGPStatus.status.peers), sorted. */
      readonly peers: readonly string[];
      readonly log: LogLine;
      readonly event: ServiceEvent;
    }
  | {
      readonly key: string;
      readonly announce: false;
      readonly reason: BgpReason | ServiceReason;
      readonly ips?: readonly string[];
      readonly log?: LogLine;
    };

export interface BgpDecisions {
  readonly services: readonly BgpServiceDecision[];
  /** The sessions this node opens, by BGPPeer name. */
  readonly sessions: readonly BgpSession[];
  /** Per session, the routes it carries (a session with none is listed with `routes: []`). */
  readonly peers: readonly BgpPeerRoutes[];
  readonly conflicts: readonly BgpLocalPrefConflict[];
}

/** MetalLB bgpAdsForService: ads selecting `node` that have no service selector or a matching one. */
export function bgpAdsForService(
  ads: readonly BgpAdvertisementConfig[],
  node: string,
  labels: Readonly<Record<string, string>> | undefined,
): BgpAdvertisementConfig[] {
  return ads.filter(
    (ad) =>
      ad.nodes.includes(node) &&
      (ad.serviceSelectors.length === 0 || anySelectorMatches(ad.serviceSelectors, labels)),
  );
}

/** The families a pool's entries hold. */
export function poolFamilies(pool: PoolConfig): { v4: boolean; v6: boolean } {
  return {
    v4: pool.cidrs.some((c) => !c.includes(':')),
    v6: pool.cidrs.some((c) => c.includes(':')),
  };
}

/**
 * MetalLB checkBGPAdvConflicts: the first two of the Service's ads that may describe one route with
 * different LOCAL_PREFs, in MetalLB's words, or undefined.
 */
export function bgpAdvConflict(
  ads: readonly BgpAdvertisementConfig[],
  pool: PoolConfig,
): string | undefined {
  const families = poolFamilies(pool);
  for (let i = 0; i < ads.length; i++) {
    for (let j = i + 1; j < ads.length; j++) {
      const a = ads[i] as BgpAdvertisementConfig;
      const b = ads[j] as BgpAdvertisementConfig;
      if (!compatibleLocalPref(a, b, families)) {
        return `advertisements '${a.name}' and '${b.name}' have conflicting LOCAL_PREF (${a.localPref} vs ${b.localPref})`;
      }
    }
  }
  return undefined;
}

const V4_BASE = 0xffff00000000n;

/** The address masked to the advertisement's aggregation length, as Go prints an IPNet. */
export function aggregatedPrefix(address: bigint, ad: BgpAdvertisementConfig): string {
  const v4 = address >= V4_BASE && address <= 0xffffffffffffn;
  const bits = v4 ? 32 : 128;
  const len = v4 ? ad.aggregationLength : ad.aggregationLengthV6;
  const value = v4 ? address - V4_BASE : address;
  const host = (1n << BigInt(bits - len)) - 1n;
  return makeCidr(v4 ? 4 : 6, value & ~host, len).text;
}

/** A community's text as @ironlb/bgp-speaker's numbers. */
function communityValue(text: string): number | LargeCommunityValue {
  const r = parseCommunity(text);
  if (!r.ok) throw new Error(`unreachable: parsed community ${text} does not parse`);
  const [a, b, c] = r.community.sortKey;
  return r.community.kind === 'legacy'
    ? Number(a)
    : { global: Number(a), local1: Number(b), local2: Number(c) };
}

interface RouteDraft {
  prefix: string;
  localPrefs: Set<number>;
  communities: Set<string>;
  services: Set<string>;
}

/** Decides, for this node, its BGP sessions and what each carries. */
export function decideBgp(view: SpeakerView, inputs: readonly ServiceInput[]): BgpDecisions {
  const nodes = nodeIndex(view.nodes);
  const me = nodes.get(view.myNode);
  const sessions = bgpSessions(view);
  const services: BgpServiceDecision[] = [];
  // peer name → prefix → draft
  const drafts = new Map<string, Map<string, RouteDraft>>(sessions.map((s) => [s.name, new Map()]));
  const servicePeers = new Map<string, Set<string>>();
  const announced: { key: string; ips: readonly string[] }[] = [];

  for (const { service, endpointSlices } of inputs) {
    const svc = checkService(view, service, endpointSlices);
    if (svc === undefined) continue;
    if (!('pool' in svc)) {
      services.push({
        key: svc.key,
        announce: false,
        reason: svc.reason,
        ...(svc.log ? { log: svc.log } : {}),
      });
      continue;
    }
    const not = (reason: BgpReason, error = '') => {
      const log = bgpReasonLog(reason, svc.key, error);
      services.push({
        key: svc.key,
        announce: false,
        reason,
        ips: svc.ips,
        ...(log ? { log } : {}),
      });
    };
    if (!svc.pool.bgpAdvertisements.some((ad) => ad.nodes.includes(view.myNode))) {
      not('notOwner');
      continue;
    }
    const ads = bgpAdsForService(svc.pool.bgpAdvertisements, view.myNode, service.metadata.labels);
    if (ads.length === 0) {
      not('noMatchingAdvertisement');
      continue;
    }
    const conflict = bgpAdvConflict(ads, svc.pool);
    if (conflict !== undefined) {
      not('conflictingAdvertisements', conflict);
      continue;
    }
    if (isNetworkUnavailable(me)) {
      not('nodeNetworkUnavailable');
      continue;
    }
    if (view.ignoreExcludeLB !== true && isExcludedFromBalancers(me)) {
      not('nodeLabeledExcludeBalancers');
      continue;
    }
    if (
      service.spec?.externalTrafficPolicy === 'Local' &&
      !hasHealthyEndpoint(endpointSlices, view.myNode)
    ) {
      not('noLocalEndpoints');
      continue;
    }
    if (!hasHealthyEndpoint(endpointSlices)) {
      not('noEndpoints');
      continue;
    }
    for (const value of svc.values) {
      for (const ad of ads) {
        const prefix = aggregatedPrefix(value, ad);
        for (const s of sessions) {
          if (ad.peers.length > 0 && !ad.peers.includes(s.name)) continue;
          const byPrefix = drafts.get(s.name) as Map<string, RouteDraft>;
          let d = byPrefix.get(prefix);
          if (!d) {
            d = { prefix, localPrefs: new Set(), communities: new Set(), services: new Set() };
            byPrefix.set(prefix, d);
          }
          d.localPrefs.add(ad.localPref);
          for (const c of ad.communities) d.communities.add(c);
          d.services.add(svc.key);
        }
      }
    }
    announced.push({ key: svc.key, ips: svc.ips });
  }

  const conflicts: BgpLocalPrefConflict[] = [];
  const peers: BgpPeerRoutes[] = sessions.map((s) => {
    const routes: BgpRoute[] = [];
    const byPrefix = drafts.get(s.name) as Map<string, RouteDraft>;
    for (const d of [...byPrefix.values()].sort((a, b) => comparePrefixes(a.prefix, b.prefix))) {
      const svcs = [...d.services].sort();
      if (d.localPrefs.size > 1) {
        conflicts.push({
          peer: s.name,
          prefix: d.prefix,
          localPrefs: [...d.localPrefs].sort((a, b) => a - b),
          services: svcs,
        });
        continue;
      }
      const communities = [...d.communities]
        .map((t) => parseCommunity(t))
        .flatMap((r) => (r.ok ? [r.community] : []))
        .sort(compareCommunities)
        .map((c) => c.text);
      const values = communities.map(communityValue);
      const localPref = [...d.localPrefs][0] ?? 0;
      routes.push({
        prefix: d.prefix,
        communities,
        attributes: {
          communities: values.filter((v): v is number => typeof v === 'number'),
          largeCommunities: values.filter((v): v is LargeCommunityValue => typeof v !== 'number'),
          ...(localPref !== 0 ? { localPref } : {}),
        },
        services: svcs,
      });
      for (const k of svcs) {
        const set = servicePeers.get(k) ?? new Set<string>();
        set.add(s.name);
        servicePeers.set(k, set);
      }
    }
    return { peer: s.name, address: s.options.address, routes };
  });

  const decisions = [...services];
  for (const { key, ips } of announced) {
    decisions.push({
      key,
      announce: true,
      ips,
      peers: [...(servicePeers.get(key) ?? [])].sort(),
      log: announceLog('bgp'),
      event: nodeAssignedEvent(view.myNode, 'bgp'),
    });
  }
  // Back in input order.
  const order = new Map<string, number>();
  inputs.forEach((i, n) => {
    const k = `${i.service.metadata.namespace ?? ''}/${i.service.metadata.name ?? ''}`;
    if (!order.has(k)) order.set(k, n);
  });
  decisions.sort((a, b) => (order.get(a.key) ?? 0) - (order.get(b.key) ?? 0));
  return { services: decisions, sessions, peers, conflicts };
}

/** Prefixes in text order, as MetalLB's tests and FRR's sorted prefix lists order them. */
function comparePrefixes(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
