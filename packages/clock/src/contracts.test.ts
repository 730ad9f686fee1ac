import { afterEach, describe, expect, it, vi } from 'vitest';
import { Writable } from 'node:stream';
import {
  ClockError,
  createSystemClock,
  noMetrics,
  silentLogger,
  systemWallClock,
} from './index.js';
import { createAppLogger, parseLogLevel } from './pino.js';
import { prometheusMetrics } from './prometheus.js';
import { ManualClock, ManualWallClock, MemoryLogger, MemoryMetrics } from './testing/index.js';
import type { Clock, WallClock } from './index.js';

describe('system clock', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('re-arms delays past 2^31-1 ms instead of firing after 1 ms as Node would', () => {
    vi.useFakeTimers();
    const clock = createSystemClock();
    const fn = vi.fn();
    clock.setTimeout(fn, 2 ** 31 + 5000);
    vi.advanceTimersByTime(2 ** 31 - 1);
    expect(fn).not.toHaveBeenCalled();
    vi.advanceTimersByTime(5001);
    expect(fn).toHaveBeenCalledTimes(1);
  });

  it('clearTimeout cancels a re-armed long timer and a plain one', () => {
    vi.useFakeTimers();
    const clock = createSystemClock({ unrefTimers: true });
    const long = vi.fn();
    const short = vi.fn();
    const h1 = clock.setTimeout(long, 2 ** 31 + 10);
    vi.advanceTimersByTime(2 ** 31);
    const h2 = clock.setTimeout(short, 10);
    clock.clearTimeout(h1);
    clock.clearTimeout(h2);
    clock.clearTimeout(undefined);
    vi.advanceTimersByTime(100);
    expect(long).not.toHaveBeenCalled();
    expect(short).not.toHaveBeenCalled();
  });

  it('negative delays count as 0', () => {
    vi.useFakeTimers();
    const fn = vi.fn();
    createSystemClock().setTimeout(fn, -50);
    vi.advanceTimersByTime(0);
    expect(fn).toHaveBeenCalledTimes(1);
  });

  it('a monotonic Clock is not a WallClock (the 1970-certificate trap does not type-check)', () => {
    const wall: WallClock = systemWallClock;
    expect(Math.abs(wall.epochMs() - Date.now())).toBeLessThan(1000);
    const manual = new ManualClock();
    // @ts-expect-error — ManualClock has no epochMs(): it cannot be passed where dates are made.
    const wrong: WallClock = manual;
    expect('epochMs' in wrong).toBe(false);
    const fake = new ManualWallClock(Date.UTC(2026, 0, 1));
    fake.advance(1000);
    expect(new Date(fake.epochMs()).toISOString()).toBe('2026-01-01T00:00:01.000Z');
    const c: Clock = manual;
    expect(c.now()).toBe(0);
  });
});

describe('Metrics contract', () => {
  it('MemoryMetrics: counters, gauges, histograms with labels in any order', () => {
    const m = new MemoryMetrics();
    const c = m.counter({ name: 'updates_total', help: 'h', labelNames: ['peer', 'afi'] });
    c.inc({ peer: 'a', afi: '4' });
    c.inc({ afi: '4', peer: 'a' }, 2);
    const g = m.gauge({ name: 'session_up', help: 'h', labelNames: ['peer'] });
    g.set({ peer: 'a' }, 1);
    g.dec({ peer: 'a' });
    g.inc({ peer: 'b' }, 5);
    const h = m.histogram({ name: 'failover_seconds', help: 'h' });
    h.observe(undefined, 0.4);
    h.observe(undefined, 0.6);
    expect(m.value('updates_total', { peer: 'a', afi: '4' })).toBe(3);
    expect(m.value('session_up', { peer: 'a' })).toBe(0);
    expect(m.value('session_up', { peer: 'b' })).toBe(5);
    expect(m.samples('failover_seconds')).toEqual([0.4, 0.6]);
    expect(m.names()).toEqual(['failover_seconds', 'session_up', 'updates_total']);
    expect(m.allSeries('session_up')).toEqual([
      [{ peer: 'a' }, 0],
      [{ peer: 'b' }, 5],
    ]);
  });

  it('the same declaration twice is one metric; a different shape is a metric-conflict', () => {
    const m = new MemoryMetrics();
    m.counter({ name: 'x_total', help: 'h', labelNames: ['a'] }).inc({ a: '1' });
    m.counter({ name: 'x_total', help: 'other help', labelNames: ['a'] }).inc({ a: '1' });
    expect(m.value('x_total', { a: '1' })).toBe(2);
    const err = (() => {
      try {
        m.gauge({ name: 'x_total', help: 'h', labelNames: ['a'] });
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(ClockError);
    expect((err as ClockError).code).toBe('metric-conflict');
    expect(() => m.counter({ name: 'x_total', help: 'h', labelNames: ['b'] })).toThrow(ClockError);
  });

  it('undeclared labels and negative counter increments are refused', () => {
    const m = new MemoryMetrics();
    const c = m.counter({ name: 'y_total', help: 'h' });
    expect(() => c.inc({ peer: 'a' })).toThrow(/undeclared label "peer"/);
    expect(() => c.inc(undefined, -1)).toThrow(/negative/);
  });

  it('noMetrics and silentLogger accept everything and keep nothing', () => {
    noMetrics.counter({ name: 'a', help: 'h' }).inc();
    noMetrics.gauge({ name: 'a', help: 'h' }).set(undefined, 3);
    noMetrics.histogram({ name: 'a', help: 'h' }).observe(undefined, 1);
    silentLogger.error({ err: 'x' }, 'nothing');
    expect(noMetrics.counter({ name: 'b', help: 'h' })).toBe(
      noMetrics.counter({ name: 'c', help: 'h' }),
    );
  });

  it('prometheus adapter: prefixed names, labels, histogram buckets, conflicts', async () => {
    const m = prometheusMetrics({ prefix: 'metallb_' });
    m.gauge({ name: 'bgp_session_up', help: 'BGP session state', labelNames: ['peer'] }).set(
      { peer: '192.0.2.1:179' },
      1,
    );
    m.counter({ name: 'bgp_updates_total', help: 'updates', labelNames: ['peer'] }).inc(
      { peer: '192.0.2.1:179' },
      4,
    );
    m.histogram({ name: 'failover_seconds', help: 'failover', buckets: [0.5, 1] }).observe(
      undefined,
      0.7,
    );
    const text = await m.registry.metrics();
    expect(text).toContain('# HELP metallb_bgp_session_up BGP session state');
    expect(text).toContain('metallb_bgp_session_up{peer="192.0.2.1:179"} 1');
    expect(text).toContain('metallb_bgp_updates_total{peer="192.0.2.1:179"} 4');
    expect(text).toContain('metallb_failover_seconds_bucket{le="0.5"} 0');
    expect(text).toContain('metallb_failover_seconds_bucket{le="1"} 1');
    // Declaring again returns the same instrument; another shape throws.
    m.counter({ name: 'bgp_updates_total', help: 'updates', labelNames: ['peer'] }).inc({
      peer: '192.0.2.1:179',
    });
    expect(await m.registry.metrics()).toContain(
      'metallb_bgp_updates_total{peer="192.0.2.1:179"} 5',
    );
    expect(() => m.gauge({ name: 'bgp_updates_total', help: 'x', labelNames: ['peer'] })).toThrow(
      ClockError,
    );
  });
});

describe('loggers', () => {
  function sink(): { lines: () => Record<string, unknown>[]; stream: Writable } {
    const chunks: string[] = [];
    const stream = new Writable({
      write(chunk, _enc, cb) {
        chunks.push(String(chunk));
        cb();
      },
    });
    return {
      stream,
      lines: () =>
        chunks
          .join('')
          .split('\n')
          .filter(Boolean)
          .map((l) => JSON.parse(l) as Record<string, unknown>),
    };
  }

  it("app logger writes MetalLB's shape: ts RFC 3339, level string, caller, msg", () => {
    const s = sink();
    const log = createAppLogger({ level: 'info', destination: s.stream });
    log.info({ op: 'startup' }, 'starting up'); // the caller is this line
    log.debug({ op: 'x' }, 'hidden at info');
    log.child({ controller: 'ServiceReconciler' }).warn({ service: 'ns/a' }, 'careful');
    const [first, second, third] = s.lines();
    expect(s.lines()).toHaveLength(2);
    expect(first).toMatchObject({ level: 'info', msg: 'starting up', op: 'startup' });
    expect(String(first?.['ts'])).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    expect(first?.['caller']).toMatch(/^contracts\.test\.ts:\d+$/);
    expect(first).not.toHaveProperty('pid');
    expect(second).toMatchObject({
      level: 'warn',
      controller: 'ServiceReconciler',
      service: 'ns/a',
    });
    expect(third).toBeUndefined();
  });

  it('levels all and none, and a bad level names the allowed ones', () => {
    const all = sink();
    createAppLogger({ level: 'all', destination: all.stream, caller: false }).debug({}, 'seen');
    expect(all.lines()[0]).toMatchObject({ level: 'debug', msg: 'seen' });
    expect(all.lines()[0]).not.toHaveProperty('caller');
    const none = sink();
    createAppLogger({ level: 'none', destination: none.stream }).error({}, 'dropped');
    expect(none.lines()).toEqual([]);
    expect(parseLogLevel('warn')).toBe('warn');
    expect(() => parseLogLevel('verbose')).toThrow(
      'invalid log level "verbose": expected one of all, debug, info, warn, error, none',
    );
  });

  it('MemoryLogger keeps entries for assertions', () => {
    const log = new MemoryLogger();
    log.warn({ peer: 'a' }, 'session down');
    log.info({}, 'other');
    expect(log.find('session', 'warn')).toEqual([
      { level: 'warn', fields: { peer: 'a' }, msg: 'session down' },
    ]);
    expect(log.find('session', 'info')).toEqual([]);
  });
});
