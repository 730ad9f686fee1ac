import { RawLinkError, RawLinkErrorCode } from '../errors.js';

/** A 48-bit IEEE 802 MAC address as 6 bytes. */
export type Mac = Uint8Array;

export const BROADCAST_MAC: Mac = Uint8Array.of(0xff, 0xff, 0xff, 0xff, 0xff, 0xff);
export const ZERO_MAC: Mac = new Uint8Array(6);

const MAC_RE =
  /^([0-9a-f]{2})[:-]([0-9a-f]{2})[:-]([0-9a-f]{2})[:-]([0-9a-f]{2})[:-]([0-9a-f]{2})[:-]([0-9a-f]{2})$/i;

/** Parses "aa:bb:cc:dd:ee:ff" (or with dashes). Throws RawLinkError INVALID. */
export function parseMac(text: string): Mac {
  const m = MAC_RE.exec(text.trim());
  if (!m)
    throw new RawLinkError(RawLinkErrorCode.Invalid, `not a MAC address: ${text}`, { value: text });
  return Uint8Array.from(m.slice(1, 7), (h) => Number.parseInt(h, 16));
}

/** Lower-case colon form, the form `ip link` and tcpdump print. */
export function formatMac(mac: Uint8Array, offset = 0): string {
  let s = '';
  for (let i = 0; i < 6; i++) {
    const b = mac[offset + i] ?? 0;
    s += (i ? ':' : '') + (b < 16 ? '0' : '') + b.toString(16);
  }
  return s;
}

/** Byte-wise equality of two MACs, optionally at offsets inside larger buffers (no copies). */
export function macEquals(a: Uint8Array, b: Uint8Array, aOffset = 0, bOffset = 0): boolean {
  for (let i = 0; i < 6; i++) if (a[aOffset + i] !== b[bOffset + i]) return false;
  return true;
}

export function isBroadcastMac(mac: Uint8Array, offset = 0): boolean {
  return macEquals(mac, BROADCAST_MAC, offset, 0);
}

/** Group bit (I/G, the least significant bit of the first octet): multicast or broadcast. */
export function isMulticastMac(mac: Uint8Array, offset = 0): boolean {
  return ((mac[offset] ?? 0) & 1) === 1;
}

/** RFC 2464 §7: an IPv6 multicast address maps to 33:33 followed by its low 32 bits. */
export function ipv6MulticastMac(group: Uint8Array): Mac {
  return Uint8Array.of(0x33, 0x33, group[12] ?? 0, group[13] ?? 0, group[14] ?? 0, group[15] ?? 0);
}
