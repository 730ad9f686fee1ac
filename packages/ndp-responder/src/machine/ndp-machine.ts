import type {
  AnnounceOptions,
  AnnounceState,
  L2Action,
  L2MachineState,
  L2Protocol,
  Mac,
} from '@ironlb/raw-link';
import {
  RawLinkError,
  announcingProtocol,
  formatIPv6,
  formatMac,
  ipv6MulticastMac,
  isMulticastMac,
  macEquals,
  parseIPv6,
} from '@ironlb/raw-link';
import { isIPv6 } from 'node:net';
import type { NdpPacket, NeighborSolicitation } from '../codec/ndp.js';
import {
  ALL_NODES,
  NdpOptionType,
  decodeNdpFrame,
  encodeNdpFrame,
  linkLayerOption,
  solicitedNodeGroup,
} from '../codec/ndp.js';
import { NdpError, NdpErrorCode } from '../errors.js';

export interface NdpState extends L2MachineState {
  readonly announce: AnnounceState;
}

export interface NdpMachineContext {
  iface: string;
  mac: Mac;
  announce?: Partial<AnnounceOptions>;
}

/**
 * Kernel filter: ICMPv6 NS (135) and NA (136) without extension headers (RFC 4861 messages never
 * carry any in practice), not sent by this host.
 */
export function ndpFilter(mac: Mac): string {
  return `icmp6 and ip6[6] = 58 and (ip6[40] = 135 or ip6[40] = 136) and not ether src ${formatMac(mac)}`;
}

/** Validates and canonicalises an IPv6 unicast address. Throws NdpError INVALID_ADDRESS. */
export function canonicalIPv6(address: string): string {
  if (!isIPv6(address) || address.includes('%'))
    throw new NdpError(NdpErrorCode.InvalidAddress, `not an IPv6 address: ${address}`, { address });
  let bytes: Uint8Array;
  try {
    bytes = parseIPv6(address);
  } catch (e) {
    if (e instanceof RawLinkError)
      throw new NdpError(NdpErrorCode.InvalidAddress, e.message, { address }, { cause: e });
    throw e;
  }
  if (bytes[0] === 0xff || bytes.every((b) => b === 0))
    throw new NdpError(NdpErrorCode.InvalidAddress, `not a unicast address: ${address}`, {
      address,
    });
  return formatIPv6(bytes);
}

const eq16 = (a: Uint8Array, b: Uint8Array) => {
  for (let i = 0; i < 16; i++) if (a[i] !== b[i]) return false;
  return true;
};

/**
 * Builds a Neighbor Advertisement for `target` from us. Source address = the target itself, as the
 * Linux kernel does for its own addresses (see fixtures/kernel-na.hex); Target LLA = our MAC.
 */
export function buildAdvertisement(
  mac: Mac,
  target: Uint8Array,
  to: { ip: Uint8Array; mac: Mac },
  flags: { solicited: boolean; override: boolean },
): Uint8Array {
  return encodeNdpFrame({
    dstMac: to.mac,
    srcMac: mac,
    src: target,
    dst: to.ip,
    message: {
      kind: 'na',
      router: false,
      solicited: flags.solicited,
      override: flags.override,
      target,
      options: [{ type: NdpOptionType.TargetLinkLayerAddress, data: mac }],
    },
  });
}

/** An unsolicited NA (RFC 4861 §7.2.6): to ff02::1, S=0, O=1, Target LLA = our MAC. */
export function buildUnsolicitedAdvertisement(mac: Mac, target: Uint8Array): Uint8Array {
  return buildAdvertisement(
    mac,
    target,
    { ip: ALL_NODES, mac: ipv6MulticastMac(ALL_NODES) },
    { solicited: false, override: true },
  );
}

/**
 * The pure NDP responder machine for one interface. Decisions:
 * - answer an NS whose target is announced, sent either to the target's solicited-node group or
 *   unicast to the target (a NUD probe, RFC 4861 §7.3.1) — with or without a Source Link-Layer
 *   option. Without one (Juniper's unicast probes) we answer to the frame's Ethernet source, which
 *   MetalLB does not (its #2920: 30-minute drops);
 * - solicited NA: S=1 and O=1 (RFC 4861 §7.2.4: O SHOULD be set unless proxying or anycast; we own
 *   the address, and O=1 lets a takeover replace a stale cached MAC). MetalLB sends O=0;
 * - an NS from :: (DAD, RFC 4862 §5.4) for our address means another host wants it: report a
 *   conflict and defend with an NA to ff02::1, S=0 (RFC 4861 §7.2.4);
 * - an NA for our address from another MAC is a conflict (MetalLB #740, #968);
 * - frames from our own MAC, VLAN-tagged frames and invalid messages are ignored.
 */
export function ndpProtocol(ctx: NdpMachineContext): L2Protocol<NdpState> {
  const { mac, iface } = ctx;
  const macText = formatMac(mac);

  const onSolicitation = (
    state: L2MachineState,
    p: NdpPacket,
    ns: NeighborSolicitation,
  ): L2Action[] => {
    const address = formatIPv6(ns.target);
    if (!state.announce.addresses.has(address)) return [];
    const toTarget = eq16(p.dst, ns.target);
    if (!toTarget && !eq16(p.dst, solicitedNodeGroup(ns.target))) return [];
    // Promiscuous capture sees unicast frames meant for other stations: answer only frames for us.
    if (!isMulticastMac(p.dstMac) && !macEquals(p.dstMac, mac)) return [];
    const slla = linkLayerOption(ns.options, NdpOptionType.SourceLinkLayerAddress);
    const senderMac = formatMac(slla ?? p.srcMac);
    const dad = p.src.every((b) => b === 0);
    const senderIp = formatIPv6(p.src);
    // Replies go before events: event consumers (the CLI writes JSON lines) must not delay them.
    const request: L2Action = {
      type: 'event',
      event: { type: 'request', iface, address, senderMac, senderIp },
    };
    const actions: L2Action[] = [];
    if (dad) {
      actions.push({ type: 'send', frame: buildUnsolicitedAdvertisement(mac, ns.target) }, request);
      actions.push({
        type: 'event',
        event: {
          type: 'conflict',
          iface,
          address,
          mac: macText,
          otherMac: senderMac,
          kind: 'probe',
        },
      });
      actions.push({
        type: 'event',
        event: {
          type: 'reply',
          iface,
          address,
          mac: macText,
          toMac: '33:33:00:00:00:01',
          toIp: 'ff02::1',
        },
      });
      return actions;
    }
    const toMac = slla ?? p.srcMac;
    actions.push(
      {
        type: 'send',
        frame: buildAdvertisement(
          mac,
          ns.target,
          { ip: p.src, mac: toMac },
          { solicited: true, override: true },
        ),
      },
      request,
    );
    actions.push({
      type: 'event',
      event: {
        type: 'reply',
        iface,
        address,
        mac: macText,
        toMac: formatMac(toMac),
        toIp: senderIp,
      },
    });
    return actions;
  };

  const onFrame = (state: L2MachineState, frame: Uint8Array): L2Action[] => {
    // Cheap pre-filter on fixed offsets before the full decode (which verifies the checksum and
    // builds views): untagged IPv6, next header ICMPv6, type NS/NA, target announced. Everything
    // else — most solicitations on a busy segment are for other hosts — costs a few byte reads.
    if (frame.length < 78 || frame[12] !== 0x86 || frame[13] !== 0xdd || frame[20] !== 58)
      return [];
    if (frame[54] !== 135 && frame[54] !== 136) return [];
    if (!state.announce.addresses.has(formatIPv6(frame, 62))) return [];
    let p: NdpPacket;
    try {
      p = decodeNdpFrame(frame);
    } catch (e) {
      if (e instanceof NdpError) return [];
      throw e;
    }
    if (p.vlanId !== undefined || macEquals(p.srcMac, mac)) return [];
    const m = p.message;
    if (m.kind === 'ns') return onSolicitation(state, p, m);
    const address = formatIPv6(m.target);
    if (!state.announce.addresses.has(address)) return [];
    const tlla = linkLayerOption(m.options, NdpOptionType.TargetLinkLayerAddress) ?? p.srcMac;
    if (macEquals(tlla, mac)) return [];
    return [
      {
        type: 'event',
        event: {
          type: 'conflict',
          iface,
          address,
          mac: macText,
          otherMac: formatMac(tlla),
          kind: m.solicited ? 'reply' : 'announcement',
        },
      },
    ];
  };

  return announcingProtocol({
    name: 'ndp',
    iface,
    mac,
    announce: ctx.announce,
    canonical: canonicalIPv6,
    filter: () => ndpFilter(mac),
    onFrame,
    announcementFrames: (address) => [buildUnsolicitedAdvertisement(mac, parseIPv6(address))],
  });
}
