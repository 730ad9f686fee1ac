// Properties of the address helpers the parser relies on (fast-check). Entries are parsed by
// @ironlb/ipam's parsePoolEntry (the one parser); k8s-glue only summarizes them into CIDRs.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parsePoolEntry } from '@ironlb/ipam';
import { cidrsOverlap, entryCidrs, formatIp, summarize } from '../src/config/net.js';
import { formatGoDuration, parseGoDuration } from '../src/config/duration.js';
import { parseCommunity } from '../src/config/community.js';

const v4 = fc.bigInt({ min: 0n, max: 2n ** 32n - 1n });
const v6 = fc.bigInt({ min: 0n, max: 2n ** 128n - 1n });

function checkCover(family: 4 | 6, a: bigint, b: bigint) {
  const [lo, hi] = a <= b ? [a, b] : [b, a];
  const cidrs = summarize(family, lo, hi);
  const bits = family === 4 ? 32 : 128;
  let next = lo;
  for (const c of cidrs) {
    const size = 1n << BigInt(bits - c.prefixLength);
    expect(c.base).toBe(next); // contiguous, in order
    expect(c.base % size).toBe(0n); // aligned
    next = c.base + size;
  }
  expect(next - 1n).toBe(hi); // exactly the range
  // Minimal: two neighbours never merge into one aligned block of the same size.
  for (let i = 1; i < cidrs.length; i++) {
    const a1 = cidrs[i - 1]!;
    const b1 = cidrs[i]!;
    if (a1.prefixLength === b1.prefixLength && a1.prefixLength > 0) {
      const parent = 1n << BigInt(bits - a1.prefixLength + 1);
      expect(a1.base % parent === 0n).toBe(false);
    }
  }
}

describe('range summarization (ipaddr.Summarize)', () => {
  it('covers exactly the IPv4 range with aligned, minimal CIDRs', () => {
    fc.assert(
      fc.property(v4, v4, (a, b) => {
        checkCover(4, a, b);
      }),
      { numRuns: 150 },
    );
  });
  it('covers exactly the IPv6 range with aligned, minimal CIDRs', () => {
    fc.assert(
      fc.property(v6, v6, (a, b) => {
        checkCover(6, a, b);
      }),
      { numRuns: 80 },
    );
  });
  it('entryCidrs of an ipam-parsed range is its summary, and its CIDRs never overlap each other', () => {
    fc.assert(
      fc.property(v4, v4, (a, b) => {
        const [lo, hi] = a <= b ? [a, b] : [b, a];
        const r = parsePoolEntry(`${formatIp(4, lo)} - ${formatIp(4, hi)}`);
        if ('error' in r) throw new Error(r.error);
        const cidrs = entryCidrs(r);
        expect(cidrs.map((c) => c.text)).toEqual(summarize(4, lo, hi).map((c) => c.text));
        for (let i = 0; i < cidrs.length; i++)
          for (let j = i + 1; j < cidrs.length; j++)
            expect(cidrsOverlap(cidrs[i]!, cidrs[j]!)).toBe(false);
      }),
      { numRuns: 80 },
    );
  });
  it('an IPv6 CIDR entry is its own single CIDR, host bits masked', () => {
    fc.assert(
      fc.property(v6, fc.integer({ min: 0, max: 128 }), (x, len) => {
        const r = parsePoolEntry(`${formatIp(6, x)}/${len}`);
        if ('error' in r) return; // ::ffff:0:0/96 texts are refused by ipam, on purpose
        const cidrs = entryCidrs(r);
        expect(cidrs).toHaveLength(1);
        expect(cidrs[0]!.prefixLength).toBe(len);
        const host = (1n << BigInt(128 - len)) - 1n;
        expect(cidrs[0]!.base).toBe(x & ~host);
      }),
      { numRuns: 80 },
    );
  });
});

describe('Go durations and communities', () => {
  it('formatGoDuration output parses back to the same value (whole milliseconds)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 10 * 86_400_000 }), (ms) => {
        expect(parseGoDuration(formatGoDuration(ms))).toBeCloseTo(ms, 6);
      }),
    );
    expect(formatGoDuration(120_000)).toBe('2m0s');
    expect(formatGoDuration(90_000)).toBe('1m30s');
    expect(parseGoDuration('1h2m3.5s')).toBe(3_723_500);
    expect(parseGoDuration('90')).toBeUndefined();
  });
  it('legacy communities accept exactly two uint16 sections', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 70000 }),
        fc.integer({ min: 0, max: 70000 }),
        (a, b) => {
          const r = parseCommunity(`${a}:${b}`);
          expect(r.ok).toBe(a < 65536 && b < 65536);
          if (!r.ok) expect(r.kind).toBe('value');
        },
      ),
    );
  });
});
