// Wire constants. Every object here is append-only: values are IANA registry entries and never
// change meaning. Sources: RFC 4271 §4 and §6, RFC 4760, RFC 5492, RFC 6793, RFC 4486, RFC 7313,
// RFC 8654, RFC 9072, RFC 1997, RFC 8092.

export const HEADER_LENGTH = 19;
/** RFC 4271 §4.1 maximum message size without RFC 8654 extended messages. */
export const MAX_MESSAGE_LENGTH = 4096;
/** RFC 8654 §4: the maximum once extended messages are negotiated (OPEN/KEEPALIVE stay ≤ 4096). */
export const MAX_EXTENDED_MESSAGE_LENGTH = 65535;
/** RFC 6793 §9: the 2-octet placeholder for a 4-octet ASN. */
export const AS_TRANS = 23456;
export const BGP_VERSION = 4;
export const BGP_PORT = 179;

/** Append-only. RFC 4271 §4.1, RFC 2918. */
export const MessageType = {
  Open: 1,
  Update: 2,
  Notification: 3,
  Keepalive: 4,
  RouteRefresh: 5,
} as const;
export type MessageType = (typeof MessageType)[keyof typeof MessageType];

/** Append-only. NOTIFICATION error codes, RFC 4271 §4.5, RFC 6608, RFC 7313, RFC 9687. */
export const ErrorCode = {
  MessageHeader: 1,
  OpenMessage: 2,
  UpdateMessage: 3,
  HoldTimerExpired: 4,
  FiniteStateMachine: 5,
  Cease: 6,
  RouteRefresh: 7,
  /** RFC 9687 §5: the peer did not take our data for SendHoldTime. */
  SendHoldTimerExpired: 8,
} as const;

/** Append-only. RFC 4271 §6.1. */
export const HeaderSubcode = {
  ConnectionNotSynchronized: 1,
  BadMessageLength: 2,
  BadMessageType: 3,
} as const;

/** Append-only. RFC 4271 §6.2, RFC 5492 §5, RFC 9234. */
export const OpenSubcode = {
  UnsupportedVersion: 1,
  BadPeerAs: 2,
  BadBgpIdentifier: 3,
  UnsupportedOptionalParameter: 4,
  UnacceptableHoldTime: 6,
  UnsupportedCapability: 7,
  RoleMismatch: 11,
} as const;

/** Append-only. RFC 4271 §6.3. */
export const UpdateSubcode = {
  MalformedAttributeList: 1,
  UnrecognizedWellKnownAttribute: 2,
  MissingWellKnownAttribute: 3,
  AttributeFlagsError: 4,
  AttributeLengthError: 5,
  InvalidOriginAttribute: 6,
  InvalidNextHopAttribute: 8,
  OptionalAttributeError: 9,
  InvalidNetworkField: 10,
  MalformedAsPath: 11,
} as const;

/** Append-only. RFC 6608. */
export const FsmSubcode = {
  Unspecified: 0,
  UnexpectedInOpenSent: 1,
  UnexpectedInOpenConfirm: 2,
  UnexpectedInEstablished: 3,
} as const;

/** Append-only. RFC 4486, RFC 8538, RFC 9384. */
export const CeaseSubcode = {
  MaxPrefixes: 1,
  AdministrativeShutdown: 2,
  PeerDeconfigured: 3,
  AdministrativeReset: 4,
  ConnectionRejected: 5,
  OtherConfigurationChange: 6,
  ConnectionCollisionResolution: 7,
  OutOfResources: 8,
  HardReset: 9,
  BfdDown: 10,
} as const;

/** Append-only. RFC 4271 §4.2, RFC 9072. */
export const OptionalParameterType = {
  Capabilities: 2,
  /** RFC 9072 §2: marks the extended optional-parameters encoding. */
  ExtendedLength: 255,
} as const;

/** Append-only. IANA "Capability Codes". */
export const CapabilityCode = {
  Multiprotocol: 1,
  RouteRefresh: 2,
  ExtendedNextHop: 5,
  ExtendedMessage: 6,
  Role: 9,
  GracefulRestart: 64,
  FourOctetAs: 65,
  AddPath: 69,
  EnhancedRouteRefresh: 70,
  LongLivedGracefulRestart: 71,
  Fqdn: 73,
  /** Pre-standard Cisco route refresh that FRR still sends. */
  RouteRefreshCisco: 128,
} as const;

/** Append-only. */
export const Afi = { Ipv4: 1, Ipv6: 2 } as const;
/** Append-only. */
export const Safi = { Unicast: 1 } as const;

/** Append-only. Path attribute type codes (IANA "BGP Path Attributes"). */
export const AttrType = {
  Origin: 1,
  AsPath: 2,
  NextHop: 3,
  MultiExitDisc: 4,
  LocalPref: 5,
  AtomicAggregate: 6,
  Aggregator: 7,
  Communities: 8,
  OriginatorId: 9,
  ClusterList: 10,
  MpReachNlri: 14,
  MpUnreachNlri: 15,
  ExtendedCommunities: 16,
  As4Path: 17,
  As4Aggregator: 18,
  LargeCommunities: 32,
  OnlyToCustomer: 35,
} as const;

/** Append-only. Attribute flag bits, RFC 4271 §4.3. */
export const AttrFlag = {
  Optional: 0x80,
  Transitive: 0x40,
  Partial: 0x20,
  ExtendedLength: 0x10,
} as const;

/** Append-only. RFC 4271 §5.1.1. */
export const Origin = { Igp: 0, Egp: 1, Incomplete: 2 } as const;
export type Origin = (typeof Origin)[keyof typeof Origin];

/** Append-only. RFC 4271 §4.3, RFC 5065. */
export const AsPathSegmentType = {
  AsSet: 1,
  AsSequence: 2,
  ConfedSequence: 3,
  ConfedSet: 4,
} as const;

/** Append-only. RFC 7313 §3.2 route-refresh subtypes. */
export const RouteRefreshSubtype = { Request: 0, BeginOfRefresh: 1, EndOfRefresh: 2 } as const;

/** Append-only. Well-known communities (RFC 1997, 3765, 7611, 7999, 8326, 9494). */
export const WellKnownCommunity = {
  GRACEFUL_SHUTDOWN: 0xffff0000,
  ACCEPT_OWN: 0xffff0001,
  LLGR_STALE: 0xffff0006,
  NO_LLGR: 0xffff0007,
  BLACKHOLE: 0xffff029a,
  NO_EXPORT: 0xffffff01,
  NO_ADVERTISE: 0xffffff02,
  NO_EXPORT_SUBCONFED: 0xffffff03,
  NOPEER: 0xffffff04,
} as const;
