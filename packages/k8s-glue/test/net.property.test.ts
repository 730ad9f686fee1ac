// Properties of the address helpers the parser relies on (fast-check).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { cidrsOverlap, formatIp, parseAddresses, parseIp, summarize } from '../src/config/net.js';
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
  it('parseAddresses agrees with summarize for text ranges, and CIDRs of a range never overlap each other', () => {
    fc.assert(
      fc.property(v4, v4, (a, b) => {
        const [lo, hi] = a <= b ? [a, b] : [b, a];
        const r = parseAddresses(`${formatIp(4, lo)} - ${formatIp(4, hi)}`);
        expect('cidrs' in r && r.cidrs.map((c) => c.text)).toEqual(
          summarize(4, lo, hi).map((c) => c.text),
        );
        if ('cidrs' in r) {
          for (let i = 0; i < r.cidrs.length; i++)
            for (let j = i + 1; j < r.cidrs.length; j++)
              expect(cidrsOverlap(r.cidrs[i]!, r.cidrs[j]!)).toBe(false);
        }
      }),
      { numRuns: 80 },
    );
  });
  it('parses and formats IPs round-trip', () => {
    fc.assert(
      fc.property(v4, (x) => {
        expect(parseIp(formatIp(4, x))).toEqual({ family: 4, value: x });
      }),
    );
    fc.assert(
      fc.property(v6, (x) => {
        const text = formatIp(6, x);
        const p = parseIp(text);
        // ::ffff:a.b.c.d is read as IPv4, as Go does.
        if (p?.family === 6) expect(p.value).toBe(x);
        else expect(x >> 32n).toBe(0xffffn);
      }),
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
