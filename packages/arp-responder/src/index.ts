// @ironlb/arp-responder public API. Named re-exports only (DESIGN.md §3).
export { ArpError, ArpErrorCode } from './errors.js';
export {
  ARP_HTYPE_ETHERNET,
  ARP_PACKET_LEN,
  ArpOp,
  buildArpReply,
  buildGratuitousArp,
  decodeArp,
  decodeArpFrame,
  encodeArp,
  encodeArpFrame,
} from './codec/arp.js';
export type { ArpFrame, ArpPacket } from './codec/arp.js';
export { arpFilter, arpProtocol, canonicalIPv4 } from './machine/arp-machine.js';
export type { ArpMachineContext, ArpState } from './machine/arp-machine.js';
export { createArpResponder } from './io/arp-responder.js';
export type { ArpResponderDeps, ArpResponderOptions } from './io/arp-responder.js';
export { createL2Announcer } from './io/l2-announcer.js';
export type {
  AnnounceResult,
  L2Announcer,
  L2AnnouncerDeps,
  L2AnnouncerOptions,
} from './io/l2-announcer.js';
