// The one overlap check of pool addresses (ipam's, used by k8s-glue's parser and webhook too):
// exact against a pairwise oracle, and O(N log N) by count — an IPAddressPool of 40k /32 entries
// took 33.9 s in the validating webhook with the pairwise check (issue 14).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { findOverlaps, validatePools } from './index.js';

type R = { lo: bigint; hi: bigint };

/** MetalLB's way: each range against every range defined before it. */
function pairwise(ranges: readonly R[]): Set<number> {
  const out = new Set<number>();
  ranges.forEach((x, i) => {
    for (let j = 0; j < i; j++) {
      const y = ranges[j] as R;
      if (y.lo <= x.hi && y.hi >= x.lo) {
        out.add(i);
        break;
      }
    }
  });
  return out;
}

const range = fc
  .tuple(fc.bigInt({ min: 0n, max: 60n }), fc.bigInt({ min: 0n, max: 12n }))
  .map(([lo, len]) => ({ lo, hi: lo + len }));

const V4_BASE = 0xffff00000000n;
// Where the ranges sit decides how they are compared: IPv4 (as doubles), elsewhere (as bigints),
// or both groups at once.
const placed = fc.oneof(
  range,
  range.map((r) => ({ lo: r.lo + V4_BASE, hi: r.hi + V4_BASE })),
  fc
    .tuple(range, fc.boolean())
    .map(([r, v4]) =>
      v4
        ? { lo: r.lo + V4_BASE, hi: r.hi + V4_BASE }
        : { lo: r.lo + (1n << 64n), hi: r.hi + (1n << 64n) },
    ),
);

describe('findOverlaps', () => {
  it('reports exactly the ranges that overlap one defined before them, against such a range', () => {
    fc.assert(
      fc.property(fc.array(placed, { maxLength: 40 }), (ranges) => {
        const { overlaps } = findOverlaps(ranges);
        expect(new Set(overlaps.map((o) => o.later))).toEqual(pairwise(ranges));
        expect(overlaps.map((o) => o.later)).toEqual([...pairwise(ranges)].sort((a, b) => a - b));
        for (const o of overlaps) {
          const x = ranges[o.later] as R;
          const y = ranges[o.earlier] as R;
          expect(o.earlier).toBeLessThan(o.later);
          expect(y.lo <= x.hi && y.hi >= x.lo).toBe(true);
        }
      }),
      { numRuns: 500 },
    );
  });

  it('finds an overlap with an earlier range that starts inside the later one', () => {
    // Sorted by start, the range defined second comes first: the earlier-defined one starts inside it.
    const { overlaps } = findOverlaps([
      { lo: 5n, hi: 5n },
      { lo: 0n, hi: 9n },
    ]);
    expect(overlaps).toEqual([{ later: 1, earlier: 0 }]);
  });

  it('a range reaching into the IPv4 block is compared with the IPv4 ranges', () => {
    const { overlaps } = findOverlaps([
      { lo: V4_BASE + 5n, hi: V4_BASE + 5n },
      { lo: 0n, hi: 1n << 64n },
    ]);
    expect(overlaps).toEqual([{ later: 1, earlier: 0 }]);
  });

  // Counted, not timed: the comparisons made stay within a constant times N log2 N on the layouts
  // that make naive checks quadratic (all distinct /32s, all identical, nested, descending).
  const n = 40_000;
  const log2n = Math.ceil(Math.log2(n));
  // Bounds inside the IPv4 block are sorted by a counted radix sort; others are ranked first by a
  // counted comparison sort of bigints (IPv6). Both kinds are laid out here.
  const v4 = (r: R): R => ({ lo: r.lo + V4_BASE, hi: r.hi + V4_BASE });
  const layouts: Record<string, () => R[]> = {
    'IPv4 /32s in order': () =>
      Array.from({ length: n }, (_, i) => v4({ lo: BigInt(i), hi: BigInt(i) })),
    'IPv4, the same /32 every time': () => Array.from({ length: n }, () => v4({ lo: 7n, hi: 7n })),
    'IPv4, nested, widest last': () =>
      Array.from({ length: n }, (_, i) => v4({ lo: BigInt(n - i), hi: BigInt(n + i) })),
    'distinct /32s in order': () =>
      Array.from({ length: n }, (_, i) => ({ lo: BigInt(i), hi: BigInt(i) })),
    'distinct /32s descending': () =>
      Array.from({ length: n }, (_, i) => ({ lo: BigInt(n - i), hi: BigInt(n - i) })),
    'the same /32 every time': () => Array.from({ length: n }, () => ({ lo: 7n, hi: 7n })),
    'scattered /32s (seeded)': () => {
      let x = 12345;
      return Array.from({ length: n }, () => {
        x = (x * 1103515245 + 12345) % 2 ** 31;
        return { lo: BigInt(x), hi: BigInt(x) };
      });
    },
    'nested, widest last': () =>
      Array.from({ length: n }, (_, i) => ({ lo: BigInt(n - i), hi: BigInt(n + i) })),
  };
  for (const [name, make] of Object.entries(layouts)) {
    it(`${name}: ${n} ranges in at most 6·N·log2 N comparisons (pairwise: N²/2 = ${(n * n) / 2})`, () => {
      const ranges = make();
      const { overlaps, comparisons } = findOverlaps(ranges);
      expect(comparisons).toBeLessThanOrEqual(6 * n * log2n);
      expect(comparisons).toBeGreaterThan(0);
      if (name.startsWith('distinct') || name.endsWith('in order')) expect(overlaps).toEqual([]);
      else if (!name.startsWith('scattered')) expect(overlaps).toHaveLength(n - 1);
      else expect(new Set(overlaps.map((o) => o.later)).size).toBe(overlaps.length);
    });
  }

  it('validatePools reports every overlapping entry of a large pool once', () => {
    const addresses = Array.from({ length: 5000 }, (_, i) => `10.0.${i >> 8}.${i & 255}/32`);
    addresses.push('10.0.0.0/24');
    const issues = validatePools([{ name: 'big', addresses }]);
    expect(issues).toEqual([
      {
        path: 'pools[0].addresses[5000]',
        message:
          'CIDR "10.0.0.0/24" in pool "big" overlaps with already defined CIDR "10.0.0.0/32" in pool "big"',
      },
    ]);
  });
});
