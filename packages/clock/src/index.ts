// @ironlb/clock public API: named re-exports only (DESIGN.md §3). Fakes are in ./testing.
export type { Clock, TimerHandle } from './clock.js';
