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
  canonicalIp,
  formatIPv4,
  formatMac,
  isBroadcastMac,
  macEquals,
  parseIPv4,
} from '@ironlb/raw-link';
import { isIPv4 } from 'node:net';
import { ArpOp, buildGratuitousArp } from '../codec/arp.js';
import { ArpOffset, arpFrameOp, arpReplyFromFrame } from '../codec/arp-view.js';
import { ArpError, ArpErrorCode } from '../errors.js';

export interface ArpState extends L2MachineState {
  readonly announce: AnnounceState;
}

export interface ArpMachineContext {
  /** Interface name (reported in events). */
  iface: string;
  /** The interface's MAC: the answer we give, and how we recognise our own frames. */
  mac: Mac;
  /** Announcement schedule; default MetalLB's (1.1 s × 5 s, no refresh). */
  announce?: Partial<AnnounceOptions>;
}

/**
 * Beyond this many announced addresses on one interface the kernel filter stops listing them
 * (4 instructions each, BPF allows 4096) and passes every ARP frame; the machine still decides.
 */
export const ARP_FILTER_MAX_ADDRESSES = 256;

const ipWord = (address: string): number => {
  const b = parseIPv4(address);
  return ((b[0] ?? 0) * 2 ** 24 + ((b[1] ?? 0) << 16) + ((b[2] ?? 0) << 8) + (b[3] ?? 0)) >>> 0;
};

/**
 * The kernel filter (classic BPF) for an ARP responder with MAC `mac` announcing `addresses`:
 * Ethernet/IPv4 ARP whose target (a request for us) or sender (someone else claiming one of ours:
 * a conflict) is announced; never tagged frames (they belong to a VLAN device), frames for other
 * stations, or frames from our own MAC. With no address nothing passes; past
 * {@link ARP_FILTER_MAX_ADDRESSES} every well-formed ARP frame passes. On a segment full of ARP
 * for other hosts the process is therefore never woken (issue 13: idle CPU on a busy segment).
 */
export function arpFilter(mac: Mac, addresses: readonly string[] = []): BpfProgram {
  const b = new BpfBuilder();
  emitFrameGuards(b, mac, 'drop');
  b.load(BpfOp.LdAbsH, 12)
    .jump(BpfOp.JeqK, EtherType.ARP, null, 'drop')
    // HTYPE 1 (Ethernet), PTYPE 0x0800, HLEN 6, PLEN 4 (RFC 826)
    .load(BpfOp.LdAbsW, 14)
    .jump(BpfOp.JeqK, 0x00010800, null, 'drop')
    .load(BpfOp.LdAbsH, 18)
    .jump(BpfOp.JeqK, 0x0604, null, 'drop')
    .jumpAlways('addresses')
    .label('drop')
    .ret(0)
    .label('addresses');
  if (addresses.length > ARP_FILTER_MAX_ADDRESSES) return b.ret(BPF_ACCEPT).build();
  const words = addresses.map(ipWord);
  // Each address: `jeq a, 0, 1; ret accept` — short jumps whatever the list's length.
  for (const offset of [ArpOffset.targetIp, ArpOffset.senderIp]) {
    if (!words.length) break;
    b.load(BpfOp.LdAbsW, offset);
    for (const w of words)
      b.jump(BpfOp.JeqK, w, null, `skip-${offset}-${w}`)
        .ret(BPF_ACCEPT)
        .label(`skip-${offset}-${w}`);
  }
  return b.ret(0).build();
}

/**
 * Validates and canonicalises an IPv4 address given by a caller: a unicast address a host could
 * own (not 0.0.0.0/8, 127.0.0.0/8, multicast or broadcast, whose requests the kernel never
 * answers). Throws ArpError INVALID_ADDRESS.
 */
export function canonicalIPv4(address: string): string {
  if (!isIPv4(address))
    throw new ArpError(ArpErrorCode.InvalidAddress, `not an IPv4 address: ${address}`, { address });
  let canonical: string;
  try {
    canonical = canonicalIp(address);
  } catch (e) {
    if (e instanceof RawLinkError)
      throw new ArpError(ArpErrorCode.InvalidAddress, e.message, { address }, { cause: e });
    throw e;
  }
  const first = Number(canonical.split('.')[0]);
  if (first === 0 || first === 127 || first >= 224)
    throw new ArpError(
      ArpErrorCode.InvalidAddress,
      `not a unicast address a host can announce: ${address}`,
      { address },
    );
  return canonical;
}

/**
 * A sender protocol address the Linux kernel refuses to answer (issue 14; measured against the
 * kernel in arp.int.test.ts): its route lookup for the reply rejects the sender as a martian
 * source (net/ipv4/route.c ip_route_input_slow) — limited broadcast 255.255.255.255, multicast
 * 224.0.0.0/4, and loopback 127.0.0.0/8 without route_localnet. (0.0.0.0 is an RFC 5227 probe,
 * answered; other 0.0.0.0/8 senders and 240.0.0.0/4 are answered by the kernel too.) Answering
 * such a request would let a stranger make us send replies about addresses no host uses.
 */
function impossibleSender(frame: Uint8Array): boolean {
  const a = frame[ArpOffset.senderIp] ?? 0;
  if (a === 127 || (a >= 224 && a < 240)) return true;
  return (
    a === 255 &&
    frame[ArpOffset.senderIp + 1] === 255 &&
    frame[ArpOffset.senderIp + 2] === 255 &&
    frame[ArpOffset.senderIp + 3] === 255
  );
}

const readWord = (b: Uint8Array, at: number): number =>
  ((b[at] ?? 0) * 2 ** 24 +
    ((b[at + 1] ?? 0) << 16) +
    ((b[at + 2] ?? 0) << 8) +
    (b[at + 3] ?? 0)) >>>
  0;

/**
 * The announced set indexed by the address as a 32-bit word, so a frame is matched without making
 * text. Memoized per set: the machine's state is immutable, so a set object never changes.
 */
const wordIndex = new WeakMap<ReadonlyMap<string, unknown>, Map<number, string>>();
function addressWords(set: ReadonlyMap<string, unknown>): Map<number, string> {
  let index = wordIndex.get(set);
  if (!index) {
    index = new Map();
    for (const a of set.keys()) index.set(readWord(parseIPv4(a), 0), a);
    wordIndex.set(set, index);
  }
  return index;
}

/**
 * The pure ARP responder machine for one interface. Answers requests for announced addresses,
 * sends gratuitous rounds when the schedule says so, and reports conflicts. Decisions:
 * - answer only requests that are broadcast or unicast to our MAC (MetalLB arp.go), whose target
 *   is announced, and that are not someone's announcement of that same address (SPA = TPA);
 * - ignore, and count, requests from a sender address no host can have (issue 14, see
 *   impossibleSender), as the kernel does;
 * - never react to frames with our MAC as Ethernet or ARP sender (libpcap sees outgoing frames);
 * - a probe (SPA 0.0.0.0, RFC 5227 §2.1.1) for our address is answered, as the Linux kernel does,
 *   so the prober backs off, and reported as a conflict;
 * - a reply or announcement from another MAC with SPA = our address is a conflict (MetalLB #740,
 *   #968). We report it and do not fight back: two responders defending would flap the address.
 */
export function arpProtocol(ctx: ArpMachineContext): L2Protocol<ArpState> {
  const mac = ctx.mac;
  const macText = formatMac(mac);
  const iface = ctx.iface;

  const onFrame = (state: L2MachineState, frame: Uint8Array): L2Action[] => {
    // Hot path without allocations until we know the frame concerns us (see codec/arp-view.ts).
    // Tagged frames fail the EtherType check: they belong to a VLAN device.
    const op = arpFrameOp(frame);
    if (op === 0) return [];
    if (macEquals(frame, mac, ArpOffset.src) || macEquals(frame, mac, ArpOffset.senderMac))
      return [];
    // Numeric lookups first: text is made only for frames about our addresses.
    const byWord = addressWords(state.announce.addresses);
    const claimed = byWord.get(readWord(frame, ArpOffset.senderIp));
    if (claimed !== undefined) {
      // Someone else speaks for our address (a reply, or a gratuitous request / announcement).
      const kind = op === ArpOp.Reply ? 'reply' : 'announcement';
      const otherMac = formatMac(frame, ArpOffset.senderMac);
      return [
        {
          type: 'event',
          event: { type: 'conflict', iface, address: claimed, mac: macText, otherMac, kind },
        },
      ];
    }
    if (op !== ArpOp.Request) return [];
    const tpa = byWord.get(readWord(frame, ArpOffset.targetIp));
    if (tpa === undefined) return [];
    if (!isBroadcastMac(frame, ArpOffset.dst) && !macEquals(frame, mac, ArpOffset.dst)) return [];
    if (impossibleSender(frame)) return [{ type: 'ignored', address: tpa, reason: 'bad-sender' }];
    // The reply is made first and goes first: event consumers (the CLI writes JSON lines) must
    // not delay it.
    const reply = arpReplyFromFrame(mac, frame);
    const otherMac = formatMac(frame, ArpOffset.senderMac);
    const spa = formatIPv4(frame, ArpOffset.senderIp);
    const actions: L2Action[] = [
      { type: 'send', frame: reply },
      {
        type: 'event',
        event: { type: 'request', iface, address: tpa, senderMac: otherMac, senderIp: spa },
      },
    ];
    if (spa === '0.0.0.0')
      actions.push({
        type: 'event',
        event: { type: 'conflict', iface, address: tpa, mac: macText, otherMac, kind: 'probe' },
      });
    actions.push({
      type: 'event',
      event: { type: 'reply', iface, address: tpa, mac: macText, toMac: otherMac, toIp: spa },
    });
    return actions;
  };

  return announcingProtocol({
    name: 'arp',
    etherType: EtherType.ARP,
    iface,
    mac,
    announce: ctx.announce,
    canonical: canonicalIPv4,
    filter: (addresses) => arpFilter(mac, addresses),
    onFrame,
    announcementFrames: (address) => buildGratuitousArp(mac, parseIPv4(address)),
  });
}

/** The ARP machine as {@link createL2Responder} takes it (it learns the MAC when the link opens). */
export function arpProtocolFactory(
  ctx: Omit<ArpMachineContext, 'mac'>,
): L2ProtocolFactory<ArpState> {
  return { etherType: EtherType.ARP, create: (mac) => arpProtocol({ ...ctx, mac }) };
}
