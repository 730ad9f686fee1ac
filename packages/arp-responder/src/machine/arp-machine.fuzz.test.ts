import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseMac } from '@ironlb/raw-link';
import { fixture, mutatedFrames } from '../../test/frames.js';
import { arpFrameOp } from '../codec/arp-view.js';
import { arpProtocol } from './arp-machine.js';

describe('ARP machine fuzz (bounded): hostile frames never throw, replies only for announced targets', () => {
  it('random and mutated frames', () => {
    const p = arpProtocol({ iface: 'eth0', mac: parseMac('02:00:00:00:00:0b') });
    let st = p.initial();
    for (const a of ['198.51.100.2', '198.51.100.1'])
      st = p.step(st, { type: 'acquire', address: a }, 0).state;
    const seeds = [
      'arping-request.hex',
      'kernel-reply.hex',
      'arping-garp-request.hex',
      'arping-announce.hex',
    ].map(fixture);
    const frames = mutatedFrames(seeds, { maxRandomLength: 100, maxFlips: 5 });
    fc.assert(
      fc.property(frames, (f) => {
        const r = p.step(st, { type: 'frame', frame: f }, 1);
        expect(r.state).toBe(st); // frames never change the announced set
        for (const a of r.actions) {
          if (a.type === 'send') {
            expect(arpFrameOp(f)).toBe(1);
            expect(a.frame.length).toBe(60);
          }
          if (a.type === 'event')
            expect(['198.51.100.2', '198.51.100.1']).toContain(a.event.address);
        }
      }),
      { numRuns: 5000 },
    );
  });
});
