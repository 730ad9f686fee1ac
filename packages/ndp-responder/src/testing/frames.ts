import { ipv6MulticastMac, parseIPv6, parseMac } from '@ironlb/raw-link';
import { NdpOptionType, encodeNdpFrame, solicitedNodeGroup } from '../codec/ndp.js';

/**
 * A Neighbor Solicitation as a client sends it: multicast to the target's solicited-node group
 * with a Source LLA option (like ndisc6), or — `unicast: true` — a NUD probe straight to the
 * target and `dstMac`, by default without SLLA (like Juniper, MetalLB #2920). `fromIp: '::'` makes
 * a DAD probe.
 */
export function neighborSolicitationFrame(opts: {
  fromMac: string;
  fromIp: string;
  target: string;
  unicast?: boolean;
  dstMac?: string;
  withSourceLinkLayer?: boolean;
  hopLimit?: number;
}): Uint8Array {
  const target = parseIPv6(opts.target);
  const src = parseIPv6(opts.fromIp);
  const dst = opts.unicast ? target : solicitedNodeGroup(target);
  const fromMac = parseMac(opts.fromMac);
  const dad = src.every((b) => b === 0);
  const withSlla = opts.withSourceLinkLayer ?? (!opts.unicast && !dad);
  return encodeNdpFrame({
    dstMac: opts.unicast ? parseMac(opts.dstMac ?? 'ff:ff:ff:ff:ff:ff') : ipv6MulticastMac(dst),
    srcMac: fromMac,
    src,
    dst,
    ...(opts.hopLimit !== undefined ? { hopLimit: opts.hopLimit } : {}),
    message: {
      kind: 'ns',
      target,
      options: withSlla ? [{ type: NdpOptionType.SourceLinkLayerAddress, data: fromMac }] : [],
    },
  });
}
