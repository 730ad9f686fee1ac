// @ironlb/bgp-speaker/testing: fakes for tests of code that uses the speaker (DESIGN.md §3).
export { ManualClock, seededRandom } from '@ironlb/clock/testing';
export { MemoryNetwork } from './memory-network.js';
export type { MemorySocket } from './memory-network.js';
