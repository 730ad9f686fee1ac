// Prefixes and addresses as wire bytes. RFC 4271 §4.3: a prefix is (length in bits, then the
// fewest whole octets that hold it); RFC 4760 §5 uses the same form inside MP_REACH/MP_UNREACH.
import ipaddr from 'ipaddr.js';
import { BgpError, BgpErrorCode } from '../errors.js';

export type AddressFamily = 'ipv4' | 'ipv6';

/** A unicast prefix in canonical text form ("198.51.100.0/24", "2001:db8::/32"). */
export interface Prefix {
  family: AddressFamily;
  /** Network address bytes, host bits zeroed; 4 or 16 bytes. */
  bytes: Uint8Array;
  length: number;
}

export function familyBytes(family: AddressFamily): number {
  return family === 'ipv4' ? 4 : 16;
}

/**
 * A strict dotted quad (four decimal parts 0..255, no leading zeros: "010" would be octal to
 * inet_aton and decimal to others), parsed without regular expressions — announcing 100k routes
 * parses 100k of them. Undefined for anything else.
 */
function parseDottedQuad(text: string): Uint8Array | undefined {
  const out = new Uint8Array(4);
  let part = 0;
  let val = 0;
  let digits = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 46) {
      if (digits === 0 || part === 3) return undefined;
      out[part++] = val;
      val = 0;
      digits = 0;
      continue;
    }
    if (c < 48 || c > 57 || (digits > 0 && val === 0)) return undefined;
    val = val * 10 + (c - 48);
    if (++digits > 3 || val > 255) return undefined;
  }
  if (part !== 3 || digits === 0) return undefined;
  out[3] = val;
  return out;
}

/** Parses an address into bytes; throws BgpError INVALID_VALUE on anything else. */
export function parseAddress(text: string): { family: AddressFamily; bytes: Uint8Array } {
  if (typeof text === 'string' && !text.includes(':')) {
    const v4 = parseDottedQuad(text);
    if (v4) return { family: 'ipv4', bytes: v4 };
    throw new BgpError(BgpErrorCode.InvalidValue, `not an IP address: ${text}`, {
      detail: { value: text },
    });
  }
  if (typeof text !== 'string' || !ipaddr.IPv6.isValid(text)) {
    throw new BgpError(BgpErrorCode.InvalidValue, `not an IP address: ${text}`, {
      detail: { value: text },
    });
  }
  const a = ipaddr.parse(text);
  // An IPv4-mapped IPv6 address from a dual-stack socket is really IPv4.
  if (a.kind() === 'ipv6' && (a as ipaddr.IPv6).isIPv4MappedAddress()) {
    return {
      family: 'ipv4',
      bytes: Uint8Array.from((a as ipaddr.IPv6).toIPv4Address().toByteArray()),
    };
  }
  return { family: a.kind(), bytes: Uint8Array.from(a.toByteArray()) };
}

/**
 * Parses an IPv6 next hop into its 16 wire bytes. Unlike parseAddress, an IPv4-mapped address
 * (`::ffff:a.b.c.d`, RFC 4291 §2.5.5.2) stays 16 bytes: an MP_REACH IPv6 next hop is 16 or 32 bytes
 * (RFC 2545 §3), never 4. Throws BgpError INVALID_VALUE for anything that is not IPv6.
 */
export function parseIpv6Address(text: string): Uint8Array {
  if (!ipaddr.IPv6.isValid(text)) {
    throw new BgpError(BgpErrorCode.InvalidValue, `not an IPv6 address: ${text}`, {
      detail: { value: text },
    });
  }
  return Uint8Array.from(ipaddr.IPv6.parse(text).toByteArray());
}

export function formatAddress(bytes: Uint8Array): string {
  if (bytes.length === 4) return `${bytes[0]}.${bytes[1]}.${bytes[2]}.${bytes[3]}`;
  return ipaddr.fromByteArray(Array.from(bytes)).toString();
}

/** Like formatAddress, but shows an IPv4-mapped next hop the way routers print it (::ffff:a.b.c.d). */
export function formatNextHop(bytes: Uint8Array): string {
  if (bytes.length === 16) {
    const a = ipaddr.fromByteArray(Array.from(bytes)) as ipaddr.IPv6;
    if (a.isIPv4MappedAddress()) return `::ffff:${a.toIPv4Address().toString()}`;
  }
  return formatAddress(bytes);
}

/** Parses "A/len" (a bare address means a host route) and zeroes host bits. */
export function parsePrefix(text: string): Prefix {
  const slash = text.indexOf('/');
  const addr = slash < 0 ? text : text.slice(0, slash);
  const { family, bytes } = parseAddress(addr);
  const max = family === 'ipv4' ? 32 : 128;
  const lenText = slash < 0 ? String(max) : text.slice(slash + 1);
  const length = /^\d{1,3}$/.test(lenText) ? Number(lenText) : Number.NaN;
  if (!(length >= 0 && length <= max)) {
    throw new BgpError(BgpErrorCode.InvalidValue, `bad prefix length: ${text}`, {
      detail: { value: text },
    });
  }
  return { family, bytes: maskBytes(bytes, length), length };
}

/**
 * Like parsePrefix, for prefixes a user announces: host bits set after the slash
 * ("203.0.113.10/24") are refused with INVALID_VALUE instead of silently becoming the network —
 * the user meant either the network or the address.
 */
export function parseNetwork(text: string): Prefix {
  if (typeof text !== 'string')
    throw new BgpError(BgpErrorCode.InvalidValue, 'a prefix must be a string like 203.0.113.0/24', {
      detail: { value: text },
    });
  const p = parsePrefix(text);
  const slash = text.indexOf('/');
  if (slash >= 0) {
    const raw = parseAddress(text.slice(0, slash)).bytes;
    if (raw.some((b, i) => b !== p.bytes[i])) {
      const net = formatPrefix(p);
      const host = `${text.slice(0, slash)}/${p.family === 'ipv4' ? 32 : 128}`;
      throw new BgpError(
        BgpErrorCode.InvalidValue,
        `${text} has host bits set: announce ${net} (the network) or ${host} (the address)`,
        { detail: { value: text, network: net } },
      );
    }
  }
  return p;
}

function maskBytes(bytes: Uint8Array, length: number): Uint8Array {
  const out = Uint8Array.from(bytes);
  for (let i = 0; i < out.length; i++) {
    const bits = Math.max(0, Math.min(8, length - i * 8));
    out[i] = (out[i] ?? 0) & ((0xff00 >> bits) & 0xff);
  }
  return out;
}

export function formatPrefix(p: Prefix): string {
  return `${formatAddress(p.bytes)}/${p.length}`;
}

/** Encoded size of one prefix in NLRI form. */
export function prefixWireLength(p: Prefix): number {
  return 1 + ((p.length + 7) >> 3);
}

export function writePrefix(p: Prefix, out: Uint8Array, offset: number): number {
  out[offset] = p.length;
  const n = (p.length + 7) >> 3;
  // A byte loop: at most 16 bytes, and no subarray object per prefix (a 100k-prefix dump).
  const b = p.bytes;
  for (let i = 0; i < n; i++) out[offset + 1 + i] = b[i] as number;
  return offset + 1 + n;
}

/**
 * Decodes a run of NLRI. Returns null when the bytes cannot be parsed as prefixes of this family
 * (the caller picks the NOTIFICATION / RFC 7606 handling, which differs by where the NLRI sits).
 * `addPath`: RFC 7911 §3, every NLRI starts with a 4-byte Path Identifier (we parse and drop it).
 */
export function readPrefixes(
  buf: Uint8Array,
  start: number,
  end: number,
  family: AddressFamily,
  addPath = false,
): Prefix[] | null {
  const max = family === 'ipv4' ? 32 : 128;
  const size = familyBytes(family);
  const out: Prefix[] = [];
  let i = start;
  while (i < end) {
    if (addPath) {
      if (i + 4 > end) return null;
      i += 4;
    }
    const length = buf[i];
    if (length === undefined || length > max) return null;
    const n = Math.ceil(length / 8);
    if (i + 1 + n > end) return null;
    const bytes = new Uint8Array(size);
    bytes.set(buf.subarray(i + 1, i + 1 + n));
    // RFC 4271 says trailing bits are irrelevant; normalise so equal prefixes compare equal.
    out.push({ family, bytes: maskBytes(bytes, length), length });
    i += 1 + n;
  }
  return out;
}

export function prefixKey(p: Prefix): string {
  return formatPrefix(p);
}
