// Addresses as 128-bit bigints in one space, the way Go's net.IP holds them: an IPv4 address lives at
// ::ffff:a.b.c.d (RFC 4291 §2.5.5.2). One key type for both families keeps the allocator's maps and
// sorted structures uniform, and an IPv4-mapped IPv6 text ("::ffff:1.2.3.4") means the IPv4 address,
// exactly as MetalLB (Go's net.ParseIP(...).To4()) treats it.

/** Address family. Append-only. */
export const IpFamily = {
  IPv4: 'IPv4',
  IPv6: 'IPv6',
} as const;
export type IpFamily = (typeof IpFamily)[keyof typeof IpFamily];

export const V4_BASE = 0xffff00000000n;
export const V4_TOP = 0xffffffffffffn;
export const MAX_ADDR = (1n << 128n) - 1n;

export function familyOf(a: bigint): IpFamily {
  return a >= V4_BASE && a <= V4_TOP ? IpFamily.IPv4 : IpFamily.IPv6;
}

/** Number of bits in a family's addresses. */
export function bitsOf(f: IpFamily): number {
  return f === IpFamily.IPv4 ? 32 : 128;
}

export function parseV4Parts(text: string, from = 0, to: number = text.length): number | undefined {
  // One pass over the characters of text[from, to): pool entries are parsed by the hundred
  // thousand in the webhook (issue 14), where split() and a regex per octet dominated.
  let v = 0;
  let octets = 0;
  let digits = 0;
  let n = 0;
  let lead = 0;
  for (let i = from; i <= to; i++) {
    const c = i < to ? text.charCodeAt(i) : 46; // a final '.' closes the last octet
    if (c === 46) {
      // Go ≥1.17 rejects leading zeros (ambiguous octal, CVE-2021-29923); so do we.
      if (digits === 0 || n > 255 || (digits > 1 && lead === 48)) return undefined;
      v = v * 256 + n;
      octets++;
      digits = 0;
      n = 0;
      continue;
    }
    if (c < 48 || c > 57 || digits === 3 || octets === 4) return undefined;
    if (digits === 0) lead = c;
    n = n * 10 + (c - 48);
    digits++;
  }
  return octets === 4 ? v : undefined;
}

function parseV6(text: string): bigint | undefined {
  if (text.length < 2 || text.length > 45) return undefined;
  let head = text;
  let tailV4: number | undefined;
  const lastColon = text.lastIndexOf(':');
  if (lastColon >= 0 && text.indexOf('.', lastColon) > lastColon) {
    tailV4 = parseV4Parts(text.slice(lastColon + 1));
    if (tailV4 === undefined) return undefined;
    // Keep a trailing ':' placeholder so "::1.2.3.4" still splits into groups.
    head = text.slice(0, lastColon + 1) + '0:0';
  }
  const dbl = head.indexOf('::');
  if (dbl !== head.lastIndexOf('::')) return undefined;
  const hexGroup = /^[0-9a-fA-F]{1,4}$/;
  const toGroups = (s: string): number[] | undefined => {
    if (s === '') return [];
    const out: number[] = [];
    for (const g of s.split(':')) {
      if (!hexGroup.test(g)) return undefined;
      out.push(parseInt(g, 16));
    }
    return out;
  };
  let groups: number[];
  if (dbl >= 0) {
    const left = toGroups(head.slice(0, dbl));
    const right = toGroups(head.slice(dbl + 2));
    if (!left || !right) return undefined;
    const missing = 8 - left.length - right.length;
    if (missing < 1) return undefined;
    groups = [...left, ...new Array<number>(missing).fill(0), ...right];
  } else {
    const all = toGroups(head);
    if (!all || all.length !== 8) return undefined;
    groups = all;
  }
  let v = 0n;
  for (const g of groups) v = (v << 16n) | BigInt(g);
  if (tailV4 !== undefined) v = (v & ~0xffffffffn) | BigInt(tailV4);
  return v;
}

/**
 * Parses an IPv4 dotted quad or an IPv6 text address (RFC 4291 §2.2, embedded IPv4 allowed, no zone).
 * Returns undefined when the text is not an address. IPv4-mapped IPv6 text yields the IPv4 address.
 */
export function parseAddress(text: string): bigint | undefined {
  if (text.includes(':')) return parseV6(text);
  const v4 = parseV4Parts(text);
  return v4 === undefined ? undefined : v4Bigint(v4);
}

const V4_BASE_NUM = 0xffff00000000;
/** An IPv4 address given as a 32-bit number, in the 128-bit space: one allocation (< 2^53). */
export function v4Bigint(v: number): bigint {
  return BigInt(V4_BASE_NUM + v);
}

/** Go's net.IP.String(): dotted quad for IPv4, RFC 5952 lower-case compressed text for IPv6. */
export function formatAddress(a: bigint): string {
  if (familyOf(a) === IpFamily.IPv4) {
    const v = Number(a & 0xffffffffn);
    return `${v >>> 24}.${(v >>> 16) & 255}.${(v >>> 8) & 255}.${v & 255}`;
  }
  // One native conversion instead of eight BigInt shifts, and no per-group parse/print: this runs
  // once per allocation.
  const h = a.toString(16).padStart(32, '0');
  const g: string[] = new Array<string>(8);
  for (let i = 0; i < 8; i++) {
    let j = i * 4;
    const end = j + 3;
    while (j < end && h.charCodeAt(j) === 48) j++; // strip leading '0's, keep the last digit
    g[i] = h.slice(j, i * 4 + 4);
  }
  // Longest run of ≥ 2 zero groups is compressed, the first one on ties (RFC 5952 §4.2).
  let bestStart = -1;
  let bestLen = 1;
  for (let i = 0; i < 8;) {
    if (g[i] !== '0') {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && g[j] === '0') j++;
    if (j - i > bestLen) {
      bestStart = i;
      bestLen = j - i;
    }
    i = j;
  }
  let out = '';
  for (let i = 0; i < 8; i++) {
    if (i === bestStart) {
      out += '::';
      i += bestLen - 1;
      continue;
    }
    out += out === '' || out.endsWith(':') ? g[i] : `:${g[i]}`;
  }
  return out;
}

/** True for an IPv4 address ending in .0 or .255 (MetalLB's ipConfusesBuggyFirmwares: smurf-protection on old CPE). */
export function isBuggyV4(a: bigint): boolean {
  if (familyOf(a) !== IpFamily.IPv4) return false;
  const last = a & 0xffn;
  return last === 0n || last === 255n;
}

/**
 * A Map key for an address. V8 hashes a BigInt by its lowest 64-bit digit only, so addresses that
 * differ above bit 64 (two /64s) would all collide: IPv4 becomes a number, IPv6 a hex string.
 */
export function addrKey(a: bigint): number | string {
  return a >= V4_BASE && a <= V4_TOP ? Number(a - V4_BASE) : a.toString(16);
}
