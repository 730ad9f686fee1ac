// The injected logger (DESIGN.md §3): the subset of pino's API the libraries call, so a pino
// logger (or the one from `@ironlb/clock/pino`) can be passed as it is. Structured fields first,
// message second, as pino and MetalLB's logs do.

export type LogFields = Readonly<Record<string, unknown>>;

export interface Logger {
  debug(fields: LogFields, msg?: string): void;
  info(fields: LogFields, msg?: string): void;
  warn(fields: LogFields, msg?: string): void;
  error(fields: LogFields, msg?: string): void;
}

const noop = (): void => {};

/** Drops everything; the default of every library. */
export const silentLogger: Logger = { debug: noop, info: noop, warn: noop, error: noop };
