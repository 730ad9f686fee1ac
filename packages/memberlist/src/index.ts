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
} from './codec/crypto.js';
export { DEFAULT_MAX_FRAME_BYTES, frame, Framer } from './codec/framer.js';
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
export { decodePacket, encodePacket, LIMITS } from './codec/packet.js';
export { MEMBERLIST_PROTO } from './codec/schema.js';
export { PROFILES, resolveOptions } from './machine/config.js';
export type { MemberlistOptions, ProfileName } from './machine/config.js';
export {
  effectiveConfirmations,
  pushPullScaleMs,
  retransmitLimit,
  scaleByAwareness,
  suspicionMinMs,
  suspicionTimeoutMs,
} from './machine/formulas.js';
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
} from './machine/types.js';
export { createMemberlist } from './io/memberlist.js';
export type {
  CreateMemberlistOptions,
  IoStats,
  Memberlist,
  MemberlistDeps,
} from './io/memberlist.js';
export { createNetTransport } from './io/net-transport.js';
export type { NetTransportOptions } from './io/net-transport.js';
export { noMetrics, silentLogger, systemClock } from './io/ports.js';
export type { Clock, Logger, Metrics, StreamReply, TimerHandle, Transport } from './io/ports.js';
