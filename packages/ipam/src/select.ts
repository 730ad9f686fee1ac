// Pool order and address choice per family policy (MetalLB allocator.go sortPools /
// findBestPoolForService, allocation.go selectIPsForFamilyAndPolicy).
import { IpFamily } from './addr.js';
import type { FamilyWord } from './failures.js';
import type { PoolSet } from './pools.js';
import { IpFamilyPolicy } from './types.js';

export function wordOf(f: IpFamily): FamilyWord {
  return f === IpFamily.IPv4 ? 'ipv4' : 'ipv6';
}

/** MetalLB's service family: that of its cluster IPs, "dual" with two. */
export function serviceFamilyWord(fams: readonly IpFamily[]): FamilyWord {
  return fams.length === 2 ? 'dual' : wordOf(fams[0]!);
}

/**
 * The two tiers MetalLB's Allocate tries, in order:
 *  1. pinned pools the service matches, auto-assign only, by priority (lower first, 0 = unset last);
 *  2. every auto-assign pool without serviceAllocation.
 * MetalLB orders equal priorities, and the whole second tier, by Go map iteration, i.e. randomly
 * (metallb-behaviour.md §11; a cause of surprising reshuffles, cf. MetalLB #2656): we break ties by
 * pool name so that the same inputs always give the same address.
 */
export function orderPools(set: PoolSet, matching: ReadonlySet<string>): string[][] {
  const pinned: { name: string; priority: number }[] = [];
  const rest: string[] = [];
  for (const p of set.pools.values()) {
    if (!p.autoAssign) continue;
    if (p.pinned) {
      if (matching.has(p.name)) pinned.push({ name: p.name, priority: p.priority });
    } else rest.push(p.name);
  }
  const rank = (x: number) => (x > 0 ? x : Number.POSITIVE_INFINITY);
  pinned.sort((a, b) => rank(a.priority) - rank(b.priority) || cmp(a.name, b.name));
  rest.sort(cmp);
  return [pinned.map((p) => p.name), rest];
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * Which of a pool's candidate addresses a service gets. The load-balancer family follows the
 * cluster-IP family. Where MetalLB returns a nil address for a single-family service whose pool
 * lacks that family (later reported as `["<nil>"] is not allowed in config`), we report no address.
 * Result order is MetalLB's: IPv4 first.
 */
export function selectAddresses(
  found: { IPv4: bigint | undefined; IPv6: bigint | undefined },
  family: FamilyWord,
  policy: IpFamilyPolicy,
): bigint[] | undefined {
  const v4 = found.IPv4;
  const v6 = found.IPv6;
  if (family === 'ipv4') return v4 === undefined ? undefined : [v4];
  if (family === 'ipv6') return v6 === undefined ? undefined : [v6];
  switch (policy) {
    case IpFamilyPolicy.SingleStack:
      return undefined;
    case IpFamilyPolicy.RequireDualStack:
      return v4 !== undefined && v6 !== undefined ? [v4, v6] : undefined;
    case IpFamilyPolicy.PreferDualStack:
      if (v4 !== undefined && v6 !== undefined) return [v4, v6];
      if (v4 !== undefined) return [v4];
      if (v6 !== undefined) return [v6];
      return undefined;
  }
}
