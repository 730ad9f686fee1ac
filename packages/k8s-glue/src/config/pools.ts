// IPAddressPool parsing with MetalLB's rules and messages (internal/config/config.go
// addressPoolFromCR, poolsFor): addresses, overlaps, duplicates, serviceAllocation. Entries are
// parsed and overlaps found by @ironlb/ipam (parsePoolEntry, findOverlaps), the one parser of
// pool addresses; this file keeps MetalLB's wording around them.
import { findOverlaps, parsePoolEntry, type PoolEntryRange } from '@ironlb/ipam';
import type { IPAddressPool } from '../api/types.generated.js';
import type { NamespaceObject } from '../api/meta.js';
import { goFormatSelector, goStringSelector, selectorError } from './labels.js';
import { cidrsOverlap, entryCidrs, entrySummary, type Cidr } from './net.js';
import { Problems, byName, refOf } from './resources.js';
import {
  anySelectorMatches,
  canonicalSelectors,
  duplicateSelectorError,
  duplicateStringError,
} from './selector.js';
import type {
  AddressBlock,
  BgpAdvertisementConfig,
  L2AdvertisementConfig,
  PoolConfig,
} from './types.js';

const q = (s: string) => JSON.stringify(s);

/** A pool being assembled: its config plus the advertisements attached to it. */
export interface WorkPool {
  readonly cr: IPAddressPool;
  readonly name: string;
  /** The pool's valid entries (the config's blocks: text as written, CIDR cover). */
  readonly blocks: readonly AddressBlock[];
  /** Per block: its family (4 or 6) and the shortest prefix of its cover. Parallel arrays, not
   * objects: a pool can hold a hundred thousand entries (issue 14). */
  readonly blockFamily: Uint8Array;
  readonly blockMinPrefix: Uint8Array;
  /** Families present among the pool's entries. */
  readonly families: { readonly v4: boolean; readonly v6: boolean };
  readonly config: Omit<PoolConfig, 'l2Advertisements' | 'bgpAdvertisements'>;
  readonly l2: L2AdvertisementConfig[];
  readonly bgp: BgpAdvertisementConfig[];
}

const cidrsOf = (source: string): Cidr[] => {
  const r = parsePoolEntry(source);
  return 'error' in r ? [] : entryCidrs(r);
};

/**
 * MetalLB's overlap message names the first CIDR of the later entry that overlaps an already
 * defined CIDR, and that CIDR (poolsFor compares summarized CIDRs one by one).
 */
function overlapMessage(laterSource: string, earlierSource: string, pool: string): string {
  const later = { cidrs: cidrsOf(laterSource) };
  const earlier = { cidrs: cidrsOf(earlierSource) };
  for (const c of later.cidrs) {
    const m = earlier.cidrs.find((x) => cidrsOverlap(c, x));
    if (m)
      return `CIDR ${q(c.text)} in pool ${q(pool)} overlaps with already defined CIDR ${q(m.text)}`;
  }
  // Unreachable: overlapping ranges always have overlapping CIDRs in their exact covers.
  return `CIDR ${q(later.cidrs[0]?.text ?? '')} in pool ${q(pool)} overlaps with already defined CIDR ${q(earlier.cidrs[0]?.text ?? '')}`;
}

export function parsePools(
  crs: readonly IPAddressPool[] | undefined,
  namespaces: readonly NamespaceObject[],
  ns: string,
  p: Problems,
): WorkPool[] {
  const pools: WorkPool[] = [];
  const seen = new Set<string>();
  // The entries taking part in the overlap check, in definition order: the ranges ipam parsed,
  // with their pool and position in parallel arrays.
  const entries: PoolEntryRange[] = [];
  const entryPool: number[] = [];
  const entryIndex: number[] = [];
  const sources: (readonly string[])[] = [];
  const refs: ReturnType<typeof refOf>[] = [];
  const names: string[] = [];
  for (const cr of byName(crs, p)) {
    const ref = refOf('IPAddressPool', cr, ns);
    const name = cr.metadata.name ?? '';
    const wrap = (m: string) => `parsing address pool ${name}: ${m}`;
    const start = p.count;
    if (name === '') {
      p.add(ref, 'metadata.name', wrap('missing pool name'));
      continue;
    }
    const addresses = cr.spec?.addresses ?? [];
    // Field types are the CRD schema's job; an object that skipped it makes the parser throw
    // (the webhook then denies it as malformed) rather than read a string as a list.
    if (!Array.isArray(addresses))
      throw new TypeError(`spec.addresses of pool ${name} is not a list`);
    if (addresses.length === 0) p.add(ref, 'spec.addresses', wrap('pool has no prefixes defined'));
    const blocks: AddressBlock[] = [];
    const family: number[] = [];
    const minPrefix: number[] = [];
    const cidrs: string[] = [];
    // A second pool of the same name is refused below; its entries take no part in the overlap
    // check (MetalLB stops at the duplicate before comparing CIDRs).
    const duplicate = seen.has(name);
    const poolIndex = refs.length;
    for (let i = 0; i < addresses.length; i++) {
      const a = addresses[i] as string;
      const r = parsePoolEntry(a);
      if ('error' in r) {
        // MetalLB's text, which names the entry twice (addressPoolFromCR wraps ParseCIDR's error).
        p.add(
          ref,
          `spec.addresses[${i}]`,
          wrap(`invalid CIDR ${q(a)} in pool ${q(name)}: ${r.error}`),
        );
        continue;
      }
      const sum = entrySummary(r, a);
      blocks.push({ source: a, cidrs: sum.cidrs });
      family.push(sum.family);
      minPrefix.push(sum.minPrefix);
      for (const c of sum.cidrs) cidrs.push(c);
      if (!duplicate) {
        entries.push(r);
        entryPool.push(poolIndex);
        entryIndex.push(i);
      }
    }
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
          // addressPoolServiceAllocationsFromCR prints the namespace selector through its pointer
          // (gogo String()) and the service selector as a value (%v).
          const shown =
            field === 'namespaceSelectors'
              ? `invalid namespace label selector ${goStringSelector(s)}`
              : `invalid service label selector ${goFormatSelector(s)}`;
          if (e)
            p.add(
              ref,
              `spec.serviceAllocation.${field}[${i}]`,
              wrap(`${e}\n${shown} in ip pool ${name}`),
            );
        });
      }
      const nsNames = new Set(sa.namespaces ?? []);
      for (const n of namespaces) {
        if (anySelectorMatches(sa.namespaceSelectors ?? [], n.metadata.labels))
          nsNames.add(n.metadata.name ?? '');
      }
      // Whether the namespace is checked must not depend on how many namespaces the selectors
      // happen to match today: selectors matching no namespace scope the pool to none, not to
      // all (MetalLB's isPoolCompatibleWithService checks Namespaces only when non-empty, which
      // would hand a pool pinned to `team: a` to every namespace while no namespace is labelled
      // so; DESIGN.md §7).
      const namespaceScoped = !!sa.namespaces?.length || !!sa.namespaceSelectors?.length;
      const nothing = !namespaceScoped && !sa.serviceSelectors?.length;
      serviceAllocation = {
        priority: sa.priority ?? 0,
        namespaceScoped,
        namespaces: [...nsNames].sort(),
        // A priority-only block selects every service (MetalLB #2714, labels.Everything()).
        serviceSelectors: nothing ? [{}] : canonicalSelectors(sa.serviceSelectors ?? []),
      };
    }
    if (duplicate) {
      p.add(ref, 'metadata.name', `duplicate definition of pool ${q(name)}`);
      continue;
    }
    seen.add(name);
    refs.push(ref);
    names.push(name);
    sources.push(addresses);
    if (p.count > start) continue;
    pools.push({
      cr,
      name,
      blocks,
      blockFamily: Uint8Array.from(family),
      blockMinPrefix: Uint8Array.from(minPrefix),
      families: { v4: family.includes(4), v6: family.includes(6) },
      config: {
        name,
        labels: { ...(cr.metadata.labels ?? {}) },
        cidrs,
        blocks,
        autoAssign: cr.spec.autoAssign ?? true,
        avoidBuggyIPs: cr.spec.avoidBuggyIPs ?? false,
        ...(serviceAllocation ? { serviceAllocation } : {}),
      },
      l2: [],
      bgp: [],
    });
  }
  // One O(N log N) pass over every entry of every pool, in definition order (issue 14: the
  // pairwise check took 33.9 s for a pool of 40k /32s in the webhook).
  const overlapping = new Set<string>();
  for (const o of findOverlaps(entries).overlaps) {
    const pool = entryPool[o.later] as number;
    const name = names[pool] as string;
    const ref = refs[pool] as ReturnType<typeof refOf>;
    const earlierPool = entryPool[o.earlier] as number;
    overlapping.add(name);
    const path = `spec.addresses[${entryIndex[o.later] as number}]`;
    p.add(
      ref,
      path,
      // Counted either way; the message is built only when it will be listed.
      p.listing(ref)
        ? overlapMessage(
            (sources[pool] as readonly string[])[entryIndex[o.later] as number] as string,
            (sources[earlierPool] as readonly string[])[entryIndex[o.earlier] as number] as string,
            name,
          )
        : '',
    );
  }
  return overlapping.size === 0 ? pools : pools.filter((w) => !overlapping.has(w.name));
}
