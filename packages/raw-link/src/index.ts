// @ironlb/raw-link public API. Named re-exports only (DESIGN.md §3).
export { RawLinkError, RawLinkErrorCode } from './errors.js';
export { systemClock, silentLogger } from './deps.js';
export type { Clock, Logger } from './deps.js';
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
export type { Link, LinkOpenOptions, LinkOpener } from './link.js';
export { capImmediateModeAvailable, openCapLink, readInterfaceMac } from './io/cap-link.js';
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
  InterfaceWatcherDeps,
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
export type { L2Action, L2MachineEvent, L2MachineState, L2Protocol } from './machine/protocol.js';
export { announcingProtocol } from './machine/announcing-protocol.js';
export type { AnnouncingProtocolSpec } from './machine/announcing-protocol.js';
export { createL2Responder } from './io/responder.js';
export type { L2Responder, L2ResponderDeps, L2ResponderOptions } from './io/responder.js';
