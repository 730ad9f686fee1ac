// UPDATE message (RFC 4271 §4.3) with MP-BGP (RFC 4760) and RFC 7606 error handling, plus the
// packers that fill messages up to the negotiated size.
import { BgpError, BgpErrorCode, wireError } from '../errors.js';
import {
  AttrFlag,
  AttrType,
  ErrorCode,
  HEADER_LENGTH,
  MessageType,
  UpdateSubcode,
} from './constants.js';
import { decodeAttributes } from './attributes.js';
import { encodeAttributes } from './attributes-encode.js';
import type {
  AttributeProblem,
  DecodeContext,
  EncodeContext,
  PathAttributes,
} from './attributes.js';
import { afiSafiOf } from './open.js';
import { parseIpv6Address, prefixWireLength, readPrefixes, writePrefix } from './prefix.js';
import type { AddressFamily, Prefix } from './prefix.js';
import { ByteWriter } from './writer.js';

export interface UpdateMessage {
  type: 'update';
  /** IPv4 withdrawn routes field plus MP_UNREACH withdrawals. */
  withdrawn: Prefix[];
  /** IPv4 NLRI field plus MP_REACH NLRI. Empty when `treatAsWithdraw` is set. */
  nlri: Prefix[];
  attributes: PathAttributes;
  /** RFC 7606: a malformed attribute turned this UPDATE's NLRI into withdrawals. */
  treatAsWithdraw: boolean;
  problems: AttributeProblem[];
  /** End-of-RIB marker (RFC 4724 §2) and its family. */
  endOfRib: AddressFamily | undefined;
}

/** Decodes an UPDATE body. Throws BgpError only in RFC 7606 session-reset cases. */
export function decodeUpdateBody(body: Uint8Array, ctx: DecodeContext): UpdateMessage {
  const b = Buffer.from(body.buffer, body.byteOffset, body.byteLength);
  const malformed = (msg: string) =>
    wireError(msg, ErrorCode.UpdateMessage, UpdateSubcode.MalformedAttributeList);
  if (b.length < 4) throw malformed('UPDATE too short');
  const wLen = b.readUInt16BE(0);
  if (2 + wLen + 2 > b.length) throw malformed('withdrawn routes length overruns');
  const aLen = b.readUInt16BE(2 + wLen);
  const aStart = 4 + wLen;
  if (aStart + aLen > b.length) throw malformed('attribute length overruns');
  const addPath4 = ctx.addPathReceive?.has('ipv4') ?? false;
  const withdrawn = readPrefixes(b, 2, 2 + wLen, 'ipv4', addPath4);
  if (!withdrawn)
    throw wireError(
      'bad withdrawn routes',
      ErrorCode.UpdateMessage,
      UpdateSubcode.InvalidNetworkField,
    );
  const nlri4 = readPrefixes(b, aStart + aLen, b.length, 'ipv4', addPath4);
  if (!nlri4)
    throw wireError('bad NLRI', ErrorCode.UpdateMessage, UpdateSubcode.InvalidNetworkField);
  const { attributes, problems } = decodeAttributes(b.subarray(aStart, aStart + aLen), ctx);
  const mpNlri = attributes.mpReach?.nlri ?? [];
  const hasNlri = nlri4.length > 0 || mpNlri.length > 0;
  // RFC 7606 §3 d: missing well-known mandatory attributes → treat-as-withdraw (only if NLRI).
  if (hasNlri) {
    const missing: number[] = [];
    if (
      attributes.origin === undefined &&
      !problems.some((p) => p.attributeType === AttrType.Origin)
    )
      missing.push(AttrType.Origin);
    if (
      attributes.asPath === undefined &&
      !problems.some((p) => p.attributeType === AttrType.AsPath)
    )
      missing.push(AttrType.AsPath);
    if (
      nlri4.length > 0 &&
      attributes.nextHop === undefined &&
      !problems.some((p) => p.attributeType === AttrType.NextHop)
    )
      missing.push(AttrType.NextHop);
    for (const t of missing) {
      problems.push({
        attributeType: t,
        handling: 'treat-as-withdraw',
        reason: 'missing well-known attribute',
        notification: {
          code: ErrorCode.UpdateMessage,
          subcode: UpdateSubcode.MissingWellKnownAttribute,
        },
      });
    }
  }
  const treatAsWithdraw = problems.some((p) => p.handling === 'treat-as-withdraw');
  const allWithdrawn = [...withdrawn, ...(attributes.mpUnreach?.withdrawn ?? [])];
  let nlri = [...nlri4, ...mpNlri];
  if (treatAsWithdraw) {
    allWithdrawn.push(...nlri);
    nlri = [];
  }
  let endOfRib: AddressFamily | undefined;
  if (b.length === 4 && wLen === 0 && aLen === 0) endOfRib = 'ipv4';
  else if (
    withdrawn.length === 0 &&
    nlri4.length === 0 &&
    attributes.mpUnreach &&
    attributes.mpUnreach.withdrawn.length === 0 &&
    Object.keys(attributes).length === 1 &&
    attributes.mpUnreach.safi === 1
  ) {
    endOfRib =
      attributes.mpUnreach.afi === 1 ? 'ipv4' : attributes.mpUnreach.afi === 2 ? 'ipv6' : undefined;
  }
  return {
    type: 'update',
    withdrawn: allWithdrawn,
    nlri,
    attributes,
    treatAsWithdraw,
    problems,
    endOfRib,
  };
}

function frame(body: Buffer | Uint8Array, type: number): Buffer {
  const out = Buffer.allocUnsafe(HEADER_LENGTH + body.length);
  out.fill(0xff, 0, 16);
  out.writeUInt16BE(HEADER_LENGTH + body.length, 16);
  out[18] = type;
  out.set(body, HEADER_LENGTH);
  return out;
}

/** Wraps a message body in the RFC 4271 §4.1 header. */
export function encodeFrame(type: number, body: Uint8Array): Uint8Array {
  return frame(body, type);
}

/** End-of-RIB (RFC 4724 §2): empty UPDATE for IPv4, empty MP_UNREACH otherwise. */
export function encodeEndOfRib(family: AddressFamily): Uint8Array {
  if (family === 'ipv4') return frame(Buffer.from([0, 0, 0, 0]), MessageType.Update);
  const { afi, safi } = afiSafiOf(family);
  return frame(
    Buffer.from([
      0,
      0,
      0,
      6,
      AttrFlag.Optional,
      AttrType.MpUnreachNlri,
      3,
      afi >> 8,
      afi & 0xff,
      safi,
    ]),
    MessageType.Update,
  );
}

export interface AnnounceGroup {
  family: AddressFamily;
  /** Attributes for these prefixes; for IPv4 `nextHop` goes in NEXT_HOP, for IPv6 in MP_REACH. */
  attributes: PathAttributes;
  /** IPv6 next hops (global, optionally link-local) for MP_REACH. */
  mpNextHops?: string[];
  prefixes: Prefix[];
}

/** Bytes of an MP_REACH/MP_UNREACH header as the packers write it (always Extended-Length). */
const MP_ATTR_HEADER = 4;

/**
 * Bytes of one announcement UPDATE before its NLRI: header, the two length fields, the attributes
 * and (IPv6) the MP_REACH header with `nextHopBytes` of next hop. A prefix of n wire bytes fits a
 * message when fixed + n ≤ the message limit.
 */
export function announcementFixedBytes(
  family: AddressFamily,
  attributesBytes: number,
  nextHopBytes: number,
): number {
  const base = HEADER_LENGTH + 4 + attributesBytes;
  // MP_REACH: AFI, SAFI, next-hop length, next hop, reserved octet (RFC 4760 §3).
  return family === 'ipv4' ? base : base + MP_ATTR_HEADER + 3 + 1 + nextHopBytes + 1;
}

/** Largest wire size among the prefixes (a loop: spreading 100k prefixes into Math.max overflows). */
function widestPrefix(prefixes: Prefix[]): number {
  let w = 0;
  for (const p of prefixes) w = Math.max(w, prefixWireLength(p));
  return w;
}

function noRoom(what: string, fixed: number, prefixBytes: number, max: number): BgpError {
  return new BgpError(
    BgpErrorCode.EncodeError,
    `${what}: ${fixed} bytes before the NLRI leave no room for a ${prefixBytes}-byte prefix in a ${max}-byte message`,
    { detail: { fixedBytes: fixed, prefixBytes, maxMessageBytes: max } },
  );
}

/**
 * Encodes announcements of prefixes sharing attributes into as few UPDATEs as fit `maxMessageBytes`
 * (4096, or 65535 with RFC 8654). IPv4 uses the classic NLRI field; IPv6 uses MP_REACH, emitted
 * first with the Extended-Length flag when it needs 2 length bytes. Throws BgpError ENCODE_ERROR
 * (before sending anything) when the attributes leave no room for a prefix: every message carries
 * at least one prefix, so packing always makes progress.
 */
export function packAnnouncements(
  g: AnnounceGroup,
  ctx: EncodeContext,
  maxMessageBytes: number,
): Uint8Array[] {
  const out: Uint8Array[] = [];
  if (g.family === 'ipv4') {
    const attrs = encodeAttributes(g.attributes, ctx);
    const fixed = announcementFixedBytes('ipv4', attrs.length, 0);
    const room = maxMessageBytes - fixed;
    const widest = widestPrefix(g.prefixes);
    if (g.prefixes.length > 0 && room < widest)
      throw noRoom('IPv4 announcement', fixed, widest, maxMessageBytes);
    let i = 0;
    while (i < g.prefixes.length) {
      const w = new ByteWriter(Math.min(maxMessageBytes, 4096));
      w.u16(0).u16(attrs.length).bytes(attrs);
      let used = 0;
      const nlri = Buffer.allocUnsafe(room);
      while (i < g.prefixes.length) {
        const p = g.prefixes[i] as Prefix;
        const n = prefixWireLength(p);
        if (used + n > room) break;
        used = writePrefix(p, nlri, used);
        i++;
      }
      w.bytes(nlri.subarray(0, used));
      out.push(frame(w.finish(), MessageType.Update));
    }
    return out;
  }
  const attrs = encodeAttributes({ ...g.attributes, nextHop: undefined }, ctx);
  // RFC 2545 §3: 16 bytes (global) or 32 (global + link-local). parseIpv6Address keeps an
  // IPv4-mapped next hop (IPv6 over an IPv4 session) at 16 bytes instead of shrinking it to 4.
  const nh = Buffer.concat((g.mpNextHops ?? []).map((a) => parseIpv6Address(a)));
  if (nh.length > 255)
    throw new BgpError(BgpErrorCode.EncodeError, 'MP_REACH next hop over 255 bytes', {
      detail: { nextHops: g.mpNextHops },
    });
  const { afi, safi } = afiSafiOf(g.family);
  // MP_REACH header: flags, type, 2-byte length (always extended, simplest and always legal).
  const fixed = announcementFixedBytes(g.family, attrs.length, nh.length);
  const room = maxMessageBytes - fixed;
  const widest = widestPrefix(g.prefixes);
  if (g.prefixes.length > 0 && room < widest)
    throw noRoom('IPv6 announcement', fixed, widest, maxMessageBytes);
  let i = 0;
  while (i < g.prefixes.length) {
    const nlri = Buffer.allocUnsafe(room);
    let used = 0;
    while (i < g.prefixes.length) {
      const p = g.prefixes[i] as Prefix;
      if (used + prefixWireLength(p) > room) break;
      used = writePrefix(p, nlri, used);
      i++;
    }
    const mpLen = 3 + 1 + nh.length + 1 + used;
    const w = new ByteWriter(fixed + used);
    w.u16(0).u16(MP_ATTR_HEADER + mpLen + attrs.length);
    w.u8(AttrFlag.Optional | AttrFlag.ExtendedLength)
      .u8(AttrType.MpReachNlri)
      .u16(mpLen);
    w.u16(afi).u8(safi).u8(nh.length).bytes(nh).u8(0).bytes(nlri.subarray(0, used));
    w.bytes(attrs);
    out.push(frame(w.finish(), MessageType.Update));
  }
  return out;
}

/** Encodes withdrawals of one family into as few UPDATEs as fit. */
export function packWithdrawals(
  family: AddressFamily,
  prefixes: Prefix[],
  maxMessageBytes: number,
): Uint8Array[] {
  const out: Uint8Array[] = [];
  const mp = family === 'ipv6';
  const fixed = HEADER_LENGTH + 4 + (mp ? MP_ATTR_HEADER + 3 : 0);
  const room = maxMessageBytes - fixed;
  const widest = widestPrefix(prefixes);
  // Every message must carry at least one prefix, or packing would never finish.
  if (prefixes.length > 0 && room < widest)
    throw noRoom('withdrawal', fixed, widest, maxMessageBytes);
  let i = 0;
  while (i < prefixes.length) {
    const buf = Buffer.allocUnsafe(room);
    let used = 0;
    while (i < prefixes.length) {
      const p = prefixes[i] as Prefix;
      if (used + prefixWireLength(p) > room) break;
      used = writePrefix(p, buf, used);
      i++;
    }
    const w = new ByteWriter(used + 16);
    if (!mp) {
      w.u16(used).bytes(buf.subarray(0, used)).u16(0);
    } else {
      const { afi, safi } = afiSafiOf(family);
      w.u16(0).u16(4 + 3 + used);
      w.u8(AttrFlag.Optional | AttrFlag.ExtendedLength)
        .u8(AttrType.MpUnreachNlri)
        .u16(3 + used);
      w.u16(afi).u8(safi).bytes(buf.subarray(0, used));
    }
    out.push(frame(w.finish(), MessageType.Update));
  }
  return out;
}
