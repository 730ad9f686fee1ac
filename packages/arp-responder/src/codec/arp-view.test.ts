import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseMac } from '@ironlb/raw-link';
import { bytesToHex } from '@ironlb/raw-link/testing';
import { fixture, mutatedFrames } from '../../test/frames.js';
import { ArpError } from '../errors.js';
import { buildArpReply, decodeArpFrame } from './arp.js';
import { arpFrameOp, arpReplyFromFrame } from './arp-view.js';

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
    const frames = mutatedFrames(seeds, { maxRandomLength: 80, maxFlips: 4 });
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
