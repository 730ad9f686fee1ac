import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { RunSet } from './runset.js';

describe('RunSet', () => {
  it('merges neighbours into maximal runs', () => {
    const r = new RunSet();
    for (const k of [5n, 7n, 6n, 1n, 2n, 100n]) expect(r.add(k)).toBe(true);
    expect(r.add(6n)).toBe(false);
    expect(r.runs).toBe(3); // [1,2] [5,7] [100]
    expect(r.firstAbsentFrom(0n)).toBe(0n);
    expect(r.firstAbsentFrom(1n)).toBe(3n);
    expect(r.firstAbsentFrom(5n)).toBe(8n);
    expect(r.delete(6n)).toBe(true);
    expect(r.delete(6n)).toBe(false);
    expect(r.runs).toBe(4);
    expect(r.firstAbsentFrom(5n)).toBe(6n);
    expect([...r.values()]).toEqual([1n, 2n, 5n, 7n, 100n]);
  });

  it('works at 2^128 scale without enumerating', () => {
    const r = new RunSet();
    const top = (1n << 128n) - 1n;
    r.add(top - 1n);
    r.add(top);
    expect(r.firstAbsentFrom(top - 1n)).toBe(top + 1n);
    expect(r.size).toBe(2);
  });

  it('behaves like a Set under random add/delete (fast-check, chunk splits included)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.boolean(), fc.integer({ min: 0, max: 600 })), { maxLength: 1500 }),
        fc.integer({ min: 0, max: 600 }),
        (ops, probe) => {
          const r = new RunSet();
          const model = new Set<number>();
          for (const [add, k] of ops) {
            if (add) expect(r.add(BigInt(k))).toBe(!model.has(k));
            else expect(r.delete(BigInt(k))).toBe(model.has(k));
            if (add) model.add(k);
            else model.delete(k);
          }
          expect(r.size).toBe(model.size);
          expect(r.has(BigInt(probe))).toBe(model.has(probe));
          let free = probe;
          while (model.has(free)) free++;
          expect(r.firstAbsentFrom(BigInt(probe))).toBe(BigInt(free));
          expect([...r.values()]).toEqual([...model].sort((a, b) => a - b).map(BigInt));
        },
      ),
      { numRuns: 200 },
    );
  });
});
