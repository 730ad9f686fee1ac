// IPAddressPool parsing with MetalLB's rules and messages (internal/config/config.go
// addressPoolFromCR, poolsFor): addresses, overlaps, duplicates, serviceAllocation. Entries are
// parsed and overlaps found by @ironlb/ipam (parsePoolEntry, findOverlaps), the one parser of
// pool addresses; this file keeps MetalLB's wording around them.
import { findOverlaps, parsePoolEntry, type PoolEntryRange } from '@ironlb/ipam';
import type { IPAddressPool } from '../api/types.generated.js';
import type { NamespaceObject } from '../api/meta.js';
import { goFormatSelector, goStringSelector, selectorError } from './labels.js';
import { cidrsOverlap, entryCidrs, type Cidr } from './net.js';
import { Problems, byName, refOf } from './resources.js';
import {
  anySelectorMatches,
  canonicalSelectors,
  duplicateSelectorError,
  duplicateStringError,
} from './selector.js';
import type { BgpAdvertisementConfig, L2AdvertisementConfig, PoolConfig } from './types.js';

const q = (s: string) => JSON.stringify(s);

/** A pool being assembled: its config plus the advertisements attached to it. */
export interface WorkPool {
  readonly cr: IPAddressPool;
  readonly name: string;
  readonly blocks: { source: string; cidrs: Cidr[] }[];
  /** Families present among the pool's entries. */
  readonly families: { readonly v4: boolean; readonly v6: boolean };
  readonly config: Omit<PoolConfig, 'l2Advertisements' | 'bgpAdvertisements'>;
  readonly l2: L2AdvertisementConfig[];
  readonly bgp: BgpAdvertisementConfig[];
}

/** One parsed entry of a pool that takes part in the overlap check, in definition order. */
interface Entry {
  readonly lo: bigint;
  readonly hi: bigint;
  readonly pool: number;
  readonly index: number;
  readonly cidrs: Cidr[];
}

/**
 * MetalLB's overlap message names the first CIDR of the later entry that overlaps an already
 * defined CIDR, and that CIDR (poolsFor compares summarized CIDRs one by one).
 */
function overlapMessage(later: Entry, earlier: Entry, pool: string): string {
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
  const entries: Entry[] = [];
  const refs: ReturnType<typeof refOf>[] = [];
  const names: string[] = [];
  for (const cr of byName(crs, p)) {
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
    const parsed: { index: number; range: PoolEntryRange; cidrs: Cidr[] }[] = [];
    addresses.forEach((a, i) => {
      const r = parsePoolEntry(a);
      if ('error' in r) {
        // MetalLB's text, which names the entry twice (addressPoolFromCR wraps ParseCIDR's error).
        p.add(
          ref,
          `spec.addresses[${i}]`,
          wrap(`invalid CIDR ${q(a)} in pool ${q(name)}: ${r.error}`),
        );
        return;
      }
      const cidrs = entryCidrs(r);
      blocks.push({ source: a, cidrs });
      parsed.push({ index: i, range: r, cidrs });
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
    if (seen.has(name)) {
      p.add(ref, 'metadata.name', `duplicate definition of pool ${q(name)}`);
      continue;
    }
    seen.add(name);
    const poolIndex = refs.length;
    refs.push(ref);
    names.push(name);
    for (const e of parsed) {
      entries.push({
        lo: e.range.lo,
        hi: e.range.hi,
        pool: poolIndex,
        index: e.index,
        cidrs: e.cidrs,
      });
    }
    if (p.list.length > start) continue;
    pools.push({
      cr,
      name,
      blocks,
      families: {
        v4: blocks.some((b) => b.cidrs[0]?.family === 4),
        v6: blocks.some((b) => b.cidrs[0]?.family === 6),
      },
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
  // One O(N log N) pass over every entry of every pool, in definition order (issue 14: the
  // pairwise check took 33.9 s for a pool of 40k /32s in the webhook).
  const overlapping = new Set<string>();
  for (const o of findOverlaps(entries).overlaps) {
    const later = entries[o.later] as Entry;
    const name = names[later.pool] as string;
    overlapping.add(name);
    p.add(
      refs[later.pool] as ReturnType<typeof refOf>,
      `spec.addresses[${later.index}]`,
      overlapMessage(later, entries[o.earlier] as Entry, name),
    );
  }
  return overlapping.size === 0 ? pools : pools.filter((w) => !overlapping.has(w.name));
}
