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
  bitsOf,
  familyOf,
  formatAddress,
  isBuggyV4,
  parseAddress,
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

type Parsed = { lo: bigint; hi: bigint } | { error: string };

function parseCidrOrAddress(text: string): Parsed {
  const slash = text.indexOf('/');
  if (slash < 0) {
    const a = parseAddress(text);
    if (a === undefined) return { error: `invalid CIDR "${text}"` };
    return { lo: a, hi: a };
  }
  const a = parseAddress(text.slice(0, slash));
  const lenText = text.slice(slash + 1);
  if (a === undefined || !/^[0-9]{1,3}$/.test(lenText)) return { error: `invalid CIDR "${text}"` };
  // A CIDR written in IPv6 text is an IPv6 prefix even when it starts inside ::ffff:0:0/96.
  const bits = text.slice(0, slash).includes(':') ? 128 : bitsOf(familyOf(a));
  const len = Number(lenText);
  if (len > bits) return { error: `invalid CIDR "${text}"` };
  const host = (1n << BigInt(bits - len)) - 1n;
  let lo = a & ~host;
  if (bits === 32) lo |= V4_BASE;
  const hi = lo | host;
  if (bits === 128 && familyOf(lo) !== familyOf(hi)) {
    return {
      error: `invalid CIDR "${text}": IPv6 prefix overlapping ::ffff:0:0/96 is not supported`,
    };
  }
  if (bits === 128 && familyOf(lo) === IpFamily.IPv4) {
    return { error: `invalid CIDR "${text}": IPv4-mapped IPv6 prefixes are not supported` };
  }
  return { lo, hi };
}

/** Parses one spec.addresses entry. Exported for k8s-glue's webhook (single-entry checks). */
export function parsePoolEntry(text: string): Parsed {
  if (!text.includes('-')) return parseCidrOrAddress(text);
  const dash = text.indexOf('-');
  const startText = text.slice(0, dash);
  const endText = text.slice(dash + 1);
  const start = parseAddress(startText.trim());
  if (start === undefined) {
    return { error: `invalid IP range "${text}": invalid start IP "${startText}"` };
  }
  const end = parseAddress(endText.trim());
  if (end === undefined)
    return { error: `invalid IP range "${text}": invalid end IP "${endText}"` };
  if (familyOf(start) !== familyOf(end)) {
    // MetalLB silently summarizes a mixed-family range into nothing; we say so instead.
    return {
      error: `invalid IP range "${text}": start IP "${formatAddress(start)}" and end IP "${formatAddress(end)}" are of different families`,
    };
  }
  if (start > end) {
    return {
      error: `invalid IP range "${text}": start IP "${formatAddress(start)}" is after the end IP "${formatAddress(end)}"`,
    };
  }
  return { lo: start, hi: end };
}

/** Validates pool specs; returns every problem found (empty when valid). */
export function validatePools(specs: readonly PoolSpec[]): ConfigIssue[] {
  return build(specs).issues;
}

/**
 * Validates and indexes pool specs. Throws IpamError `IPAM_INVALID_POOLS` whose `issues` list every
 * problem (unparsable entry, start after end, mixed-family range, overlap inside a pool and between
 * pools naming both, duplicate and missing names, empty address lists).
 */
export function parsePools(specs: readonly PoolSpec[]): PoolSet {
  const { set, issues } = build(specs);
  if (issues.length > 0) {
    throw new IpamError(
      IpamErrorCode.InvalidPools,
      `invalid address pools: ${issues.map((i) => `${i.path}: ${i.message}`).join('; ')}`,
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
    if (!spec.name) {
      issues.push({ path: `${path}.name`, message: 'missing pool name' });
      return;
    }
    if (pools.has(spec.name)) {
      issues.push({ path: `${path}.name`, message: `duplicate definition of pool "${spec.name}"` });
      return;
    }
    const priority = spec.serviceAllocation?.priority ?? 0;
    if (!Number.isInteger(priority)) {
      issues.push({
        path: `${path}.serviceAllocation.priority`,
        message: `invalid priority ${String(priority)} in pool "${spec.name}": must be an integer`,
      });
    }
    if (spec.addresses.length === 0) {
      issues.push({ path: `${path}.addresses`, message: 'pool has no prefixes defined' });
    }
    const avoid = spec.avoidBuggyIPs ?? false;
    const segments: Segment[] = [];
    const byFamily: { IPv4: Segment[]; IPv6: Segment[] } = { IPv4: [], IPv6: [] };
    let capacityIPv4 = 0n;
    let capacityIPv6 = 0n;
    spec.addresses.forEach((text, j) => {
      const p = parsePoolEntry(text);
      if ('error' in p) {
        issues.push({
          path: `${path}.addresses[${j}]`,
          message: `invalid CIDR "${text}" in pool "${spec.name}": ${p.error}`,
        });
        return;
      }
      const list = byFamily[familyOf(p.lo)];
      const seg = makeSegment(spec.name, j, p.lo, p.hi, avoid, list.length);
      list.push(seg);
      segments.push(seg);
      all.push({ seg, poolIndex: i, text });
      if (seg.family === IpFamily.IPv4) capacityIPv4 += seg.count;
      else capacityIPv6 += seg.count;
    });
    pools.set(spec.name, {
      name: spec.name,
      addresses: [...spec.addresses],
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

  // Overlap: sort by start and sweep, remembering the entry reaching furthest so far. Each
  // overlapping entry is reported once, against an entry defined before it ("already defined").
  const sorted = [...all].sort((x, y) => (x.seg.lo < y.seg.lo ? -1 : x.seg.lo > y.seg.lo ? 1 : 0));
  let reach: (typeof all)[number] | undefined;
  const overlaps: { later: (typeof all)[number]; issue: ConfigIssue }[] = [];
  for (const cur of sorted) {
    if (reach && reach.seg.hi >= cur.seg.lo) {
      const [later, earlier] = definedAfter(cur, reach) ? [cur, reach] : [reach, cur];
      overlaps.push({
        later,
        issue: {
          path: `pools[${later.poolIndex}].addresses[${later.seg.entry}]`,
          message: `CIDR "${later.text}" in pool "${later.seg.pool}" overlaps with already defined CIDR "${earlier.text}" in pool "${earlier.seg.pool}"`,
        },
      });
    }
    if (!reach || cur.seg.hi > reach.seg.hi) reach = cur;
  }
  overlaps.sort((x, y) => (definedAfter(x.later, y.later) ? 1 : -1));
  for (const o of overlaps) issues.push(o.issue);
  const byAddress = sorted.map((x) => x.seg);
  return { set: { pools, byAddress }, issues };
}

function definedAfter(
  a: { poolIndex: number; seg: Segment },
  b: { poolIndex: number; seg: Segment },
): boolean {
  return a.poolIndex !== b.poolIndex ? a.poolIndex > b.poolIndex : a.seg.entry > b.seg.entry;
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
