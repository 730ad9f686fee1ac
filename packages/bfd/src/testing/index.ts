// @ironlb/bfd/testing: fakes for deterministic tests (DESIGN.md §3). Pair with ManualClock and
// seededRandom from @ironlb/clock/testing.
export { MemoryBfdNetwork } from './memory-network.js';
export type { MemoryNetworkStats } from './memory-network.js';
