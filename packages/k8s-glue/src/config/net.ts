// Address parsing with Go's net.ParseCIDR / MetalLB ParseCIDR semantics (internal/config):
// a CIDR may have host bits set (they are masked), a range "A-B" is trimmed, must not run
// backwards, and is summarized into the minimal list of CIDRs.
import ipaddr from 'ipaddr.js';

export interface Cidr {
  readonly family: 4 | 6;
  readonly base: bigint;
  readonly prefixLength: number;
  readonly text: string;
}

const bitsOf = (f: 4 | 6): number => (f === 4 ? 32 : 128);

export function parseIp(text: string): { family: 4 | 6; value: bigint } | undefined {
  const t = text;
  if (ipaddr.IPv4.isValidFourPartDecimal(t)) {
    return { family: 4, value: bytesToBig(ipaddr.IPv4.parse(t).toByteArray()) };
  }
  if (t.includes(':') && ipaddr.IPv6.isValid(t) && !t.includes('%')) {
    const v6 = ipaddr.IPv6.parse(t);
    // Go treats ::ffff:a.b.c.d as the IPv4 address a.b.c.d.
    if (v6.isIPv4MappedAddress()) {
      return { family: 4, value: bytesToBig(v6.toIPv4Address().toByteArray()) };
    }
    return { family: 6, value: bytesToBig(v6.toByteArray()) };
  }
  return undefined;
}

function bytesToBig(bytes: number[]): bigint {
  let v = 0n;
  for (const b of bytes) v = (v << 8n) | BigInt(b);
  return v;
}

export function formatIp(family: 4 | 6, value: bigint): string {
  const n = family === 4 ? 4 : 16;
  const bytes: number[] = [];
  for (let i = n - 1; i >= 0; i--) bytes.push(Number((value >> BigInt(i * 8)) & 0xffn));
  return family === 4 ? bytes.join('.') : ipaddr.fromByteArray(bytes).toString();
}

export function makeCidr(family: 4 | 6, base: bigint, prefixLength: number): Cidr {
  return { family, base, prefixLength, text: `${formatIp(family, base)}/${prefixLength}` };
}

function maskOf(family: 4 | 6, len: number): bigint {
  const bits = BigInt(bitsOf(family));
  const all = (1n << bits) - 1n;
  return all ^ ((1n << (bits - BigInt(len))) - 1n);
}

/** Parses "a.b.c.d/n" like Go's net.ParseCIDR (host bits masked). */
export function parsePrefix(text: string): Cidr | undefined {
  const slash = text.indexOf('/');
  if (slash < 0) return undefined;
  const ip = parseIp(text.slice(0, slash));
  const lenText = text.slice(slash + 1);
  if (!ip || !/^[0-9]{1,3}$/.test(lenText)) return undefined;
  const len = Number(lenText);
  // Go: an IPv4-mapped IPv6 with a /n > 32 is still parsed with the v6 prefix; keep it simple
  // and refuse prefix lengths beyond the family's size.
  if (len > bitsOf(ip.family)) return undefined;
  return makeCidr(ip.family, ip.value & maskOf(ip.family, len), len);
}

/** Minimal CIDR cover of [start, end] (what MetalLB gets from ipaddr.Summarize). */
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

/** MetalLB's ParseCIDR: returns the CIDRs or MetalLB's error text. */
export function parseAddresses(text: string): { cidrs: Cidr[] } | { error: string } {
  if (!text.includes('-')) {
    // A bare address is taken as /32 or /128. MetalLB insists on the prefix form; @ironlb/ipam
    // accepts the bare form too, and the two must agree on what a pool contains.
    const bare = text.includes('/') ? undefined : parseIp(text);
    if (bare) return { cidrs: [makeCidr(bare.family, bare.value, bare.family === 4 ? 32 : 128)] };
    const c = parsePrefix(text);
    return c ? { cidrs: [c] } : { error: `invalid CIDR ${goQuote(text)}` };
  }
  const dash = text.indexOf('-');
  const a = text.slice(0, dash);
  const b = text.slice(dash + 1);
  const start = parseIp(a.trim());
  if (!start) return { error: `invalid IP range ${goQuote(text)}: invalid start IP ${goQuote(a)}` };
  const end = parseIp(b.trim());
  if (!end) return { error: `invalid IP range ${goQuote(text)}: invalid end IP ${goQuote(b)}` };
  // Go compares the 16-byte forms, so a v4 start and a v6 end compare as bytes too; refusing
  // mixed families outright is the clearer rule.
  if (start.family !== end.family) {
    return {
      error: `invalid IP range ${goQuote(text)}: start and end are not of the same IP family`,
    };
  }
  if (start.value > end.value) {
    return {
      error: `invalid IP range ${goQuote(text)}: start IP ${goQuote(formatIp(start.family, start.value))} is after the end IP ${goQuote(formatIp(end.family, end.value))}`,
    };
  }
  return { cidrs: summarize(start.family, start.value, end.value) };
}

/** MetalLB cidrsOverlap: one contains the other. */
export function cidrsOverlap(a: Cidr, b: Cidr): boolean {
  if (a.family !== b.family) return false;
  const len = Math.min(a.prefixLength, b.prefixLength);
  const m = maskOf(a.family, len);
  return (a.base & m) === (b.base & m);
}

export function cidrContains(c: Cidr, family: 4 | 6, value: bigint): boolean {
  return c.family === family && (value & maskOf(family, c.prefixLength)) === c.base;
}

/** Go's %q for a plain string (enough for the ASCII texts that appear in MetalLB messages). */
export function goQuote(s: string): string {
  return JSON.stringify(s);
}
