// A set of bigint points stored as maximal runs [start, end] of consecutive points, kept sorted in
// small chunks (a two-level B-tree-like list). Memory grows with the number of runs, never with the
// key space, so a /64 costs nothing until it is used (MetalLB and Cilium enumerate or bitmap it;
// protocols.md §5.3). Every operation is O(log n + chunk size): the "lowest free ≥ x" query that the
// allocator needs is one lookup, because the point after a maximal run is always free.

const MAX_CHUNK = 128;

interface Chunk {
  s: bigint[];
  e: bigint[];
}

export class RunSet {
  private chunks: Chunk[] = [];
  /** Number of points in the set. */
  size = 0;

  /** Number of maximal runs (fragmentation measure). */
  get runs(): number {
    let n = 0;
    for (const c of this.chunks) n += c.s.length;
    return n;
  }

  /** Index of the last chunk whose first start ≤ k, or -1. */
  private chunkFor(k: bigint): number {
    const cs = this.chunks;
    let lo = 0;
    let hi = cs.length - 1;
    let ans = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if ((cs[mid] as Chunk).s[0]! <= k) {
        ans = mid;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    return ans;
  }

  /** Index of the last run in chunk c whose start ≤ k, or -1. */
  private static runFor(c: Chunk, k: bigint): number {
    let lo = 0;
    let hi = c.s.length - 1;
    let ans = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (c.s[mid]! <= k) {
        ans = mid;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    return ans;
  }

  has(k: bigint): boolean {
    const ci = this.chunkFor(k);
    if (ci < 0) return false;
    const c = this.chunks[ci] as Chunk;
    const ri = RunSet.runFor(c, k);
    return ri >= 0 && c.e[ri]! >= k;
  }

  /** The smallest point ≥ k that is NOT in the set. */
  firstAbsentFrom(k: bigint): bigint {
    const ci = this.chunkFor(k);
    if (ci < 0) return k;
    const c = this.chunks[ci] as Chunk;
    const ri = RunSet.runFor(c, k);
    if (ri >= 0 && c.e[ri]! >= k) return c.e[ri]! + 1n;
    return k;
  }

  /** Adds k; returns false when it was already present. */
  add(k: bigint): boolean {
    const cs = this.chunks;
    if (cs.length === 0) {
      cs.push({ s: [k], e: [k] });
      this.size++;
      return true;
    }
    let ci = this.chunkFor(k);
    let ri: number;
    if (ci < 0) {
      ci = 0;
      ri = -1;
    } else {
      ri = RunSet.runFor(cs[ci] as Chunk, k);
    }
    const c = cs[ci] as Chunk;
    if (ri >= 0 && c.e[ri]! >= k) return false;
    // Successor run: next in this chunk, or first of the next chunk.
    let nci = ci;
    let nri = ri + 1;
    if (nri >= c.s.length) {
      nci = ci + 1;
      nri = 0;
    }
    const next = cs[nci];
    const joinsLeft = ri >= 0 && c.e[ri]! + 1n === k;
    const joinsRight = next !== undefined && next.s[nri]! - 1n === k;
    if (joinsLeft && joinsRight) {
      c.e[ri] = next.e[nri]!;
      this.removeRun(nci, nri);
    } else if (joinsLeft) {
      c.e[ri] = k;
    } else if (joinsRight) {
      next.s[nri] = k;
    } else {
      c.s.splice(ri + 1, 0, k);
      c.e.splice(ri + 1, 0, k);
      if (c.s.length > MAX_CHUNK) this.split(ci);
    }
    this.size++;
    return true;
  }

  /** Removes k; returns false when it was absent. */
  delete(k: bigint): boolean {
    const ci = this.chunkFor(k);
    if (ci < 0) return false;
    const c = this.chunks[ci] as Chunk;
    const ri = RunSet.runFor(c, k);
    if (ri < 0 || c.e[ri]! < k) return false;
    const s = c.s[ri]!;
    const e = c.e[ri]!;
    if (s === k && e === k) this.removeRun(ci, ri);
    else if (s === k) c.s[ri] = k + 1n;
    else if (e === k) c.e[ri] = k - 1n;
    else {
      c.e[ri] = k - 1n;
      c.s.splice(ri + 1, 0, k + 1n);
      c.e.splice(ri + 1, 0, e);
      if (c.s.length > MAX_CHUNK) this.split(ci);
    }
    this.size--;
    return true;
  }

  /** Points in ascending order (for tests and snapshots; O(size)). */
  *values(): IterableIterator<bigint> {
    for (const c of this.chunks) {
      for (let i = 0; i < c.s.length; i++) {
        for (let k = c.s[i]!; k <= c.e[i]!; k++) yield k;
      }
    }
  }

  private removeRun(ci: number, ri: number): void {
    const c = this.chunks[ci] as Chunk;
    c.s.splice(ri, 1);
    c.e.splice(ri, 1);
    if (c.s.length === 0) this.chunks.splice(ci, 1);
  }

  private split(ci: number): void {
    const c = this.chunks[ci] as Chunk;
    const half = c.s.length >> 1;
    const right: Chunk = { s: c.s.splice(half), e: c.e.splice(half) };
    this.chunks.splice(ci + 1, 0, right);
  }
}
