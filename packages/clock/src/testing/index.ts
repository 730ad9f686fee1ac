// @ironlb/clock/testing: fakes of every injected contract, for deterministic tests (DESIGN.md §3).
export { ManualClock } from './manual-clock.js';
export { ManualWallClock } from './manual-wall-clock.js';
export { seededRandom } from './random.js';
export { MemoryLogger } from './memory-logger.js';
export type { LogEntry, LogLevelName } from './memory-logger.js';
export { MemoryMetrics } from './memory-metrics.js';
