// The meeting point with @ironlb/ipam: pools in the shape ipam's parsePools() takes, and the
// service-to-pinned-pool matching that ipam leaves to k8s-glue (AllocationRequest.matchingPools).
// Namespace and service selectors are evaluated here, never in ipam (DESIGN.md §1).
import type { PoolSpec } from '@ironlb/ipam';
import { anySelectorMatches } from './selector.js';
import type { DomainConfig, PoolConfig } from './types.js';

export function toIpamPools(config: DomainConfig): PoolSpec[] {
  return config.pools.map((p) => ({
    name: p.name,
    // ipam parses the entries itself (same MetalLB syntax) and keeps their listed order.
    addresses: p.blocks.map((b) => b.source),
    autoAssign: p.autoAssign,
    avoidBuggyIPs: p.avoidBuggyIPs,
    ...(p.serviceAllocation
      ? { serviceAllocation: { priority: p.serviceAllocation.priority } }
      : {}),
  }));
}

/** What k8s-glue knows about a Service for pool pinning. */
export interface ServiceIdentity {
  readonly namespace: string;
  readonly labels?: Readonly<Record<string, string>>;
}

/**
 * MetalLB's isPoolCompatibleWithService for pinned pools: the namespace must be listed (or
 * selected) when namespaces are given, and a service selector must match when selectors are
 * given; both when both are. A priority-only block matches every service.
 */
export function poolMatchesService(pool: PoolConfig, svc: ServiceIdentity): boolean {
  const sa = pool.serviceAllocation;
  if (!sa) return false;
  if (sa.namespaces.length > 0 && !sa.namespaces.includes(svc.namespace)) return false;
  if (sa.serviceSelectors.length > 0 && !anySelectorMatches(sa.serviceSelectors, svc.labels))
    return false;
  return true;
}

/** AllocationRequest.matchingPools for one service. */
export function matchingPools(config: DomainConfig, svc: ServiceIdentity): string[] {
  return config.pools.filter((p) => poolMatchesService(p, svc)).map((p) => p.name);
}
