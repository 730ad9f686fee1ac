// @ironlb/bfd public API. Named re-exports only (DESIGN.md §3).
export { BfdError, BfdErrorCode, DropReason } from './errors.js';
export type { BfdErrorFields } from './errors.js';

// codec/
export {
  AuthType,
  BFD_VERSION,
  CONTROL_HEADER_LENGTH,
  Diag,
  ECHO_PORT,
  GTSM_TTL,
  MAX_CONTROL_PACKET_LENGTH,
  MULTI_HOP_PORT,
  SINGLE_HOP_PORT,
  SLOW_TX_INTERVAL_US,
  SOURCE_PORT_MAX,
  SOURCE_PORT_MIN,
  State,
  diagName,
  stateName,
} from './codec/constants.js';
export type { StateName } from './codec/constants.js';
export {
  checkControl,
  decodeControl,
  encodeControl,
  encodedLength,
  peekAuthPresent,
  peekYourDiscriminator,
} from './codec/control.js';
export type { AuthSection, ControlPacket } from './codec/control.js';

// machine/
export {
  detectionTimeUs,
  initialSessionState,
  jitteredMs,
  nextDeadline,
  step,
  transmitIntervalUs,
} from './machine/session.js';
export type {
  SessionAction,
  SessionConfig,
  SessionEvent,
  SessionState,
  StepResult,
} from './machine/types.js';
export { SESSION_DEFAULTS, canonicalAddress, resolveSessionOptions } from './machine/options.js';
export type { ResolvedSessionOptions, SessionOptions } from './machine/options.js';

// io/
export { createBfdManager } from './io/manager.js';
export { LookupDropReason } from './io/types.js';
export type { BfdManager, BfdManagerOptions, SessionKey } from './io/types.js';
export type { BfdEvent, BfdSessionStatus, BfdStats } from './io/events.js';
export { udpTransport } from './io/udp-transport.js';
export type { UdpTransportOptions } from './io/udp-transport.js';

// deps
export type {
  AddressFamily,
  BfdDeps,
  BfdListener,
  BfdSender,
  BfdTransport,
  Clock,
  ListenOptions,
  Logger,
  Metrics,
  SenderOptions,
} from './deps.js';
