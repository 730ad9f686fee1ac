import type { Clock } from '@ironlb/clock';

/** Injected time source and timers (DESIGN.md §3): the one Clock shape every IronLB library takes. */
export type { Clock };

/** Wall clock backed by performance.now() (monotonic) and the real timers. */
export const systemClock: Clock = {
  now: () => performance.now(),
  setTimeout: (fn, delayMs) => {
    const t = setTimeout(fn, delayMs);
    // A pending announcement must not keep a process alive on its own: owners close responders.
    t.unref?.();
    return t;
  },
  clearTimeout: (h) => clearTimeout(h as ReturnType<typeof setTimeout>),
};

/** The subset of pino's API the libraries use; pass a pino logger or anything shaped like it. */
export interface Logger {
  debug(obj: object, msg?: string): void;
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

const noop = () => {};
export const silentLogger: Logger = { debug: noop, info: noop, warn: noop, error: noop };
