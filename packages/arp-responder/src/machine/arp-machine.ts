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
 * The kernel filter: ARP only, never frames this host sends (the kernel's own ARP and our replies
 * would otherwise wake the process), and never 802.1Q-tagged frames (they belong to a VLAN device).
 */
export function arpFilter(mac: Mac): string {
  return `arp and not ether src ${formatMac(mac)}`;
}

/** Validates and canonicalises an IPv4 address given by a caller. Throws ArpError INVALID_ADDRESS. */
export function canonicalIPv4(address: string): string {
  if (!isIPv4(address))
    throw new ArpError(ArpErrorCode.InvalidAddress, `not an IPv4 address: ${address}`, { address });
  try {
    return canonicalIp(address);
  } catch (e) {
    if (e instanceof RawLinkError)
      throw new ArpError(ArpErrorCode.InvalidAddress, e.message, { address }, { cause: e });
    throw e;
  }
}

/**
 * The pure ARP responder machine for one interface. Answers requests for announced addresses,
 * sends gratuitous rounds when the schedule says so, and reports conflicts. Decisions:
 * - answer only requests that are broadcast or unicast to our MAC (MetalLB arp.go), whose target
 *   is announced, and that are not someone's announcement of that same address (SPA = TPA);
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
    const set = state.announce.addresses;
    const spa = formatIPv4(frame, ArpOffset.senderIp);
    if (set.has(spa)) {
      // Someone else speaks for our address (a reply, or a gratuitous request / announcement).
      const kind = op === ArpOp.Reply ? 'reply' : 'announcement';
      const otherMac = formatMac(frame, ArpOffset.senderMac);
      return [
        {
          type: 'event',
          event: { type: 'conflict', iface, address: spa, mac: macText, otherMac, kind },
        },
      ];
    }
    if (op !== ArpOp.Request) return [];
    const tpa = formatIPv4(frame, ArpOffset.targetIp);
    if (!set.has(tpa)) return [];
    if (!isBroadcastMac(frame, ArpOffset.dst) && !macEquals(frame, mac, ArpOffset.dst)) return [];
    const otherMac = formatMac(frame, ArpOffset.senderMac);
    // The reply goes first: event consumers (the CLI writes JSON lines) must not delay it.
    const actions: L2Action[] = [
      { type: 'send', frame: arpReplyFromFrame(mac, frame) },
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
    iface,
    mac,
    announce: ctx.announce,
    canonical: canonicalIPv4,
    filter: () => arpFilter(mac),
    onFrame,
    announcementFrames: (address) => buildGratuitousArp(mac, parseIPv4(address)),
  });
}
