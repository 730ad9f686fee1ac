import { describe, expect, it } from 'vitest';
import { BgpError, BgpErrorCode } from './errors.js';
import { parseArgs, parseDurationSec } from './cli-args.js';

const base = ['announce', '--local-as', '64512', '--peer', '198.51.100.2', '--peer-as', '64513'];

function bad(argv: string[]): BgpError {
  try {
    parseArgs(argv);
  } catch (err) {
    expect(err).toBeInstanceOf(BgpError);
    expect((err as BgpError).code).toBe(BgpErrorCode.InvalidOption);
    return err as BgpError;
  }
  throw new Error(`accepted ${argv.join(' ')}`);
}

describe('ironlb-bgp arguments', () => {
  it('parses a full command line', () => {
    const a = parseArgs([
      ...base,
      '--hold-time',
      '1m30s',
      '--community',
      '64512:100',
      '--community',
      'no-export',
      '--large-community',
      '64512:1:2',
      '--local-pref',
      '200',
      '--passive',
      '--port',
      '1179',
      '203.0.113.0/24',
      '2001:db8:1::/48',
    ]);
    expect(a).toMatchObject({
      command: 'announce',
      localAs: 64512,
      peerAs: 64513,
      holdTimeSec: 90,
      passive: true,
      port: 1179,
      localPref: 200,
      communities: [0xfc000064, 0xffffff01],
      prefixes: ['203.0.113.0/24', '2001:db8:1::/48'],
    });
  });

  it('--ttl', () => {
    expect(parseArgs([...base, '--ttl', '1'])).toMatchObject({ ttl: 1 });
    expect(parseArgs(base)).toMatchObject({ ttl: undefined });
  });

  it('help', () => {
    expect(parseArgs(['--help'])).toEqual({ command: 'help' });
    expect(parseArgs([])).toEqual({ command: 'help' });
  });

  it('rejects bad arguments with INVALID_OPTION naming the option', () => {
    expect(bad(['announce', '--peer', '198.51.100.2', '--peer-as', '1']).detail.option).toBe(
      '--local-as',
    );
    expect(bad([...base, '--hold-time', '2']).detail.option).toBe('--hold-time');
    expect(bad([...base, '--peer', 'not-an-ip']).detail.option).toBe('--peer');
    expect(bad([...base, '--community', '70000:1']).detail.option).toBe('--community');
    expect(bad([...base, '--port', '70000']).detail.option).toBe('--port');
    expect(bad([...base, '--bogus']).detail.option).toBe('--bogus');
    expect(bad([...base, '198.51.100.0/40']).detail.option).toBe('PREFIX');
    expect(bad([...base, '--router-id', '0.0.0.0']).detail.option).toBe('--router-id');
    expect(bad([...base, '--ttl', '0']).detail.option).toBe('--ttl');
    expect(bad([...base, '--ttl', '256']).detail.option).toBe('--ttl');
    bad(['frobnicate']);
    bad([...base, '--local-pref']);
  });

  it('durations', () => {
    expect(parseDurationSec('90', 'x')).toBe(90);
    expect(parseDurationSec('2m', 'x')).toBe(120);
    expect(parseDurationSec('1h1s', 'x')).toBe(3601);
    expect(() => parseDurationSec('1.5s', 'x')).toThrow(BgpError);
  });
});
