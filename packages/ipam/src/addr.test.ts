import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { familyOf, formatAddress, isBuggyV4, parseAddress } from './addr.js';

describe('address text', () => {
  // Canonical output is Go's net.IP.String(), which MetalLB writes into status and events.
  const cases: [string, string][] = [
    ['192.0.2.1', '192.0.2.1'],
    ['0.0.0.0', '0.0.0.0'],
    ['255.255.255.255', '255.255.255.255'],
    ['2001:db8::1', '2001:db8::1'],
    ['2001:DB8:0:0:0:0:0:1', '2001:db8::1'],
    ['2001:db8:0:0:1:0:0:1', '2001:db8::1:0:0:1'], // first of two equal runs
    ['2001:db8:0:1:1:1:1:1', '2001:db8:0:1:1:1:1:1'], // a single zero group is not compressed
    ['::', '::'],
    ['::1', '::1'],
    ['1::', '1::'],
    ['::ffff:192.0.2.1', '192.0.2.1'], // IPv4-mapped means IPv4, as Go's To4()
    ['64:ff9b::192.0.2.1', '64:ff9b::c000:201'],
  ];
  it.each(cases)('%s → %s', (input, want) => {
    const a = parseAddress(input);
    expect(a).toBeDefined();
    expect(formatAddress(a!)).toBe(want);
  });

  it.each([
    '',
    '1.2.3',
    '1.2.3.4.5',
    '01.2.3.4', // leading zeros: Go ≥ 1.17 refuses (CVE-2021-29923)
    '256.1.1.1',
    '1.2.3.4 ',
    ':::',
    '1:2:3:4:5:6:7:8:9',
    '1::2::3',
    '12345::',
    'fe80::1%eth0',
    '::ffff:1.2.3',
    'g::1',
  ])('rejects %j', (input) => {
    expect(parseAddress(input)).toBeUndefined();
  });

  it('round-trips every 128-bit value (fast-check)', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: (1n << 128n) - 1n }), (a) => {
        expect(parseAddress(formatAddress(a))).toBe(a);
      }),
      { numRuns: 2000 },
    );
  });

  it('round-trips IPv4 and knows the family', () => {
    fc.assert(
      fc.property(fc.ipV4(), (t) => {
        const a = parseAddress(t)!;
        expect(formatAddress(a)).toBe(t);
        expect(familyOf(a)).toBe('IPv4');
      }),
    );
  });

  it('parses what fast-check considers IPv6', () => {
    fc.assert(
      fc.property(fc.ipV6(), (t) => {
        expect(parseAddress(t)).toBeDefined();
      }),
      { numRuns: 2000 },
    );
  });

  it('flags .0 and .255 of IPv4 only', () => {
    expect(isBuggyV4(parseAddress('10.1.2.0')!)).toBe(true);
    expect(isBuggyV4(parseAddress('10.1.2.255')!)).toBe(true);
    expect(isBuggyV4(parseAddress('10.1.2.254')!)).toBe(false);
    expect(isBuggyV4(parseAddress('2001:db8::ff')!)).toBe(false);
    expect(isBuggyV4(parseAddress('2001:db8::')!)).toBe(false);
  });
});
