import { describe, expect, it } from 'vitest';
import { BpfBuilder } from '../codec/bpf.js';
import { parseMac } from '../codec/mac.js';
import { announcingProtocol } from './announcing-protocol.js';
import type { L2Action } from './protocol.js';

const MAC = parseMac('02:00:00:00:00:0b');
const frameFor = (address: string, n: number) => Uint8Array.of(n, address.length);
const acceptAll = new BpfBuilder().ret(1).build();
const dropAll = new BpfBuilder().ret(0).build();

function protocol(framesPerRound: number) {
  const seen: Uint8Array[] = [];
  const p = announcingProtocol({
    name: 'test',
    etherType: 0x88b5,
    iface: 'eth0',
    mac: MAC,
    announce: { burstDurationMs: 0 },
    canonical: (a) => a.toLowerCase(),
    filter: (addresses) => (addresses.length ? acceptAll : dropAll),
    onFrame: (_state, frame) => {
      seen.push(frame);
      return [{ type: 'send', frame }];
    },
    announcementFrames: (address) =>
      Array.from({ length: framesPerRound }, (_, i) => frameFor(address, i)),
  });
  return { p, seen };
}

describe('announcingProtocol', () => {
  it('turns an announce round into the protocol frames, then one gratuitous event', () => {
    const { p } = protocol(2);
    const r = p.step(p.initial(), { type: 'acquire', address: '198.51.100.10' }, 0);
    expect(r.actions.map((a: L2Action) => a.type)).toEqual(['added', 'send', 'send', 'event']);
    expect(r.actions.slice(1, 3)).toEqual([
      { type: 'send', frame: frameFor('198.51.100.10', 0) },
      { type: 'send', frame: frameFor('198.51.100.10', 1) },
    ]);
    expect(r.actions[3]).toEqual({
      type: 'event',
      event: {
        type: 'gratuitous',
        iface: 'eth0',
        address: '198.51.100.10',
        mac: '02:00:00:00:00:0b',
        reason: 'burst',
        frames: 2,
      },
    });
    expect(r.state.announce.addresses.has('198.51.100.10')).toBe(true);
    const gone = p.step(r.state, { type: 'release', address: '198.51.100.10' }, 1);
    expect(gone.actions).toEqual([{ type: 'removed', address: '198.51.100.10' }]);
  });

  it('hands frames to onFrame without touching the state, and passes name, canonical, filter', () => {
    const { p, seen } = protocol(1);
    const st = p.initial();
    const frame = Uint8Array.of(1, 2, 3);
    const r = p.step(st, { type: 'frame', frame }, 5);
    expect(r.state).toBe(st);
    expect(r.actions).toEqual([{ type: 'send', frame }]);
    expect(seen).toEqual([frame]);
    expect([p.name, p.etherType, p.canonical('2001:DB8::1')]).toEqual([
      'test',
      0x88b5,
      '2001:db8::1',
    ]);
    expect([p.filter([]), p.filter(['x'])]).toEqual([dropAll, acceptAll]);
  });
});
