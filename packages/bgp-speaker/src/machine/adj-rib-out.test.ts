// The slot-based Adj-RIB-Out: behaves as a Map from prefix key to what was sent, with one slot
// table shared by every peer and a 4-byte id per prefix per peer.
import { describe, expect, it } from 'vitest';
import { AdjRibOut, SlotTable } from './adj-rib-out.js';

describe('AdjRibOut', () => {
  it('records, replaces and forgets what was sent per prefix, with its size', () => {
    const a = new AdjRibOut();
    expect(a.size).toBe(0);
    a.set('203.0.113.0/24', '4x');
    a.set('203.0.113.0/24', '4y');
    a.set('2001:db8::/48', '6x');
    expect(a.size).toBe(2);
    expect(a.get('203.0.113.0/24')).toBe('4y');
    expect(a.has('198.51.100.0/24')).toBe(false);
    expect(a.delete('203.0.113.0/24')).toBe(true);
    expect(a.delete('203.0.113.0/24')).toBe(false);
    expect(a.size).toBe(1);
    expect([...a.keys()]).toEqual(['2001:db8::/48']);
  });

  it('grows past its initial capacity and keeps every entry', () => {
    const a = new AdjRibOut();
    for (let i = 0; i < 5000; i++)
      a.set(`198.18.${i >> 8}.${i & 255}/32`, i % 2 ? '4odd' : '4even');
    expect(a.size).toBe(5000);
    expect(a.get('198.18.19.135/32')).toBe('4odd');
    expect([...a.keys()]).toHaveLength(5000);
  });

  it('peers share one slot table but keep separate contents; slots are never reused', () => {
    const slots = new SlotTable();
    const p1 = new AdjRibOut(slots);
    const p2 = new AdjRibOut(slots);
    p1.set('203.0.113.0/24', 'a');
    expect(p2.get('203.0.113.0/24')).toBeUndefined();
    p2.setSlot(slots.slot('203.0.113.0/24'), 'b');
    expect(p1.get('203.0.113.0/24')).toBe('a');
    expect(p2.get('203.0.113.0/24')).toBe('b');
    const s = slots.slot('203.0.113.0/24');
    p1.delete('203.0.113.0/24');
    expect(slots.slot('203.0.113.0/24')).toBe(s);
    expect(slots.size).toBe(1);
  });
});
