import { RawLinkError, RawLinkErrorCode } from '../errors.js';
import type { Mac } from './mac.js';

/** EtherType values used by IronLB. Append-only. */
export const EtherType = {
  IPv4: 0x0800,
  ARP: 0x0806,
  VLAN: 0x8100,
  IPv6: 0x86dd,
} as const;
export type EtherType = (typeof EtherType)[keyof typeof EtherType];

export const ETHERNET_HEADER_LEN = 14;
/** IEEE 802.3 minimum frame size without the FCS (the NIC appends the 4-byte FCS). */
export const ETHERNET_MIN_FRAME_LEN = 60;

/** A decoded Ethernet II header. `payload` is a view into the input, not a copy. */
export interface EthernetFrame {
  dst: Mac;
  src: Mac;
  /** EtherType of the payload (after any 802.1Q tag). */
  etherType: number;
  /** 802.1Q VLAN id when the frame carried a tag; responders ignore tagged frames. */
  vlanId?: number;
  payload: Uint8Array;
}

/**
 * Decodes an Ethernet II header (with at most one 802.1Q tag). The payload keeps any trailing
 * padding: the protocol codec knows its own length. Throws RawLinkError TRUNCATED.
 */
export function decodeEthernet(frame: Uint8Array): EthernetFrame {
  if (frame.length < ETHERNET_HEADER_LEN)
    throw new RawLinkError(RawLinkErrorCode.Truncated, 'frame shorter than an Ethernet header', {
      length: frame.length,
    });
  let etherType = ((frame[12] ?? 0) << 8) | (frame[13] ?? 0);
  let offset = ETHERNET_HEADER_LEN;
  let vlanId: number | undefined;
  if (etherType === EtherType.VLAN) {
    if (frame.length < ETHERNET_HEADER_LEN + 4)
      throw new RawLinkError(RawLinkErrorCode.Truncated, 'frame shorter than an 802.1Q header', {
        length: frame.length,
      });
    vlanId = (((frame[14] ?? 0) << 8) | (frame[15] ?? 0)) & 0x0fff;
    etherType = ((frame[16] ?? 0) << 8) | (frame[17] ?? 0);
    offset += 4;
  }
  const out: EthernetFrame = {
    dst: frame.subarray(0, 6),
    src: frame.subarray(6, 12),
    etherType,
    payload: frame.subarray(offset),
  };
  if (vlanId !== undefined) out.vlanId = vlanId;
  return out;
}

/**
 * Encodes an untagged Ethernet II frame, zero-padded to the 60-byte minimum (IEEE 802.3; the
 * kernel does not pad frames injected through a packet socket on veth, and RFC 826 receivers on
 * real NICs would drop runts).
 */
export function encodeEthernet(
  dst: Mac,
  src: Mac,
  etherType: number,
  payload: Uint8Array,
): Uint8Array {
  const len = Math.max(ETHERNET_MIN_FRAME_LEN, ETHERNET_HEADER_LEN + payload.length);
  const out = new Uint8Array(len);
  out.set(dst.subarray(0, 6), 0);
  out.set(src.subarray(0, 6), 6);
  out[12] = (etherType >> 8) & 0xff;
  out[13] = etherType & 0xff;
  out.set(payload, ETHERNET_HEADER_LEN);
  return out;
}
