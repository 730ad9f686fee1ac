import type { Mac } from '@ironlb/raw-link';
import { BROADCAST_MAC, ZERO_MAC, parseIPv4, parseMac } from '@ironlb/raw-link';
import { ArpOp, encodeArpFrame } from '../codec/arp.js';

/** An ARP request as a client would send it (broadcast unless `dstMac` is given). */
export function arpRequestFrame(opts: {
  fromMac: string;
  fromIp: string;
  targetIp: string;
  dstMac?: string;
}): Uint8Array {
  const src: Mac = parseMac(opts.fromMac);
  return encodeArpFrame(opts.dstMac ? parseMac(opts.dstMac) : BROADCAST_MAC, src, {
    op: ArpOp.Request,
    senderMac: src,
    senderIp: parseIPv4(opts.fromIp),
    targetMac: ZERO_MAC,
    targetIp: parseIPv4(opts.targetIp),
  });
}
