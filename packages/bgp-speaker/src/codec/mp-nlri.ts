// MP_REACH_NLRI / MP_UNREACH_NLRI (RFC 4760 §3, §4) decoding with RFC 7606 handling: these
// attributes hold the NLRI, so an error that hides where the NLRI is resets the session.
import { wireError } from '../errors.js';
import { Afi, AttrType, ErrorCode, Safi, UpdateSubcode } from './constants.js';
import type { DecodeContext } from './attributes.js';
import { formatAddress, formatNextHop, readPrefixes } from './prefix.js';
import type { AddressFamily, Prefix } from './prefix.js';

export interface MpReach {
  afi: number;
  safi: number;
  /** One next hop, or global then link-local for a 32-byte IPv6 next hop (RFC 2545 §3). */
  nextHops: string[];
  nlri: Prefix[];
}

export interface MpUnreach {
  afi: number;
  safi: number;
  withdrawn: Prefix[];
}

function familyOfAfi(afi: number): AddressFamily | null {
  return afi === Afi.Ipv4 ? 'ipv4' : afi === Afi.Ipv6 ? 'ipv6' : null;
}

export function decodeMpReach(v: Buffer, ctx: DecodeContext, raw: Uint8Array): MpReach | undefined {
  if (v.length < 5)
    throw wireError(
      'MP_REACH too short',
      ErrorCode.UpdateMessage,
      UpdateSubcode.OptionalAttributeError,
      undefined,
      { attributeType: AttrType.MpReachNlri },
    );
  const afi = v.readUInt16BE(0);
  const safi = v[2] as number;
  const nhLen = v[3] as number;
  if (4 + nhLen + 1 > v.length)
    throw wireError(
      'MP_REACH next hop overruns',
      ErrorCode.UpdateMessage,
      UpdateSubcode.OptionalAttributeError,
      undefined,
      { attributeType: AttrType.MpReachNlri },
    );
  const family = familyOfAfi(afi);
  const nlriStart = 4 + nhLen + 1;
  if (!family || safi !== Safi.Unicast) {
    // Not a family we speak: skip it whole (RFC 4760 §7 lets us ignore unknown AFI/SAFI).
    return { afi, safi, nextHops: [], nlri: [] };
  }
  const nlri = readPrefixes(
    v,
    nlriStart,
    v.length,
    family,
    ctx.addPathReceive?.has(family) ?? false,
  );
  if (!nlri)
    throw wireError(
      'MP_REACH NLRI malformed',
      ErrorCode.UpdateMessage,
      UpdateSubcode.OptionalAttributeError,
      undefined,
      { attributeType: AttrType.MpReachNlri },
    );
  const nh = v.subarray(4, 4 + nhLen);
  const nextHops: string[] = [];
  // RFC 2545 §3: 16 (global) or 32 (global + link-local); RFC 8950 would allow IPv6 for IPv4 NLRI.
  if (family === 'ipv6' && (nhLen === 16 || nhLen === 32)) {
    nextHops.push(formatNextHop(nh.subarray(0, 16)));
    if (nhLen === 32) nextHops.push(formatNextHop(nh.subarray(16, 32)));
  } else if (family === 'ipv4' && (nhLen === 4 || nhLen === 16 || nhLen === 32)) {
    nextHops.push(formatAddress(nh.subarray(0, nhLen === 4 ? 4 : 16)));
  } else {
    // RFC 7606 §7.11: a next-hop length inconsistent with the AFI/SAFI makes MP_REACH malformed,
    // and since the next hop precedes the NLRI, the NLRI cannot be located reliably — so not
    // treat-as-withdraw: "session reset" or "AFI/SAFI disable" MUST be used (also §5.3, §3 j).
    // We reset, with UPDATE Message Error / Optional Attribute Error and the attribute as data
    // (RFC 4760 §7, RFC 4271 §6.3).
    throw wireError(
      `MP_REACH next hop length ${nhLen} is inconsistent with AFI ${afi}`,
      ErrorCode.UpdateMessage,
      UpdateSubcode.OptionalAttributeError,
      Uint8Array.from(raw),
      { attributeType: AttrType.MpReachNlri },
    );
  }
  return { afi, safi, nextHops, nlri };
}

export function decodeMpUnreach(v: Buffer, ctx: DecodeContext): MpUnreach {
  if (v.length < 3)
    throw wireError(
      'MP_UNREACH too short',
      ErrorCode.UpdateMessage,
      UpdateSubcode.OptionalAttributeError,
      undefined,
      { attributeType: AttrType.MpUnreachNlri },
    );
  const afi = v.readUInt16BE(0);
  const safi = v[2] as number;
  const family = familyOfAfi(afi);
  if (!family || safi !== Safi.Unicast) return { afi, safi, withdrawn: [] };
  const withdrawn = readPrefixes(v, 3, v.length, family, ctx.addPathReceive?.has(family) ?? false);
  if (!withdrawn)
    throw wireError(
      'MP_UNREACH NLRI malformed',
      ErrorCode.UpdateMessage,
      UpdateSubcode.OptionalAttributeError,
      undefined,
      { attributeType: AttrType.MpUnreachNlri },
    );
  return { afi, safi, withdrawn };
}
