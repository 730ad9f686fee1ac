// @ironlb/ndp-responder public API. Named re-exports only (DESIGN.md §3).
export { NdpError, NdpErrorCode } from './errors.js';
export {
  ALL_NODES,
  IPPROTO_ICMPV6,
  IPV6_HEADER_LEN,
  IcmpV6Type,
  NDP_HOP_LIMIT,
  NaFlag,
  NdpOptionType,
  decodeNdpFrame,
  encodeNdpFrame,
  encodeNdpMessage,
  icmpv6Checksum,
  linkLayerOption,
  solicitedNodeGroup,
} from './codec/ndp.js';
export type {
  NdpMessage,
  NdpOption,
  NdpPacket,
  NeighborAdvertisement,
  NeighborSolicitation,
} from './codec/ndp.js';
export {
  NDP_FILTER_MAX_ADDRESSES,
  buildAdvertisement,
  buildUnsolicitedAdvertisement,
  canonicalIPv6,
  ndpFilter,
  ndpProtocol,
  ndpProtocolFactory,
} from './machine/ndp-machine.js';
export type { NdpMachineContext, NdpState } from './machine/ndp-machine.js';
export { createUdp6Membership } from './io/multicast.js';
export type { MulticastMembership } from './io/multicast.js';
export { createNdpResponder } from './io/ndp-responder.js';
export type { NdpResponderOptions } from './io/ndp-responder.js';
export type { NdpResponderDeps } from './deps.js';
// What a caller of createNdpResponder handles, so the common case needs no second import.
export { RawLinkError, RawLinkErrorCode } from '@ironlb/raw-link';
export type { L2Counters, L2Event, L2Responder } from '@ironlb/raw-link';
