import type {
  AnnounceOptions,
  AnnounceState,
  BpfProgram,
  L2Action,
  L2MachineState,
  L2Protocol,
  L2ProtocolFactory,
  Mac,
} from '@ironlb/raw-link';
import {
  BPF_ACCEPT,
  BpfBuilder,
  BpfOp,
  EtherType,
  RawLinkError,
  announcingProtocol,
  emitFrameGuards,
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

/** Beyond this many announced addresses the kernel filter passes every NS/NA (9 instructions each). */
export const NDP_FILTER_MAX_ADDRESSES = 256;

/**
 * The kernel filter (classic BPF) for an NDP responder with MAC `mac` announcing `addresses`:
 * untagged IPv6 whose next header is ICMPv6 (RFC 4861 messages carry no extension headers in
 * practice), type NS (135) or NA (136), and whose target (at the same offset in both) is
 * announced — an NS asks for it, an NA from someone else claims it (a conflict). Never frames for
 * other stations, from our own MAC, or VLAN-tagged. With no address nothing passes; past
 * {@link NDP_FILTER_MAX_ADDRESSES} every NS/NA passes. Invalid messages for our targets still
 * pass, so that the machine can count them (issue 14).
 */
export function ndpFilter(mac: Mac, addresses: readonly string[] = []): BpfProgram {
  const b = new BpfBuilder();
  emitFrameGuards(b, mac, 'drop');
  b.load(BpfOp.LdAbsH, 12)
    .jump(BpfOp.JeqK, EtherType.IPv6, null, 'drop')
    .load(BpfOp.LdAbsB, 20)
    .jump(BpfOp.JeqK, 58, null, 'drop')
    .load(BpfOp.LdAbsB, 54)
    .jump(BpfOp.JeqK, 135, 'ndp', null)
    .jump(BpfOp.JeqK, 136, 'ndp', 'drop')
    .label('ndp')
    .jumpAlways('addresses')
    .label('drop')
    .ret(0)
    .label('addresses');
  if (addresses.length > NDP_FILTER_MAX_ADDRESSES) return b.ret(BPF_ACCEPT).build();
  addresses.forEach((address, i) => {
    const t = parseIPv6(address);
    const view = new DataView(t.buffer, t.byteOffset, 16);
    const next = `next-${i}`;
    for (let w = 0; w < 4; w++) {
      b.load(BpfOp.LdAbsW, 62 + w * 4);
      b.jump(BpfOp.JeqK, view.getUint32(w * 4), null, next);
    }
    b.ret(BPF_ACCEPT).label(next);
  });
  return b.ret(0).build();
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
 * - frames from our own MAC, VLAN-tagged frames and invalid messages are ignored; an invalid NS
 *   for one of our addresses (multicast or loopback source, hop limit ≠ 255, bad checksum, ...)
 *   is counted as ignored, as the kernel ignores it (issue 14).
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
    const targetText = formatIPv6(frame, 62);
    if (!state.announce.addresses.has(targetText)) return [];
    let p: NdpPacket;
    try {
      p = decodeNdpFrame(frame);
    } catch (e) {
      if (!(e instanceof NdpError)) throw e;
      // A solicitation for one of our addresses that fails validation (RFC 4861 §7.1.1, RFC 4291
      // source rules) is ignored, as the kernel ignores it, and counted (issue 14).
      return frame[54] === 135 && e.code !== NdpErrorCode.NotNdp
        ? [{ type: 'ignored', address: targetText, reason: 'invalid' }]
        : [];
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
    etherType: EtherType.IPv6,
    iface,
    mac,
    announce: ctx.announce,
    canonical: canonicalIPv6,
    filter: (addresses) => ndpFilter(mac, addresses),
    onFrame,
    announcementFrames: (address) => [buildUnsolicitedAdvertisement(mac, parseIPv6(address))],
  });
}

/** The NDP machine as {@link createL2Responder} takes it (it learns the MAC when the link opens). */
export function ndpProtocolFactory(
  ctx: Omit<NdpMachineContext, 'mac'>,
): L2ProtocolFactory<NdpState> {
  return { etherType: EtherType.IPv6, create: (mac) => ndpProtocol({ ...ctx, mac }) };
}
