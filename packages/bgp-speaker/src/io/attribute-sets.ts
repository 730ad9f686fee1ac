// Routes that share attributes share one attributes object and key (100k Service addresses with
// the same communities are one set, not 100k copies), reference-counted so a set goes with its last
// route. A set also remembers which prefix sizes passed the "fits in a 4096-byte UPDATE" check, so
// announcing 100k routes encodes each distinct attribute set once, not once per route.
import { prefixWireLength } from '../codec/prefix.js';
import type { Prefix } from '../codec/prefix.js';
import { attributesKeyOf } from '../machine/rib.js';
import type { RouteAttributes } from '../machine/rib.js';

export class AttributeSet {
  refs = 0;
  private readonly checked = new Set<string>();
  constructor(
    readonly key: string,
    readonly attributes: RouteAttributes,
  ) {}

  /** Runs `check` once per family and prefix wire size; it throws when the route cannot fit. */
  checkEncodable(p: Prefix, check: () => void): void {
    const k = `${p.family}${prefixWireLength(p)}`;
    if (this.checked.has(k)) return;
    check();
    this.checked.add(k);
  }
}

export class AttributeSets {
  private readonly sets = new Map<string, AttributeSet>();

  get size(): number {
    return this.sets.size;
  }

  /** The shared set equal to `attributes` (created if new), with one more reference. */
  acquire(attributes: RouteAttributes): AttributeSet {
    const key = attributesKeyOf(attributes);
    let s = this.sets.get(key);
    if (!s) {
      // Shared by every route with these attributes: frozen, so no caller can change them all.
      if (attributes.communities) Object.freeze(attributes.communities);
      if (attributes.largeCommunities) {
        for (const c of attributes.largeCommunities) Object.freeze(c);
        Object.freeze(attributes.largeCommunities);
      }
      s = new AttributeSet(key, Object.freeze(attributes));
      this.sets.set(key, s);
    }
    s.refs++;
    return s;
  }

  release(key: string): void {
    const s = this.sets.get(key);
    if (s && --s.refs <= 0) this.sets.delete(key);
  }
}
