// Layer 2: which node answers ARP/NDP for each address, and on which interfaces (MetalLB
// speaker/layer2_controller.go ShouldAnnounce / SetBalancer, metallb-behaviour.md §4).
//
// Per Service, every speaker computes the same candidate set — live speakers, minus nodes with
// NetworkUnavailable, minus nodes labelled exclude-from-external-load-balancers (unless
// ignoreExcludeLB), restricted to nodes an L2Advertisement matching the Service selects, and with
// externalTrafficPolicy Local to nodes with a serving endpoint — sorts it by summed
// preferred-node weight, then by SHA-256 of `node + "#" + ip` (Go's canonical text of the
// Service's first address), and the first node announces. No coordination: every node reaches
// the same answer from the same inputs.
//
// One rule MetalLB lacks (MetalLB #968, a shared address announced by two nodes): Services that
// share an address are elected together — among the nodes every one of them could use, hashed
// with the first address of the group's first Service by namespace/name — so one address is
// answered by one node. When no node could serve them all (different endpoints under
// externalTrafficPolicy Local, say), each is elected on its own as in MetalLB: every Service
// stays reachable, at the price of the address being answered by two nodes.
import { createHash } from 'node:crypto';
import { anySelectorMatches } from '../config/selector.js';
import type { L2AdvertisementConfig } from '../config/types.js';
import {
  anyServingEndpoint,
  checkService,
  hasSharedIPAnnotation,
  isExcludedFromBalancers,
  isNetworkUnavailable,
  nodeIndex,
  nodesWithServingEndpoint,
  speakerNodes,
  type AnnounceableService,
} from './inputs.js';
import {
  announceLog,
  layer2ReasonLog,
  nodeAssignedEvent,
  type Layer2Reason,
  type ServiceReason,
} from './reasons.js';
import type { LogLine, ServiceEvent, ServiceInput, SpeakerView } from './types.js';

/** Interfaces to answer on: every usable one, or these names. */
export type InterfaceSet =
  { readonly all: true } | { readonly all: false; readonly names: readonly string[] };

/** One address this node answers for. */
export interface Layer2Address {
  readonly ip: string;
  readonly interfaces: InterfaceSet;
  /** The Services using it (namespace/name). */
  readonly services: readonly string[];
}

export type Layer2ServiceDecision =
  | {
      readonly key: string;
      readonly announce: true;
      readonly ips: readonly string[];
      readonly interfaces: InterfaceSet;
      readonly log: LogLine;
      readonly event: ServiceEvent;
    }
  | {
      readonly key: string;
      readonly announce: false;
      readonly reason: Layer2Reason | ServiceReason;
      readonly ips?: readonly string[];
      /** The node that announces it, when one does (for ServiceL2Status and logs). */
      readonly winner?: string;
      readonly log?: LogLine;
    };

export interface Layer2Decisions {
  /** One decision per Service handled, in input order (other load-balancer classes left out). */
  readonly services: readonly Layer2ServiceDecision[];
  /** The addresses this node answers for, each once, sorted. */
  readonly addresses: readonly Layer2Address[];
}

/** MetalLB l2AdsForService: ads without service selectors, or with one matching the labels. */
export function l2AdsForService(
  ads: readonly L2AdvertisementConfig[],
  labels: Readonly<Record<string, string>> | undefined,
): L2AdvertisementConfig[] {
  return ads.filter(
    (ad) => ad.serviceSelectors.length === 0 || anySelectorMatches(ad.serviceSelectors, labels),
  );
}

/** MetalLB preferredScoresFor: preference weights summed over the ads. */
export function preferredScores(ads: readonly L2AdvertisementConfig[]): Map<string, number> {
  const scores = new Map<string, number>();
  for (const ad of ads)
    for (const [node, w] of Object.entries(ad.preferredNodes))
      scores.set(node, (scores.get(node) ?? 0) + w);
  return scores;
}

/**
 * MetalLB sortL2Candidates: highest summed preference first, then SHA-256 of `node#ip`
 * byte-wise ascending. `ip` is Go's canonical text (net.IP.String()).
 */
export function sortL2Candidates(
  candidates: readonly string[],
  ip: string,
  scores: ReadonlyMap<string, number> = new Map(),
): string[] {
  const hash = new Map(
    candidates.map((n) => [n, createHash('sha256').update(`${n}#${ip}`).digest()]),
  );
  return [...candidates].sort((a, b) => {
    const d = (scores.get(b) ?? 0) - (scores.get(a) ?? 0);
    if (d !== 0) return d;
    return (hash.get(a) as Buffer).compare(hash.get(b) as Buffer);
  });
}

/** MetalLB ipAdvertisementFor: the union of the ads' interfaces; one ad without any = all. */
export function interfacesFor(ads: readonly L2AdvertisementConfig[]): InterfaceSet {
  if (ads.some((ad) => ad.allInterfaces)) return { all: true };
  return { all: false, names: [...new Set(ads.flatMap((ad) => ad.interfaces))].sort() };
}

interface Evaluated {
  readonly svc: AnnounceableService;
  readonly ads: L2AdvertisementConfig[];
  readonly candidates: ReadonlySet<string>;
}

/**
 * Decides, for this node, which Services and addresses it announces over Layer 2. Services are
 * evaluated together so that Services sharing an address are announced from one node.
 */
export function decideLayer2(view: SpeakerView, inputs: readonly ServiceInput[]): Layer2Decisions {
  const nodes = nodeIndex(view.nodes);
  const speakers = speakerNodes(view).filter((n) => {
    const node = nodes.get(n);
    if (isNetworkUnavailable(node)) return false;
    return view.ignoreExcludeLB === true || !isExcludedFromBalancers(node);
  });
  const out: (Layer2ServiceDecision | Evaluated)[] = [];
  for (const { service, endpointSlices } of inputs) {
    const svc = checkService(view, service, endpointSlices);
    if (svc === undefined) continue;
    if (!('pool' in svc)) {
      out.push({
        key: svc.key,
        announce: false,
        reason: svc.reason,
        ...(svc.log ? { log: svc.log } : {}),
      });
      continue;
    }
    const notAnnounced = (reason: Layer2Reason, why?: 'noEndpoints' | 'noNodes') => {
      const log = layer2ReasonLog(reason, svc.key, why);
      return {
        key: svc.key,
        announce: false as const,
        reason,
        ips: svc.ips,
        ...(log ? { log } : {}),
      };
    };
    if (!anyServingEndpoint(endpointSlices)) {
      out.push(notAnnounced('notOwner', 'noEndpoints'));
      continue;
    }
    const ads = l2AdsForService(svc.pool.l2Advertisements, service.metadata.labels);
    if (hasSharedIPAnnotation(service) && ads.some((ad) => ad.serviceSelectors.length > 0)) {
      out.push(notAnnounced('sharedIPWithServiceSelector'));
      continue;
    }
    if (!ads.some((ad) => ad.nodes.includes(view.myNode))) {
      out.push(notAnnounced('noMatchingAdvertisement'));
      continue;
    }
    // Every service-matching ad, whatever node it selects, so that every speaker evaluates the
    // same candidate set.
    let candidates = speakers.filter((n) => ads.some((ad) => ad.nodes.includes(n)));
    if (service.spec?.externalTrafficPolicy === 'Local') {
      const local = nodesWithServingEndpoint(endpointSlices);
      candidates = candidates.filter((n) => local.has(n));
    }
    if (candidates.length === 0) {
      out.push(notAnnounced('notOwner', 'noNodes'));
      continue;
    }
    out.push({ svc, ads, candidates: new Set(candidates) });
  }

  const evaluated = out.filter((x): x is Evaluated => 'candidates' in x);
  const winners = electGroups(evaluated);
  const addresses = new Map<string, { interfaces: InterfaceSet; services: string[] }>();
  const services = out.map((x): Layer2ServiceDecision => {
    if (!('candidates' in x)) return x;
    const { svc, ads, candidates } = x;
    const winner = winners.get(svc.key) as string;
    if (winner !== view.myNode || !candidates.has(view.myNode)) {
      return { key: svc.key, announce: false, reason: 'notOwner', ips: svc.ips, winner };
    }
    const interfaces = interfacesFor(ads.filter((ad) => ad.nodes.includes(view.myNode)));
    for (const ip of svc.ips) {
      const a = addresses.get(ip);
      if (!a) addresses.set(ip, { interfaces, services: [svc.key] });
      else {
        a.services.push(svc.key);
        a.interfaces = mergeInterfaces(a.interfaces, interfaces);
      }
    }
    return {
      key: svc.key,
      announce: true,
      ips: svc.ips,
      interfaces,
      log: announceLog('layer2'),
      event: nodeAssignedEvent(view.myNode, 'layer2'),
    };
  });
  return {
    services,
    addresses: [...addresses.entries()]
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([ip, a]) => ({ ip, interfaces: a.interfaces, services: a.services.sort() })),
  };
}

function mergeInterfaces(a: InterfaceSet, b: InterfaceSet): InterfaceSet {
  if (a.all || b.all) return { all: true };
  return { all: false, names: [...new Set([...a.names, ...b.names])].sort() };
}

function electOne(e: Evaluated, candidates: readonly string[]): string {
  return sortL2Candidates(candidates, e.svc.ips[0] as string, preferredScores(e.ads))[0] as string;
}

/**
 * The winner of each Service's election, Services sharing an address (transitively) elected as
 * one group. A group of one Service is MetalLB's election exactly.
 */
function electGroups(evaluated: readonly Evaluated[]): Map<string, string> {
  // Union-find over Services linked by a common address.
  const parent = evaluated.map((_, i) => i);
  const find = (i: number): number => {
    while (parent[i] !== i) {
      parent[i] = parent[parent[i] as number] as number;
      i = parent[i] as number;
    }
    return i;
  };
  const byIp = new Map<string, number>();
  evaluated.forEach((e, i) => {
    for (const ip of e.svc.ips) {
      const j = byIp.get(ip);
      if (j === undefined) byIp.set(ip, i);
      else parent[find(i)] = find(j);
    }
  });
  const groups = new Map<number, Evaluated[]>();
  evaluated.forEach((e, i) => {
    const g = groups.get(find(i)) ?? [];
    g.push(e);
    groups.set(find(i), g);
  });
  const winners = new Map<string, string>();
  for (const members of groups.values()) {
    members.sort((a, b) => (a.svc.key < b.svc.key ? -1 : a.svc.key > b.svc.key ? 1 : 0));
    const first = members[0] as Evaluated;
    const common = [...first.candidates].filter((n) => members.every((m) => m.candidates.has(n)));
    if (common.length === 0) {
      for (const m of members) winners.set(m.svc.key, electOne(m, [...m.candidates]));
      continue;
    }
    const winner = electOne(first, common);
    for (const m of members) winners.set(m.svc.key, winner);
  }
  return winners;
}
