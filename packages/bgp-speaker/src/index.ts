// @ironlb/bgp-speaker public API. Named re-exports only (DESIGN.md §3).
export { BgpError, BgpErrorCode } from './errors.js';
export type { BgpErrorFields, ErrorHandling, NotificationFields } from './errors.js';

// codec/
export {
  AS_TRANS,
  Afi,
  AsPathSegmentType,
  AttrFlag,
  AttrType,
  BGP_PORT,
  CapabilityCode,
  CeaseSubcode,
  ErrorCode,
  FsmSubcode,
  HeaderSubcode,
  MAX_EXTENDED_MESSAGE_LENGTH,
  MAX_MESSAGE_LENGTH,
  MessageType,
  OpenSubcode,
  Origin,
  RouteRefreshSubtype,
  Safi,
  UpdateSubcode,
  WellKnownCommunity,
} from './codec/constants.js';
export { BgpFramer } from './codec/framer.js';
export type { FramerOptions } from './codec/framer.js';
export { decodeMessage } from './codec/message.js';
export type { BgpMessage } from './codec/message.js';
export { decodeOpenBody, encodeOpenBody, emptyCapabilities, peerAsOf } from './codec/open.js';
export { afiOf } from './codec/open.js';
export type {
  AddPathEntry,
  AfiSafi,
  Capabilities,
  GracefulRestartCapability,
  OpenInput,
  OpenMessage,
} from './codec/open.js';
export { decodeAttributes } from './codec/attributes.js';
export { encodeAttributes } from './codec/attributes-encode.js';
export type {
  AsPathSegment,
  AttributeProblem,
  DecodeContext,
  EncodeContext,
  MpReach,
  MpUnreach,
  PathAttributes,
} from './codec/attributes.js';
export {
  decodeUpdateBody,
  encodeEndOfRib,
  encodeFrame,
  packAnnouncements,
  packWithdrawals,
} from './codec/update.js';
export type { AnnounceGroup, UpdateMessage } from './codec/update.js';
export {
  decodeNotificationBody,
  decodeRouteRefreshBody,
  encodeKeepalive,
  encodeNotification,
  encodeRouteRefresh,
} from './codec/notification.js';
export type {
  KeepaliveMessage,
  NotificationMessage,
  RouteRefreshMessage,
} from './codec/notification.js';
export {
  formatAddress,
  formatPrefix,
  parseAddress,
  parseNetwork,
  parsePrefix,
} from './codec/prefix.js';
export type { AddressFamily, Prefix } from './codec/prefix.js';
export {
  formatCommunity,
  formatLargeCommunity,
  parseCommunity,
  parseLargeCommunity,
} from './codec/communities.js';
export type { LargeCommunity } from './codec/communities.js';

// machine/
export {
  DEFAULT_SESSION_CONFIG,
  decodeContextOf,
  initialSessionState,
  nextDeadline,
  step,
} from './machine/session.js';
export type {
  ConnState,
  GracefulRestartConfig,
  Negotiated,
  PeerRestart,
  SessionAction,
  SessionConfig,
  SessionEvent,
  SessionState,
  SessionStateName,
  StepContext,
  StepResult,
} from './machine/types.js';
export { planEntries, planUpdates } from './machine/rib.js';
export { AdjRibOut, SlotTable } from './machine/adj-rib-out.js';
export type {
  PeerExportContext,
  Plan,
  PlanOptions,
  Route,
  RouteAttributes,
} from './machine/rib.js';
export { RibSync } from './machine/rib-sync.js';
export type { RibSyncOptions, SyncChunk } from './machine/rib-sync.js';

// io/
export { createBgpSpeaker } from './io/speaker.js';
export type { BgpSpeaker, StopOptions } from './io/speaker.js';
export type {
  AnnounceOptions,
  GracefulRestartOptions,
  PeerOptions,
  SpeakerOptions,
} from './io/options.js';
export { createNetTransport, netTransport } from './io/net-transport.js';
export type { NetTransportOptions } from './io/net-transport.js';
export type {
  BgpSocket,
  Clock,
  ConnectOptions,
  Listener,
  Logger,
  Metrics,
  PendingConnect,
  SocketOptions,
  SpeakerDeps,
  Transport,
} from './deps.js';
export type { PeerCounters, PeerStatus, SpeakerEvent } from './io/events.js';
