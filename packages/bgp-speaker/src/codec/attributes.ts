// Path attributes (RFC 4271 §4.3 / §5) with RFC 7606 revised error handling on decode.
// Encode order puts MP_UNREACH/MP_REACH first, as RFC 7606 §5.1 asks of senders. MP_REACH and
// MP_UNREACH (RFC 4760) are decoded in mp-nlri.ts.
import { wireError } from '../errors.js';
import type { ErrorHandling } from '../errors.js';
import { AsPathSegmentType, AttrFlag, AttrType, ErrorCode, UpdateSubcode } from './constants.js';
import type { LargeCommunity } from './communities.js';
import { formatAddress } from './prefix.js';
import { decodeMpReach, decodeMpUnreach } from './mp-nlri.js';
import type { MpReach, MpUnreach } from './mp-nlri.js';
import type { AddressFamily } from './prefix.js';

export interface AsPathSegment {
  type: number;
  asns: number[];
}

export interface PathAttributes {
  origin?: number;
  asPath?: AsPathSegment[];
  nextHop?: string;
  med?: number;
  localPref?: number;
  atomicAggregate?: boolean;
  aggregator?: { asn: number; address: string };
  communities?: number[];
  originatorId?: string;
  clusterList?: string[];
  largeCommunities?: LargeCommunity[];
  as4Path?: AsPathSegment[];
  mpReach?: MpReach;
  mpUnreach?: MpUnreach;
  /** Attributes we do not interpret, kept verbatim (flags, type, value). */
  other?: { flags: number; type: number; value: Uint8Array }[];
}

/** What the decoder needs from the negotiated session. */
export interface DecodeContext {
  /** Both sides sent the 4-octet AS capability: AS_PATH carries 4-byte ASNs (RFC 6793 §4). */
  fourOctetAs: boolean;
  /** Families in which the peer sends ADD-PATH path identifiers (RFC 7911). */
  addPathReceive?: ReadonlySet<AddressFamily>;
}

export interface AttributeProblem {
  attributeType: number;
  handling: Exclude<ErrorHandling, 'none' | 'session-reset'>;
  reason: string;
  /** The NOTIFICATION RFC 4271 would have sent (for logs and counters). */
  notification: { code: number; subcode: number };
}

export interface DecodedAttributes {
  attributes: PathAttributes;
  problems: AttributeProblem[];
}

const WELL_KNOWN = new Set<number>([
  AttrType.Origin,
  AttrType.AsPath,
  AttrType.NextHop,
  AttrType.LocalPref,
  AttrType.AtomicAggregate,
]);

function readAsPath(v: Buffer, asnBytes: 2 | 4): AsPathSegment[] | null {
  const segs: AsPathSegment[] = [];
  let i = 0;
  while (i < v.length) {
    if (i + 2 > v.length) return null;
    const type = v[i] as number;
    const count = v[i + 1] as number;
    if (type < 1 || type > 4 || count === 0) return null;
    i += 2;
    if (i + count * asnBytes > v.length) return null;
    const asns: number[] = [];
    for (let k = 0; k < count; k++, i += asnBytes)
      asns.push(asnBytes === 4 ? v.readUInt32BE(i) : v.readUInt16BE(i));
    segs.push({ type, asns });
  }
  return segs;
}

/**
 * Decodes the path attribute block. Session-reset cases throw BgpError (RFC 7606 §5.3, §3 j:
 * attribute lengths overrun, or MP_REACH/MP_UNREACH repeated, or MP NLRI unparseable); softer cases
 * are returned as problems for the caller to apply (treat-as-withdraw / attribute-discard).
 */
export function decodeAttributes(bytes: Uint8Array, ctx: DecodeContext): DecodedAttributes {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const attributes: PathAttributes = {};
  const problems: AttributeProblem[] = [];
  const seen = new Set<number>();
  const taw = (type: number, subcode: number, reason: string) =>
    problems.push({
      attributeType: type,
      handling: 'treat-as-withdraw',
      reason,
      notification: { code: ErrorCode.UpdateMessage, subcode },
    });
  const discard = (type: number, subcode: number, reason: string) =>
    problems.push({
      attributeType: type,
      handling: 'attribute-discard',
      reason,
      notification: { code: ErrorCode.UpdateMessage, subcode },
    });
  let i = 0;
  while (i < buf.length) {
    if (i + 3 > buf.length)
      throw wireError(
        'truncated attribute header',
        ErrorCode.UpdateMessage,
        UpdateSubcode.MalformedAttributeList,
      );
    const flags = buf[i] as number;
    const type = buf[i + 1] as number;
    const ext = (flags & AttrFlag.ExtendedLength) !== 0;
    if (ext && i + 4 > buf.length)
      throw wireError(
        'truncated attribute header',
        ErrorCode.UpdateMessage,
        UpdateSubcode.MalformedAttributeList,
      );
    const len = ext ? buf.readUInt16BE(i + 2) : (buf[i + 2] as number);
    const start = i + (ext ? 4 : 3);
    if (start + len > buf.length) {
      // RFC 7606 §4: the attribute overruns the block, NLRI can no longer be located.
      throw wireError(
        'attribute overruns attribute block',
        ErrorCode.UpdateMessage,
        UpdateSubcode.AttributeLengthError,
        undefined,
        { attributeType: type },
      );
    }
    const v = buf.subarray(start, start + len);
    i = start + len;
    if (type === AttrType.MpReachNlri || type === AttrType.MpUnreachNlri) {
      if (seen.has(type))
        throw wireError(
          'MP attribute repeated',
          ErrorCode.UpdateMessage,
          UpdateSubcode.MalformedAttributeList,
          undefined,
          { attributeType: type },
        );
    } else if (seen.has(type)) {
      // RFC 7606 §3 g: keep the first copy of any other repeated attribute.
      discard(type, UpdateSubcode.MalformedAttributeList, 'repeated attribute');
      continue;
    }
    seen.add(type);
    const optional = (flags & AttrFlag.Optional) !== 0;
    const transitive = (flags & AttrFlag.Transitive) !== 0;
    // RFC 7606 §3 c: flags conflicting with a known attribute's definition → treat-as-withdraw.
    const expectWellKnown = WELL_KNOWN.has(type);
    if (expectWellKnown && (optional || !transitive)) {
      taw(type, UpdateSubcode.AttributeFlagsError, 'bad flags for well-known attribute');
      continue;
    }
    switch (type) {
      case AttrType.Origin:
        if (len !== 1 || (v[0] as number) > 2)
          taw(
            type,
            len !== 1 ? UpdateSubcode.AttributeLengthError : UpdateSubcode.InvalidOriginAttribute,
            'bad ORIGIN',
          );
        else attributes.origin = v[0] as number;
        break;
      case AttrType.AsPath: {
        const segs = readAsPath(v, ctx.fourOctetAs ? 4 : 2);
        if (!segs) taw(type, UpdateSubcode.MalformedAsPath, 'malformed AS_PATH');
        else attributes.asPath = segs;
        break;
      }
      case AttrType.NextHop:
        if (len !== 4) taw(type, UpdateSubcode.AttributeLengthError, 'bad NEXT_HOP length');
        else attributes.nextHop = formatAddress(v);
        break;
      case AttrType.MultiExitDisc:
        if (len !== 4) taw(type, UpdateSubcode.AttributeLengthError, 'bad MED length');
        else attributes.med = v.readUInt32BE(0);
        break;
      case AttrType.LocalPref:
        if (len !== 4) taw(type, UpdateSubcode.AttributeLengthError, 'bad LOCAL_PREF length');
        else attributes.localPref = v.readUInt32BE(0);
        break;
      case AttrType.AtomicAggregate:
        // RFC 7606 §7.6: attribute-discard.
        if (len !== 0)
          discard(type, UpdateSubcode.AttributeLengthError, 'bad ATOMIC_AGGREGATE length');
        else attributes.atomicAggregate = true;
        break;
      case AttrType.Aggregator: {
        const want = ctx.fourOctetAs ? 8 : 6;
        // RFC 7606 §7.7: attribute-discard.
        if (len !== want)
          discard(type, UpdateSubcode.AttributeLengthError, 'bad AGGREGATOR length');
        else
          attributes.aggregator = {
            asn: want === 8 ? v.readUInt32BE(0) : v.readUInt16BE(0),
            address: formatAddress(v.subarray(want - 4)),
          };
        break;
      }
      case AttrType.Communities:
        // RFC 7606 §7.8: treat-as-withdraw.
        if (len === 0 || len % 4 !== 0)
          taw(type, UpdateSubcode.OptionalAttributeError, 'bad COMMUNITIES length');
        else {
          const cs: number[] = [];
          for (let k = 0; k < len; k += 4) cs.push(v.readUInt32BE(k));
          attributes.communities = cs;
        }
        break;
      case AttrType.OriginatorId:
        if (len !== 4) taw(type, UpdateSubcode.AttributeLengthError, 'bad ORIGINATOR_ID length');
        else attributes.originatorId = formatAddress(v);
        break;
      case AttrType.ClusterList:
        if (len === 0 || len % 4 !== 0)
          taw(type, UpdateSubcode.AttributeLengthError, 'bad CLUSTER_LIST length');
        else {
          const ids: string[] = [];
          for (let k = 0; k < len; k += 4) ids.push(formatAddress(v.subarray(k, k + 4)));
          attributes.clusterList = ids;
        }
        break;
      case AttrType.LargeCommunities:
        // RFC 8092 §6: zero or a non-multiple of 12 → treat-as-withdraw; duplicates removed.
        if (len === 0 || len % 12 !== 0)
          taw(type, UpdateSubcode.OptionalAttributeError, 'bad LARGE_COMMUNITY length');
        else {
          const seenLc = new Set<string>();
          const lcs: LargeCommunity[] = [];
          for (let k = 0; k < len; k += 12) {
            const lc = {
              global: v.readUInt32BE(k),
              local1: v.readUInt32BE(k + 4),
              local2: v.readUInt32BE(k + 8),
            };
            const key = `${lc.global}:${lc.local1}:${lc.local2}`;
            if (!seenLc.has(key)) {
              seenLc.add(key);
              lcs.push(lc);
            }
          }
          attributes.largeCommunities = lcs;
        }
        break;
      case AttrType.As4Path: {
        // RFC 6793 §6 / RFC 7606 §7.x: a malformed AS4_PATH is discarded.
        const segs = readAsPath(v, 4);
        if (!segs || segs.some((s) => s.type > 2))
          discard(type, UpdateSubcode.OptionalAttributeError, 'malformed AS4_PATH');
        else attributes.as4Path = segs;
        break;
      }
      case AttrType.MpReachNlri:
        attributes.mpReach = decodeMpReach(v, ctx, buf.subarray(i - len - (ext ? 4 : 3), i));
        break;
      case AttrType.MpUnreachNlri:
        attributes.mpUnreach = decodeMpUnreach(v, ctx);
        break;
      default:
        if (!optional) {
          // RFC 4271 §6.3: an unrecognised well-known attribute is a session error.
          throw wireError(
            `unrecognized well-known attribute ${type}`,
            ErrorCode.UpdateMessage,
            UpdateSubcode.UnrecognizedWellKnownAttribute,
            buf.subarray(i - len - (ext ? 4 : 3), i),
            { attributeType: type },
          );
        }
        (attributes.other ??= []).push({ flags, type, value: Uint8Array.from(v) });
    }
  }
  return { attributes, problems };
}

export interface EncodeContext {
  /** Peer sent the 4-octet AS capability (we always do). */
  fourOctetAs: boolean;
}

export { AsPathSegmentType };
export type { MpReach, MpUnreach };
