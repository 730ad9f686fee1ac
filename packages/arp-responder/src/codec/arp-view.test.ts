import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseMac } from '@ironlb/raw-link';
import { bytesToHex, hexToBytes } from '@ironlb/raw-link/testing';
import { ArpError } from '../errors.js';
import { buildArpReply, decodeArpFrame } from './arp.js';
import { arpFrameOp, arpReplyFromFrame } from './arp-view.js';

const fixture = (name: string) =>
  hexToBytes(readFileSync(new URL(`../../fixtures/${name}`, import.meta.url), 'utf8'));
const OUR = parseMac('02:00:00:00:00:0b');

describe('allocation-free ARP view agrees with the decoder', () => {
  it('on the golden frames', () => {
    const req = fixture('arping-request.hex');
    expect(arpFrameOp(req)).toBe(1);
    expect(arpFrameOp(fixture('kernel-reply.hex'))).toBe(2);
    expect(bytesToHex(arpReplyFromFrame(OUR, req))).toBe(
      bytesToHex(buildArpReply(OUR, decodeArpFrame(req).arp)),
    );
  });
  it('on mutated and random frames (property)', () => {
    const seeds = ['arping-request.hex', 'kernel-reply.hex', 'arping-garp-request.hex'].map(
      fixture,
    );
    const frames = fc.oneof(
      fc.uint8Array({ maxLength: 80 }),
      fc
        .tuple(
          fc.constantFrom(...seeds),
          fc.array(fc.tuple(fc.nat(59), fc.integer({ min: 0, max: 255 })), { maxLength: 4 }),
          fc.nat(70),
        )
        .map(([seed, flips, cut]) => {
          const b = Uint8Array.from(seed);
          for (const [i, v] of flips) if (i < b.length) b[i] = v;
          return b.subarray(0, Math.min(cut, b.length));
        }),
    );
    fc.assert(
      fc.property(frames, (f) => {
        let decoded;
        try {
          decoded = decodeArpFrame(f);
        } catch (e) {
          expect(e).toBeInstanceOf(ArpError);
        }
        const op = arpFrameOp(f);
        if (!decoded || decoded.vlanId !== undefined) {
          expect(op).toBe(0);
          return;
        }
        expect(op).toBe(decoded.arp.op);
        if (op === 1)
          expect(bytesToHex(arpReplyFromFrame(OUR, f))).toBe(
            bytesToHex(buildArpReply(OUR, decoded.arp)),
          );
      }),
      { numRuns: 5000 },
    );
  });
});
