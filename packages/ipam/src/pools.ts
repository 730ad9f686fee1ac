// Pool syntax and validation, MetalLB's IPAddressPool.spec.addresses rules
// (metallb-behaviour.md §1.1, MetalLB internal/config ParseCIDR / poolsFor):
//   - CIDR "10.0.0.7/24": host bits allowed and masked;
//   - range "A-B": spaces around each end trimmed, A ≤ B, both of one family;
//   - a single address "10.0.0.7" (= /32 or /128; MetalLB itself demands the /32 form, accepting the
//     bare form too is a deliberate, harmless extension asked for by the issue);
//   - IPv4 and IPv6 entries may be mixed in one pool (a dual-stack pool);
//   - no overlap inside a pool or between pools; no duplicate pool names.
// Unlike MetalLB (which stops at the first error), every problem is collected and reported at once.
import {
  IpFamily,
  V4_TOP,
  bitsOf,
  familyOf,
  formatAddress,
  isBuggyV4,
  parseAddress,
  parseV4Parts,
  v4Bigint,
  V4_BASE,
} from './addr.js';
import { IpamError, IpamErrorCode } from './errors.js';
import type { ConfigIssue } from './errors.js';

/** A pool as configured (what k8s-glue maps an IPAddressPool CR to). */
export interface PoolSpec {
  /** Pool name (metadata.name of the IPAddressPool). Unique. */
  name: string;
  /** spec.addresses: CIDRs, `A-B` ranges or single addresses, IPv4 and IPv6 mixed. At least one. */
  addresses: readonly string[];
  /** spec.autoAssign. Default true: false means the pool is only used when requested explicitly. */
  autoAssign?: boolean;
  /** spec.avoidBuggyIPs. Default false: true means IPv4 .0 and .255 are never handed out nor accepted. */
  avoidBuggyIPs?: boolean;
  /**
   * spec.serviceAllocation, reduced to what the allocator needs. Present (even `{}`) = the pool is
   * "pinned": only services that k8s-glue says match it (AllocationRequest.matchingPools) may use it,
   * and it is never used as a fallback pool. Absent = any service may use it.
   */
  serviceAllocation?: {
    /** spec.serviceAllocation.priority. Default 0. Lower is preferred; 0 (unset) sorts last. */
    priority?: number;
  };
}

/** A contiguous run of addresses from one pool entry, with its usable-ordinal mapping. */
export interface Segment {
  readonly pool: string;
  /** Index of the entry in PoolSpec.addresses. */
  readonly entry: number;
  readonly family: IpFamily;
  /** First and last address of the entry (inclusive), 128-bit space (IPv4 at ::ffff:0:0/96). */
  readonly lo: bigint;
  readonly hi: bigint;
  /** Whether .0/.255 are skipped (avoidBuggyIPs on an IPv4 segment). */
  readonly skipBuggy: boolean;
  /** Ordinal offset: ordinal(a) = rank(a) - base, where rank is identity or the skip-buggy rank. */
  readonly base: bigint;
  /** Number of usable addresses in the segment (exact). */
  readonly count: bigint;
  /** `count` as a number when exact (≤ 2^53), else Infinity: the hot path compares sizes with it. */
  readonly countNum: number;
  /** Position among the pool's segments of the same family, in listed order. */
  readonly famPos: number;
}

/** A validated pool. */
export interface Pool {
  readonly name: string;
  readonly addresses: readonly string[];
  readonly autoAssign: boolean;
  readonly avoidBuggyIPs: boolean;
  /** True when the spec has a serviceAllocation block. */
  readonly pinned: boolean;
  readonly priority: number;
  /** Segments in the order the entries are listed: MetalLB walks them in this order. */
  readonly segments: readonly Segment[];
  /** The same segments split by family, still in listed order (Segment.famPos indexes these). */
  readonly byFamily: { readonly IPv4: readonly Segment[]; readonly IPv6: readonly Segment[] };
  /** Usable addresses per family (avoidBuggyIPs applied), exact. */
  readonly capacityIPv4: bigint;
  readonly capacityIPv6: bigint;
}

/** A validated, immutable set of pools; build it with parsePools(). */
export interface PoolSet {
  readonly pools: ReadonlyMap<string, Pool>;
  /** All segments of all pools sorted by address (they never overlap): the owner lookup index. */
  readonly byAddress: readonly Segment[];
}

// With avoidBuggyIPs, usable IPv4 addresses are numbered 254 per /24 so that "lowest free" never
// has to step over the holes: rank(a) = (a >> 8) * 254 + (a & 255) - 1 for usable a.
function buggyRank(a: bigint): bigint {
  return (a >> 8n) * 254n + (a & 0xffn) - 1n;
}
function buggyUnrank(r: bigint): bigint {
  return ((r / 254n) << 8n) | ((r % 254n) + 1n);
}

export function ordinalOf(s: Segment, a: bigint): bigint {
  return (s.skipBuggy ? buggyRank(a) : a) - s.base;
}
export function addressAt(s: Segment, ord: bigint): bigint {
  const r = ord + s.base;
  return s.skipBuggy ? buggyUnrank(r) : r;
}
/** Whether `a` (inside the segment's lo..hi) may be handed out from this segment. */
export function usableIn(s: Segment, a: bigint): boolean {
  return a >= s.lo && a <= s.hi && !(s.skipBuggy && isBuggyV4(a));
}

function makeSegment(
  pool: string,
  entry: number,
  lo: bigint,
  hi: bigint,
  avoidBuggy: boolean,
  famPos: number,
): Segment {
  const s = makeSegmentCore(pool, entry, lo, hi, avoidBuggy, famPos);
  const countNum = s.count <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(s.count) : Infinity;
  return { ...s, countNum };
}

function makeSegmentCore(
  pool: string,
  entry: number,
  lo: bigint,
  hi: bigint,
  avoidBuggy: boolean,
  famPos: number,
): Omit<Segment, 'countNum'> {
  const family = familyOf(lo);
  const skipBuggy = avoidBuggy && family === IpFamily.IPv4;
  if (!skipBuggy) {
    return { pool, entry, family, lo, hi, skipBuggy, base: lo, count: hi - lo + 1n, famPos };
  }
  let u0 = lo;
  while (u0 <= hi && isBuggyV4(u0)) u0++;
  let u1 = hi;
  while (u1 >= u0 && isBuggyV4(u1)) u1--;
  if (u0 > u1) return { pool, entry, family, lo, hi, skipBuggy, base: 0n, count: 0n, famPos };
  const base = buggyRank(u0);
  return {
    pool,
    entry,
    family,
    lo,
    hi,
    skipBuggy,
    base,
    count: buggyRank(u1) - base + 1n,
    famPos,
  };
}

/** One parsed spec.addresses entry: its first and last address (inclusive) and family. */
export interface PoolEntryRange {
  readonly lo: bigint;
  readonly hi: bigint;
  readonly family: IpFamily;
}

/**
 * Why an entry is refused: what it was read as (MetalLB's ParseCIDR says "CIDR" for anything
 * without a dash, "IP range" otherwise) and, for ranges and special cases, the detail.
 */
interface EntryError {
  readonly what: 'CIDR' | 'IP range';
  readonly detail?: string;
}
type Parsed = { lo: bigint; hi: bigint } | EntryError;

const q = (s: string) => JSON.stringify(s);

/** The decimal 0..999 (one to three digits) from `from` to the end of `text`, or undefined. */
function prefixLength(text: string, from: number): number | undefined {
  const digits = text.length - from;
  if (digits < 1 || digits > 3) return undefined;
  let n = 0;
  for (let i = from; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 48 || c > 57) return undefined;
    n = n * 10 + (c - 48);
  }
  return n;
}

function parseCidrOrAddress(text: string): Parsed {
  const bad: EntryError = { what: 'CIDR' };
  const slash = text.indexOf('/');
  if (slash < 0) {
    const a = parseAddress(text);
    return a === undefined ? bad : { lo: a, hi: a };
  }
  if (!text.includes(':')) {
    // IPv4 in doubles, one bigint per bound, no intermediate strings: pools of a hundred thousand
    // entries reach the webhook (issue 14).
    const v = parseV4Parts(text, 0, slash);
    const len = prefixLength(text, slash + 1);
    if (v === undefined || len === undefined || len > 32) return bad;
    const size = 2 ** (32 - len);
    const start = v - (v % size);
    const lo = v4Bigint(start);
    return { lo, hi: size === 1 ? lo : v4Bigint(start + size - 1) };
  }
  const a = parseAddress(text.slice(0, slash));
  const lenText = text.slice(slash + 1);
  if (a === undefined || !/^[0-9]{1,3}$/.test(lenText)) return bad;
  // A CIDR written in IPv6 text is an IPv6 prefix even when it starts inside ::ffff:0:0/96.
  const bits = text.slice(0, slash).includes(':') ? 128 : bitsOf(familyOf(a));
  const len = Number(lenText);
  if (len > bits) return bad;
  const host = (1n << BigInt(bits - len)) - 1n;
  let lo = a & ~host;
  if (bits === 32) lo |= V4_BASE;
  const hi = lo | host;
  if (bits === 128 && familyOf(lo) !== familyOf(hi)) {
    return { what: 'CIDR', detail: 'IPv6 prefix overlapping ::ffff:0:0/96 is not supported' };
  }
  if (bits === 128 && familyOf(lo) === IpFamily.IPv4) {
    return { what: 'CIDR', detail: 'IPv4-mapped IPv6 prefixes are not supported' };
  }
  return { lo, hi };
}

function parseEntry(text: string): Parsed {
  if (!text.includes('-')) return parseCidrOrAddress(text);
  const dash = text.indexOf('-');
  const startText = text.slice(0, dash);
  const endText = text.slice(dash + 1);
  const start = parseAddress(startText.trim());
  if (start === undefined) return { what: 'IP range', detail: `invalid start IP ${q(startText)}` };
  const end = parseAddress(endText.trim());
  if (end === undefined) return { what: 'IP range', detail: `invalid end IP ${q(endText)}` };
  if (familyOf(start) !== familyOf(end)) {
    // MetalLB silently summarizes a mixed-family range into nothing; we say so instead.
    return {
      what: 'IP range',
      detail: `start IP ${q(formatAddress(start))} and end IP ${q(formatAddress(end))} are of different families`,
    };
  }
  if (start > end) {
    return {
      what: 'IP range',
      detail: `start IP ${q(formatAddress(start))} is after the end IP ${q(formatAddress(end))}`,
    };
  }
  return { lo: start, hi: end };
}

/**
 * Parses one spec.addresses entry — the one parser of pool addresses in IronLB (k8s-glue uses
 * it too). Addresses are 128-bit, IPv4 at ::ffff:0:0/96. On failure, MetalLB's ParseCIDR text:
 * `invalid CIDR "x"` or `invalid IP range "a-b": <why>`.
 */
export function parsePoolEntry(text: string): PoolEntryRange | { error: string } {
  const p = parseEntry(text);
  if ('what' in p)
    return { error: `invalid ${p.what} ${q(text)}${p.detail ? `: ${p.detail}` : ''}` };
  return { lo: p.lo, hi: p.hi, family: familyOf(p.lo) };
}

/** An overlap between two entries, as indexes into the list given to findOverlaps(). */
export interface Overlap {
  /** The entry defined later (higher index): the one reported. */
  readonly later: number;
  /** An entry defined before it that it overlaps. */
  readonly earlier: number;
}

/**
 * Overlaps among address ranges listed in definition order (pool by pool, entry by entry): every
 * entry that overlaps one defined before it is reported, once, against the earliest-defined or
 * furthest-reaching such entry — what MetalLB reports (it checks each CIDR against those already
 * defined), in O(N log N) instead of MetalLB's pairwise O(N²) (an IPAddressPool of 40k /32s took
 * 33.9 s to decide with a pairwise check, issue 14). `comparisons` counts the elementary steps
 * (sort passes and comparisons, tree steps, binary-search probes), so a test can hold the bound
 * without timing anything.
 *
 * With the ranges sorted by start, an earlier-defined Y overlaps X either starting no later than
 * X (then the largest end among earlier-defined ranges sorted before X reaches X: a prefix-max
 * Fenwick tree over definition indexes) or starting inside X (then among the ranges sorted just
 * after X up to X's end, the smallest definition index is below X's: a range-min segment tree).
 */
export function findOverlaps(ranges: readonly { readonly lo: bigint; readonly hi: bigint }[]): {
  overlaps: Overlap[];
  comparisons: number;
} {
  const n = ranges.length;
  const lo = new Float64Array(n);
  const hi = new Float64Array(n);
  // The usual case: every range is IPv4 (inside ::ffff:0:0/96), and its offsets in the block are
  // exact doubles below 2^32. Otherwise the bounds are replaced by their ranks among all bounds
  // (coordinate compression: the sweep only compares bounds with each other), found with one
  // counted comparison sort of bigints.
  let allV4 = true;
  for (let i = 0; i < n && allV4; i++) {
    const r = ranges[i] as { lo: bigint; hi: bigint };
    if (r.lo < V4_BASE || r.hi > V4_TOP) allV4 = false;
    else {
      lo[i] = Number(r.lo) - V4_BASE_NUM;
      hi[i] = Number(r.hi) - V4_BASE_NUM;
    }
  }
  let comparisons = 0;
  if (!allV4) comparisons += rank(ranges, lo, hi);
  const r = sweep(lo, hi);
  return { overlaps: r.overlaps, comparisons: comparisons + r.steps };
}

const V4_BASE_NUM = Number(V4_BASE);

/** Writes each bound's rank among all 2N bounds (equal bounds, equal ranks); returns comparisons. */
function rank(
  ranges: readonly { readonly lo: bigint; readonly hi: bigint }[],
  lo: Float64Array,
  hi: Float64Array,
): number {
  const n = ranges.length;
  const value = (k: number) => {
    const r = ranges[k >> 1] as { lo: bigint; hi: bigint };
    return k & 1 ? r.hi : r.lo;
  };
  const order = new Int32Array(2 * n);
  for (let k = 0; k < 2 * n; k++) order[k] = k;
  let comparisons = 0;
  order.sort((x, y) => {
    comparisons++;
    const a = value(x);
    const b = value(y);
    return a < b ? -1 : a > b ? 1 : 0;
  });
  let current = -1;
  let last: bigint | undefined;
  for (let j = 0; j < 2 * n; j++) {
    const k = order[j] as number;
    const v = value(k);
    if (last === undefined || v !== last) {
      current++;
      last = v;
    }
    if (k & 1) hi[k >> 1] = current;
    else lo[k >> 1] = current;
  }
  return comparisons;
}

/**
 * The sweep over bounds that are integers in [0, 2^32). Ranges sorted by start with a stable LSD
 * radix sort (two 16-bit passes: O(N), ties stay in definition order).
 */
function sweep(lo: Float64Array, hi: Float64Array): { overlaps: Overlap[]; steps: number } {
  const n = lo.length;
  let steps = 0;
  let order = new Int32Array(n);
  let spare = new Int32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  const count = new Int32Array(65537);
  const digits = new Int32Array(n);
  for (const shift of [0, 16]) {
    // Bounds are below 2^32: >>> takes them as unsigned 32-bit integers.
    for (let i = 0; i < n; i++) digits[i] = ((lo[i] as number) >>> shift) & 0xffff;
    count.fill(0);
    for (let i = 0; i < n; i++) {
      const d = (digits[i] as number) + 1;
      count[d] = (count[d] as number) + 1;
    }
    for (let b = 0; b < 65536; b++) count[b + 1] = (count[b + 1] as number) + (count[b] as number);
    for (let j = 0; j < n; j++) {
      const i = order[j] as number;
      const d = digits[i] as number;
      const at = count[d] as number;
      count[d] = at + 1;
      spare[at] = i;
    }
    [order, spare] = [spare, order];
    steps += 2 * n;
  }

  // Range-min of definition index over sorted positions (iterative segment tree).
  let size = 1;
  while (size < n) size <<= 1;
  const tree = new Int32Array(2 * size).fill(n);
  tree.set(order, size);
  for (let k = size - 1; k >= 1; k--) {
    tree[k] = Math.min(tree[2 * k] as number, tree[2 * k + 1] as number);
  }
  // Prefix max of end over definition indexes, holding the index (Fenwick tree; -1 = empty).
  const fen = new Int32Array(n + 1).fill(-1);

  const overlaps: Overlap[] = [];
  for (let p = 0; p < n; p++) {
    const x = order[p] as number;
    const start = lo[x] as number;
    const end = hi[x] as number;
    // The defined-before-x range with the largest end.
    let reach = -1;
    for (let k = x; k > 0; k -= k & -k) {
      steps++;
      const w = fen[k] as number;
      if (w >= 0 && (reach < 0 || (hi[w] as number) > (hi[reach] as number))) reach = w;
    }
    let earlier = -1;
    if (reach >= 0 && (hi[reach] as number) >= start) earlier = reach;
    else {
      // The last sorted position whose start is within x, then the smallest index up to it.
      let a = p + 1;
      let b = n;
      while (a < b) {
        steps++;
        const mid = (a + b) >> 1;
        if ((lo[order[mid] as number] as number) <= end) a = mid + 1;
        else b = mid;
      }
      let first = n;
      for (let l = p + 1 + size, r = a + size; l < r; l >>= 1, r >>= 1) {
        steps++;
        if (l & 1) first = Math.min(first, tree[l++] as number);
        if (r & 1) first = Math.min(first, tree[--r] as number);
      }
      if (first < x) earlier = first;
    }
    if (earlier >= 0) overlaps.push({ later: x, earlier });
    for (let k = x + 1; k <= n; k += k & -k) {
      steps++;
      const w = fen[k] as number;
      if (w < 0 || end > (hi[w] as number)) fen[k] = x;
    }
  }
  overlaps.sort((a, b) => a.later - b.later);
  return { overlaps, steps };
}

/** Validates pool specs; returns every problem found (empty when valid). */
export function validatePools(specs: readonly PoolSpec[]): ConfigIssue[] {
  return build(specs).issues;
}

/** Issues shown in an IpamError's message; `issues` always holds them all. */
const MESSAGE_ISSUES = 20;

/**
 * Validates and indexes pool specs. Throws IpamError `IPAM_INVALID_POOLS` whose `issues` list every
 * problem (unparsable entry, start after end, mixed-family range, overlap inside a pool and between
 * pools naming both, duplicate and missing names, empty address lists).
 */
export function parsePools(specs: readonly PoolSpec[]): PoolSet {
  if (!Array.isArray(specs)) {
    throw new IpamError(
      IpamErrorCode.InvalidPools,
      `pools must be an array of PoolSpec, got ${typeof specs}`,
    );
  }
  const { set, issues } = build(specs);
  if (issues.length > 0) {
    const shown = issues.slice(0, MESSAGE_ISSUES).map((i) => `${i.path}: ${i.message}`);
    const more = issues.length - shown.length;
    throw new IpamError(
      IpamErrorCode.InvalidPools,
      `invalid address pools: ${shown.join('; ')}${more > 0 ? `; and ${more} more` : ''}`,
      issues,
    );
  }
  return set;
}

function build(specs: readonly PoolSpec[]): { set: PoolSet; issues: ConfigIssue[] } {
  const issues: ConfigIssue[] = [];
  const pools = new Map<string, Pool>();
  const all: { seg: Segment; poolIndex: number; text: string }[] = [];
  specs.forEach((spec, i) => {
    const path = `pools[${i}]`;
    if (typeof spec !== 'object' || spec === null) {
      issues.push({ path, message: 'pool is not an object' });
      return;
    }
    if (!spec.name) {
      issues.push({ path: `${path}.name`, message: 'missing pool name' });
      return;
    }
    // A second pool of the same name is refused, but its addresses are still checked so that
    // every problem is reported at once; they take no part in the overlap check.
    const duplicate = pools.has(spec.name);
    if (duplicate) {
      issues.push({
        path: `${path}.name`,
        message: `duplicate definition of pool ${q(spec.name)}`,
      });
    }
    const addresses: readonly unknown[] = Array.isArray(spec.addresses) ? spec.addresses : [];
    if (!Array.isArray(spec.addresses)) {
      issues.push({
        path: `${path}.addresses`,
        message: `addresses of pool ${q(spec.name)} must be a list of strings`,
      });
    }
    const priority = spec.serviceAllocation?.priority ?? 0;
    if (!Number.isInteger(priority)) {
      issues.push({
        path: `${path}.serviceAllocation.priority`,
        message: `invalid priority ${String(priority)} in pool ${q(spec.name)}: must be an integer`,
      });
    }
    if (Array.isArray(spec.addresses) && addresses.length === 0) {
      issues.push({ path: `${path}.addresses`, message: 'pool has no prefixes defined' });
    }
    const avoid = spec.avoidBuggyIPs ?? false;
    const segments: Segment[] = [];
    const byFamily: { IPv4: Segment[]; IPv6: Segment[] } = { IPv4: [], IPv6: [] };
    let capacityIPv4 = 0n;
    let capacityIPv6 = 0n;
    addresses.forEach((text, j) => {
      if (typeof text !== 'string') {
        issues.push({
          path: `${path}.addresses[${j}]`,
          message: `address ${j} of pool ${q(spec.name)} is not a string`,
        });
        return;
      }
      const p = parseEntry(text);
      if ('what' in p) {
        // MetalLB says `invalid CIDR "x" in pool "p": invalid CIDR "x"`; the entry is named once.
        issues.push({
          path: `${path}.addresses[${j}]`,
          message: `invalid ${p.what} ${q(text)} in pool ${q(spec.name)}${p.detail ? `: ${p.detail}` : ''}`,
        });
        return;
      }
      if (duplicate) return;
      const list = byFamily[familyOf(p.lo)];
      const seg = makeSegment(spec.name, j, p.lo, p.hi, avoid, list.length);
      list.push(seg);
      segments.push(seg);
      all.push({ seg, poolIndex: i, text });
      if (seg.family === IpFamily.IPv4) capacityIPv4 += seg.count;
      else capacityIPv6 += seg.count;
    });
    if (duplicate) return;
    pools.set(spec.name, {
      name: spec.name,
      addresses: [...(addresses as string[])],
      autoAssign: spec.autoAssign ?? true,
      avoidBuggyIPs: avoid,
      pinned: spec.serviceAllocation !== undefined,
      priority,
      segments,
      byFamily,
      capacityIPv4,
      capacityIPv6,
    });
  });

  // `all` is in definition order (pool by pool, entry by entry), as findOverlaps() expects.
  for (const o of findOverlaps(all.map((x) => x.seg)).overlaps) {
    const later = all[o.later] as (typeof all)[number];
    const earlier = all[o.earlier] as (typeof all)[number];
    issues.push({
      path: `pools[${later.poolIndex}].addresses[${later.seg.entry}]`,
      message: `CIDR ${q(later.text)} in pool ${q(later.seg.pool)} overlaps with already defined CIDR ${q(earlier.text)} in pool ${q(earlier.seg.pool)}`,
    });
  }
  const byAddress = [...all]
    .map((x) => x.seg)
    .sort((x, y) => (x.lo < y.lo ? -1 : x.lo > y.lo ? 1 : 0));
  return { set: { pools, byAddress }, issues };
}

/** The segment holding address `a` (whatever its buggy-ness), or undefined. O(log n). */
export function segmentAt(set: PoolSet, a: bigint): Segment | undefined {
  const xs = set.byAddress;
  let lo = 0;
  let hi = xs.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const s = xs[mid] as Segment;
    if (a < s.lo) hi = mid - 1;
    else if (a > s.hi) lo = mid + 1;
    else return s;
  }
  return undefined;
}
