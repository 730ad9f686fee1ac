// The injected clocks (DESIGN.md §3). Libraries take a Clock instead of calling performance.now()
// and the global timers, so tests drive time by hand (ManualClock in ./testing), and a WallClock
// where they need dates (certificates, Kubernetes timestamps).
//
// The two are different interfaces with different method names on purpose: a monotonic clock
// that starts at 0 (ManualClock) must not type-check where a date is expected, or a test would
// issue certificates dated 1970 without noticing.

/** Opaque timer handle: whatever the clock's setTimeout returned; only its clearTimeout reads it. */
export type TimerHandle = unknown;

/** Monotonic milliseconds plus timers. */
export interface Clock {
  /** Milliseconds on a monotonic scale (not wall time; never jumps back). */
  now(): number;
  /** Calls `fn` once, `delayMs` from now (negative delays count as 0). */
  setTimeout(fn: () => void, delayMs: number): TimerHandle;
  /** Cancels a timer that has not fired; a no-op for fired or already cleared ones. */
  clearTimeout(handle: TimerHandle): void;
}

/** Calendar time, for dates that leave the process (certificates, API timestamps, logs). */
export interface WallClock {
  /** Milliseconds since the Unix epoch, as Date.now(). */
  epochMs(): number;
}

export interface SystemClockOptions {
  /**
   * unref() every timer, so a pending timer never keeps the process alive on its own (a
   * retransmit, a probe): the owner's close() ends the work. Default false.
   */
  readonly unrefTimers?: boolean;
}

// Node clamps delays above 2^31-1 ms to 1 ms (with a warning); longer delays are re-armed in
// steps so a far deadline never fires early.
const MAX_DELAY_MS = 2 ** 31 - 1;

/** performance.now() and the real timers; `unrefTimers` decides whether timers keep Node alive. */
export function createSystemClock(options: SystemClockOptions = {}): Clock {
  const unref = options.unrefTimers === true;
  interface Handle {
    t: ReturnType<typeof setTimeout> | undefined;
  }
  const arm = (h: Handle, fn: () => void, delayMs: number): void => {
    const wait = Math.min(Math.max(0, delayMs), MAX_DELAY_MS);
    const rest = Math.max(0, delayMs) - wait;
    h.t = setTimeout(rest > 0 ? () => arm(h, fn, rest) : fn, wait);
    if (unref) h.t.unref();
  };
  return {
    now: () => performance.now(),
    setTimeout: (fn, delayMs) => {
      const h: Handle = { t: undefined };
      arm(h, fn, delayMs);
      return h;
    },
    clearTimeout: (handle) => {
      const h = handle as Handle | undefined;
      if (h?.t !== undefined) clearTimeout(h.t);
    },
  };
}

/** The real clock; its timers keep the process alive like the global ones. */
export const systemClock: Clock = createSystemClock();

/** The real clock with unref'd timers (for background work that the owner closes). */
export const backgroundClock: Clock = createSystemClock({ unrefTimers: true });

/** Date.now(). */
export const systemWallClock: WallClock = { epochMs: () => Date.now() };
