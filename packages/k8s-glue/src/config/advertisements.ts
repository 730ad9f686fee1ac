// L2Advertisement and BGPAdvertisement parsing with MetalLB's rules and messages
// (internal/config/config.go l2AdvertisementFromCR, bgpAdvertisementFromCR,
// validateBGPAdvPerPool, BGPAdvertisementsHaveCompatibleLocalPref).
import type { BGPAdvertisement, L2Advertisement } from '../api/types.generated.js';
import type { LabelSelector, NodeObject } from '../api/meta.js';
import { compareCommunities, parseCommunity, type Community } from './community.js';
import type { WorkPool } from './pools.js';
import { Problems, byName, refOf } from './resources.js';
import { goFormatSelector, selectorError } from './labels.js';
import {
  anySelectorMatches,
  canonicalSelectors,
  canonicalSelectorsKey,
  duplicateSelectorError,
  duplicateStringError,
  nodeNames,
} from './selector.js';
import type { BgpAdvertisementConfig, L2AdvertisementConfig } from './types.js';

const q = (s: string) => JSON.stringify(s);

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
      if (err) p.add(ref, `spec.${field}[${i}]`, selectorMessage(field, err, s, ref.name));
    });
  }
}

/**
 * MetalLB's wrapping of a selector error, per field (internal/config l2AdvertisementFromCR,
 * bgpAdvertisementFromCR, parseSelectors, filterWithLabelSelector).
 */
function selectorMessage(
  field: 'ipAddressPoolSelectors' | 'nodeSelectors' | 'serviceSelectors',
  err: string,
  s: LabelSelector,
  name: string,
): string {
  const shown = goFormatSelector(s);
  if (field === 'nodeSelectors')
    return `${err}\ninvalid label selector ${shown}\nfailed to parse node selector for ${name}`;
  if (field === 'serviceSelectors')
    return `invalid service selector ${shown}: ${err}\nfailed to parse service selector for ${name}`;
  return `${err}\ninvalid label selector ${shown}`;
}

function sameL2(a: L2AdvertisementConfig, b: L2AdvertisementConfig): boolean {
  // MetalLB containsAdvertisement: equivalent ads (same nodes, interface set, service selectors,
  // no preferences) are attached once per pool; ads with preferences always stack. Selectors are
  // compared in canonical form, so ads that differ only in the order their selectors (or a
  // selector's labels and values) are written are the same ad (issue 13).
  if (Object.keys(a.preferredNodes).length > 0 || Object.keys(b.preferredNodes).length > 0)
    return false;
  const ifs = (x: L2AdvertisementConfig) => JSON.stringify([...new Set(x.interfaces)].sort());
  return (
    a.allInterfaces === b.allInterfaces &&
    JSON.stringify(a.nodes) === JSON.stringify(b.nodes) &&
    ifs(a) === ifs(b) &&
    canonicalSelectorsKey(a.serviceSelectors) === canonicalSelectorsKey(b.serviceSelectors)
  );
}

export function parseL2Ads(
  crs: readonly L2Advertisement[] | undefined,
  pools: readonly WorkPool[],
  nodes: readonly NodeObject[],
  ns: string,
  p: Problems,
): void {
  for (const cr of byName(crs, p)) {
    const ref = refOf('L2Advertisement', cr, ns);
    const spec = cr.spec ?? {};
    const start = p.count;
    commonAdChecks(ref, spec, p);
    (spec.preferredNodeSelectors ?? []).forEach((t, i) => {
      const e = selectorError(t.preference);
      if (e)
        p.add(
          ref,
          `spec.preferredNodeSelectors[${i}]`,
          `${e}\ninvalid preferred node selector ${goFormatSelector(t.preference)}\nfailed to parse preferred node selectors for ${ref.name}`,
        );
      if (t.weight < 1 || t.weight > 100) {
        p.add(
          ref,
          `spec.preferredNodeSelectors[${i}].weight`,
          `invalid weight ${t.weight}, must be in 1-100 range`,
        );
      }
    });
    if (p.count > start) continue;
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
      serviceSelectors: canonicalSelectors(spec.serviceSelectors ?? []),
      preferredNodes,
    };
    for (const w of poolsFor(spec, pools)) {
      if (!w.l2.some((x) => sameL2(x, ad))) w.l2.push(ad);
    }
  }
}

export function familiesOf(w: WorkPool): { v4: boolean; v6: boolean } {
  return w.families;
}

/**
 * MetalLB BGPAdvertisementsHaveCompatibleLocalPref: two advertisements of a pool with these
 * address families may carry different LOCAL_PREFs only if they can never describe the same
 * route to the same peer from the same node. Used at parse time (ads without service selectors)
 * and by the speaker for the ads matching one service (speaker checkBGPAdvConflicts).
 */
export function compatibleLocalPref(
  a: BgpAdvertisementConfig,
  b: BgpAdvertisementConfig,
  families: { readonly v4: boolean; readonly v6: boolean },
): boolean {
  if (a.localPref === b.localPref) return true;
  const { v4, v6 } = families;
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

export function parseBgpAds(
  crs: readonly BGPAdvertisement[] | undefined,
  pools: readonly WorkPool[],
  nodes: readonly NodeObject[],
  aliases: ReadonlyMap<string, Community>,
  ns: string,
  p: Problems,
): void {
  const sorted = byName(crs, p);
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
    const start = p.count;
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
    if (p.count > start) continue;
    const unique = new Map(communities.map((c) => [c.text, c]));
    const ad: BgpAdvertisementConfig = {
      name: ref.name,
      aggregationLength: agg,
      aggregationLengthV6: agg6,
      localPref: spec.localPref ?? 0,
      communities: [...unique.values()].sort(compareCommunities).map((c) => c.text),
      nodes: nodeNames(nodes, spec.nodeSelectors),
      peers: [...(spec.peers ?? [])],
      serviceSelectors: canonicalSelectors(spec.serviceSelectors ?? []),
    };
    for (const w of poolsFor(spec, pools)) {
      // MetalLB validateBGPAdvPerPool: the aggregation must not be more specific than the
      // shortest prefix written for each address block. MetalLB prints the IPv4 length even
      // for IPv6 blocks; we print the length that was actually compared. One problem per pool,
      // as MetalLB (a pool of 100k /32s must not yield 100k copies of the same problem).
      for (let i = 0; i < w.blocks.length; i++) {
        const b = w.blocks[i] as (typeof w.blocks)[number];
        const family = w.blockFamily[i];
        const max = family === 4 ? agg : agg6;
        const lowest = w.blockMinPrefix[i] as number;
        if (max < lowest) {
          p.add(
            ref,
            family === 4 ? 'spec.aggregationLength' : 'spec.aggregationLengthV6',
            `invalid aggregation length ${max}: prefix ${lowest} in this pool is more specific than the aggregation length for addresses ${b.source}`,
          );
          break;
        }
      }
      if (ad.serviceSelectors.length === 0) {
        for (const other of w.bgp) {
          if (other.serviceSelectors.length > 0) continue;
          if (!compatibleLocalPref(ad, other, w.families)) {
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
