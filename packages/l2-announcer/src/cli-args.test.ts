import { describe, expect, it } from 'vitest';
import { USAGE, parseDurationMs, parseL2Args } from './cli-args.js';

describe('ironlb-l2 argument parsing', () => {
  it('parses a full invocation, splitting families', () => {
    const r = parseL2Args([
      'announce',
      '-i',
      'eth0',
      '--refresh-interval',
      '30s',
      '--burst-interval',
      '500ms',
      '198.51.100.10',
      '2001:db8::10',
    ]);
    expect(r).toEqual({
      kind: 'run',
      config: {
        iface: 'eth0',
        ipv4: ['198.51.100.10'],
        ipv6: ['2001:db8::10'],
        refreshIntervalMs: 30_000,
        burstIntervalMs: 500,
        burstDurationMs: 5_000,
        logLevel: 'info',
      },
    });
  });
  it("defaults to MetalLB's schedule and no refresh", () => {
    const r = parseL2Args(['announce', '--interface', 'eth0', '198.51.100.10']);
    expect(
      r.kind === 'run' && [
        r.config.burstIntervalMs,
        r.config.burstDurationMs,
        r.config.refreshIntervalMs,
      ],
    ).toEqual([1100, 5000, 0]);
  });
  it('returns one error for each kind of bad input', () => {
    const cases: string[][] = [
      [],
      ['frobnicate'],
      ['announce', '198.51.100.10'],
      ['announce', '-i', 'eth0'],
      ['announce', '-i', 'eth0', '198.51.100.256'],
      ['announce', '-i', 'eth0', 'fe80::1%eth0'],
      ['announce', '-i', 'eth0', 'ff02::1'],
      ['announce', '-i', 'eth0', '-r', '10 parsecs', '198.51.100.10'],
      ['announce', '-i', 'eth0', '--burst-interval', '0', '198.51.100.10'],
      ['announce', '-i', 'eth0', '--log-level', 'loud', '198.51.100.10'],
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
      '--refresh-interval',
      '--burst-interval',
      '--burst-duration',
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
