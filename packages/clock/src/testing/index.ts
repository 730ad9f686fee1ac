// @ironlb/clock/testing: a manual clock and a seeded PRNG for deterministic tests (DESIGN.md §3).
export { ManualClock } from './manual-clock.js';
export { seededRandom } from './random.js';
