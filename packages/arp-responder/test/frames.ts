// Unit-test helpers: the golden frames under fixtures/ and the mutated-frame arbitrary the codec
// view property test and the machine fuzz test both draw from.
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { hexToBytes } from '@ironlb/raw-link/testing';

/** A golden frame from fixtures/ (hex, as captured; see fixtures/README.md). */
export const fixture = (name: string): Uint8Array =>
  hexToBytes(readFileSync(new URL(`../fixtures/${name}`, import.meta.url), 'utf8'));

/**
 * Random frames up to `maxRandomLength` bytes, or a seed with up to `maxFlips` bytes in its first
 * 60 overwritten and then cut to at most 70 bytes (truncation at every boundary).
 */
export function mutatedFrames(
  seeds: readonly Uint8Array[],
  opts: { maxRandomLength: number; maxFlips: number },
): fc.Arbitrary<Uint8Array> {
  return fc.oneof(
    fc.uint8Array({ maxLength: opts.maxRandomLength }),
    fc
      .tuple(
        fc.constantFrom(...seeds),
        fc.array(fc.tuple(fc.nat(59), fc.integer({ min: 0, max: 255 })), {
          maxLength: opts.maxFlips,
        }),
        fc.nat(70),
      )
      .map(([seed, flips, cut]) => {
        const b = Uint8Array.from(seed);
        for (const [i, v] of flips) if (i < b.length) b[i] = v;
        return b.subarray(0, Math.min(cut, b.length));
      }),
  );
}
