// Routes with equal attributes share one frozen attributes object, reference-counted, and the
// "fits in an UPDATE" check runs once per set, family and prefix size.
import { describe, expect, it } from 'vitest';
import { parsePrefix } from '../codec/prefix.js';
import { AttributeSets } from './attribute-sets.js';

describe('AttributeSets', () => {
  it('interns equal attributes, freezes them, and drops a set with its last route', () => {
    const sets = new AttributeSets();
    const a = sets.acquire({ communities: [1, 2] });
    const b = sets.acquire({ communities: [1, 2] });
    expect(b).toBe(a);
    expect(a.refs).toBe(2);
    expect(Object.isFrozen(a.attributes)).toBe(true);
    expect(Object.isFrozen(a.attributes.communities)).toBe(true);
    sets.release(a.key);
    expect(sets.size).toBe(1);
    sets.release(a.key);
    expect(sets.size).toBe(0);
  });

  it('runs the encodability check once per family and prefix size', () => {
    const s = new AttributeSets().acquire({});
    let runs = 0;
    for (const p of ['203.0.113.0/24', '198.51.100.0/24', '203.0.113.7/32', '2001:db8::/48'])
      s.checkEncodable(parsePrefix(p), () => runs++);
    expect(runs).toBe(3);
    expect(() =>
      s.checkEncodable(parsePrefix('198.18.0.0/15'), () => {
        throw new Error('too big');
      }),
    ).toThrow('too big');
    // A failed check is not remembered as passed.
    expect(() =>
      s.checkEncodable(parsePrefix('198.18.0.0/16'), () => {
        throw new Error('too big');
      }),
    ).toThrow('too big');
  });
});
