// Finds the link-local address to pair with a global IPv6 next hop. RFC 2545 §3: the next hop
// carries the link-local address too when we share a subnet with the peer, so routers on the link
// can forward to it directly (FRR does this; GoBGP and BIRD accept both forms).
import { networkInterfaces } from 'node:os';
import type { NetworkInterfaceInfo } from 'node:os';
import { parseAddress } from '../codec/prefix.js';

/** Returns the link-local address of the interface holding `local`, when `peer` is on its subnet. */
export function linkLocalFor(
  local: string,
  peer: string,
  interfaces: () => NodeJS.Dict<NetworkInterfaceInfo[]> = networkInterfaces,
): string | undefined {
  let l: Uint8Array;
  let p: Uint8Array;
  try {
    const la = parseAddress(local);
    const pa = parseAddress(peer);
    if (la.family !== 'ipv6' || pa.family !== 'ipv6') return undefined;
    l = la.bytes;
    p = pa.bytes;
  } catch {
    return undefined;
  }
  for (const entries of Object.values(interfaces())) {
    const own = entries?.find(
      (e) => e.family === 'IPv6' && e.cidr && sameBytes(parseAddress(e.address).bytes, l),
    );
    if (!own?.cidr) continue;
    const bits = Number(own.cidr.split('/')[1]);
    if (!samePrefix(l, p, bits)) return undefined;
    return entries
      ?.find((e) => e.family === 'IPv6' && e.address.toLowerCase().startsWith('fe80:'))
      ?.address.split('%')[0];
  }
  return undefined;
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

function samePrefix(a: Uint8Array, b: Uint8Array, bits: number): boolean {
  for (let i = 0; i < a.length && bits > 0; i++, bits -= 8) {
    const mask = bits >= 8 ? 0xff : (0xff00 >> bits) & 0xff;
    if (((a[i] as number) & mask) !== ((b[i] as number) & mask)) return false;
  }
  return true;
}
