// Mapping from the domain config to the pool specs @ironlb/ipam takes. At the time of
// writing packages/ipam exported no pool type yet, so this is the plain shape k8s-glue
// promises; when ipam lands its PoolSpec, this function is where the two meet.
// Namespace and service selectors stay in k8s-glue (DESIGN.md §1): ipam gets names only.
import type { DomainConfig } from './types.js';

export interface IpamPoolSpec {
  readonly name: string;
  /** Canonical CIDRs in the order written (allocation walks them in this order, MetalLB §3). */
  readonly cidrs: readonly string[];
  readonly autoAssign: boolean;
  readonly avoidBuggyIPs: boolean;
  /** Present when the pool has a serviceAllocation block ("pinned" pool). */
  readonly priority?: number;
}

export function toIpamPools(config: DomainConfig): IpamPoolSpec[] {
  return config.pools.map((p) => ({
    name: p.name,
    cidrs: p.cidrs,
    autoAssign: p.autoAssign,
    avoidBuggyIPs: p.avoidBuggyIPs,
    ...(p.serviceAllocation ? { priority: p.serviceAllocation.priority } : {}),
  }));
}
