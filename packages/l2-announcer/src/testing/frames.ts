import { buildGratuitousArp } from '@ironlb/arp-responder';
import { buildUnsolicitedAdvertisement } from '@ironlb/ndp-responder';
import { parseIPv4, parseIPv6, parseMac } from '@ironlb/raw-link';

/**
 * Another node announcing `ip` from `fromMac`, as it does when it takes the address over: the
 * request form of a gratuitous ARP (IPv4) or an unsolicited Neighbor Advertisement (IPv6).
 */
export function announcementFrame(opts: { fromMac: string; ip: string }): Uint8Array {
  const mac = parseMac(opts.fromMac);
  return opts.ip.includes(':')
    ? buildUnsolicitedAdvertisement(mac, parseIPv6(opts.ip))
    : buildGratuitousArp(mac, parseIPv4(opts.ip))[0];
}
