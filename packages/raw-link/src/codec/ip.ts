import { isIPv4, isIPv6 } from 'node:net';
import { RawLinkError, RawLinkErrorCode } from '../errors.js';

/** Parses dotted-quad IPv4 text into 4 bytes. Throws RawLinkError INVALID. */
export function parseIPv4(text: string): Uint8Array {
  if (!isIPv4(text))
    throw new RawLinkError(RawLinkErrorCode.Invalid, `not an IPv4 address: ${text}`, {
      value: text,
    });
  return Uint8Array.from(text.split('.'), (p) => Number(p));
}

export function formatIPv4(bytes: Uint8Array, offset = 0): string {
  return `${bytes[offset] ?? 0}.${bytes[offset + 1] ?? 0}.${bytes[offset + 2] ?? 0}.${bytes[offset + 3] ?? 0}`;
}

/** Parses IPv6 text (any RFC 4291 §2.2 form, incl. embedded IPv4; no zone) into 16 bytes. */
export function parseIPv6(text: string): Uint8Array {
  if (!isIPv6(text) || text.includes('%'))
    throw new RawLinkError(RawLinkErrorCode.Invalid, `not an IPv6 address: ${text}`, {
      value: text,
    });
  let s = text;
  const lastColon = s.lastIndexOf(':');
  const last = s.slice(lastColon + 1);
  if (last.includes('.')) {
    // Embedded IPv4 (RFC 4291 §2.2 form 3): rewrite the dotted quad as two hex groups.
    const v4 = parseIPv4(last);
    const hi = (((v4[0] ?? 0) << 8) | (v4[1] ?? 0)).toString(16);
    const lo = (((v4[2] ?? 0) << 8) | (v4[3] ?? 0)).toString(16);
    s = `${s.slice(0, lastColon + 1)}${hi}:${lo}`;
  }
  const [head = '', rest] = s.split('::');
  const h = head ? head.split(':') : [];
  const r = rest === undefined ? [] : rest ? rest.split(':') : [];
  const fill = rest === undefined ? 0 : 8 - h.length - r.length;
  const groups = [...h, ...Array<string>(fill).fill('0'), ...r].map((g) => Number.parseInt(g, 16));
  const out = new Uint8Array(16);
  groups.forEach((g, i) => {
    out[i * 2] = (g >> 8) & 0xff;
    out[i * 2 + 1] = g & 0xff;
  });
  return out;
}

/**
 * RFC 5952 canonical text: lower case, longest run (≥ 2) of zero groups compressed, first wins;
 * an IPv4-mapped address (::ffff:0:0/96) in mixed notation, `::ffff:192.0.2.1` (RFC 5952 §5).
 */
export function formatIPv6(bytes: Uint8Array, offset = 0): string {
  let mapped = bytes[offset + 10] === 0xff && bytes[offset + 11] === 0xff;
  for (let i = 0; mapped && i < 10; i++) mapped = (bytes[offset + i] ?? 0) === 0;
  if (mapped) return `::ffff:${formatIPv4(bytes, offset + 12)}`;
  const g: number[] = [];
  for (let i = 0; i < 8; i++)
    g.push(((bytes[offset + i * 2] ?? 0) << 8) | (bytes[offset + i * 2 + 1] ?? 0));
  let bestStart = -1;
  let bestLen = 0;
  for (let i = 0; i < 8;) {
    if (g[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && g[j] === 0) j++;
    if (j - i > bestLen && j - i >= 2) {
      bestStart = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hex = (a: number[]) => a.map((x) => x.toString(16)).join(':');
  if (bestStart < 0) return hex(g);
  return `${hex(g.slice(0, bestStart))}::${hex(g.slice(bestStart + bestLen))}`;
}

/** Canonical text of an IPv4 or IPv6 address, used as the key of announced-address sets. */
export function canonicalIp(text: string): string {
  if (isIPv4(text)) return formatIPv4(parseIPv4(text));
  return formatIPv6(parseIPv6(text));
}
