import type { Mac } from '@ironlb/raw-link';
import {
  BROADCAST_MAC,
  EtherType,
  RawLinkError,
  decodeEthernet,
  encodeEthernet,
} from '@ironlb/raw-link';
import { ArpError, ArpErrorCode } from '../errors.js';

/** ARP operation codes (RFC 826). Append-only. */
export const ArpOp = {
  Request: 1,
  Reply: 2,
} as const;
export type ArpOp = (typeof ArpOp)[keyof typeof ArpOp];

/** RFC 826 hardware type for Ethernet. */
export const ARP_HTYPE_ETHERNET = 1;
/** Length of an Ethernet/IPv4 ARP body. */
export const ARP_PACKET_LEN = 28;

/** An Ethernet/IPv4 ARP packet. Byte fields are views into the input when decoded. */
export interface ArpPacket {
  op: ArpOp;
  senderMac: Mac;
  /** 4 bytes. */
  senderIp: Uint8Array;
  targetMac: Mac;
  /** 4 bytes. */
  targetIp: Uint8Array;
}

/** An ARP packet with the Ethernet addresses it travelled with. */
export interface ArpFrame {
  dst: Mac;
  src: Mac;
  /** Present when the frame was 802.1Q-tagged. */
  vlanId?: number;
  arp: ArpPacket;
}

/**
 * Decodes an ARP body (RFC 826). Only Ethernet (HTYPE 1, HLEN 6) over IPv4 (PTYPE 0x0800, PLEN 4)
 * with OPER request/reply is accepted; trailing padding is ignored. Throws ArpError.
 */
export function decodeArp(body: Uint8Array): ArpPacket {
  if (body.length < 8)
    throw new ArpError(ArpErrorCode.Truncated, 'ARP header truncated', { length: body.length });
  const htype = ((body[0] ?? 0) << 8) | (body[1] ?? 0);
  const ptype = ((body[2] ?? 0) << 8) | (body[3] ?? 0);
  const hlen = body[4] ?? 0;
  const plen = body[5] ?? 0;
  const op = ((body[6] ?? 0) << 8) | (body[7] ?? 0);
  if (htype !== ARP_HTYPE_ETHERNET || ptype !== EtherType.IPv4 || hlen !== 6 || plen !== 4)
    throw new ArpError(ArpErrorCode.Unsupported, 'not an Ethernet/IPv4 ARP packet', {
      htype,
      ptype,
      hlen,
      plen,
    });
  if (op !== ArpOp.Request && op !== ArpOp.Reply)
    throw new ArpError(ArpErrorCode.Unsupported, `unsupported ARP operation ${op}`, { op });
  if (body.length < ARP_PACKET_LEN)
    throw new ArpError(ArpErrorCode.Truncated, 'ARP body truncated', { length: body.length });
  return {
    op,
    senderMac: body.subarray(8, 14),
    senderIp: body.subarray(14, 18),
    targetMac: body.subarray(18, 24),
    targetIp: body.subarray(24, 28),
  };
}

export function encodeArp(p: ArpPacket): Uint8Array {
  const out = new Uint8Array(ARP_PACKET_LEN);
  out[1] = ARP_HTYPE_ETHERNET;
  out[2] = EtherType.IPv4 >> 8;
  out[4] = 6;
  out[5] = 4;
  out[7] = p.op;
  out.set(p.senderMac.subarray(0, 6), 8);
  out.set(p.senderIp.subarray(0, 4), 14);
  out.set(p.targetMac.subarray(0, 6), 18);
  out.set(p.targetIp.subarray(0, 4), 24);
  return out;
}

/** Decodes a whole Ethernet frame carrying ARP. Only ArpError escapes (fuzzed). */
export function decodeArpFrame(frame: Uint8Array): ArpFrame {
  let eth;
  try {
    eth = decodeEthernet(frame);
  } catch (e) {
    if (e instanceof RawLinkError)
      throw new ArpError(ArpErrorCode.Truncated, e.message, { ...e.details }, { cause: e });
    throw e;
  }
  if (eth.etherType !== EtherType.ARP)
    throw new ArpError(ArpErrorCode.NotArp, 'not an ARP frame', { etherType: eth.etherType });
  const out: ArpFrame = { dst: eth.dst, src: eth.src, arp: decodeArp(eth.payload) };
  if (eth.vlanId !== undefined) out.vlanId = eth.vlanId;
  return out;
}

/** Encodes an ARP packet in an Ethernet frame padded to 60 bytes. */
export function encodeArpFrame(dst: Mac, src: Mac, p: ArpPacket): Uint8Array {
  return encodeEthernet(dst, src, EtherType.ARP, encodeArp(p));
}

/**
 * The reply to `request` for `ip` (RFC 826 "Packet Reception"): unicast to the requester with our
 * MAC as sender, the requested address as SPA, and the requester as target.
 */
export function buildArpReply(ourMac: Mac, request: ArpPacket): Uint8Array {
  return encodeArpFrame(request.senderMac, ourMac, {
    op: ArpOp.Reply,
    senderMac: ourMac,
    senderIp: request.targetIp,
    targetMac: request.senderMac,
    targetIp: request.senderIp,
  });
}

/**
 * One gratuitous round as MetalLB sends it (internal/layer2/arp.go): a request and a reply, both
 * to ff:ff:ff:ff:ff:ff with SPA = TPA = the address and THA = broadcast. Hosts with arp_accept=0
 * update an existing entry from either form; some devices only honour one of them.
 */
export function buildGratuitousArp(ourMac: Mac, ip: Uint8Array): [Uint8Array, Uint8Array] {
  const base = { senderMac: ourMac, senderIp: ip, targetMac: BROADCAST_MAC, targetIp: ip };
  return [
    encodeArpFrame(BROADCAST_MAC, ourMac, { op: ArpOp.Request, ...base }),
    encodeArpFrame(BROADCAST_MAC, ourMac, { op: ArpOp.Reply, ...base }),
  ];
}
