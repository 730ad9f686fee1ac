// The public options of the speaker, each peer and each route, and their validation. Every
// mistake is a BgpError INVALID_OPTION (or INVALID_VALUE for a route) whose detail names the
// option — a stranger's typo (`holdTime`, options passed as deps) never becomes a TypeError or a
// silently ignored setting (issue 12).
import ipaddr from 'ipaddr.js';
import { BgpError, BgpErrorCode } from '../errors.js';
import { AS_TRANS } from '../codec/constants.js';
import { formatAddress, parseAddress } from '../codec/prefix.js';
import type { AddressFamily } from '../codec/prefix.js';
import type { RouteAttributes } from '../machine/rib.js';

export interface SpeakerOptions {
  /** Our ASN, 1..4294967295 (not 23456). Required; a peer's `localAs` overrides it. */
  localAs: number;
  /** BGP Identifier (non-zero dotted quad). Required; a peer's `routerId` overrides it. */
  routerId: string;
  /**
   * Where to accept passive sessions: { address, port }. Default: no listener unless a peer is
   * passive, then the peer's localAddress (or "::") and its port.
   */
  listen?: { address: string; port: number };
}

/** Graceful restart (RFC 4724), MetalLB's BGPPeer `enableGracefulRestart`. */
export interface GracefulRestartOptions {
  /** How long the peer keeps our routes while we restart, seconds, 0..4095. Default 120. */
  restartTimeSec?: number;
  /** F bit: forwarding continues while the speaker restarts (the node keeps serving). Default true. */
  forwardingStatePreserved?: boolean;
  /** Receiving speaker: how long a restarted peer's routes stay stale waiting for its End-of-RIB. Default 360. */
  stalePathTimeSec?: number;
}

export interface PeerOptions {
  /** Peer address (IPv4 or IPv6). Required. */
  address: string;
  /** Peer ASN; equal to the local ASN means iBGP. Required unless `dynamicAsn` is set. */
  peerAs?: number;
  /** MetalLB dynamicASN: learn the peer's ASN from its OPEN; 'internal' (iBGP) or 'external' (eBGP). */
  dynamicAsn?: 'internal' | 'external';
  /** Our ASN on this session (MetalLB myASN). Default: the speaker's `localAs`. */
  localAs?: number;
  /** Our BGP Identifier on this session (MetalLB routerID). Default: the speaker's `routerId`. */
  routerId?: string;
  /** TCP port to dial, or to listen on when passive. Default 179. */
  port?: number;
  /** Source address (MetalLB sourceAddress); also next-hop-self. Default: the kernel's choice. */
  localAddress?: string;
  /** Source port. Default: ephemeral. */
  localPort?: number;
  /** Wait for the peer to dial. Default false. */
  passive?: boolean;
  /** Proposed hold time, seconds: 0 or 3..65535. Default 90. */
  holdTimeSec?: number;
  /** Keepalive interval, seconds, 1..65535, at most holdTimeSec; the session uses min(this, hold/3). Default hold/3. */
  keepaliveTimeSec?: number;
  /** MetalLB connectTime: a fixed interval between connection attempts, seconds (no backoff). */
  connectTimeSec?: number;
  /** Maximum reconnect delay, seconds (jittered ×0.75–1.0). Default 120. */
  connectRetrySec?: number;
  /** First reconnect delay, seconds, doubling per failure. Default 1. */
  minConnectRetrySec?: number;
  /**
   * Families to negotiate. Default: the session's own family, or both with
   * `dualStackAddressFamily` (FRR-K8s).
   */
  families?: AddressFamily[];
  /** FRR-K8s dualStackAddressFamily: carry IPv4 and IPv6 over this one session. Default false. */
  dualStackAddressFamily?: boolean;
  /** IPv4 next hop for IPv4 routes. Default: the session's local address when IPv4. */
  nextHopIpv4?: string;
  /** IPv6 next hop(s) for IPv6 routes. Default: the session's local IPv6 address, else ::ffff:<v4>. */
  nextHopIpv6?: string[];
  /** Advertise RFC 8654 extended messages. Default true. */
  extendedMessage?: boolean;
  /** IP TTL / IPv6 hop limit of every packet of the session, SYN included, 1..255. Default: see ebgpMultiHop. */
  ttl?: number;
  /**
   * MetalLB ebgpMultiHop. false: an eBGP session is single-hop, TTL 1 (FRR's default); true:
   * TTL 255. Unset: the kernel's TTL (64). No effect on iBGP.
   */
  ebgpMultiHop?: boolean;
  /**
   * GTSM (RFC 5082): send with TTL 255 and drop packets that arrive with a TTL below
   * 256 − ttlSecurityHops (FRR's `ttl-security hops`), 1..254.
   */
  ttlSecurityHops?: number;
  /** RFC 2385 TCP-MD5 password (MetalLB password / passwordSecret), 1..80 bytes. */
  password?: string;
  /** Graceful restart (RFC 4724) as restarting and receiving speaker. `true` takes the defaults. */
  gracefulRestart?: boolean | GracefulRestartOptions;
  /**
   * Bytes queued on the session's socket past which the session is reset with Cease/8 and
   * counted. UPDATEs are only produced while the socket is below its 64 KiB high-water mark, so
   * this is a safety net. Default 1048576.
   */
  maxOutputQueueBytes?: number;
  /** RFC 9687 SendHoldTime, seconds; 0 disables. Default max(480, 2 × negotiated hold time). */
  sendHoldTimeSec?: number;
}

export interface AnnounceOptions {
  /** RFC 1997 communities as numbers 0..2^32−1 (see parseCommunity for text). */
  communities?: number[];
  /** RFC 8092 large communities; each field 0..2^32−1. */
  largeCommunities?: RouteAttributes['largeCommunities'];
  /** LOCAL_PREF, 0..2^32−1 (RFC 4271 §5.1.5: 4 octets), iBGP only. Default 100. */
  localPref?: number;
  /** MULTI_EXIT_DISC, 0..2^32−1 (RFC 4271 §5.1.4: 4 octets). Default: not sent. */
  med?: number;
  /** Next hop instead of next-hop-self; same family as the prefix (IPv4-mapped IPv6 is IPv6). */
  nextHop?: string;
}

function isAddress(v: string): boolean {
  try {
    parseAddress(v);
    return true;
  } catch {
    return false;
  }
}

export function optionError(option: string, message: string, value?: unknown): BgpError {
  return new BgpError(BgpErrorCode.InvalidOption, message, {
    detail: { option, ...(value !== undefined ? { value } : {}) },
  });
}

/** Names other BGP configurations use, mapped to ours, for the unknown-option hint. */
const HINTS: Record<string, string> = {
  holdTime: 'holdTimeSec',
  keepaliveTime: 'keepaliveTimeSec',
  connectTime: 'connectTimeSec',
  peerASN: 'peerAs',
  peerAsn: 'peerAs',
  myASN: 'localAs',
  myAsn: 'localAs',
  dynamicASN: 'dynamicAsn',
  peerAddress: 'address',
  peerPort: 'port',
  sourceAddress: 'localAddress',
  routerID: 'routerId',
  enableGracefulRestart: 'gracefulRestart',
  ebgpMultihop: 'ebgpMultiHop',
  asn: 'localAs',
};

/** Unknown keys are mistakes (a MetalLB field name, a typo): name them instead of ignoring them. */
export function checkKnownKeys(
  what: string,
  o: object,
  known: readonly string[],
  hints: Record<string, string> = HINTS,
): void {
  for (const k of Object.keys(o)) {
    if (known.includes(k)) continue;
    const hint = hints[k] && known.includes(hints[k]) ? ` (did you mean ${hints[k]}?)` : '';
    throw optionError(k, `unknown ${what} option "${k}"${hint}`, (o as Record<string, unknown>)[k]);
  }
}

export function checkAsn(n: unknown, what: string): number {
  if (typeof n !== 'number' || !Number.isInteger(n) || n < 1 || n > 0xffffffff || n === AS_TRANS)
    throw optionError(
      what,
      n === undefined
        ? `${what} is required: an integer in 1..4294967295 (not 23456)`
        : `${what} must be an integer in 1..4294967295 (not 23456)`,
      n,
    );
  return n;
}

export function checkRouterId(id: unknown, what: string): string {
  let ok = false;
  if (typeof id === 'string' && ipaddr.IPv4.isValidFourPartDecimal(id))
    ok = ipaddr.IPv4.parse(id)
      .toByteArray()
      .some((b) => b !== 0);
  if (!ok)
    throw optionError(
      what,
      id === undefined
        ? `${what} is required: a non-zero dotted quad`
        : `${what} must be a non-zero dotted quad`,
      id,
    );
  return id as string;
}

export function intIn(
  o: Record<string, unknown>,
  key: string,
  min: number,
  max: number,
): number | undefined {
  const v = o[key];
  if (v === undefined) return undefined;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max)
    throw optionError(key, `${key} must be an integer in ${min}..${max}`, v);
  return v;
}

export function bool(o: Record<string, unknown>, key: string): boolean | undefined {
  const v = o[key];
  if (v !== undefined && typeof v !== 'boolean')
    throw optionError(key, `${key} must be a boolean`, v);
  return v as boolean | undefined;
}

export function address(v: unknown, key: string): { family: AddressFamily; text: string } {
  if (typeof v !== 'string' || !isAddress(v))
    throw optionError(
      key,
      v === undefined ? `${key} is required: an IP address` : `${key} must be an IP address`,
      v,
    );
  const a = parseAddress(v);
  return { family: a.family, text: formatAddress(a.bytes) };
}

/** The next hop in the form the encoders take: dotted quad for IPv4, any IPv6 text for IPv6. */
export function normaliseNextHop(text: unknown, family: AddressFamily, what: string): string {
  // An IPv4-mapped address is IPv6 here: parseAddress would turn it into IPv4 (RFC 4291 §2.5.5.2).
  if (family === 'ipv6') {
    if (typeof text !== 'string' || !ipaddr.IPv6.isValid(text))
      throw new BgpError(
        BgpErrorCode.InvalidValue,
        `${what} ${String(text)} is not an IPv6 address`,
        {
          detail: { option: what, value: text },
        },
      );
    return text;
  }
  const a = typeof text === 'string' && isAddress(text) ? parseAddress(text) : undefined;
  if (a?.family !== 'ipv4')
    throw new BgpError(
      BgpErrorCode.InvalidValue,
      `${what} ${String(text)} is not an IPv4 address`,
      {
        detail: { option: what, value: text },
      },
    );
  return formatAddress(a.bytes);
}

const isUint32 = (v: unknown): boolean =>
  typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= 0xffffffff;

function invalid(what: string, value: unknown): BgpError {
  return new BgpError(BgpErrorCode.InvalidValue, `${what} must be an integer in 0..4294967295`, {
    detail: { option: what, value },
  });
}

/** Rejects values the wire cannot carry (4-octet fields would otherwise wrap: MED 2^32 → 0). */
export function checkAnnounceOptions(a: AnnounceOptions): void {
  if (typeof a !== 'object' || a === null)
    throw new BgpError(
      BgpErrorCode.InvalidValue,
      'announce(prefix, options): options must be an object',
      { detail: { value: a } },
    );
  checkKnownKeys('announce', a, ['communities', 'largeCommunities', 'localPref', 'med', 'nextHop']);
  if (a.med !== undefined && !isUint32(a.med)) throw invalid('med', a.med);
  if (a.localPref !== undefined && !isUint32(a.localPref)) throw invalid('localPref', a.localPref);
  if (a.communities !== undefined && !Array.isArray(a.communities))
    throw invalid('communities', a.communities);
  for (const c of a.communities ?? []) if (!isUint32(c)) throw invalid('communities', c);
  if (a.largeCommunities !== undefined && !Array.isArray(a.largeCommunities))
    throw invalid('largeCommunities', a.largeCommunities);
  for (const c of a.largeCommunities ?? [])
    if (!isUint32(c?.global) || !isUint32(c?.local1) || !isUint32(c?.local2))
      throw invalid('largeCommunities', c);
}

/**
 * createBgpSpeaker's arguments, checked the way a stranger gets them wrong: options missing or
 * passed as the first argument, a required field missing, an unknown key.
 */
export function checkSpeakerArgs(deps: unknown, options: unknown): SpeakerOptions {
  if (typeof deps !== 'object' || deps === null)
    throw optionError(
      'deps',
      'createBgpSpeaker(deps, options): deps must be an object ({} for the defaults)',
      deps,
    );
  if (options === undefined) {
    const d = deps as Record<string, unknown>;
    const misplaced = 'localAs' in d || 'routerId' in d;
    throw optionError(
      'localAs',
      misplaced
        ? 'createBgpSpeaker(deps, options): localAs and routerId go in the second argument, e.g. createBgpSpeaker({}, { localAs, routerId })'
        : 'createBgpSpeaker(deps, options): options { localAs, routerId } are required',
    );
  }
  if (typeof options !== 'object' || options === null)
    throw optionError(
      'localAs',
      'createBgpSpeaker(deps, options): options must be an object { localAs, routerId }',
      options,
    );
  checkKnownKeys('deps', deps, ['clock', 'random', 'logger', 'metrics', 'transport', 'linkLocal']);
  const o = options as Record<string, unknown>;
  checkKnownKeys('speaker', o, ['localAs', 'routerId', 'listen']);
  checkAsn(o.localAs, 'localAs');
  checkRouterId(o.routerId, 'routerId');
  if (o.listen !== undefined) {
    const l = o.listen as Record<string, unknown>;
    if (typeof l !== 'object' || l === null)
      throw optionError('listen', 'listen must be { address, port }', l);
    address(l.address, 'listen.address');
    if (typeof l.port !== 'number' || !Number.isInteger(l.port) || l.port < 0 || l.port > 65535)
      throw optionError('listen.port', 'listen.port must be an integer in 0..65535', l.port);
  }
  return options as SpeakerOptions;
}
