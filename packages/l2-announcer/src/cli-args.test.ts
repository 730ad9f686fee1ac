import { describe, expect, it } from 'vitest';
import { USAGE, parseDurationMs, parseL2Args } from './cli-args.js';

describe('ironlb-l2 argument parsing', () => {
  it('parses a full invocation', () => {
    const r = parseL2Args([
      'announce',
      '-i',
      'eth0',
      '--interface',
      'eth1',
      '-x',
      '^mgmt',
      '--refresh-interval',
      '30s',
      '--burst-interval',
      '500ms',
      '--rescan-interval',
      '2s',
      '--handover-wait',
      '10s',
      '--log-level',
      'debug',
      '198.51.100.10',
      '2001:db8::10',
    ]);
    expect(r).toEqual({
      kind: 'run',
      config: {
        interfaces: ['eth0', 'eth1'],
        addresses: ['198.51.100.10', '2001:db8::10'],
        exclude: ['^mgmt'],
        refreshIntervalMs: 30_000,
        burstIntervalMs: 500,
        burstDurationMs: 5_000,
        rescanIntervalMs: 2_000,
        handoverWaitMs: 10_000,
        logLevel: 'debug',
      },
    });
  });

  it("defaults to every eligible interface, MetalLB's schedule, no refresh, no handover wait", () => {
    const r = parseL2Args(['announce', '198.51.100.10']);
    expect(r.kind === 'run' && r.config).toMatchObject({
      interfaces: [],
      exclude: [],
      burstIntervalMs: 1100,
      burstDurationMs: 5000,
      refreshIntervalMs: 0,
      rescanIntervalMs: 10_000,
      handoverWaitMs: 0,
      logLevel: 'info',
    });
  });

  it("takes MetalLB's log levels, and pino's older names for them", () => {
    const level = (l: string) => {
      const r = parseL2Args(['announce', '--log-level', l, '198.51.100.10']);
      return r.kind === 'run' ? r.config.logLevel : r.kind;
    };
    expect(['all', 'trace', 'warn', 'none', 'silent', 'fatal'].map(level)).toEqual([
      'all',
      'all',
      'warn',
      'none',
      'none',
      'error',
    ]);
  });

  it('returns one error for each kind of bad input', () => {
    const cases: string[][] = [
      [],
      ['frobnicate'],
      ['announce', '-i', 'eth0'],
      ['announce', '-i', 'eth0', '198.51.100.256'],
      ['announce', '-i', 'eth0', 'fe80::1%eth0'],
      ['announce', '-i', 'eth0', 'ff02::1'],
      ['announce', '-i', 'eth0', '-r', '10 parsecs', '198.51.100.10'],
      ['announce', '-i', 'eth0', '--burst-interval', '0', '198.51.100.10'],
      ['announce', '-i', 'eth0', '--rescan-interval', '0', '198.51.100.10'],
      ['announce', '-i', 'eth0', '--handover-wait', 'later', '198.51.100.10'],
      ['announce', '-i', 'eth0', '--log-level', 'loud', '198.51.100.10'],
      ['announce', '-i', 'eth0', '--exclude', '(', '198.51.100.10'],
      ['announce', '-i', 'eth0', '--nope', '198.51.100.10'],
    ];
    for (const c of cases) {
      const r = parseL2Args(c);
      expect(r.kind, c.join(' ')).toBe('error');
      if (r.kind === 'error') expect(r.message).not.toContain('\n');
    }
  });

  it('--help wins and the usage documents every flag with an example', () => {
    expect(parseL2Args(['announce', '--help'])).toEqual({ kind: 'help' });
    for (const f of [
      '--interface',
      '--exclude',
      '--refresh-interval',
      '--burst-interval',
      '--burst-duration',
      '--rescan-interval',
      '--handover-wait',
      '--log-level',
      '--help',
      'Example:',
    ])
      expect(USAGE).toContain(f);
  });

  it('parses durations', () => {
    expect([
      parseDurationMs('0'),
      parseDurationMs('1.5s'),
      parseDurationMs('2m'),
      parseDurationMs('250ms'),
      parseDurationMs('1h'),
    ]).toEqual([0, 1500, 120_000, 250, 3_600_000]);
    expect(parseDurationMs('5')).toBeUndefined();
    expect(parseDurationMs('-1s')).toBeUndefined();
  });
});
