import { describe, expect, it } from 'vitest';
import { median, percentile, summarize } from './stats.ts';

describe('bench statistics', () => {
  it('uses nearest-rank percentiles', () => {
    const s = [5, 1, 4, 2, 3];
    expect(median(s)).toBe(3);
    expect(percentile(s, 0)).toBe(1);
    expect(percentile(s, 100)).toBe(5);
    expect(percentile([], 50)).toBeNaN();
  });

  it('summarizes a million samples without overflowing the stack', () => {
    const samples = Array.from({ length: 1_000_000 }, (_, i) => (i * 7919) % 1_000_000);
    const s = summarize(samples);
    expect(s).toMatchObject({ count: 1_000_000, min: 0, max: 999_999, p50: 499_999 });
    expect(s.mean).toBeCloseTo(499_999.5, 3);
  });
});
