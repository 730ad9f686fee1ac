// The injected clock (DESIGN.md §3). Libraries take a Clock instead of calling performance.now()
// and the global timers, so tests can drive time by hand (ManualClock in ./testing). Each library
// keeps its own real implementation (systemClock), because timer policy differs: some unref their
// timers so a pending retransmit never keeps a process alive, others do not.

/** Opaque timer handle: whatever the clock's setTimeout returned; only its clearTimeout reads it. */
export type TimerHandle = unknown;

/** Milliseconds plus timers. */
export interface Clock {
  /** Milliseconds on a monotonic scale (need not be wall time). */
  now(): number;
  /** Calls `fn` once, `delayMs` from now (negative delays count as 0). */
  setTimeout(fn: () => void, delayMs: number): TimerHandle;
  /** Cancels a timer that has not fired; a no-op for fired or already cleared ones. */
  clearTimeout(handle: TimerHandle): void;
}
