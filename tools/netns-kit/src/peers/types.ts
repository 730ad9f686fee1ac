// Shared types of the real-peer wrappers (BIRD 2, FRR 8, GoBGP 3, ExaBGP 4). Each wrapper starts its
// daemon inside a Netns with a generated config, reads session state and received routes through
// the daemon's own CLI, and restarts / stops it cleanly. Configs follow protocols.md §6.
import type { Netns } from '../netns.ts';

export type Family = 'ipv4' | 'ipv6';

export interface NeighborConfig {
  /** Neighbour address. */
  address: string;
  /** Neighbour ASN (equal to the daemon's ASN → iBGP). */
  as: number;
  /** Wait for the neighbour to connect (default true: our speaker dials, as MetalLB does). */
  passive?: boolean;
  /** Neighbour's TCP port when the daemon dials (default 179). */
  port?: number;
  /** Hold time the daemon proposes, seconds (default 90). */
  holdTimeSec?: number;
  /** Connect retry, seconds (default 5: GoBGP otherwise waits ~2 min, protocols.md §1.2). */
  connectRetrySec?: number;
  /** Families to enable (default ['ipv4']). */
  families?: Family[];
  /**
   * Advertise the RFC 6793 4-octet AS capability (default true). false makes an old 2-octet
   * speaker: ExaBGP (`asn4 disable`) then talks to AS_TRANS; BIRD (`enable as4 off`) still checks a
   * received AS4 capability against the configured AS, so it cannot peer with a 4-octet ASN that way.
   */
  fourOctetAs?: boolean;
  /** eBGP multihop (BIRD/FRR), for peers not on the same link. */
  multihop?: boolean;
  /** RFC 2385 TCP-MD5 password (BIRD `password`, FRR `neighbor X password`). */
  password?: string;
  /** GTSM, RFC 5082 (BIRD `ttl security on`, FRR `neighbor X ttl-security hops 1`). */
  ttlSecurity?: boolean;
}

/** A route the daemon originates itself (route injection). */
export interface InjectedRoute {
  prefix: string;
  /** Next hop to announce (default: the daemon's own address / next-hop-self). */
  nextHop?: string;
  /** "A:B" strings. */
  communities?: string[];
  /** "G:L1:L2" strings. */
  largeCommunities?: string[];
  localPref?: number;
  med?: number;
}

export interface DaemonConfig {
  ns: Netns;
  /** Folder for config, sockets and pid files (e.g. topology.tempDir('bird')). */
  dir: string;
  as: number;
  routerId: string;
  /** Address the daemon listens on / sources sessions from. */
  localAddress?: string;
  /** TCP port to listen on (default 179). */
  listenPort?: number;
  neighbors: NeighborConfig[];
  routes?: InjectedRoute[];
  /** BFD sessions (RFC 5880/5881); FRR runs bfdd for them (BFD itself comes in a later issue). */
  bfdPeers?: BfdPeerConfig[];
}

export interface BfdPeerConfig {
  address: string;
  /** Interface for a single-hop session (RFC 5881). */
  interface?: string;
  /** Default 3. */
  detectMultiplier?: number;
  /** Default 300. */
  receiveIntervalMs?: number;
  /** Default 300. */
  transmitIntervalMs?: number;
}

/** One BFD session as the peer daemon reports it. */
export interface BfdPeerState {
  peer: string;
  /** 'up', 'down', 'init' or 'admin_down' (RFC 5880 §4.1 states, as the daemon spells them). */
  status: string;
  diagnostic?: string;
  remoteDiagnostic?: string;
}

/** A route as read back through the daemon's CLI, normalised across daemons. */
export interface PeerRoute {
  prefix: string;
  nextHop: string | undefined;
  /** The link-local half of a 32-byte IPv6 next hop, where the daemon shows it (BIRD, FRR). */
  nextHopLinkLocal?: string;
  /** Flattened AS_PATH. */
  asPath: number[];
  /** Flattened AS4_PATH when the daemon shows one (a 2-octet session, RFC 6793). */
  as4Path?: number[];
  origin: string | undefined;
  /** "A:B" (numeric, never well-known names). */
  communities: string[];
  /** "G:L1:L2". */
  largeCommunities: string[];
  localPref: number | undefined;
  med: number | undefined;
}

/** Normalised session state name: the RFC 4271 names. */
export type PeerSessionState =
  'Idle' | 'Connect' | 'Active' | 'OpenSent' | 'OpenConfirm' | 'Established' | 'Unknown';

export interface BgpDaemon {
  readonly kind: 'bird' | 'frr' | 'gobgp' | 'exabgp';
  sessionState(neighbor: string): Promise<PeerSessionState>;
  routes(family: Family): Promise<PeerRoute[]>;
  /** Number of routes received from BGP neighbours in a family (cheap; for large dumps). */
  routeCount(family: Family): Promise<number>;
  /** Asks the daemon to send a ROUTE-REFRESH to the neighbour (RFC 2918 inbound soft reset). */
  requestRefresh(neighbor: string): Promise<void>;
  restart(): Promise<void>;
  stop(): Promise<void>;
}

/** The RFC 4271 session states in FSM order (GoBGP numbers them from 1). */
export const SESSION_STATES = [
  'Idle',
  'Connect',
  'Active',
  'OpenSent',
  'OpenConfirm',
  'Established',
] as const;

/** A daemon's state name as a PeerSessionState ('Unknown' when it is none of the RFC names). */
export function sessionStateOf(name: string): PeerSessionState {
  return SESSION_STATES.find((s) => s === name) ?? 'Unknown';
}

/** A route with no attributes yet, for the parsers to fill in. */
export function emptyRoute(prefix: string): PeerRoute {
  return {
    prefix,
    nextHop: undefined,
    asPath: [],
    origin: undefined,
    communities: [],
    largeCommunities: [],
    localPref: undefined,
    med: undefined,
  };
}

export function communityText(c: number): string {
  return `${c >>> 16}:${c & 0xffff}`;
}

/** Polls `fn` until it returns a truthy value or the time is up (bounded loop). */
export async function pollUntil<T>(
  fn: () => Promise<T>,
  ok: (v: T) => boolean,
  timeoutMs: number,
  intervalMs = 100,
): Promise<T> {
  const end = Date.now() + timeoutMs;
  let last: T = await fn();
  while (!ok(last)) {
    if (Date.now() > end) return last;
    await new Promise((r) => setTimeout(r, intervalMs));
    last = await fn();
  }
  return last;
}

export function isV6(addr: string): boolean {
  return addr.includes(':');
}
