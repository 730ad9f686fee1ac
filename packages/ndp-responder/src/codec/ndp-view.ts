import type { Mac } from '@ironlb/raw-link';
import { NDP_HOP_LIMIT, NaFlag, NdpOptionType } from './ndp.js';

/**
 * Allocation-free reading of an untagged Ethernet + IPv6 (no extension header) + Neighbor
 * Solicitation, and the solicited advertisement written straight from its bytes: the responder's
 * hot path. On a cold cache the full decoder (eight views, an options array, a checksum over
 * copies) and the generic encoder measured ~100 µs per answer in the namespace benchmark; these
 * touch only bytes. They accept exactly the solicitations `decodeNdpFrame` accepts without a VLAN
 * tag, and the advertisement is byte-identical to `buildAdvertisement` (property tests check both).
 */
export const NdpOffset = {
  dstMac: 0,
  srcMac: 6,
  payloadLength: 18,
  nextHeader: 20,
  hopLimit: 21,
  src: 22,
  dst: 38,
  icmp: 54,
  target: 62,
  options: 78,
} as const;

/** What {@link checkSolicitation} found in a valid solicitation. */
export interface SolicitationView {
  /** Offset of the Source Link-Layer option's address, or -1 without one. */
  sllaAt: number;
  /** From the unspecified address (duplicate address detection, RFC 4862 §5.4). */
  dad: boolean;
  /** Sent to the target's own address (a NUD probe), not to its solicited-node group. */
  toTarget: boolean;
}

const isZero = (f: Uint8Array, at: number, n: number) => {
  for (let i = 0; i < n; i++) if (f[at + i] !== 0) return false;
  return true;
};

/**
 * Validates a Neighbor Solicitation frame as `decodeNdpFrame` does (RFC 4861 §7.1.1; RFC 4291
 * source rules) and returns where its parts are, or undefined when it is not a valid NS.
 */
export function checkSolicitation(f: Uint8Array): SolicitationView | undefined {
  if (f.length < NdpOffset.options) return undefined;
  if (f[12] !== 0x86 || f[13] !== 0xdd || (f[14] ?? 0) >> 4 !== 6) return undefined;
  if (f[NdpOffset.nextHeader] !== 58 || f[NdpOffset.icmp] !== 135) return undefined;
  const len = ((f[NdpOffset.payloadLength] ?? 0) << 8) | (f[NdpOffset.payloadLength + 1] ?? 0);
  if (len < 24 || NdpOffset.icmp + len > f.length) return undefined;
  const src = NdpOffset.src;
  if (f[src] === 0xff) return undefined; // multicast source, RFC 4291 §2.7
  if (f[src + 15] === 1 && isZero(f, src, 15)) return undefined; // ::1, RFC 4291 §2.5.3
  if (f[NdpOffset.hopLimit] !== NDP_HOP_LIMIT || f[NdpOffset.icmp + 1] !== 0) return undefined;
  if (f[NdpOffset.target] === 0xff) return undefined; // multicast target
  if (checksum(f, len) !== 0) return undefined;
  let sllaAt = -1;
  const end = NdpOffset.icmp + len;
  for (let i = NdpOffset.options; i < end;) {
    if (i + 2 > end) return undefined;
    const optLen = (f[i + 1] ?? 0) * 8;
    if (optLen === 0 || i + optLen > end) return undefined;
    if (f[i] === NdpOptionType.SourceLinkLayerAddress && sllaAt < 0 && optLen >= 8) sllaAt = i + 2;
    i += optLen;
  }
  const dad = isZero(f, src, 16);
  const dst = NdpOffset.dst;
  let toTarget = true;
  for (let i = 0; i < 16; i++)
    if (f[dst + i] !== f[NdpOffset.target + i]) {
      toTarget = false;
      break;
    }
  if (dad) {
    // To the solicited-node group of the target (ff02::1:ffXX:XXXX), and without SLLA.
    const group =
      f[dst] === 0xff &&
      f[dst + 1] === 0x02 &&
      isZero(f, dst + 2, 9) &&
      f[dst + 11] === 0x01 &&
      f[dst + 12] === 0xff &&
      f[dst + 13] === f[NdpOffset.target + 13] &&
      f[dst + 14] === f[NdpOffset.target + 14] &&
      f[dst + 15] === f[NdpOffset.target + 15];
    if (!group || sllaAt >= 0) return undefined;
  }
  return { sllaAt, dad, toTarget };
}

/** Whether the destination is the target's solicited-node group (RFC 4291 §2.7.1). */
export function toSolicitedNodeGroup(f: Uint8Array): boolean {
  const dst = NdpOffset.dst;
  return (
    f[dst] === 0xff &&
    f[dst + 1] === 0x02 &&
    isZero(f, dst + 2, 9) &&
    f[dst + 11] === 0x01 &&
    f[dst + 12] === 0xff &&
    f[dst + 13] === f[NdpOffset.target + 13] &&
    f[dst + 14] === f[NdpOffset.target + 14] &&
    f[dst + 15] === f[NdpOffset.target + 15]
  );
}

/** RFC 4443 §2.3 over the pseudo-header (RFC 8200 §8.1) and `len` ICMPv6 bytes; 0 when valid. */
function checksum(f: Uint8Array, len: number): number {
  let sum = len + 58;
  for (let i = NdpOffset.src; i < NdpOffset.icmp; i += 2)
    sum += ((f[i] ?? 0) << 8) | (f[i + 1] ?? 0);
  const end = NdpOffset.icmp + len;
  let i = NdpOffset.icmp;
  for (; i + 1 < end; i += 2) sum += ((f[i] ?? 0) << 8) | (f[i + 1] ?? 0);
  if (i < end) sum += (f[i] ?? 0) << 8;
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return ~sum & 0xffff;
}

/**
 * The solicited Neighbor Advertisement answering the NS in `f` (RFC 4861 §7.2.4), written from its
 * bytes: to the SLLA (or the frame's Ethernet source when the NS has none, MetalLB #2920) and the
 * NS's source address, from the target address, S=1 O=1, Target LLA = `mac`. 86 bytes.
 */
export function advertisementFromSolicitation(mac: Mac, f: Uint8Array, sllaAt: number): Uint8Array {
  const out = new Uint8Array(86);
  const from = sllaAt >= 0 ? sllaAt : NdpOffset.srcMac;
  for (let i = 0; i < 6; i++) {
    out[i] = f[from + i] ?? 0;
    out[6 + i] = mac[i] ?? 0;
  }
  out[12] = 0x86;
  out[13] = 0xdd;
  out[14] = 0x60;
  out[19] = 32; // payload length: NA (24) + TLLA option (8)
  out[20] = 58;
  out[21] = NDP_HOP_LIMIT;
  for (let i = 0; i < 16; i++) {
    out[22 + i] = f[NdpOffset.target + i] ?? 0; // source = the target (as the kernel does)
    out[38 + i] = f[NdpOffset.src + i] ?? 0; // to the solicitor
    out[62 + i] = f[NdpOffset.target + i] ?? 0;
  }
  out[54] = 136;
  out[58] = NaFlag.Solicited | NaFlag.Override;
  out[78] = NdpOptionType.TargetLinkLayerAddress;
  out[79] = 1;
  for (let i = 0; i < 6; i++) out[80 + i] = mac[i] ?? 0;
  const c = checksum(out, 32);
  out[56] = c >> 8;
  out[57] = c & 0xff;
  return out;
}
