// Wire constants of RFC 5880 §4 and the UDP encapsulations of RFC 5881 / RFC 5883. Wire enums are
// `as const` objects, append-only (DESIGN.md §3).

/** Session states as carried in the 2-bit Sta field (RFC 5880 §4.1). Append-only. */
export const State = {
  AdminDown: 0,
  Down: 1,
  Init: 2,
  Up: 3,
} as const;
export type State = (typeof State)[keyof typeof State];

const STATE_NAMES = ['AdminDown', 'Down', 'Init', 'Up'] as const;
export type StateName = (typeof STATE_NAMES)[number];

/** 'AdminDown' | 'Down' | 'Init' | 'Up'. */
export function stateName(s: State): StateName {
  return STATE_NAMES[s];
}

/** Diagnostic codes (RFC 5880 §4.1); 9–31 are reserved and decoded as their number. Append-only. */
export const Diag = {
  None: 0,
  ControlDetectionTimeExpired: 1,
  EchoFunctionFailed: 2,
  NeighborSignaledSessionDown: 3,
  ForwardingPlaneReset: 4,
  PathDown: 5,
  ConcatenatedPathDown: 6,
  AdministrativelyDown: 7,
  ReverseConcatenatedPathDown: 8,
} as const;
export type Diag = number;

const DIAG_NAMES = [
  'none',
  'control-detection-time-expired',
  'echo-function-failed',
  'neighbor-signaled-session-down',
  'forwarding-plane-reset',
  'path-down',
  'concatenated-path-down',
  'administratively-down',
  'reverse-concatenated-path-down',
] as const;

/** A stable, kebab-case name for a diagnostic ('control-detection-time-expired'); 'diag-N' if reserved. */
export function diagName(d: Diag): string {
  return DIAG_NAMES[d] ?? `diag-${d}`;
}

/** Authentication types (RFC 5880 §4.1, Auth Type). 0 and 6–255 are reserved. Append-only. */
export const AuthType = {
  SimplePassword: 1,
  KeyedMd5: 2,
  MeticulousKeyedMd5: 3,
  KeyedSha1: 4,
  MeticulousKeyedSha1: 5,
} as const;
export type AuthType = (typeof AuthType)[keyof typeof AuthType];

/** The only protocol version (RFC 5880 §4.1). */
export const BFD_VERSION = 1;
/** Length of a Control packet without an authentication section. */
export const CONTROL_HEADER_LENGTH = 24;
/** Minimum Length when the A bit is set (header + the 2-byte type/length of the auth section). */
export const MIN_AUTH_PACKET_LENGTH = 26;
/** The largest Control packet: header + a keyed SHA1 section (28 bytes). */
export const MAX_CONTROL_PACKET_LENGTH = CONTROL_HEADER_LENGTH + 28;

/** RFC 5881 §4: single-hop Control packets go to UDP port 3784. */
export const SINGLE_HOP_PORT = 3784;
/** RFC 5881 §4: single-hop Echo packets (not implemented here). */
export const ECHO_PORT = 3785;
/** RFC 5883 §5: multi-hop Control packets go to UDP port 4784. */
export const MULTI_HOP_PORT = 4784;
/** RFC 5881 §4: the source port MUST be in 49152–65535. */
export const SOURCE_PORT_MIN = 49152;
export const SOURCE_PORT_MAX = 65535;
/** RFC 5881 §5: TTL / Hop Limit of every packet sent, and the only value accepted on single hop. */
export const GTSM_TTL = 255;

/** RFC 5880 §6.8.3: while a session is not Up, Desired Min TX is at least one second. */
export const SLOW_TX_INTERVAL_US = 1_000_000;
