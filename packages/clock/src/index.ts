// @ironlb/clock public API: the contracts every IronLB library takes as injected dependencies
// (DESIGN.md §3) — clocks and timers, a wall clock, a logger, metrics — with their real
// implementations. Named re-exports only. Fakes are in ./testing; the pino logger and the
// prom-client metrics adapter are in ./pino and ./prometheus (optional peer dependencies).
export { backgroundClock, createSystemClock, systemClock, systemWallClock } from './clock.js';
export type { Clock, SystemClockOptions, TimerHandle, WallClock } from './clock.js';
export { silentLogger } from './logger.js';
export type { LogFields, Logger } from './logger.js';
export { DEFAULT_BUCKETS, noMetrics } from './metrics.js';
export type {
  Counter,
  Gauge,
  Histogram,
  HistogramDef,
  Labels,
  MetricDef,
  Metrics,
} from './metrics.js';
export { ClockError } from './errors.js';
export type { ClockErrorCode } from './errors.js';
