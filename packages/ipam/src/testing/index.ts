// @ironlb/ipam/testing: test helpers for the allocator's users. Named re-exports only.
export { NaiveAllocator } from './naive.js';
export type { NaiveResult } from './naive.js';
