import { describe, expect, it } from 'vitest';
import { MemberlistError, MemberlistErrorCode } from '../src/errors.js';
import { formatAddress, parseAddress } from '../src/codec/address.js';
import { PROFILES, resolveOptions } from '../src/machine/config.js';
import {
  effectiveConfirmations,
  pushPullScaleMs,
  retransmitLimit,
  scaleByAwareness,
  suspicionMinMs,
  suspicionTimeoutMs,
} from '../src/machine/formulas.js';

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(MemberlistError);
    return (err as MemberlistError).code;
  }
  return undefined;
}

describe('addresses', () => {
  it('parses IPv4 and bracketed IPv6 host:port and formats them back', () => {
    expect(parseAddress('198.51.100.1:7946')).toEqual({ host: '198.51.100.1', port: 7946 });
    expect(parseAddress('[2001:db8::1]:7946')).toEqual({ host: '2001:db8::1', port: 7946 });
    expect(formatAddress({ host: '2001:db8::1', port: 1 })).toBe('[2001:db8::1]:1');
  });
  it.each([
    '198.51.100.1',
    'host:7946',
    '198.51.100.1:0',
    '198.51.100.1:65536',
    '2001:db8::1:7946',
    '[2001:db8::1]7946',
    '1.2.3.4:x',
  ])('rejects %s with INVALID_ADDRESS', (a) => {
    expect(codeOf(() => parseAddress(a))).toBe(MemberlistErrorCode.InvalidAddress);
  });
});

describe('profiles and options', () => {
  it('lan is hashicorp DefaultLANConfig', () => {
    expect(PROFILES.lan).toMatchObject({
      probeIntervalMs: 1000,
      probeTimeoutMs: 500,
      suspicionMult: 4,
      suspicionMaxTimeoutMult: 6,
      suspicionConfirmations: 2,
      indirectChecks: 3,
      retransmitMult: 4,
      gossipIntervalMs: 200,
      gossipNodes: 3,
      pushPullIntervalMs: 30_000,
      gossipToTheDeadTimeMs: 30_000,
      tcpTimeoutMs: 10_000,
      awarenessMaxMultiplier: 8,
    });
  });
  it('defaults to fast and lets every timer be overridden', () => {
    expect(resolveOptions()).toEqual(PROFILES.fast);
    expect(resolveOptions({ profile: 'lan', probeIntervalMs: 700 }).probeIntervalMs).toBe(700);
  });
  it('rejects nonsense with INVALID_OPTION', () => {
    expect(codeOf(() => resolveOptions({ probeIntervalMs: 0 }))).toBe(
      MemberlistErrorCode.InvalidOption,
    );
    expect(codeOf(() => resolveOptions({ probeTimeoutMs: 5000 }))).toBe(
      MemberlistErrorCode.InvalidOption,
    );
    expect(codeOf(() => resolveOptions({ indirectChecks: -1 }))).toBe(
      MemberlistErrorCode.InvalidOption,
    );
    expect(codeOf(() => resolveOptions({ profile: 'wan' as 'lan' }))).toBe(
      MemberlistErrorCode.InvalidOption,
    );
  });
});

describe('hashicorp formulas (util.go suspicionTimeout, suspicion.go, awareness.go)', () => {
  it('suspicion min/max and the Lifeguard log decay for LAN, N = 5', () => {
    const min = suspicionMinMs(4, 5, 1000);
    expect(min).toBe(4000);
    const max = 6 * min;
    expect(suspicionTimeoutMs(0, 2, min, max)).toBe(24_000);
    expect(suspicionTimeoutMs(1, 2, min, max)).toBe(11_381); // "11.4 s with only 1"
    expect(suspicionTimeoutMs(2, 2, min, max)).toBe(4000);
    expect(suspicionTimeoutMs(5, 2, min, max)).toBe(4000);
    expect(suspicionTimeoutMs(3, 0, min, max)).toBe(4000);
  });
  it('scales suspicion with log10 N, floored at 1', () => {
    expect(suspicionMinMs(4, 3, 1000)).toBe(4000);
    expect(suspicionMinMs(4, 100, 1000)).toBe(8000);
  });
  it('scales the push/pull interval above 32 members (pushPullScale)', () => {
    expect(pushPullScaleMs(30_000, 32)).toBe(30_000);
    expect(pushPullScaleMs(30_000, 64)).toBe(60_000);
    expect(pushPullScaleMs(30_000, 100)).toBe(90_000);
  });
  it('forces K to 0 in tiny clusters, limits retransmits by log10(N+1), scales by awareness', () => {
    expect(effectiveConfirmations(2, 3)).toBe(0);
    expect(effectiveConfirmations(2, 5)).toBe(2);
    expect(retransmitLimit(4, 5)).toBe(4);
    expect(retransmitLimit(4, 100)).toBe(12);
    expect(scaleByAwareness(100, 0)).toBe(100);
    expect(scaleByAwareness(100, 7)).toBe(800);
  });
});
