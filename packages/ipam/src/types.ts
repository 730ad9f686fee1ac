// Plain request / result types: what k8s-glue builds from a Service and reads back. No Kubernetes
// object ever reaches ipam (DESIGN.md §1).
import type { IpFamily } from './addr.js';

/** spec.ipFamilyPolicy. Append-only. */
export const IpFamilyPolicy = {
  SingleStack: 'SingleStack',
  PreferDualStack: 'PreferDualStack',
  RequireDualStack: 'RequireDualStack',
} as const;
export type IpFamilyPolicy = (typeof IpFamilyPolicy)[keyof typeof IpFamilyPolicy];

/** One (protocol, port) pair of a Service: `{ protocol: 'TCP', port: 80 }`. */
export interface Port {
  /** The Service port's protocol verbatim ("TCP", "UDP", "SCTP"); MetalLB's messages print it as is. */
  protocol: string;
  /** Port number 0..65535. */
  port: number;
}

/** What a Service asks of the allocator. */
export interface AllocationRequest {
  /** Service key, "namespace/name". Non-empty. */
  service: string;
  /**
   * Families of the Service's cluster IPs in spec.ipFamilies order (1 or 2 entries, distinct); the
   * first is the primary family. Two entries = a dual-stack service. The load-balancer family always
   * follows the cluster-IP family, as in MetalLB (a single cluster IP gets a single LB address, even
   * with PreferDualStack).
   */
  ipFamilies: readonly IpFamily[];
  /** spec.ipFamilyPolicy. Default SingleStack. */
  ipFamilyPolicy?: IpFamilyPolicy;
  /** metallb.io/loadBalancerIPs (split on ",", trimmed) or spec.loadBalancerIP. Default none. */
  requestedAddresses?: readonly string[];
  /** metallb.io/address-pool. Default none. */
  requestedPool?: string;
  /** metallb.io/allow-shared-ip. Default "" = never shares. */
  sharingKey?: string;
  /** "" for externalTrafficPolicy Cluster, the canonical selector string for Local. Default "". */
  backendKey?: string;
  /** The Service's (protocol, port) set. Default none. */
  ports?: readonly Port[];
  /**
   * Names of the pinned pools (pools with a serviceAllocation block) whose namespaces / namespace
   * selectors / service selectors match this Service, as k8s-glue evaluates them (MetalLB's
   * isPoolCompatibleWithService; a block with only a priority matches every service,
   * metallb-behaviour.md §1.1/§3). Default none.
   */
  matchingPools?: readonly string[];
}

/** An address held by a service. */
export interface Allocation {
  service: string;
  pool: string;
  /** Canonical text, IPv4 first then IPv6 for allocations (MetalLB's order). */
  addresses: readonly string[];
  sharingKey: string;
  backendKey: string;
  ports: readonly Port[];
}

/** Assigned / available addresses of a pool per family, as exact integers (a /64 holds 2^64). */
export interface PoolCounters {
  assignedIPv4: bigint;
  assignedIPv6: bigint;
  availableIPv4: bigint;
  availableIPv6: bigint;
  capacityIPv4: bigint;
  capacityIPv6: bigint;
}

/** A service whose addresses are no longer covered by any pool after setPools(). */
export interface LostAllocation {
  service: string;
  pool: string;
  addresses: readonly string[];
}

/** A service whose addresses now belong to a different pool after setPools() (e.g. a renamed pool). */
export interface MovedAllocation {
  service: string;
  fromPool: string;
  toPool: string;
  addresses: readonly string[];
}

export interface SetPoolsResult {
  lost: LostAllocation[];
  moved: MovedAllocation[];
}
