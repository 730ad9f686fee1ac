// The Adj-RIB-Out of one peer (RFC 4271 §3.2): for each prefix, the signature of what was sent.
// Kept as a typed array indexed by a per-prefix slot number, not as a Map per peer: every peer of a
// speaker shares one SlotTable (prefix key → slot, assigned once), and each peer stores a 4-byte
// id per slot into a small table of distinct signatures (one per attribute set). Recording the
// initial dump of 100k prefixes is then 100k array writes instead of 100k Map insertions, and a
// peer costs 4 bytes per prefix instead of a Map entry.
//
// Slots are never reused: a withdrawn prefix keeps its slot, so memory follows the number of
// distinct prefixes ever announced (a pool's addresses), not the churn.

export class SlotTable {
  private readonly slotOf = new Map<string, number>();
  private readonly keyOf: string[] = [''];

  /** The slot of `key`, assigned on first use (1-based). */
  slot(key: string): number {
    let s = this.slotOf.get(key);
    if (s === undefined) {
      s = this.keyOf.length;
      this.keyOf.push(key);
      this.slotOf.set(key, s);
    }
    return s;
  }

  /** The slot of `key` if it has one. */
  peek(key: string): number | undefined {
    return this.slotOf.get(key);
  }

  key(slot: number): string | undefined {
    return slot > 0 ? this.keyOf[slot] : undefined;
  }

  /** Slots handed out so far. */
  get size(): number {
    return this.keyOf.length - 1;
  }
}

export class AdjRibOut {
  private ids = new Uint32Array(1024);
  /** Signature by id; id 0 means "not sent". */
  private readonly values: string[] = [''];
  private readonly idOf = new Map<string, number>();
  private count = 0;

  constructor(readonly slots: SlotTable = new SlotTable()) {}

  /** Prefixes the peer has now. */
  get size(): number {
    return this.count;
  }

  getSlot(slot: number): string | undefined {
    const id = slot < this.ids.length ? (this.ids[slot] as number) : 0;
    return id === 0 ? undefined : this.values[id];
  }

  setSlot(slot: number, value: string): void {
    let id = this.idOf.get(value);
    if (id === undefined) {
      id = this.values.length;
      this.values.push(value);
      this.idOf.set(value, id);
    }
    if (slot >= this.ids.length) {
      let n = this.ids.length * 2;
      while (n <= slot) n *= 2;
      const grown = new Uint32Array(n);
      grown.set(this.ids);
      this.ids = grown;
    }
    if (this.ids[slot] === 0) this.count++;
    this.ids[slot] = id;
  }

  deleteSlot(slot: number): boolean {
    if (slot >= this.ids.length || this.ids[slot] === 0) return false;
    this.ids[slot] = 0;
    this.count--;
    return true;
  }

  get(key: string): string | undefined {
    const s = this.slots.peek(key);
    return s === undefined ? undefined : this.getSlot(s);
  }

  set(key: string, value: string): this {
    this.setSlot(this.slots.slot(key), value);
    return this;
  }

  has(key: string): boolean {
    return this.get(key) !== undefined;
  }

  delete(key: string): boolean {
    const s = this.slots.peek(key);
    return s === undefined ? false : this.deleteSlot(s);
  }

  /** Keys the peer has (a walk over every slot: for full re-plans and tests, not per change). */
  *keys(): IterableIterator<string> {
    const n = Math.min(this.ids.length, this.slots.size + 1);
    for (let s = 1; s < n; s++) if (this.ids[s] !== 0) yield this.slots.key(s) as string;
  }
}
