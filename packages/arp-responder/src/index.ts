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
export {
  ARP_FILTER_MAX_ADDRESSES,
  arpFilter,
  arpProtocol,
  arpProtocolFactory,
  canonicalIPv4,
} from './machine/arp-machine.js';
export type { ArpMachineContext, ArpState } from './machine/arp-machine.js';
export { createArpResponder } from './io/arp-responder.js';
export type { ArpResponderOptions } from './io/arp-responder.js';
export type { ArpResponderDeps } from './deps.js';
// What a caller of createArpResponder handles, so the common case needs no second import.
export { RawLinkError, RawLinkErrorCode } from '@ironlb/raw-link';
export type { L2Counters, L2Event, L2Responder } from '@ironlb/raw-link';
