// Pool entries are parsed by @ironlb/ipam's parsePoolEntry, the one parser of pool addresses
// (issue 13: two parsers kept in step by a test were a trap). What k8s-glue adds is the minimal
// CIDR cover of an entry, MetalLB's ipaddr.Summarize: the config lists a pool's CIDRs, the
// aggregationLength check compares against their shortest prefix (validateBGPAdvPerPool) and
// MetalLB's overlap message names CIDRs, not entries.
import { formatAddress, type PoolEntryRange } from '@ironlb/ipam';

export interface Cidr {
  readonly family: 4 | 6;
  /** The network address within its family (IPv4 as a 32-bit value). */
  readonly base: bigint;
  readonly prefixLength: number;
  readonly text: string;
}

/** ipam's 128-bit address space holds IPv4 at ::ffff:0:0/96 (RFC 4291 §2.5.5.2). */
const V4_BASE = 0xffff00000000n;
const V4_MASK = 0xffffffffn;

const bitsOf = (f: 4 | 6): number => (f === 4 ? 32 : 128);

export function formatIp(family: 4 | 6, value: bigint): string {
  return formatAddress(family === 4 ? V4_BASE | value : value);
}

export function makeCidr(family: 4 | 6, base: bigint, prefixLength: number): Cidr {
  return { family, base, prefixLength, text: `${formatIp(family, base)}/${prefixLength}` };
}

/** Minimal CIDR cover of [start, end] within a family (what MetalLB gets from ipaddr.Summarize). */
export function summarize(family: 4 | 6, start: bigint, end: bigint): Cidr[] {
  const bits = bitsOf(family);
  const out: Cidr[] = [];
  let cur = start;
  while (cur <= end) {
    let len = bits;
    // Grow the block while it stays aligned and inside the range.
    while (len > 0) {
      const size = 1n << BigInt(bits - len + 1);
      if (cur % size !== 0n || cur + size - 1n > end) break;
      len--;
    }
    out.push(makeCidr(family, cur, len));
    cur += 1n << BigInt(bits - len);
  }
  return out;
}

/** The CIDRs of one entry parsed by ipam's parsePoolEntry. */
export function entryCidrs(entry: PoolEntryRange): Cidr[] {
  return entry.family === 'IPv4'
    ? summarize(4, entry.lo & V4_MASK, entry.hi & V4_MASK)
    : summarize(6, entry.lo, entry.hi);
}

/** MetalLB cidrsOverlap: one contains the other. */
export function cidrsOverlap(a: Cidr, b: Cidr): boolean {
  if (a.family !== b.family) return false;
  const len = Math.min(a.prefixLength, b.prefixLength);
  const bits = BigInt(bitsOf(a.family));
  const m = ((1n << bits) - 1n) ^ ((1n << (bits - BigInt(len))) - 1n);
  return (a.base & m) === (b.base & m);
}
