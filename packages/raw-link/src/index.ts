// @ironlb/raw-link public API. Named re-exports only (DESIGN.md §3).
export { RawLinkError, RawLinkErrorCode } from './errors.js';
export type { InterfaceWatcherDeps, L2ResponderDeps } from './deps.js';
export {
  BPF_ACCEPT,
  BPF_MAX_INSTRUCTIONS,
  BpfAncillary,
  BpfBuilder,
  BpfOp,
  PacketType,
  emitFrameGuards,
  encodeBpfProgram,
  runBpf,
  validateBpf,
} from './codec/bpf.js';
export type { BpfContext, BpfInstruction, BpfProgram } from './codec/bpf.js';
export {
  BROADCAST_MAC,
  ZERO_MAC,
  formatMac,
  ipv6MulticastMac,
  isBroadcastMac,
  isMulticastMac,
  macEquals,
  parseMac,
} from './codec/mac.js';
export type { Mac } from './codec/mac.js';
export {
  ETHERNET_HEADER_LEN,
  ETHERNET_MIN_FRAME_LEN,
  EtherType,
  decodeEthernet,
  encodeEthernet,
} from './codec/ethernet.js';
export type { EthernetFrame } from './codec/ethernet.js';
export { canonicalIp, formatIPv4, formatIPv6, parseIPv4, parseIPv6 } from './codec/ip.js';
export type { Link, LinkOpenOptions, LinkOpener, LinkStats } from './link.js';
export {
  DEFAULT_RING_BYTES,
  RING_FRAME_BYTES,
  openPacketLink,
  readInterfaceMac,
} from './io/packet-link.js';
export {
  DEFAULT_INTERFACE_EXCLUDES,
  IfFlag,
  createInterfaceWatcher,
  eligibleInterfaces,
  readInterfaces,
} from './io/interfaces.js';
export type {
  EligibleInterface,
  InterfaceChange,
  InterfaceInfo,
  InterfaceWatcher,
  InterfaceWatcherOptions,
} from './io/interfaces.js';
export {
  DEFAULT_ANNOUNCE_OPTIONS,
  initialAnnounceState,
  isAnnounced,
  nextAnnounceDeadline,
  stepAnnounce,
} from './machine/announce.js';
export type {
  AnnounceAction,
  AnnounceEvent,
  AnnounceOptions,
  AnnounceResult,
  AnnounceState,
  AnnouncedAddress,
} from './machine/announce.js';
export { countEvent, emptyCounters } from './events.js';
export type { L2Counters, L2Event, L2EventType } from './events.js';
export type {
  L2Action,
  L2IgnoreReason,
  L2MachineEvent,
  L2MachineState,
  L2Protocol,
  L2ProtocolFactory,
} from './machine/protocol.js';
export { announcingProtocol } from './machine/announcing-protocol.js';
export type { AnnouncingProtocolSpec } from './machine/announcing-protocol.js';
export { createL2Responder } from './io/responder.js';
export type { L2Responder, L2ResponderOptions } from './io/responder.js';
