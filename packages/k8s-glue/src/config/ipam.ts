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
 * MetalLB's isPoolCompatibleWithService for pinned pools: when namespaces or namespace selectors
 * are given the service's namespace must be among those they resolved to, and when service
 * selectors are given one must match; both when both are. A priority-only block matches every
 * service (MetalLB #2714).
 *
 * Deliberate difference: MetalLB skips the namespace check when the resolved set is empty, so
 * namespace selectors that match no namespace open the pool to every namespace (with
 * serviceSelectors, or via the address-pool annotation). Here an empty resolved set matches no
 * namespace (DESIGN.md §7: a pool pinned to some tenants is never handed to others).
 */
export function poolMatchesService(pool: PoolConfig, svc: ServiceIdentity): boolean {
  const sa = pool.serviceAllocation;
  if (!sa) return false;
  if (sa.namespaceScoped && !sa.namespaces.includes(svc.namespace)) return false;
  // Service selectors stay unresolved, so an empty list can only mean "none given".
  if (sa.serviceSelectors.length > 0 && !anySelectorMatches(sa.serviceSelectors, svc.labels))
    return false;
  return true;
}

/** AllocationRequest.matchingPools for one service. */
export function matchingPools(config: DomainConfig, svc: ServiceIdentity): string[] {
  return config.pools.filter((p) => poolMatchesService(p, svc)).map((p) => p.name);
}
