// IPAddressPool parsing with MetalLB's rules and messages (internal/config/config.go
// addressPoolFromCR, poolsFor): addresses, overlaps, duplicates, serviceAllocation.
import type { IPAddressPool } from '../api/types.generated.js';
import type { NamespaceObject } from '../api/meta.js';
import { cidrsOverlap, parseAddresses, type Cidr } from './net.js';
import { Problems, byName, refOf } from './resources.js';
import {
  anySelectorMatches,
  duplicateSelectorError,
  duplicateStringError,
  selectorError,
} from './selector.js';
import type { BgpAdvertisementConfig, L2AdvertisementConfig, PoolConfig } from './types.js';

const q = (s: string) => JSON.stringify(s);

/** A pool being assembled: its config plus the advertisements attached to it. */
export interface WorkPool {
  readonly cr: IPAddressPool;
  readonly name: string;
  readonly blocks: { source: string; cidrs: Cidr[] }[];
  readonly config: Omit<PoolConfig, 'l2Advertisements' | 'bgpAdvertisements'>;
  readonly l2: L2AdvertisementConfig[];
  readonly bgp: BgpAdvertisementConfig[];
}

export function parsePools(
  crs: readonly IPAddressPool[] | undefined,
  namespaces: readonly NamespaceObject[],
  ns: string,
  p: Problems,
): WorkPool[] {
  const pools: WorkPool[] = [];
  const seen = new Set<string>();
  const all: { cidr: Cidr }[] = [];
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
