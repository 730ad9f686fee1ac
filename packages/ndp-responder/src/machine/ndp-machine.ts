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
import type { NdpPacket } from '../codec/ndp.js';
import {
  ALL_NODES,
  NdpOptionType,
  decodeNdpFrame,
  encodeNdpFrame,
  linkLayerOption,
} from '../codec/ndp.js';
import {
  NdpOffset,
  advertisementFromSolicitation,
  checkSolicitation,
  toSolicitedNodeGroup,
} from '../codec/ndp-view.js';
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

const word = (b: Uint8Array, at: number): number =>
  ((b[at] ?? 0) * 2 ** 24 +
    ((b[at + 1] ?? 0) << 16) +
    ((b[at + 2] ?? 0) << 8) +
    (b[at + 3] ?? 0)) >>>
  0;

/**
 * The announced set indexed by the last 32 bits of each address, so a frame's target is matched
 * without making text. Memoized per set: the machine's state is immutable.
 */
const targetIndex = new WeakMap<
  ReadonlyMap<string, unknown>,
  Map<number, { bytes: Uint8Array; text: string }[]>
>();

/** The canonical text of the frame's target (offset 62) if it is announced. */
function announcedTarget(set: ReadonlyMap<string, unknown>, frame: Uint8Array): string | undefined {
  let index = targetIndex.get(set);
  if (!index) {
    index = new Map();
    for (const text of set.keys()) {
      const bytes = parseIPv6(text);
      const k = word(bytes, 12);
      index.set(k, [...(index.get(k) ?? []), { bytes, text }]);
    }
    targetIndex.set(set, index);
  }
  const candidates = index.get(word(frame, NdpOffset.target + 12));
  if (!candidates) return undefined;
  outer: for (const c of candidates) {
    for (let i = 0; i < 12; i++) if (c.bytes[i] !== frame[NdpOffset.target + i]) continue outer;
    return c.text;
  }
  return undefined;
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

  /**
   * A Neighbor Solicitation whose target is announced: checked and answered from its bytes
   * (codec/ndp-view.ts), the advertisement made before anything else.
   */
  const onSolicitation = (frame: Uint8Array, address: string): L2Action[] => {
    const v = checkSolicitation(frame);
    // Fails RFC 4861 §7.1.1 or RFC 4291's source rules: ignored as the kernel ignores it, and
    // counted (issue 14).
    if (!v) return [{ type: 'ignored', address, reason: 'invalid' }];
    if (!v.toTarget && !toSolicitedNodeGroup(frame)) return [];
    // A unicast frame for another station's MAC is not ours to answer.
    if (!isMulticastMac(frame, NdpOffset.dstMac) && !macEquals(frame, mac, NdpOffset.dstMac))
      return [];
    if (macEquals(frame, mac, NdpOffset.srcMac)) return [];
    const fromAt = v.sllaAt >= 0 ? v.sllaAt : NdpOffset.srcMac;
    if (v.dad) {
      // Another host wants the address (RFC 4862 §5.4): defend with an NA to all nodes, S=0.
      const otherMac = formatMac(frame, fromAt);
      return [
        { type: 'send', frame: buildUnsolicitedAdvertisement(mac, parseIPv6(address)) },
        {
          type: 'event',
          event: { type: 'request', iface, address, senderMac: otherMac, senderIp: '::' },
        },
        {
          type: 'event',
          event: { type: 'conflict', iface, address, mac: macText, otherMac, kind: 'probe' },
        },
        {
          type: 'event',
          event: {
            type: 'reply',
            iface,
            address,
            mac: macText,
            toMac: '33:33:00:00:00:01',
            toIp: 'ff02::1',
          },
        },
      ];
    }
    // The reply is made first and goes first: event consumers must not delay it.
    const reply = advertisementFromSolicitation(mac, frame, v.sllaAt);
    const senderMac = formatMac(frame, fromAt);
    const senderIp = formatIPv6(frame, NdpOffset.src);
    return [
      { type: 'send', frame: reply },
      { type: 'event', event: { type: 'request', iface, address, senderMac, senderIp } },
      {
        type: 'event',
        event: { type: 'reply', iface, address, mac: macText, toMac: senderMac, toIp: senderIp },
      },
    ];
  };

  const onFrame = (state: L2MachineState, frame: Uint8Array): L2Action[] => {
    // Cheap pre-filter on fixed offsets: untagged IPv6, next header ICMPv6, type NS/NA, target
    // announced. Everything else costs a few byte reads.
    if (frame.length < 78 || frame[12] !== 0x86 || frame[13] !== 0xdd || frame[20] !== 58)
      return [];
    if (frame[54] !== 135 && frame[54] !== 136) return [];
    const targetText = announcedTarget(state.announce.addresses, frame);
    if (targetText === undefined) return [];
    if (frame[54] === 135) return onSolicitation(frame, targetText);
    // An advertisement for one of our addresses: the full decoder (rare, off the reply path).
    let p: NdpPacket;
    try {
      p = decodeNdpFrame(frame);
    } catch (e) {
      if (e instanceof NdpError) return [];
      throw e;
    }
    if (p.vlanId !== undefined || macEquals(p.srcMac, mac) || p.message.kind !== 'na') return [];
    const m = p.message;
    const tlla = linkLayerOption(m.options, NdpOptionType.TargetLinkLayerAddress) ?? p.srcMac;
    if (macEquals(tlla, mac)) return [];
    return [
      {
        type: 'event',
        event: {
          type: 'conflict',
          iface,
          address: targetText,
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
