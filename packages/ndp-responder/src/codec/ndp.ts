import type { Mac } from '@ironlb/raw-link';
import { EtherType, RawLinkError, decodeEthernet, encodeEthernet } from '@ironlb/raw-link';
import { NdpError, NdpErrorCode } from '../errors.js';

/** ICMPv6 types of Neighbor Discovery used here (RFC 4861 §4.3, §4.4). Append-only. */
export const IcmpV6Type = {
  NeighborSolicitation: 135,
  NeighborAdvertisement: 136,
} as const;

/** NDP option types (RFC 4861 §4.6, RFC 7527 §4). Append-only. */
export const NdpOptionType = {
  SourceLinkLayerAddress: 1,
  TargetLinkLayerAddress: 2,
  Nonce: 14,
} as const;

/** NA flag bits in the first byte after the checksum (RFC 4861 §4.4). Append-only. */
export const NaFlag = {
  Router: 0x80,
  Solicited: 0x40,
  Override: 0x20,
} as const;

export const IPV6_HEADER_LEN = 40;
export const IPPROTO_ICMPV6 = 58;
/** RFC 4861 §7.1: NDP messages are sent and must be received with hop limit 255 (on-link proof). */
export const NDP_HOP_LIMIT = 255;

/** One NDP option; `data` excludes the type and length bytes and includes any padding. */
export interface NdpOption {
  type: number;
  data: Uint8Array;
}

export interface NeighborSolicitation {
  kind: 'ns';
  target: Uint8Array;
  options: NdpOption[];
}

export interface NeighborAdvertisement {
  kind: 'na';
  router: boolean;
  solicited: boolean;
  override: boolean;
  target: Uint8Array;
  options: NdpOption[];
}

export type NdpMessage = NeighborSolicitation | NeighborAdvertisement;

/** An NS/NA with the IPv6 and Ethernet headers it travelled in. */
export interface NdpPacket {
  dstMac: Mac;
  srcMac: Mac;
  vlanId?: number;
  /** IPv6 source (16 bytes). */
  src: Uint8Array;
  /** IPv6 destination (16 bytes). */
  dst: Uint8Array;
  hopLimit: number;
  message: NdpMessage;
}

const isUnspecified = (a: Uint8Array) => a.every((b) => b === 0);
const isLoopback = (a: Uint8Array) => a[15] === 1 && a.subarray(0, 15).every((b) => b === 0);
const isMulticast = (a: Uint8Array) => a[0] === 0xff;

/** RFC 4291 §2.7.1: ff02::1:ffXX:XXXX, the low 24 bits of the address. */
export function solicitedNodeGroup(address: Uint8Array): Uint8Array {
  const g = new Uint8Array(16);
  g[0] = 0xff;
  g[1] = 0x02;
  g[11] = 0x01;
  g[12] = 0xff;
  g.set(address.subarray(13, 16), 13);
  return g;
}

/** ff02::1, all nodes (RFC 4291 §2.7.1). */
export const ALL_NODES: Uint8Array = Uint8Array.of(
  0xff,
  2,
  0,
  0,
  0,
  0,
  0,
  0,
  0,
  0,
  0,
  0,
  0,
  0,
  0,
  1,
);

/** The link-layer address carried by an option of `type`, if any (first occurrence, RFC 4861 §4.6.1). */
export function linkLayerOption(options: readonly NdpOption[], type: number): Mac | undefined {
  const o = options.find((x) => x.type === type);
  return o && o.data.length >= 6 ? o.data.subarray(0, 6) : undefined;
}

/** RFC 4443 §2.3 checksum over the RFC 8200 §8.1 pseudo-header and the ICMPv6 message. */
export function icmpv6Checksum(src: Uint8Array, dst: Uint8Array, icmp: Uint8Array): number {
  let sum = 0;
  const add16 = (b: Uint8Array, len: number) => {
    for (let i = 0; i + 1 < len; i += 2) sum += ((b[i] ?? 0) << 8) | (b[i + 1] ?? 0);
    if (len & 1) sum += (b[len - 1] ?? 0) << 8;
  };
  add16(src, 16);
  add16(dst, 16);
  sum += (icmp.length >>> 16) + (icmp.length & 0xffff);
  sum += IPPROTO_ICMPV6;
  add16(icmp, icmp.length);
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return ~sum & 0xffff;
}

function decodeOptions(b: Uint8Array): NdpOption[] {
  const out: NdpOption[] = [];
  let i = 0;
  while (i < b.length) {
    if (i + 2 > b.length)
      throw new NdpError(NdpErrorCode.Truncated, 'NDP option header truncated', { offset: i });
    const type = b[i] ?? 0;
    const len = (b[i + 1] ?? 0) * 8;
    // RFC 4861 §4.6: a length of 0 is invalid and the whole packet must be discarded.
    if (len === 0)
      throw new NdpError(NdpErrorCode.Invalid, 'NDP option with length 0', { offset: i, type });
    if (i + len > b.length)
      throw new NdpError(NdpErrorCode.Truncated, 'NDP option truncated', { offset: i, type });
    out.push({ type, data: b.subarray(i + 2, i + len) });
    i += len;
  }
  return out;
}

function encodeOptions(options: readonly NdpOption[]): Uint8Array {
  const parts = options.map((o) => {
    const len = Math.ceil((o.data.length + 2) / 8) * 8;
    const p = new Uint8Array(len);
    p[0] = o.type;
    p[1] = len / 8;
    p.set(o.data, 2);
    return p;
  });
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let i = 0;
  for (const p of parts) {
    out.set(p, i);
    i += p.length;
  }
  return out;
}

/**
 * Decodes an Ethernet frame carrying an IPv6 Neighbor Solicitation or Advertisement and applies
 * the validity checks of RFC 4861 §7.1.1 / §7.1.2 that do not need interface state: hop limit 255,
 * correct checksum, code 0, ICMP length ≥ 24, target not multicast, no zero-length option, and a
 * source that is neither multicast nor loopback (RFC 4291 §2.7, §2.5.3, as the kernel); for NS
 * from :: the destination is a solicited-node group and there is no SLLA option; for an NA to a
 * multicast destination S is 0. Only NdpError escapes (fuzzed).
 */
export function decodeNdpFrame(frame: Uint8Array): NdpPacket {
  let eth;
  try {
    eth = decodeEthernet(frame);
  } catch (e) {
    if (e instanceof RawLinkError)
      throw new NdpError(NdpErrorCode.Truncated, e.message, { ...e.details }, { cause: e });
    throw e;
  }
  if (eth.etherType !== EtherType.IPv6)
    throw new NdpError(NdpErrorCode.NotNdp, 'not IPv6', { etherType: eth.etherType });
  const ip = eth.payload;
  if (ip.length < IPV6_HEADER_LEN)
    throw new NdpError(NdpErrorCode.Truncated, 'IPv6 header truncated', { length: ip.length });
  if ((ip[0] ?? 0) >> 4 !== 6)
    throw new NdpError(NdpErrorCode.NotNdp, 'IP version is not 6', { version: (ip[0] ?? 0) >> 4 });
  const payloadLen = ((ip[4] ?? 0) << 8) | (ip[5] ?? 0);
  const nextHeader = ip[6] ?? 0;
  const hopLimit = ip[7] ?? 0;
  if (nextHeader !== IPPROTO_ICMPV6)
    throw new NdpError(NdpErrorCode.NotNdp, 'not ICMPv6', { nextHeader });
  if (IPV6_HEADER_LEN + payloadLen > ip.length)
    throw new NdpError(NdpErrorCode.Truncated, 'IPv6 payload truncated', {
      payloadLen,
      have: ip.length - IPV6_HEADER_LEN,
    });
  const src = ip.subarray(8, 24);
  const dst = ip.subarray(24, 40);
  const icmp = ip.subarray(IPV6_HEADER_LEN, IPV6_HEADER_LEN + payloadLen);
  if (icmp.length < 4)
    throw new NdpError(NdpErrorCode.Truncated, 'ICMPv6 header truncated', { length: icmp.length });
  const type = icmp[0] ?? 0;
  if (type !== IcmpV6Type.NeighborSolicitation && type !== IcmpV6Type.NeighborAdvertisement)
    throw new NdpError(NdpErrorCode.NotNdp, `ICMPv6 type ${type} is not NS/NA`, { type });
  // Sources no packet from another node may carry; the kernel drops these before NDP sees them
  // (net/ipv6/ip6_input.c ip6_rcv_core), so answering would differ from every other host (issue 14).
  if (isMulticast(src))
    throw new NdpError(NdpErrorCode.Invalid, 'source address is multicast (RFC 4291 §2.7)', {});
  if (isLoopback(src))
    throw new NdpError(NdpErrorCode.Invalid, 'source address is ::1 (RFC 4291 §2.5.3)', {});
  if (hopLimit !== NDP_HOP_LIMIT)
    throw new NdpError(NdpErrorCode.Invalid, 'hop limit is not 255', { hopLimit });
  if ((icmp[1] ?? 0) !== 0)
    throw new NdpError(NdpErrorCode.Invalid, 'ICMPv6 code is not 0', { code: icmp[1] });
  if (icmp.length < 24)
    throw new NdpError(NdpErrorCode.Truncated, 'NS/NA shorter than 24 bytes', {
      length: icmp.length,
    });
  if (icmpv6Checksum(src, dst, icmp) !== 0)
    throw new NdpError(NdpErrorCode.Invalid, 'bad ICMPv6 checksum', {});
  const target = icmp.subarray(8, 24);
  if (isMulticast(target)) throw new NdpError(NdpErrorCode.Invalid, 'target is multicast', {});
  const options = decodeOptions(icmp.subarray(24));
  let message: NdpMessage;
  if (type === IcmpV6Type.NeighborSolicitation) {
    if (isUnspecified(src)) {
      const g = solicitedNodeGroup(target);
      if (!g.every((b, i) => b === dst[i]))
        throw new NdpError(NdpErrorCode.Invalid, 'DAD NS not sent to the solicited-node group', {});
      if (linkLayerOption(options, NdpOptionType.SourceLinkLayerAddress))
        throw new NdpError(NdpErrorCode.Invalid, 'DAD NS carries a source link-layer option', {});
    }
    message = { kind: 'ns', target, options };
  } else {
    const flags = icmp[4] ?? 0;
    const solicited = (flags & NaFlag.Solicited) !== 0;
    if (solicited && isMulticast(dst))
      throw new NdpError(NdpErrorCode.Invalid, 'solicited NA to a multicast address', {});
    message = {
      kind: 'na',
      router: (flags & NaFlag.Router) !== 0,
      solicited,
      override: (flags & NaFlag.Override) !== 0,
      target,
      options,
    };
  }
  const out: NdpPacket = { dstMac: eth.dst, srcMac: eth.src, src, dst, hopLimit, message };
  if (eth.vlanId !== undefined) out.vlanId = eth.vlanId;
  return out;
}

/** Encodes the ICMPv6 message (checksum filled in for the given addresses). */
export function encodeNdpMessage(src: Uint8Array, dst: Uint8Array, m: NdpMessage): Uint8Array {
  const opts = encodeOptions(m.options);
  const icmp = new Uint8Array(24 + opts.length);
  icmp[0] = m.kind === 'ns' ? IcmpV6Type.NeighborSolicitation : IcmpV6Type.NeighborAdvertisement;
  if (m.kind === 'na')
    icmp[4] =
      (m.router ? NaFlag.Router : 0) |
      (m.solicited ? NaFlag.Solicited : 0) |
      (m.override ? NaFlag.Override : 0);
  icmp.set(m.target.subarray(0, 16), 8);
  icmp.set(opts, 24);
  const sum = icmpv6Checksum(src, dst, icmp);
  icmp[2] = sum >> 8;
  icmp[3] = sum & 0xff;
  return icmp;
}

/** Encodes Ethernet + IPv6 (hop limit 255 unless given) + NS/NA. */
export function encodeNdpFrame(
  p: Omit<NdpPacket, 'hopLimit' | 'vlanId'> & { hopLimit?: number },
): Uint8Array {
  const icmp = encodeNdpMessage(p.src, p.dst, p.message);
  const ip = new Uint8Array(IPV6_HEADER_LEN + icmp.length);
  ip[0] = 0x60;
  ip[4] = icmp.length >> 8;
  ip[5] = icmp.length & 0xff;
  ip[6] = IPPROTO_ICMPV6;
  ip[7] = p.hopLimit ?? NDP_HOP_LIMIT;
  ip.set(p.src.subarray(0, 16), 8);
  ip.set(p.dst.subarray(0, 16), 24);
  ip.set(icmp, IPV6_HEADER_LEN);
  return encodeEthernet(p.dstMac, p.srcMac, EtherType.IPv6, ip);
}
