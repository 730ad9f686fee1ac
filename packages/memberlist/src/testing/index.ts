// Test fakes for @ironlb/memberlist (DESIGN.md §3): a manual clock, a seeded PRNG, an in-memory
// network with per-link loss, delay and partitions, and a whole-cluster simulation harness.
export { ManualClock, seededRandom } from '@ironlb/clock/testing';
export { InMemoryNetwork } from './network.js';
export type { InMemoryNetworkOptions, LinkStats } from './network.js';
export { Simulation } from './simulation.js';
export type { SimEvent, SimulationOptions } from './simulation.js';
