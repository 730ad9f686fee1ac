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

function bool(o: Record<string, unknown>, key: string): boolean | undefined {
  const v = o[key];
  if (v !== undefined && typeof v !== 'boolean')
    throw optionError(key, `${key} must be a boolean`, v);
  return v as boolean | undefined;
}

function address(v: unknown, key: string): { family: AddressFamily; text: string } {
  if (typeof v !== 'string' || !ipaddr.isValid(v))
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
  const a = typeof text === 'string' && ipaddr.isValid(text) ? parseAddress(text) : undefined;
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

const PEER_KEYS = [
  'address',
  'peerAs',
  'dynamicAsn',
  'localAs',
  'routerId',
  'port',
  'localAddress',
  'localPort',
  'passive',
  'holdTimeSec',
  'keepaliveTimeSec',
  'connectTimeSec',
  'connectRetrySec',
  'minConnectRetrySec',
  'families',
  'dualStackAddressFamily',
  'nextHopIpv4',
  'nextHopIpv6',
  'extendedMessage',
  'ttl',
  'ebgpMultiHop',
  'ttlSecurityHops',
  'password',
  'gracefulRestart',
  'maxOutputQueueBytes',
  'sendHoldTimeSec',
] as const;

/** A peer's options checked and completed with the speaker's defaults. */
export interface ResolvedPeer {
  address: string;
  family: AddressFamily;
  port: number;
  localAddress: string | undefined;
  localPort: number | undefined;
  passive: boolean;
  localAs: number;
  routerId: string;
  peerAs: number | undefined;
  dynamicAsn: 'internal' | 'external' | undefined;
  holdTimeSec: number;
  keepaliveTimeSec: number | undefined;
  connectRetrySec: number | undefined;
  minConnectRetrySec: number | undefined;
  families: AddressFamily[];
  nextHopIpv4: string | undefined;
  nextHopIpv6: string[] | undefined;
  extendedMessage: boolean | undefined;
  /** Socket options: TTL of what we send, GTSM minimum TTL, TCP-MD5 password. */
  ttl: number | undefined;
  minTtl: number | undefined;
  password: string | undefined;
  gracefulRestart: Required<GracefulRestartOptions> | undefined;
  maxOutputQueueBytes: number;
  sendHoldTimeSec: number | undefined;
}

export const DEFAULT_MAX_OUTPUT_QUEUE_BYTES = 1 << 20;
export const DEFAULT_RESTART_TIME_SEC = 120;

export function resolvePeer(input: PeerOptions, speaker: SpeakerOptions): ResolvedPeer {
  if (typeof input !== 'object' || input === null)
    throw optionError(
      'address',
      'addPeer(options) takes an object: { address, peerAs, ... }',
      input,
    );
  const o = input as unknown as Record<string, unknown>;
  checkKnownKeys('peer', o, PEER_KEYS);
  const peer = address(o.address, 'address');
  const localAs = o.localAs === undefined ? speaker.localAs : checkAsn(o.localAs, 'localAs');
  const routerId =
    o.routerId === undefined ? speaker.routerId : checkRouterId(o.routerId, 'routerId');
  const dynamicAsn = o.dynamicAsn as ResolvedPeer['dynamicAsn'];
  if (dynamicAsn !== undefined && dynamicAsn !== 'internal' && dynamicAsn !== 'external')
    throw optionError('dynamicAsn', "dynamicAsn must be 'internal' or 'external'", dynamicAsn);
  if (dynamicAsn !== undefined && o.peerAs !== undefined)
    throw optionError('dynamicAsn', 'give either peerAs or dynamicAsn, not both', dynamicAsn);
  const peerAs = dynamicAsn ? undefined : checkAsn(o.peerAs, 'peerAs');
  const ebgp = dynamicAsn ? dynamicAsn === 'external' : peerAs !== localAs;

  const port = intIn(o, 'port', 1, 65535) ?? 179;
  const localPort = intIn(o, 'localPort', 0, 65535);
  let localAddress: string | undefined;
  if (o.localAddress !== undefined) {
    const l = address(o.localAddress, 'localAddress');
    if (l.family !== peer.family)
      throw optionError(
        'localAddress',
        `localAddress ${l.text} is not of the peer's family (${peer.family})`,
        o.localAddress,
      );
    localAddress = o.localAddress as string;
  }

  const holdTimeSec = intIn(o, 'holdTimeSec', 0, 65535) ?? 90;
  if (holdTimeSec === 1 || holdTimeSec === 2)
    throw optionError(
      'holdTimeSec',
      'holdTimeSec must be 0 or 3..65535 (RFC 4271 §4.2)',
      holdTimeSec,
    );
  const keepaliveTimeSec = intIn(o, 'keepaliveTimeSec', 1, 65535);
  if (keepaliveTimeSec !== undefined && holdTimeSec > 0 && keepaliveTimeSec > holdTimeSec)
    throw optionError(
      'keepaliveTimeSec',
      `keepaliveTimeSec (${keepaliveTimeSec}) must not exceed holdTimeSec (${holdTimeSec})`,
      keepaliveTimeSec,
    );

  const connectTimeSec = intIn(o, 'connectTimeSec', 1, 65535);
  let connectRetrySec = intIn(o, 'connectRetrySec', 1, 65535);
  let minConnectRetrySec = intIn(o, 'minConnectRetrySec', 1, 65535);
  if (connectTimeSec !== undefined) {
    if (connectRetrySec !== undefined || minConnectRetrySec !== undefined)
      throw optionError(
        'connectTimeSec',
        'connectTimeSec is a fixed interval: do not combine it with connectRetrySec / minConnectRetrySec',
        connectTimeSec,
      );
    connectRetrySec = connectTimeSec;
    minConnectRetrySec = connectTimeSec;
  }
  if ((minConnectRetrySec ?? 1) > (connectRetrySec ?? 120))
    throw optionError(
      'minConnectRetrySec',
      'minConnectRetrySec must not exceed connectRetrySec',
      minConnectRetrySec,
    );

  const dual = bool(o, 'dualStackAddressFamily') ?? false;
  let families: AddressFamily[] = dual ? ['ipv4', 'ipv6'] : [peer.family];
  if (o.families !== undefined) {
    const f = o.families;
    if (
      !Array.isArray(f) ||
      f.length === 0 ||
      f.some((x) => x !== 'ipv4' && x !== 'ipv6') ||
      new Set(f).size !== f.length
    )
      throw optionError('families', "families must be a non-empty list of 'ipv4' / 'ipv6'", f);
    families = f as AddressFamily[];
  }

  const nextHopIpv4 =
    o.nextHopIpv4 === undefined
      ? undefined
      : normaliseNextHop(o.nextHopIpv4, 'ipv4', 'nextHopIpv4');
  let nextHopIpv6: string[] | undefined;
  if (o.nextHopIpv6 !== undefined) {
    if (!Array.isArray(o.nextHopIpv6) || o.nextHopIpv6.length < 1 || o.nextHopIpv6.length > 2)
      throw optionError(
        'nextHopIpv6',
        'nextHopIpv6 takes a global address and optionally a link-local one (RFC 2545 §3)',
        o.nextHopIpv6,
      );
    nextHopIpv6 = o.nextHopIpv6.map((a: unknown) => normaliseNextHop(a, 'ipv6', 'nextHopIpv6'));
  }

  const ttlOpt = intIn(o, 'ttl', 1, 255);
  const multiHop = bool(o, 'ebgpMultiHop');
  const gtsmHops = intIn(o, 'ttlSecurityHops', 1, 254);
  if (gtsmHops !== undefined && (ttlOpt !== undefined || multiHop !== undefined))
    throw optionError(
      'ttlSecurityHops',
      'ttlSecurityHops sends with TTL 255: do not combine it with ttl or ebgpMultiHop',
      gtsmHops,
    );
  if (ttlOpt !== undefined && multiHop !== undefined)
    throw optionError('ttl', 'give either ttl or ebgpMultiHop, not both', ttlOpt);
  let ttl = ttlOpt;
  let minTtl: number | undefined;
  if (gtsmHops !== undefined) {
    // RFC 5082 §3: send at 255, accept only what crossed at most `hops` routers.
    ttl = 255;
    minTtl = 256 - gtsmHops;
  } else if (multiHop !== undefined && ebgp) {
    ttl = multiHop ? 255 : 1;
  }

  let password: string | undefined;
  if (o.password !== undefined) {
    const bytes = typeof o.password === 'string' ? Buffer.byteLength(o.password) : 0;
    // Linux TCP_MD5SIG_MAXKEYLEN.
    if (bytes < 1 || bytes > 80)
      throw optionError(
        'password',
        'password must be a string of 1..80 bytes (TCP-MD5 key)',
        '<redacted>',
      );
    password = o.password as string;
  }

  let gracefulRestart: ResolvedPeer['gracefulRestart'];
  const gr = o.gracefulRestart;
  if (gr === true || (typeof gr === 'object' && gr !== null)) {
    const g = (gr === true ? {} : gr) as Record<string, unknown>;
    checkKnownKeys('gracefulRestart', g, [
      'restartTimeSec',
      'forwardingStatePreserved',
      'stalePathTimeSec',
    ]);
    gracefulRestart = {
      restartTimeSec: intIn(g, 'restartTimeSec', 0, 4095) ?? DEFAULT_RESTART_TIME_SEC,
      forwardingStatePreserved: bool(g, 'forwardingStatePreserved') ?? true,
      stalePathTimeSec: intIn(g, 'stalePathTimeSec', 1, 65535) ?? 360,
    };
  } else if (gr !== undefined && gr !== false) {
    throw optionError(
      'gracefulRestart',
      'gracefulRestart must be a boolean or { restartTimeSec, forwardingStatePreserved, stalePathTimeSec }',
      gr,
    );
  }

  return {
    address: o.address as string,
    family: peer.family,
    port,
    localAddress,
    localPort,
    passive: bool(o, 'passive') ?? false,
    localAs,
    routerId,
    peerAs,
    dynamicAsn,
    holdTimeSec,
    keepaliveTimeSec,
    connectRetrySec,
    minConnectRetrySec,
    families,
    nextHopIpv4,
    nextHopIpv6,
    extendedMessage: bool(o, 'extendedMessage'),
    ttl,
    minTtl,
    password,
    gracefulRestart,
    maxOutputQueueBytes:
      intIn(o, 'maxOutputQueueBytes', 4096, Number.MAX_SAFE_INTEGER) ??
      DEFAULT_MAX_OUTPUT_QUEUE_BYTES,
    sendHoldTimeSec: intIn(o, 'sendHoldTimeSec', 0, 65535),
  };
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
