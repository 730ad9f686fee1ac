// addPeer's options checked and completed with the speaker's defaults: what the session machine,
// the socket and the Adj-RIB-Out of one peer need. Each mistake is an INVALID_OPTION naming the
// option (issue 12); MetalLB's BGPPeer fields map one to one (issue 17).
import type { AddressFamily } from '../codec/prefix.js';
import {
  address,
  bool,
  checkAsn,
  checkKnownKeys,
  checkRouterId,
  intIn,
  normaliseNextHop,
  optionError,
} from './options.js';
import type { GracefulRestartOptions, PeerOptions, SpeakerOptions } from './options.js';

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
