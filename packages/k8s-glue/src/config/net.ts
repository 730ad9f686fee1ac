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
const V4_BASE_NUM = 0xffff00000000;

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

const v4Text = (v: number) => `${v >>> 24}.${(v >>> 16) & 255}.${(v >>> 8) & 255}.${v & 255}`;

/**
 * summarize() for IPv4 in doubles (exact below 2^53): pools of a hundred thousand /32 entries
 * reach the webhook (issue 14), and bigint arithmetic per entry dominated the decision.
 */
function summarize4(start: number, end: number): Cidr[] {
  const out: Cidr[] = [];
  let cur = start;
  while (cur <= end) {
    let len = 32;
    while (len > 0) {
      const size = 2 ** (33 - len);
      if (cur % size !== 0 || cur + size - 1 > end) break;
      len--;
    }
    out.push({ family: 4, base: BigInt(cur), prefixLength: len, text: `${v4Text(cur)}/${len}` });
    cur += 2 ** (32 - len);
  }
  return out;
}

/** What the parser keeps of an entry: family, shortest prefix of its cover, the CIDR texts. */
export interface EntrySummary {
  readonly family: 4 | 6;
  readonly minPrefix: number;
  readonly cidrs: readonly string[];
}

/**
 * entryCidrs() reduced to what the parser keeps (a pool can hold a hundred thousand entries:
 * no per-CIDR objects are retained).
 */
export function entrySummary(entry: PoolEntryRange, source?: string): EntrySummary {
  if (entry.family === 'IPv4') {
    // Number() of the 128-bit value then subtracted: exact (< 2^53) and no bigint allocated.
    const start = Number(entry.lo) - V4_BASE_NUM;
    const end = Number(entry.hi) - V4_BASE_NUM;
    const size = end - start + 1;
    // The usual entry is one CIDR, an aligned power-of-two block, often written canonically:
    // then the text written is kept rather than a copy of it.
    if (Number.isInteger(Math.log2(size)) && start % size === 0) {
      const len = 32 - Math.log2(size);
      const text = `${v4Text(start)}/${len}`;
      return { family: 4, minPrefix: len, cidrs: [text === source ? source : text] };
    }
  }
  const cidrs = entryCidrs(entry);
  return {
    family: entry.family === 'IPv4' ? 4 : 6,
    minPrefix: Math.min(...cidrs.map((c) => c.prefixLength)),
    cidrs: cidrs.map((c) => c.text),
  };
}

/** The CIDRs of one entry parsed by ipam's parsePoolEntry. */
export function entryCidrs(entry: PoolEntryRange): Cidr[] {
  return entry.family === 'IPv4'
    ? summarize4(Number(entry.lo & V4_MASK), Number(entry.hi & V4_MASK))
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
