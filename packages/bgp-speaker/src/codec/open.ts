// OPEN message (RFC 4271 §4.2) and capabilities (RFC 5492), with RFC 9072 extended optional
// parameters on the receive side.
import { wireError } from '../errors.js';
import {
  AS_TRANS,
  Afi,
  BGP_VERSION,
  CapabilityCode,
  ErrorCode,
  OpenSubcode,
  OptionalParameterType,
  Safi,
} from './constants.js';
import type { AddressFamily } from './prefix.js';
import { ByteWriter } from './writer.js';

export interface AfiSafi {
  afi: number;
  safi: number;
}

export interface GracefulRestartCapability {
  /** R bit (RFC 4724 §3): we are restarting. */
  restarting: boolean;
  /** N bit (RFC 8538 §2). */
  notification: boolean;
  /** Restart Time in seconds, 0..4095. */
  restartTimeSec: number;
  families: { afi: number; safi: number; forwardingPreserved: boolean }[];
}

export interface AddPathEntry {
  afi: number;
  safi: number;
  /** 1 receive, 2 send, 3 both (RFC 7911 §4). */
  sendReceive: number;
}

/** Capabilities we understand; anything else lands in `unknown` and is ignored (RFC 5492 §3). */
export interface Capabilities {
  multiprotocol: AfiSafi[];
  routeRefresh: boolean;
  enhancedRouteRefresh: boolean;
  extendedMessage: boolean;
  /** The real 4-octet ASN (RFC 6793 §3), or undefined when the capability is absent. */
  fourOctetAs: number | undefined;
  gracefulRestart: GracefulRestartCapability | undefined;
  /** Parsed so we know the peer's wishes; we never advertise ADD-PATH ourselves. */
  addPath: AddPathEntry[];
  unknown: { code: number; value: Uint8Array }[];
}

export interface OpenMessage {
  type: 'open';
  version: number;
  /** The 2-octet My AS field as sent (AS_TRANS when the real ASN is 4-octet). */
  myAs: number;
  holdTimeSec: number;
  /** BGP Identifier in dotted-quad form. */
  bgpId: string;
  capabilities: Capabilities;
}

export function emptyCapabilities(): Capabilities {
  return {
    multiprotocol: [],
    routeRefresh: false,
    enhancedRouteRefresh: false,
    extendedMessage: false,
    fourOctetAs: undefined,
    gracefulRestart: undefined,
    addPath: [],
    unknown: [],
  };
}

export function afiSafiOf(family: AddressFamily): AfiSafi {
  return { afi: family === 'ipv4' ? Afi.Ipv4 : Afi.Ipv6, safi: Safi.Unicast };
}

/** The family of an AFI/SAFI pair we speak (unicast IPv4/IPv6), or undefined. */
export function afiOf(afi: number, safi: number): AddressFamily | undefined {
  if (safi !== Safi.Unicast) return undefined;
  return afi === Afi.Ipv4 ? 'ipv4' : afi === Afi.Ipv6 ? 'ipv6' : undefined;
}

/** The peer's effective ASN: the 4-octet capability wins over My AS (RFC 6793 §4.1). */
export function peerAsOf(open: OpenMessage): number {
  return open.capabilities.fourOctetAs ?? open.myAs;
}

export function bgpIdToNumber(id: string): number {
  const parts = id.split('.').map(Number);
  return (
    (((parts[0] ?? 0) << 24) |
      ((parts[1] ?? 0) << 16) |
      ((parts[2] ?? 0) << 8) |
      (parts[3] ?? 0)) >>>
    0
  );
}

export function numberToBgpId(n: number): string {
  return `${n >>> 24}.${(n >>> 16) & 0xff}.${(n >>> 8) & 0xff}.${n & 0xff}`;
}

export interface OpenInput {
  /** Our real ASN (1..4294967295); AS_TRANS goes in My AS when it does not fit 2 octets. */
  asn: number;
  holdTimeSec: number;
  bgpId: string;
  families: AfiSafi[];
  routeRefresh?: boolean;
  /** RFC 7313 capability 70. */
  enhancedRouteRefresh?: boolean;
  extendedMessage?: boolean;
  gracefulRestart?: GracefulRestartCapability;
}

/** Encodes the OPEN body (no header). All capabilities go in one Capabilities parameter. */
export function encodeOpenBody(o: OpenInput): Uint8Array {
  const caps = new ByteWriter(64);
  for (const f of o.families) {
    caps.u8(CapabilityCode.Multiprotocol).u8(4).u16(f.afi).u8(0).u8(f.safi);
  }
  if (o.routeRefresh) caps.u8(CapabilityCode.RouteRefresh).u8(0);
  if (o.enhancedRouteRefresh) caps.u8(CapabilityCode.EnhancedRouteRefresh).u8(0);
  if (o.extendedMessage) caps.u8(CapabilityCode.ExtendedMessage).u8(0);
  if (o.gracefulRestart) {
    const gr = o.gracefulRestart;
    caps.u8(CapabilityCode.GracefulRestart).u8(2 + 4 * gr.families.length);
    const flags = (gr.restarting ? 0x8 : 0) | (gr.notification ? 0x4 : 0);
    caps.u16((flags << 12) | (gr.restartTimeSec & 0xfff));
    for (const f of gr.families)
      caps
        .u16(f.afi)
        .u8(f.safi)
        .u8(f.forwardingPreserved ? 0x80 : 0);
  }
  caps.u8(CapabilityCode.FourOctetAs).u8(4).u32(o.asn);
  const capBytes = caps.finish();
  const w = new ByteWriter(32 + capBytes.length);
  w.u8(BGP_VERSION)
    .u16(o.asn > 0xffff ? AS_TRANS : o.asn)
    .u16(o.holdTimeSec)
    .u32(bgpIdToNumber(o.bgpId));
  // A parameter is limited to 255 bytes in the classic encoding; our capabilities are ~40.
  w.u8(capBytes.length + 2)
    .u8(OptionalParameterType.Capabilities)
    .u8(capBytes.length)
    .bytes(capBytes);
  return w.finish();
}

function openError(msg: string, subcode: number, data?: Uint8Array) {
  return wireError(msg, ErrorCode.OpenMessage, subcode, data);
}

/** Decodes an OPEN body (after the 19-byte header). RFC 4271 §6.2 errors are session resets. */
export function decodeOpenBody(body: Uint8Array): OpenMessage {
  const view = Buffer.from(body.buffer, body.byteOffset, body.byteLength);
  if (view.length < 10) {
    throw wireError(
      'OPEN too short',
      ErrorCode.MessageHeader,
      2,
      Uint8Array.of(0, 19 + view.length),
    );
  }
  const version = view[0] as number;
  if (version !== BGP_VERSION) {
    // RFC 4271 §6.2: data is the largest locally supported version.
    throw openError(
      `unsupported BGP version ${version}`,
      OpenSubcode.UnsupportedVersion,
      Uint8Array.of(0, BGP_VERSION),
    );
  }
  const myAs = view.readUInt16BE(1);
  const holdTimeSec = view.readUInt16BE(3);
  const idNum = view.readUInt32BE(5);
  let optLen = view[9] as number;
  let pos = 10;
  let extended = false;
  // RFC 9072 §2: Opt Param Len 255 followed by a type byte 255 switches to 2-byte lengths.
  if (optLen === 255 && view[10] === OptionalParameterType.ExtendedLength) {
    if (view.length < 13) throw openError('truncated extended opt params', 0);
    extended = true;
    optLen = view.readUInt16BE(11);
    pos = 13;
  }
  if (pos + optLen !== view.length) {
    throw openError('optional parameter length mismatch', 0);
  }
  const caps = emptyCapabilities();
  const end = pos + optLen;
  while (pos < end) {
    const type = view[pos] as number;
    let len: number;
    if (extended) {
      if (pos + 3 > end) throw openError('truncated optional parameter', 0);
      len = view.readUInt16BE(pos + 1);
      pos += 3;
    } else {
      if (pos + 2 > end) throw openError('truncated optional parameter', 0);
      len = view[pos + 1] as number;
      pos += 2;
    }
    if (pos + len > end) throw openError('optional parameter overruns OPEN', 0);
    if (type !== OptionalParameterType.Capabilities) {
      throw openError(
        `unsupported optional parameter ${type}`,
        OpenSubcode.UnsupportedOptionalParameter,
      );
    }
    parseCapabilities(view.subarray(pos, pos + len), caps);
    pos += len;
  }
  return {
    type: 'open',
    version,
    myAs,
    holdTimeSec,
    bgpId: numberToBgpId(idNum),
    capabilities: caps,
  };
}

function parseCapabilities(buf: Buffer, caps: Capabilities): void {
  let i = 0;
  while (i < buf.length) {
    if (i + 2 > buf.length) throw openError('truncated capability', 0);
    const code = buf[i] as number;
    const len = buf[i + 1] as number;
    const v = buf.subarray(i + 2, i + 2 + len);
    if (v.length !== len) throw openError('capability overruns parameter', 0);
    i += 2 + len;
    switch (code) {
      case CapabilityCode.Multiprotocol:
        if (len !== 4) throw openError('bad multiprotocol capability length', 0);
        caps.multiprotocol.push({ afi: v.readUInt16BE(0), safi: v[3] as number });
        break;
      case CapabilityCode.RouteRefresh:
      case CapabilityCode.RouteRefreshCisco:
        caps.routeRefresh = true;
        break;
      case CapabilityCode.EnhancedRouteRefresh:
        caps.enhancedRouteRefresh = true;
        break;
      case CapabilityCode.ExtendedMessage:
        caps.extendedMessage = true;
        break;
      case CapabilityCode.FourOctetAs:
        if (len !== 4) throw openError('bad 4-octet AS capability length', 0);
        caps.fourOctetAs = v.readUInt32BE(0);
        break;
      case CapabilityCode.GracefulRestart: {
        if (len < 2 || (len - 2) % 4 !== 0)
          throw openError('bad graceful restart capability length', 0);
        const word = v.readUInt16BE(0);
        const families: GracefulRestartCapability['families'] = [];
        for (let j = 2; j + 4 <= len; j += 4) {
          families.push({
            afi: v.readUInt16BE(j),
            safi: v[j + 2] as number,
            forwardingPreserved: ((v[j + 3] as number) & 0x80) !== 0,
          });
        }
        caps.gracefulRestart = {
          restarting: (word & 0x8000) !== 0,
          notification: (word & 0x4000) !== 0,
          restartTimeSec: word & 0xfff,
          families,
        };
        break;
      }
      case CapabilityCode.AddPath:
        if (len % 4 !== 0) throw openError('bad ADD-PATH capability length', 0);
        for (let j = 0; j < len; j += 4) {
          caps.addPath.push({
            afi: v.readUInt16BE(j),
            safi: v[j + 2] as number,
            sendReceive: v[j + 3] as number,
          });
        }
        break;
      default:
        // RFC 5492 §3: an unrecognised capability is ignored.
        caps.unknown.push({ code, value: Uint8Array.from(v) });
    }
  }
}
