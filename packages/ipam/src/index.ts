// @ironlb/ipam public API. Named re-exports only (DESIGN.md §3).
export { IpFamily, formatAddress, parseAddress } from './addr.js';
export { Allocator, createAllocator } from './allocator.js';
export type { AllocationResult, AllocatorDeps, AllocatorOptions } from './allocator.js';
export { IpamError, IpamErrorCode } from './errors.js';
export type { ConfigIssue } from './errors.js';
export { FailureReason, describeFailure, describeSharingDetail } from './failures.js';
export type { AllocationFailure, FamilyWord, SharingDetail } from './failures.js';
export { findOverlaps, parsePoolEntry, parsePools, validatePools } from './pools.js';
export type { Overlap, Pool, PoolEntryRange, PoolSet, PoolSpec, Segment } from './pools.js';
export { reconcile, restartOrder, restore } from './reconcile.js';
export type { ReconcileEvent, ReconcileResult, ServiceState } from './reconcile.js';
export { IpFamilyPolicy } from './types.js';
export type {
  Allocation,
  AllocationRequest,
  LostAllocation,
  MovedAllocation,
  PoolCounters,
  Port,
  SetPoolsResult,
} from './types.js';
