// Round trip: every packet a correct sender may send decodes to itself, and re-encodes to the
// same bytes; checkControl agrees with decodeControl.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkControl, decodeControl, encodeControl, encodedLength } from '../src/index.js';
import { controlPacket } from './arbitraries.js';

describe('codec properties', () => {
  it('decode(encode(p)) = p and encode(decode(b)) = b', () => {
    fc.assert(
      fc.property(controlPacket, (p) => {
        const b = encodeControl(p);
        expect(b.length).toBe(encodedLength(p));
        expect(b[3]).toBe(b.length);
        expect(checkControl(b)).toBeNull();
        const d = decodeControl(b);
        expect(d).toEqual(p);
        expect(encodeControl(d)).toEqual(b);
      }),
      { numRuns: 2000 },
    );
  });

  it('encoding into a reused buffer gives the same bytes as a fresh one', () => {
    const out = new Uint8Array(64);
    fc.assert(
      fc.property(controlPacket, (p) => {
        expect(Buffer.from(encodeControl(p, out))).toEqual(Buffer.from(encodeControl(p)));
      }),
      { numRuns: 500 },
    );
  });
});
