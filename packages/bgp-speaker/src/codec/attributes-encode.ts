// Path attribute encoding (RFC 4271 §4.3 / §5). MP_REACH/MP_UNREACH are added by the packers in
// update.ts because they hold the NLRI; RFC 7606 §5.1 wants them first, so the packers put them first.
import { BgpError, BgpErrorCode } from '../errors.js';
import { AS_TRANS, AttrFlag, AttrType } from './constants.js';
import type { AsPathSegment, EncodeContext, PathAttributes } from './attributes.js';
import { ByteWriter } from './writer.js';

function attrHeader(w: ByteWriter, flags: number, type: number, len: number): void {
  if (len > 255)
    w.u8(flags | AttrFlag.ExtendedLength)
      .u8(type)
      .u16(len);
  else w.u8(flags).u8(type).u8(len);
}

function writeAsPath(
  w: ByteWriter,
  segs: AsPathSegment[],
  asnBytes: 2 | 4,
  mapTrans: boolean,
): void {
  for (const s of segs) {
    // A segment holds at most 255 ASNs (RFC 4271 §4.3); split longer ones.
    for (let k = 0; k < s.asns.length; k += 255) {
      const part = s.asns.slice(k, k + 255);
      w.u8(s.type).u8(part.length);
      for (const a of part) {
        if (asnBytes === 4) w.u32(a);
        else w.u16(mapTrans && a > 0xffff ? AS_TRANS : a);
      }
    }
  }
}

function asPathBytes(segs: AsPathSegment[], asnBytes: 2 | 4, mapTrans: boolean): Buffer {
  const w = new ByteWriter(32);
  writeAsPath(w, segs, asnBytes, mapTrans);
  return w.finish();
}

/**
 * Encodes the attribute block except MP_REACH/MP_UNREACH (the packer adds those, since they hold
 * the NLRI). Towards a 2-octet peer, 4-octet ASNs become AS_TRANS and the true path goes in AS4_PATH
 * (RFC 6793 §4.2.2).
 */
export function encodeAttributes(a: PathAttributes, ctx: EncodeContext): Uint8Array {
  const w = new ByteWriter(64);
  const wk = AttrFlag.Transitive;
  const opt = AttrFlag.Optional;
  const optTrans = AttrFlag.Optional | AttrFlag.Transitive;
  if (a.origin !== undefined) {
    attrHeader(w, wk, AttrType.Origin, 1);
    w.u8(a.origin);
  }
  let needAs4 = false;
  if (a.asPath !== undefined) {
    const body = asPathBytes(a.asPath, ctx.fourOctetAs ? 4 : 2, true);
    attrHeader(w, wk, AttrType.AsPath, body.length);
    w.bytes(body);
    needAs4 = !ctx.fourOctetAs && a.asPath.some((s) => s.asns.some((x) => x > 0xffff));
  }
  if (a.nextHop !== undefined) {
    const parts = a.nextHop.split('.').map((x) => (/^\d{1,3}$/.test(x) ? Number(x) : Number.NaN));
    if (parts.length !== 4 || !parts.every((x) => x <= 255))
      throw new BgpError(BgpErrorCode.EncodeError, `NEXT_HOP must be IPv4: ${a.nextHop}`);
    attrHeader(w, wk, AttrType.NextHop, 4);
    for (const p of parts) w.u8(p);
  }
  if (a.med !== undefined) {
    attrHeader(w, opt, AttrType.MultiExitDisc, 4);
    w.u32(a.med);
  }
  if (a.localPref !== undefined) {
    attrHeader(w, wk, AttrType.LocalPref, 4);
    w.u32(a.localPref);
  }
  if (a.atomicAggregate) attrHeader(w, wk, AttrType.AtomicAggregate, 0);
  if (a.communities !== undefined && a.communities.length > 0) {
    attrHeader(w, optTrans, AttrType.Communities, 4 * a.communities.length);
    for (const c of a.communities) w.u32(c);
  }
  if (needAs4 && a.asPath) {
    const body = asPathBytes(a.asPath, 4, false);
    attrHeader(w, optTrans, AttrType.As4Path, body.length);
    w.bytes(body);
  }
  if (a.largeCommunities !== undefined && a.largeCommunities.length > 0) {
    attrHeader(w, optTrans, AttrType.LargeCommunities, 12 * a.largeCommunities.length);
    for (const c of a.largeCommunities) w.u32(c.global).u32(c.local1).u32(c.local2);
  }
  for (const o of a.other ?? []) {
    attrHeader(w, o.flags & ~AttrFlag.ExtendedLength, o.type, o.value.length);
    w.bytes(o.value);
  }
  return w.finish();
}
