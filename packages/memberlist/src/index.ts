// @ironlb/memberlist public API: named re-exports only (DESIGN.md §3).
export { MemberlistError, MemberlistErrorCode } from './errors.js';
export { DEFAULT_PORT, formatAddress, parseAddress } from './codec/address.js';
export type { HostPort } from './codec/address.js';
export {
  deriveKey,
  Keyring,
  keyId,
  open,
  seal,
  SealPurpose,
  SEAL_OVERHEAD,
  STREAM_HEADER_BYTES,
  streamGuard,
} from './codec/crypto.js';
export { DEFAULT_MAX_FRAME_BYTES, frame, Framer } from './codec/framer.js';
export { encodeStreamMessage, StreamMessageReader } from './codec/stream.js';
export type { StreamGuard } from './codec/stream.js';
export { MemberState, WIRE_VERSION } from './codec/messages.js';
export type {
  AckMsg,
  AliveMsg,
  DeadMsg,
  GossipMsg,
  IndirectPingMsg,
  Message,
  Meta,
  NackMsg,
  NodeStateEntry,
  Packet,
  PingMsg,
  PushPullMsg,
  SuspectMsg,
} from './codec/messages.js';
export { decodePacket, encodePacket, LIMITS, UINT32_MAX } from './codec/packet.js';
export { MEMBERLIST_PROTO } from './codec/schema.js';
export { BOUNDS, PROFILES, resolveOptions } from './machine/config.js';
export type { MemberlistOptions, ProfileName } from './machine/config.js';
export {
  effectiveConfirmations,
  pushPullScaleMs,
  retransmitLimit,
  scaleByAwareness,
  suspicionMinMs,
  suspicionTimeoutMs,
} from './machine/formulas.js';
export {
  MAX_ACCUSATION_LEAD,
  serialAtLeast,
  serialNewer,
  serialNext,
} from './machine/incarnation.js';
export { MembershipMachine } from './machine/machine.js';
export type { MachineDeps, MachineIdentity } from './machine/machine.js';
export type {
  MachineAction,
  MachineEvent,
  MachineStats,
  MemberEvent,
  MemberEventType,
  MemberInfo,
  MemberStatus,
  RejectCounts,
} from './machine/types.js';
export { createMemberlist } from './io/memberlist.js';
export type { CreateMemberlistOptions, IoStats, Memberlist } from './io/memberlist.js';
export { createNetTransport } from './io/net-transport.js';
export type { NetTransportOptions } from './io/net-transport.js';
export type {
  MemberlistDeps,
  NetTransportDeps,
  StreamDropReason,
  StreamReply,
  Transport,
  TransportStats,
} from './deps.js';
