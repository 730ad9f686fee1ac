import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseMac } from '@ironlb/raw-link';
import { hexToBytes } from '@ironlb/raw-link/testing';
import { decodeNdpFrame } from '../codec/ndp.js';
import { ndpProtocol } from './ndp-machine.js';

const fixture = (name: string) =>
  hexToBytes(readFileSync(new URL(`../../fixtures/${name}`, import.meta.url), 'utf8'));

describe('NDP machine fuzz (bounded): hostile frames never throw, every sent frame is a valid NA', () => {
  it('random and mutated frames', () => {
    const p = ndpProtocol({ iface: 'eth0', mac: parseMac('02:00:00:00:00:0c') });
    let st = p.initial();
    // the fixtures' targets, so mutations reach the full decode and the reply path
    for (const a of ['2001:db8:1::2', '2001:db8:1::4'])
      st = p.step(st, { type: 'acquire', address: a }, 0).state;
    const seeds = [
      'ndisc6-ns.hex',
      'kernel-na.hex',
      'kernel-dad-ns.hex',
      'kernel-unsolicited-na.hex',
    ].map(fixture);
    const frames = fc.oneof(
      fc.uint8Array({ maxLength: 120 }),
      fc
        .tuple(
          fc.constantFrom(...seeds),
          fc.array(fc.tuple(fc.nat(85), fc.integer({ min: 0, max: 255 })), { maxLength: 4 }),
          fc.nat(100),
        )
        .map(([seed, flips, cut]) => {
          const b = Uint8Array.from(seed);
          for (const [i, v] of flips) if (i < b.length) b[i] = v;
          return b.subarray(0, Math.min(cut, b.length));
        }),
    );
    let replies = 0;
    fc.assert(
      fc.property(frames, (f) => {
        const r = p.step(st, { type: 'frame', frame: f }, 1);
        expect(r.state).toBe(st);
        for (const a of r.actions) {
          if (a.type !== 'send') continue;
          replies++;
          const na = decodeNdpFrame(a.frame); // our output always passes our own validation
          expect(na.message.kind).toBe('na');
        }
      }),
      { numRuns: 5000 },
    );
    // unmodified NS seeds (drawn often enough) are answered: the reply path was exercised
    expect(replies).toBeGreaterThan(0);
  });
});
