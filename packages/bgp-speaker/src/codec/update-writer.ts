// Whole BGP messages back to back in one buffer: what the output path hands to the socket in a
// single write. Announcements are packed straight into it — the same bytes and the same split into
// messages as packAnnouncements (update.ts), which stays the reference encoder (a property test
// compares them) — but without a writer, an NLRI buffer and a framing copy per message: a 100k
// prefix dump is ~125 (IPv4 /32) to ~420 (IPv6 /128) UPDATEs, and each prefix is written once,
// where it goes on the wire.
import { BgpError, BgpErrorCode } from '../errors.js';
import { AttrFlag, AttrType, HEADER_LENGTH, MessageType } from './constants.js';
import { encodeAttributes } from './attributes-encode.js';
import type { EncodeContext } from './attributes.js';
import { afiSafiOf } from './open.js';
import { parseIpv6Address, prefixWireLength } from './prefix.js';
import type { Prefix } from './prefix.js';
import { announcementFixedBytes } from './update.js';
import type { AnnounceGroup } from './update.js';

/** What every UPDATE announcing one attribute set to one peer shares, encoded once. */
export interface AnnounceTemplate {
  family: Prefix['family'];
  /** The attribute block without MP_REACH (the packer adds that: it holds the NLRI). */
  attributes: Uint8Array;
  /** IPv6: the MP_REACH next hop, 16 or 32 bytes (RFC 2545 §3). Empty for IPv4. */
  nextHop: Uint8Array;
  maxMessageBytes: number;
  /** Bytes of a message besides its NLRI (announcementFixedBytes). */
  fixed: number;
}

/**
 * Encodes the parts of `g` that every message repeats. Throws BgpError (INVALID_VALUE for a next hop
 * that is not an address, ENCODE_ERROR for one over 255 bytes or an attribute that cannot be
 * encoded) exactly where packAnnouncements does.
 */
export function announceTemplate(
  g: Omit<AnnounceGroup, 'prefixes'>,
  ctx: EncodeContext,
  maxMessageBytes: number,
): AnnounceTemplate {
  if (g.family === 'ipv4') {
    const attributes = encodeAttributes(g.attributes, ctx);
    return {
      family: 'ipv4',
      attributes,
      nextHop: new Uint8Array(0),
      maxMessageBytes,
      fixed: announcementFixedBytes('ipv4', attributes.length, 0),
    };
  }
  const attributes = encodeAttributes({ ...g.attributes, nextHop: undefined }, ctx);
  // RFC 2545 §3: 16 bytes (global) or 32 (global + link-local). parseIpv6Address keeps an
  // IPv4-mapped next hop (IPv6 over an IPv4 session) at 16 bytes instead of shrinking it to 4.
  const nextHop = Buffer.concat((g.mpNextHops ?? []).map((a) => parseIpv6Address(a)));
  if (nextHop.length > 255)
    throw new BgpError(BgpErrorCode.EncodeError, 'MP_REACH next hop over 255 bytes', {
      detail: { nextHops: g.mpNextHops },
    });
  return {
    family: g.family,
    attributes,
    nextHop,
    maxMessageBytes,
    fixed: announcementFixedBytes(g.family, attributes.length, nextHop.length),
  };
}

export function noRoomError(
  what: string,
  fixed: number,
  prefixBytes: number,
  max: number,
): BgpError {
  return new BgpError(
    BgpErrorCode.EncodeError,
    `${what}: ${fixed} bytes before the NLRI leave no room for a ${prefixBytes}-byte prefix in a ${max}-byte message`,
    { detail: { fixedBytes: fixed, prefixBytes, maxMessageBytes: max } },
  );
}

export class UpdateWriter {
  private buf: Buffer;
  private len = 0;
  /** Offset of each message in `buf`. */
  private readonly starts: number[] = [];

  /** `initialBytes`: a first guess of the total; the buffer doubles when it runs out. */
  constructor(initialBytes = 16 * 1024) {
    this.buf = Buffer.allocUnsafe(Math.max(64, initialBytes));
  }

  get messageCount(): number {
    return this.starts.length;
  }

  get byteLength(): number {
    return this.len;
  }

  private ensure(n: number): void {
    if (this.len + n <= this.buf.length) return;
    const next = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.len + n));
    this.buf.copy(next, 0, 0, this.len);
    this.buf = next;
  }

  /** Appends one complete message (End-of-RIB, a route-refresh marker, a withdrawal). */
  append(message: Uint8Array): void {
    this.ensure(message.length);
    this.starts.push(this.len);
    this.buf.set(message, this.len);
    this.len += message.length;
  }

  /**
   * Announces `prefixes` with the attributes of `t`, filling each UPDATE up to the message limit
   * in order (IPv4 in the NLRI field, IPv6 in an MP_REACH that goes first, RFC 7606 §5.1). Returns
   * the number of messages added. A prefix that cannot fit even an empty message is BgpError
   * ENCODE_ERROR, and the writer is left as it was (nothing of the group is half-written).
   */
  announce(t: AnnounceTemplate, prefixes: readonly Prefix[]): number {
    const v4 = t.family === 'ipv4';
    const attrs = t.attributes;
    const nh = t.nextHop;
    const room = t.maxMessageBytes - t.fixed;
    // IPv4: header, withdrawn length, attribute length, attributes, then the NLRI field.
    // IPv6: header, withdrawn length, attribute length, MP_REACH (flags, type, 2-byte length, AFI,
    // SAFI, next-hop length, next hop, reserved octet, NLRI), then the other attributes.
    const nlriAt = v4
      ? HEADER_LENGTH + 4 + attrs.length
      : HEADER_LENGTH + 4 + 4 + 4 + nh.length + 1;
    const { afi, safi } = afiSafiOf(t.family);
    const startLen = this.len;
    const startCount = this.starts.length;
    let i = 0;
    while (i < prefixes.length) {
      this.ensure(t.maxMessageBytes);
      const b = this.buf;
      const m = this.len;
      // Prefixes first: only a message that holds one is written at all.
      let w = m + nlriAt;
      const end = w + room;
      while (i < prefixes.length) {
        const p = prefixes[i] as Prefix;
        const bits = p.length;
        const n = (bits + 7) >> 3;
        if (w + 1 + n > end) break;
        b[w] = bits;
        const src = p.bytes;
        for (let k = 0; k < n; k++) b[w + 1 + k] = src[k] as number;
        w += 1 + n;
        i++;
      }
      const used = w - (m + nlriAt);
      if (used === 0) {
        // Every message carries at least one prefix, or packing would never finish.
        this.len = startLen;
        this.starts.length = startCount;
        let widest = 0;
        for (const p of prefixes) widest = Math.max(widest, prefixWireLength(p));
        throw noRoomError(
          v4 ? 'IPv4 announcement' : 'IPv6 announcement',
          t.fixed,
          widest,
          t.maxMessageBytes,
        );
      }
      b.fill(0xff, m, m + 16);
      b[m + 18] = MessageType.Update;
      b.writeUInt16BE(0, m + HEADER_LENGTH);
      if (v4) {
        b.writeUInt16BE(attrs.length, m + HEADER_LENGTH + 2);
        b.set(attrs, m + HEADER_LENGTH + 4);
      } else {
        const mpLen = 3 + 1 + nh.length + 1 + used;
        b.writeUInt16BE(4 + mpLen + attrs.length, m + HEADER_LENGTH + 2);
        let h = m + HEADER_LENGTH + 4;
        b[h++] = AttrFlag.Optional | AttrFlag.ExtendedLength;
        b[h++] = AttrType.MpReachNlri;
        b.writeUInt16BE(mpLen, h);
        b.writeUInt16BE(afi, h + 2);
        b[h + 4] = safi;
        b[h + 5] = nh.length;
        b.set(nh, h + 6);
        b[h + 6 + nh.length] = 0;
        b.set(attrs, w);
        w += attrs.length;
      }
      b.writeUInt16BE(w - m, m + 16);
      this.starts.push(m);
      this.len = w;
    }
    return this.starts.length - startCount;
  }

  /**
   * Every message so far as one buffer (one socket write), and each message as a view into it.
   * The writer is done after this: the buffer belongs to the caller.
   */
  finish(): { bytes: Uint8Array; messages: Uint8Array[] } {
    const b = this.buf;
    const messages: Uint8Array[] = [];
    for (let k = 0; k < this.starts.length; k++)
      messages.push(b.subarray(this.starts[k], this.starts[k + 1] ?? this.len));
    return { bytes: b.subarray(0, this.len), messages };
  }
}
