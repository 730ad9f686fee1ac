// @ironlb/clock/pino: the logger the apps wire through every library — pino, writing JSON lines
// in MetalLB's shape (`ts` RFC 3339, `level` as a string, `caller` file:line, `msg`), with
// MetalLB's level names (--log-level all|debug|info|warn|error|none). pino is an optional peer
// dependency: only programs that import this entry need it.
import { basename } from 'node:path';
import { fileURLToPath } from 'node:url';
import { pino, type DestinationStream, type Level, type Logger as PinoLogger } from 'pino';
import { ClockError } from './errors.js';
import type { LogFields, Logger } from './logger.js';

/** MetalLB's --log-level values. */
export const LOG_LEVELS = ['all', 'debug', 'info', 'warn', 'error', 'none'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

const PINO_LEVEL: Record<LogLevel, Level | 'silent'> = {
  all: 'trace',
  debug: 'debug',
  info: 'info',
  warn: 'warn',
  error: 'error',
  none: 'silent',
};

/** Parses a --log-level value; anything else is a ClockError naming the allowed values. */
export function parseLogLevel(value: string): LogLevel {
  if ((LOG_LEVELS as readonly string[]).includes(value)) return value as LogLevel;
  throw new ClockError(
    'invalid-option',
    `invalid log level "${value}": expected one of ${LOG_LEVELS.join(', ')}`,
  );
}

export interface AppLoggerOptions {
  /** Default 'info'. */
  readonly level?: LogLevel;
  /** Where JSON lines go (default: stdout, synchronously, so nothing is lost on exit). */
  readonly destination?: DestinationStream;
  /** Fields on every line (MetalLB's speaker logs carry none; components add e.g. `controller`). */
  readonly bindings?: LogFields;
  /** Adds `caller` (file:line of the log call) as MetalLB does; costs a stack walk per line. Default true. */
  readonly caller?: boolean;
}

export interface AppLogger extends Logger {
  /** A logger with more fields on every line (`{ component: 'bgp' }`). */
  child(bindings: LogFields): AppLogger;
  /** The underlying pino logger. */
  readonly pino: PinoLogger;
}

const selfFile = fileURLToPath(import.meta.url);

// The first stack frame outside this module and pino is the code that logged.
function callerOf(stack: string | undefined): string | undefined {
  for (const line of (stack ?? '').split('\n').slice(1)) {
    if (line.includes(selfFile) || /[/\\]pino[/\\]/.test(line)) continue;
    const m = /\(?((?:file:\/\/)?[^()\s]+):(\d+):\d+\)?\s*$/.exec(line);
    if (m?.[1] && m[2]) return `${basename(m[1])}:${m[2]}`;
  }
  return undefined;
}

function wrap(p: PinoLogger): AppLogger {
  return {
    pino: p,
    debug: (f, msg) => p.debug(f, msg),
    info: (f, msg) => p.info(f, msg),
    warn: (f, msg) => p.warn(f, msg),
    error: (f, msg) => p.error(f, msg),
    child: (bindings) => wrap(p.child(bindings)),
  };
}

/** A pino logger writing MetalLB-shaped JSON lines. */
export function createAppLogger(options: AppLoggerOptions = {}): AppLogger {
  const level = options.level ?? 'info';
  if (!(LOG_LEVELS as readonly string[]).includes(level)) parseLogLevel(level);
  const withCaller = options.caller ?? true;
  const p = pino(
    {
      level: PINO_LEVEL[level],
      base: options.bindings ? { ...options.bindings } : null,
      messageKey: 'msg',
      timestamp: () => `,"ts":"${new Date().toISOString()}"`,
      formatters: { level: (label) => ({ level: label }) },
      ...(withCaller
        ? {
            mixin: () => {
              const caller = callerOf(new Error().stack);
              return caller ? { caller } : {};
            },
          }
        : {}),
    },
    options.destination ?? pino.destination({ dest: 1, sync: true }),
  );
  return wrap(p);
}
