// The configuration function: raw custom resources (+ namespaces, nodes, secrets) → a
// validated DomainConfig, or every problem found. All-or-nothing like MetalLB's config.For
// (internal/config/config.go), but where MetalLB stops at the first error this keeps going
// so the user sees every issue at once.
import type { BGPAdvertisement, IPAddressPool, L2Advertisement } from '../api/types.generated.js';
import type { LabelSelector, NamespaceObject, NodeObject } from '../api/meta.js';
import { compareCommunities, parseCommunity, type Community } from './community.js';
import { cidrsOverlap, parseAddresses, type Cidr } from './net.js';
import {
  checkPeerConflicts,
  parseBfdProfiles,
  parseCommunityAliases,
  parsePeers,
} from './peers.js';
import {
  DEFAULT_NAMESPACE,
  Problems,
  byName,
  refOf,
  type ClusterResources,
  type ParseOptions,
} from './resources.js';
import {
  anySelectorMatches,
  duplicateSelectorError,
  duplicateStringError,
  selectorError,
} from './selector.js';
import type {
  BgpAdvertisementConfig,
  DomainConfig,
  L2AdvertisementConfig,
  ParseResult,
  PeerConfig,
  PoolConfig,
} from './types.js';

const q = (s: string) => JSON.stringify(s);

interface WorkPool {
  readonly cr: IPAddressPool;
  readonly name: string;
  readonly blocks: { source: string; cidrs: Cidr[] }[];
  readonly config: Omit<PoolConfig, 'l2Advertisements' | 'bgpAdvertisements'>;
  readonly l2: L2AdvertisementConfig[];
  readonly bgp: BgpAdvertisementConfig[];
}

function nodeNames(
  nodes: readonly NodeObject[],
  sels: readonly LabelSelector[] | undefined,
): string[] {
  const list = sels ?? [];
  return nodes
    .filter((n) => list.length === 0 || anySelectorMatches(list, n.metadata.labels))
    .map((n) => n.metadata.name ?? '')
    .sort();
}

function parsePools(
  crs: readonly IPAddressPool[] | undefined,
  namespaces: readonly NamespaceObject[],
  ns: string,
  p: Problems,
): WorkPool[] {
  const pools: WorkPool[] = [];
  const seen = new Set<string>();
  const all: { cidr: Cidr }[] = [];
  for (const cr of byName(crs)) {
    const ref = refOf('IPAddressPool', cr, ns);
    const name = cr.metadata.name ?? '';
    const wrap = (m: string) => `parsing address pool ${name}: ${m}`;
    const start = p.list.length;
    if (name === '') {
      p.add(ref, 'metadata.name', wrap('missing pool name'));
      continue;
    }
    const addresses = cr.spec?.addresses ?? [];
    if (addresses.length === 0) p.add(ref, 'spec.addresses', wrap('pool has no prefixes defined'));
    const blocks: { source: string; cidrs: Cidr[] }[] = [];
    addresses.forEach((a, i) => {
      const r = parseAddresses(a);
      if ('error' in r)
        p.add(
          ref,
          `spec.addresses[${i}]`,
          wrap(`invalid CIDR ${q(a)} in pool ${q(name)}: ${r.error}`),
        );
      else blocks.push({ source: a, cidrs: r.cidrs });
    });
    const sa = cr.spec?.serviceAllocation;
    let serviceAllocation: PoolConfig['serviceAllocation'];
    if (sa) {
      const dup = duplicateStringError(sa.namespaces, 'namespaces');
      if (dup)
        p.add(
          ref,
          'spec.serviceAllocation.namespaces',
          wrap('duplicate definition in namespaces field'),
        );
      for (const [field, sels] of [
        ['namespaceSelectors', sa.namespaceSelectors],
        ['serviceSelectors', sa.serviceSelectors],
      ] as const) {
        const d = duplicateSelectorError(sels, field);
        if (d) p.add(ref, `spec.serviceAllocation.${field}`, wrap(d));
        (sels ?? []).forEach((s, i) => {
          const e = selectorError(s);
          const what = field === 'namespaceSelectors' ? 'namespace' : 'service';
          if (e)
            p.add(
              ref,
              `spec.serviceAllocation.${field}[${i}]`,
              wrap(`${e}\ninvalid ${what} label selector in ip pool ${name}`),
            );
        });
      }
      const nsNames = new Set(sa.namespaces ?? []);
      for (const n of namespaces) {
        if (anySelectorMatches(sa.namespaceSelectors ?? [], n.metadata.labels))
          nsNames.add(n.metadata.name ?? '');
      }
      const nothing =
        !sa.namespaces?.length && !sa.namespaceSelectors?.length && !sa.serviceSelectors?.length;
      serviceAllocation = {
        priority: sa.priority ?? 0,
        namespaces: [...nsNames].sort(),
        // A priority-only block selects every service (MetalLB addressPoolServiceAllocationsFromCR).
        serviceSelectors: nothing ? [{}] : [...(sa.serviceSelectors ?? [])],
      };
    }
    if (seen.has(name)) {
      p.add(ref, 'metadata.name', `duplicate definition of pool ${q(name)}`);
      continue;
    }
    seen.add(name);
    blocks.forEach((b) => {
      for (const c of b.cidrs) {
        const hit = all.find((m) => cidrsOverlap(c, m.cidr));
        if (hit) {
          p.add(
            ref,
            `spec.addresses[${addresses.indexOf(b.source)}]`,
            `CIDR ${q(c.text)} in pool ${q(name)} overlaps with already defined CIDR ${q(hit.cidr.text)}`,
          );
        }
        all.push({ cidr: c });
      }
    });
    if (p.list.length > start) continue;
    pools.push({
      cr,
      name,
      blocks,
      config: {
        name,
        labels: { ...(cr.metadata.labels ?? {}) },
        cidrs: blocks.flatMap((b) => b.cidrs.map((c) => c.text)),
        blocks: blocks.map((b) => ({ source: b.source, cidrs: b.cidrs.map((c) => c.text) })),
        autoAssign: cr.spec.autoAssign ?? true,
        avoidBuggyIPs: cr.spec.avoidBuggyIPs ?? false,
        ...(serviceAllocation ? { serviceAllocation } : {}),
      },
      l2: [],
      bgp: [],
    });
  }
  return pools;
}

/** Pools an advertisement applies to: named ∪ selected, or all when it names none. */
function poolsFor(
  spec: { ipAddressPools?: string[]; ipAddressPoolSelectors?: LabelSelector[] } | undefined,
  pools: readonly WorkPool[],
): WorkPool[] {
  const names = spec?.ipAddressPools ?? [];
  const sels = spec?.ipAddressPoolSelectors ?? [];
  if (names.length === 0 && sels.length === 0) return [...pools];
  return pools.filter((w) => names.includes(w.name) || anySelectorMatches(sels, w.config.labels));
}

function commonAdChecks(
  ref: ReturnType<typeof refOf>,
  spec: {
    ipAddressPools?: string[];
    ipAddressPoolSelectors?: LabelSelector[];
    nodeSelectors?: LabelSelector[];
    serviceSelectors?: LabelSelector[];
  },
  p: Problems,
): void {
  const d = duplicateStringError(spec.ipAddressPools, 'ipAddressPools');
  if (d) p.add(ref, 'spec.ipAddressPools', d);
  for (const field of ['ipAddressPoolSelectors', 'nodeSelectors', 'serviceSelectors'] as const) {
    const e = duplicateSelectorError(spec[field], field);
    if (e) p.add(ref, `spec.${field}`, e);
    (spec[field] ?? []).forEach((s, i) => {
      const err = selectorError(s);
      if (err)
        p.add(ref, `spec.${field}[${i}]`, `${err}\nfailed to parse selector for ${ref.name}`);
    });
  }
}

function sameL2(a: L2AdvertisementConfig, b: L2AdvertisementConfig): boolean {
  // MetalLB containsAdvertisement: equivalent ads (same nodes, interfaces, selectors, no
  // preferences) are attached once per pool; ads with preferences always stack.
  if (Object.keys(a.preferredNodes).length > 0 || Object.keys(b.preferredNodes).length > 0)
    return false;
  return (
    a.allInterfaces === b.allInterfaces &&
    JSON.stringify(a.nodes) === JSON.stringify(b.nodes) &&
    JSON.stringify([...a.interfaces].sort()) === JSON.stringify([...b.interfaces].sort()) &&
    JSON.stringify(a.serviceSelectors) === JSON.stringify(b.serviceSelectors)
  );
}

function parseL2Ads(
  crs: readonly L2Advertisement[] | undefined,
  pools: readonly WorkPool[],
  nodes: readonly NodeObject[],
  ns: string,
  p: Problems,
): void {
  for (const cr of byName(crs)) {
    const ref = refOf('L2Advertisement', cr, ns);
    const spec = cr.spec ?? {};
    const start = p.list.length;
    commonAdChecks(ref, spec, p);
    (spec.preferredNodeSelectors ?? []).forEach((t, i) => {
      const e = selectorError(t.preference);
      if (e)
        p.add(
          ref,
          `spec.preferredNodeSelectors[${i}]`,
          `${e}\nfailed to parse preferred node selectors for ${ref.name}`,
        );
      if (t.weight < 1 || t.weight > 100) {
        p.add(
          ref,
          `spec.preferredNodeSelectors[${i}].weight`,
          `invalid weight ${t.weight}, must be in 1-100 range`,
        );
      }
    });
    if (p.list.length > start) continue;
    const eligible = nodeNames(nodes, spec.nodeSelectors);
    const preferredNodes: Record<string, number> = {};
    for (const n of nodes) {
      const name = n.metadata.name ?? '';
      if (!eligible.includes(name)) continue;
      let total = 0;
      for (const t of spec.preferredNodeSelectors ?? []) {
        if (anySelectorMatches([t.preference], n.metadata.labels)) total += t.weight;
      }
      if (total > 0) preferredNodes[name] = total;
    }
    const ad: L2AdvertisementConfig = {
      name: ref.name,
      nodes: eligible,
      interfaces: [...(spec.interfaces ?? [])],
      allInterfaces: (spec.interfaces ?? []).length === 0,
      serviceSelectors: [...(spec.serviceSelectors ?? [])],
      preferredNodes,
    };
    for (const w of poolsFor(spec, pools)) {
      if (!w.l2.some((x) => sameL2(x, ad))) w.l2.push(ad);
    }
  }
}

function familiesOf(w: WorkPool): { v4: boolean; v6: boolean } {
  return {
    v4: w.blocks.some((b) => b.cidrs[0]?.family === 4),
    v6: w.blocks.some((b) => b.cidrs[0]?.family === 6),
  };
}

/** MetalLB BGPAdvertisementsHaveCompatibleLocalPref. */
function compatibleLocalPref(
  a: BgpAdvertisementConfig,
  b: BgpAdvertisementConfig,
  w: WorkPool,
): boolean {
  if (a.localPref === b.localPref) return true;
  const { v4, v6 } = familiesOf(w);
  if (!v4 && !v6) return true;
  const d4 = a.aggregationLength !== b.aggregationLength;
  const d6 = a.aggregationLengthV6 !== b.aggregationLengthV6;
  if (d4 && !v6) return true;
  if (d6 && !v4) return true;
  if (d4 && d6) return true;
  if (a.peers.length > 0 && b.peers.length > 0 && !a.peers.some((x) => b.peers.includes(x)))
    return true;
  return !a.nodes.some((n) => b.nodes.includes(n));
}

function parseBgpAds(
  crs: readonly BGPAdvertisement[] | undefined,
  pools: readonly WorkPool[],
  nodes: readonly NodeObject[],
  aliases: ReadonlyMap<string, Community>,
  ns: string,
  p: Problems,
): void {
  const sorted = byName(crs);
  // MetalLB validateDuplicateBGPAdvertisements: two identical objects.
  for (let i = 0; i < sorted.length; i++) {
    for (let j = i + 1; j < sorted.length; j++) {
      const a = sorted[i] as BGPAdvertisement;
      const b = sorted[j] as BGPAdvertisement;
      if (
        a.metadata.name === b.metadata.name &&
        JSON.stringify(a.spec ?? {}) === JSON.stringify(b.spec ?? {})
      ) {
        p.add(
          refOf('BGPAdvertisement', b, ns),
          'metadata.name',
          `duplicate definition of bgpadvertisements. advertisement ${i + 1} and ${j + 1} are equal`,
        );
      }
    }
  }
  for (const cr of sorted) {
    const ref = refOf('BGPAdvertisement', cr, ns);
    const spec = cr.spec ?? {};
    const start = p.list.length;
    commonAdChecks(ref, spec, p);
    const dc = duplicateStringError(spec.communities, 'community');
    if (dc) p.add(ref, 'spec.communities', dc);
    const dp = duplicateStringError(spec.peers, 'peers');
    if (dp) p.add(ref, 'spec.peers', dp);
    const agg = spec.aggregationLength ?? 32;
    const agg6 = spec.aggregationLengthV6 ?? 128;
    if ((spec.serviceSelectors ?? []).length > 0) {
      if (agg !== 32) {
        p.add(
          ref,
          'spec.aggregationLength',
          `serviceSelectors and aggregationLength are mutually exclusive, both cannot be set in ${ref.name}`,
        );
      }
      if (agg6 !== 128) {
        p.add(
          ref,
          'spec.aggregationLengthV6',
          `serviceSelectors and aggregationLengthV6 are mutually exclusive, both cannot be set in ${ref.name}`,
        );
      }
    }
    if (agg > 32 || agg < 1)
      p.add(ref, 'spec.aggregationLength', `invalid aggregation length ${agg} for IPv4`);
    if (agg6 > 128 || agg6 < 1)
      p.add(ref, 'spec.aggregationLengthV6', `invalid aggregation length ${agg6} for IPv6`);
    const communities: Community[] = [];
    (spec.communities ?? []).forEach((c, i) => {
      const alias = aliases.get(c);
      if (alias) {
        communities.push(alias);
        return;
      }
      const r = parseCommunity(c);
      if (r.ok) communities.push(r.community);
      else {
        // A format error may name a Community alias that does not exist yet: transient.
        p.add(
          ref,
          `spec.communities[${i}]`,
          `${r.message}\ninvalid community ${q(c)} in BGP advertisement`,
          r.kind === 'format',
        );
      }
    });
    if (communities.length > 63) {
      p.add(
        ref,
        'spec.communities',
        `too many communities (${communities.length}), at most 63 per advertisement`,
      );
    }
    if (p.list.length > start) continue;
    const unique = new Map(communities.map((c) => [c.text, c]));
    const ad: BgpAdvertisementConfig = {
      name: ref.name,
      aggregationLength: agg,
      aggregationLengthV6: agg6,
      localPref: spec.localPref ?? 0,
      communities: [...unique.values()].sort(compareCommunities).map((c) => c.text),
      nodes: nodeNames(nodes, spec.nodeSelectors),
      peers: [...(spec.peers ?? [])],
      serviceSelectors: [...(spec.serviceSelectors ?? [])],
    };
    for (const w of poolsFor(spec, pools)) {
      // MetalLB validateBGPAdvPerPool: the aggregation must not be more specific than the
      // shortest prefix written for each address block. MetalLB prints the IPv4 length even
      // for IPv6 blocks; we print the length that was actually compared.
      for (const b of w.blocks) {
        const first = b.cidrs[0];
        if (!first) continue;
        const max = first.family === 4 ? agg : agg6;
        const lowest = Math.min(...b.cidrs.map((c) => c.prefixLength));
        if (max < lowest) {
          p.add(
            ref,
            first.family === 4 ? 'spec.aggregationLength' : 'spec.aggregationLengthV6',
            `invalid aggregation length ${max}: prefix ${lowest} in this pool is more specific than the aggregation length for addresses ${b.source}`,
          );
        }
      }
      if (ad.serviceSelectors.length === 0) {
        for (const other of w.bgp) {
          if (other.serviceSelectors.length > 0) continue;
          if (!compatibleLocalPref(ad, other, w)) {
            p.add(
              ref,
              'spec.localPref',
              // MetalLB's text, typo included: users grep for it.
              `invalid local preference ${ad.localPref}: local preferernce ${other.localPref} was already set for the same type of BGP update. Check existing BGP advertisements with common pools and aggregation lengths`,
            );
          }
        }
      }
      w.bgp.push(ad);
    }
  }
}

/** MetalLB validateConfig: BFD echo cannot be used by a peer that carries IPv6 prefixes. */
function checkBfdEcho(
  pools: readonly WorkPool[],
  peers: readonly PeerConfig[],
  echo: ReadonlySet<string>,
  ns: string,
  p: Problems,
): void {
  for (const w of pools) {
    if (!familiesOf(w).v6) continue;
    for (const a of w.bgp) {
      const targets = a.peers.length === 0 ? peers : peers.filter((x) => a.peers.includes(x.name));
      for (const peer of targets) {
        if (peer.bfdProfile && echo.has(peer.bfdProfile)) {
          p.add(
            { kind: 'BGPAdvertisement', namespace: ns, name: a.name },
            'spec',
            `pool ${w.name} has bgpadvertisement ${a.name} which references peer ${peer.name} which has bfd echo enabled, which is not possible`,
          );
        }
      }
    }
  }
}

/**
 * Turns MetalLB's custom resources into IronLB's validated domain config. Pure: the same input
 * gives the same output. On failure every problem is returned, each marked transient or not.
 */
export function parseConfig(resources: ClusterResources, options: ParseOptions = {}): ParseResult {
  const ns = options.namespace ?? DEFAULT_NAMESPACE;
  const p = new Problems();
  const nodes = resources.nodes ?? [];
  if (resources.bgpExtras) {
    p.add(
      {
        kind: 'ConfigMap',
        namespace: resources.bgpExtras.metadata.namespace ?? ns,
        name: resources.bgpExtras.metadata.name ?? 'bgpextras',
      },
      'data',
      'the bgpextras ConfigMap (raw FRR configuration) is not supported by IronLB',
    );
  }
  const bfd = parseBfdProfiles(resources.bfdProfiles, ns, p);
  const bfdNames = new Set((resources.bfdProfiles ?? []).map((b) => b.metadata.name ?? ''));
  const peers = parsePeers(
    { peers: resources.peers, secrets: resources.secrets ?? [], nodes, bfdProfiles: bfdNames, ns },
    p,
  );
  checkPeerConflicts(peers, resources.peers, ns, nodes.length > 0, p);
  const aliases = parseCommunityAliases(resources.communities, ns, p);
  const pools = parsePools(resources.pools, resources.namespaces ?? [], ns, p);
  parseL2Ads(resources.l2Advertisements, pools, nodes, ns, p);
  parseBgpAds(resources.bgpAdvertisements, pools, nodes, aliases, ns, p);
  checkBfdEcho(pools, peers, new Set(bfd.filter((b) => b.echoMode).map((b) => b.name)), ns, p);
  if (p.list.length > 0) return { ok: false, problems: p.list };
  const config: DomainConfig = {
    pools: pools.map((w) => ({ ...w.config, l2Advertisements: w.l2, bgpAdvertisements: w.bgp })),
    peers,
    bfdProfiles: bfd,
  };
  return { ok: true, config };
}
