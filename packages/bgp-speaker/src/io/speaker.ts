// The multi-peer speaker: one desired route table, one PeerDriver (session + Adj-RIB-Out) per
// peer, an optional listener for passive peers. Changes are coalesced per microtask so a burst of
// announce() calls becomes one packed UPDATE, and still leaves within the same event-loop turn.
import { BgpError, BgpErrorCode } from '../errors.js';
import { AS_TRANS, BGP_PORT, CeaseSubcode, ErrorCode } from '../codec/constants.js';
import { encodeNotification } from '../codec/notification.js';
import ipaddr from 'ipaddr.js';
import { formatAddress, parseAddress, parsePrefix, prefixKey } from '../codec/prefix.js';
import type { AddressFamily } from '../codec/prefix.js';
import { DEFAULT_SESSION_CONFIG } from '../machine/session.js';
import { attributesKeyOf, checkRouteEncodable } from '../machine/rib.js';
import type { Route, RouteAttributes } from '../machine/rib.js';
import { netTransport } from './net-transport.js';
import { linkLocalFor } from './netif.js';
import { noMetrics, silentLogger, systemClock } from './deps.js';
import type { BgpSocket, Clock, Listener, Logger, Metrics, Transport } from './deps.js';
import type { PeerStatus, SpeakerEvent } from './events.js';
import { PeerDriver } from './peer.js';

export interface SpeakerDeps {
  /** Default: performance.now() and global timers. */
  clock?: Clock;
  /** Uniform [0,1) source for connect-retry jitter. Default Math.random. */
  random?: () => number;
  /** Default: silent. pino loggers fit. */
  logger?: Logger;
  metrics?: Metrics;
  /** Default: node:net. */
  transport?: Transport;
  /**
   * Link-local address paired with a global IPv6 next hop when the peer is on our subnet
   * (RFC 2545 §3). Default: looked up in os.networkInterfaces(); `() => undefined` disables it.
   */
  linkLocal?: (local: string, peer: string) => string | undefined;
}

export interface SpeakerOptions {
  /** Our ASN, 1..4294967295. Required. */
  localAs: number;
  /** BGP Identifier (dotted quad, non-zero). Required. */
  routerId: string;
  /**
   * Where to accept passive sessions: { address, port }. Default: no listener unless a peer is
   * passive, then the peer's localAddress (or "::") and port 179.
   */
  listen?: { address: string; port: number };
}

export interface PeerOptions {
  /** Peer address (IPv4 or IPv6). Required. */
  address: string;
  /** Peer ASN. Required; equal to localAs means iBGP. */
  peerAs: number;
  /** TCP port to dial. Default 179. */
  port?: number;
  /** Source address for the session (and default next hop). Default: the kernel's choice. */
  localAddress?: string;
  /** Source port. Default: ephemeral. */
  localPort?: number;
  /** Wait for the peer to dial. Default false. */
  passive?: boolean;
  /** Proposed hold time, seconds; 0 or ≥ 3. Default 90. */
  holdTimeSec?: number;
  /** Maximum reconnect delay, seconds (jittered ×0.75–1.0). Default 120. */
  connectRetrySec?: number;
  /** First reconnect delay, seconds, doubling per failure. Default 1. */
  minConnectRetrySec?: number;
  /** Families to negotiate. Default both IPv4 and IPv6 unicast. */
  families?: AddressFamily[];
  /** IPv4 next hop for IPv4 routes. Default: the session's local address when IPv4. */
  nextHopIpv4?: string;
  /** IPv6 next hop(s) for IPv6 routes. Default: the session's local IPv6 address, else ::ffff:<v4>. */
  nextHopIpv6?: string[];
  /** Advertise RFC 8654 extended messages. Default true. */
  extendedMessage?: boolean;
  /**
   * IP TTL / IPv6 hop limit of the session's packets, 1..255. Default: the kernel's (64), which
   * reaches multihop peers. 1 keeps eBGP on the link; 255 is GTSM's sending side (RFC 5082). Set
   * with setsockopt through FFI once the TCP connection exists, so the handshake uses the default.
   */
  ttl?: number;
  /**
   * Bytes queued on the session's socket (written, not yet taken by the kernel) past which the
   * session is reset with Cease/8 "Out of Resources" and counted (`outputOverflows`). UPDATEs are
   * only produced while the socket is below its high-water mark (64 KiB), so a reader that is slow
   * or stops reading never gets near it; this is the safety net. Default 1048576 (1 MiB).
   */
  maxOutputQueueBytes?: number;
  /**
   * RFC 9687 SendHoldTime, seconds: a session whose peer takes none of our data for this long is
   * closed with NOTIFICATION 8/0. Default max(480, 2 × negotiated hold time); 0 disables.
   */
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

export interface BgpSpeaker {
  addPeer(o: PeerOptions): Promise<void>;
  /**
   * Closes the session with a Cease (default 10 "BFD Down", RFC 9384) and reconnects after the
   * backoff: for an external liveness detector such as BFD.
   */
  resetPeer(address: string, subcode?: number, message?: string): void;
  /** Closes the session with Cease/3 (peer de-configured, RFC 4486) and forgets the peer. */
  removePeer(address: string): void;
  /** Adds or replaces a route; sent to every Established peer within the same event-loop turn. */
  announce(prefix: string, attrs?: AnnounceOptions): void;
  withdraw(prefix: string): void;
  routes(): { prefix: string; attributes: RouteAttributes }[];
  status(): PeerStatus[];
  onEvent(fn: (e: SpeakerEvent) => void): () => void;
  /** Cease/2 with the RFC 9003 message to every peer, closes the listener. */
  stop(message?: string): Promise<void>;
}

const DEFAULT_MAX_OUTPUT_QUEUE_BYTES = 1 << 20;

function checkAsn(n: number, what: string): void {
  if (!Number.isInteger(n) || n < 1 || n > 0xffffffff || n === AS_TRANS) {
    throw new BgpError(
      BgpErrorCode.InvalidOption,
      `${what} must be an integer in 1..4294967295 (not 23456)`,
      { detail: { option: what, value: n } },
    );
  }
}

const isUint32 = (v: unknown): boolean =>
  typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= 0xffffffff;

function invalid(what: string, value: unknown): BgpError {
  return new BgpError(BgpErrorCode.InvalidValue, `${what} must be an integer in 0..4294967295`, {
    detail: { option: what, value },
  });
}

/** Rejects values the wire cannot carry (4-octet fields would otherwise wrap: MED 2^32 → 0). */
function checkAnnounceOptions(a: AnnounceOptions): void {
  if (a.med !== undefined && !isUint32(a.med)) throw invalid('med', a.med);
  if (a.localPref !== undefined && !isUint32(a.localPref)) throw invalid('localPref', a.localPref);
  for (const c of a.communities ?? []) if (!isUint32(c)) throw invalid('communities', c);
  for (const c of a.largeCommunities ?? [])
    if (!isUint32(c.global) || !isUint32(c.local1) || !isUint32(c.local2))
      throw invalid('largeCommunities', c);
}

/** The next hop in the form the encoders take: dotted quad for IPv4, any IPv6 text for IPv6. */
function normaliseNextHop(text: string, family: AddressFamily, what: string): string {
  // An IPv4-mapped address is IPv6 here: parseAddress would turn it into IPv4 (RFC 4291 §2.5.5.2).
  if (family === 'ipv6') {
    if (!ipaddr.IPv6.isValid(text))
      throw new BgpError(BgpErrorCode.InvalidValue, `${what} ${text} is not an IPv6 address`, {
        detail: { option: what, value: text },
      });
    return text;
  }
  const a = parseAddress(text);
  if (a.family !== 'ipv4')
    throw new BgpError(BgpErrorCode.InvalidValue, `${what} ${text} is not an IPv4 address`, {
      detail: { option: what, value: text },
    });
  return formatAddress(a.bytes);
}

export function createBgpSpeaker(deps: SpeakerDeps, options: SpeakerOptions): BgpSpeaker {
  checkAsn(options.localAs, 'localAs');
  const rid = parseAddress(options.routerId);
  if (rid.family !== 'ipv4' || rid.bytes.every((b) => b === 0)) {
    throw new BgpError(BgpErrorCode.InvalidOption, 'routerId must be a non-zero dotted quad', {
      detail: { option: 'routerId', value: options.routerId },
    });
  }
  const clock = deps.clock ?? systemClock;
  const random = deps.random ?? Math.random;
  const logger = deps.logger ?? silentLogger;
  const metrics = deps.metrics ?? noMetrics;
  const transport = deps.transport ?? netTransport;
  const linkLocal = deps.linkLocal ?? ((local: string, peer: string) => linkLocalFor(local, peer));
  const routes = new Map<string, Route>();
  const peers = new Map<string, PeerDriver>();
  const listeners = new Set<(e: SpeakerEvent) => void>();
  const servers = new Map<string, Listener>();
  let dirty = new Set<string>();
  let flushQueued = false;
  let stopped = false;

  const emit = (e: SpeakerEvent) => {
    for (const fn of listeners) fn(e);
  };

  const scheduleFlush = () => {
    if (flushQueued) return;
    flushQueued = true;
    queueMicrotask(() => {
      flushQueued = false;
      const keys = dirty;
      dirty = new Set();
      for (const p of peers.values()) {
        // PeerDriver.flush does not throw; this guard keeps one peer from starving the rest
        // (and the process from dying in a microtask) should that ever change.
        try {
          p.flush(keys);
        } catch (err) {
          logger.error({ peer: p.name, err: (err as Error).message }, 'flush failed');
        }
      }
    });
  };

  const normPeer = (a: string) => {
    const p = parseAddress(a);
    return { key: p.bytes.join('.'), family: p.family };
  };

  const onIncoming = (s: BgpSocket) => {
    const peer = s.remoteAddress ? peers.get(normPeer(s.remoteAddress).key) : undefined;
    if (!peer || stopped) {
      // RFC 4486: Cease/5 "Connection Rejected" for a connection from an unknown peer.
      logger.warn({ remote: s.remoteAddress }, 'rejecting connection from unknown peer');
      s.write(encodeNotification(ErrorCode.Cease, CeaseSubcode.ConnectionRejected));
      s.end();
      return;
    }
    peer.accept(s);
  };

  const ensureListener = async (host: string, port: number) => {
    const key = `${host}|${port}`;
    if (servers.has(key)) return;
    try {
      const onError = (reason: string) => {
        logger.warn({ host, port, reason }, 'listener error');
        metrics.inc('bgp_listener_errors_total', { listen: key });
      };
      servers.set(key, await transport.listen({ host, port }, onIncoming, onError));
    } catch (err) {
      throw new BgpError(
        BgpErrorCode.InvalidOption,
        `cannot listen on [${host}]:${port}: ${(err as Error).message}`,
        { detail: { host, port } },
      );
    }
  };

  const speaker: BgpSpeaker = {
    async addPeer(o) {
      if (stopped) throw new BgpError(BgpErrorCode.Stopped, 'speaker stopped');
      checkAsn(o.peerAs, 'peerAs');
      const { key } = normPeer(o.address);
      if (peers.has(key))
        throw new BgpError(BgpErrorCode.InvalidOption, `peer ${o.address} already exists`, {
          detail: { option: 'address', value: o.address },
        });
      const hold = o.holdTimeSec ?? DEFAULT_SESSION_CONFIG.holdTimeSec;
      if (!Number.isInteger(hold) || hold < 0 || hold > 65535 || hold === 1 || hold === 2) {
        throw new BgpError(
          BgpErrorCode.InvalidOption,
          'holdTimeSec must be 0 or 3..65535 (RFC 4271 §4.2)',
          { detail: { option: 'holdTimeSec', value: hold } },
        );
      }
      if (o.localAddress) parseAddress(o.localAddress);
      const nextHopIpv4 =
        o.nextHopIpv4 === undefined
          ? undefined
          : normaliseNextHop(o.nextHopIpv4, 'ipv4', 'nextHopIpv4');
      const nextHopIpv6 = o.nextHopIpv6?.map((a) => normaliseNextHop(a, 'ipv6', 'nextHopIpv6'));
      if (nextHopIpv6 && (nextHopIpv6.length < 1 || nextHopIpv6.length > 2))
        throw new BgpError(
          BgpErrorCode.InvalidOption,
          'nextHopIpv6 takes a global address and optionally a link-local one (RFC 2545 §3)',
          { detail: { option: 'nextHopIpv6', value: o.nextHopIpv6 } },
        );
      if (o.ttl !== undefined) {
        if (!Number.isInteger(o.ttl) || o.ttl < 1 || o.ttl > 255) {
          throw new BgpError(BgpErrorCode.InvalidOption, 'ttl must be 1..255', {
            detail: { option: 'ttl', value: o.ttl },
          });
        }
        if (!transport.enableTtl)
          throw new BgpError(BgpErrorCode.InvalidOption, 'this transport cannot set a TTL', {
            detail: { option: 'ttl' },
          });
        await transport.enableTtl();
      }
      const driver = new PeerDriver(
        { clock, random, logger, metrics, transport, emit, routes, linkLocal },
        {
          address: o.address,
          port: o.port ?? BGP_PORT,
          localAddress: o.localAddress,
          localPort: o.localPort,
          nextHopIpv4,
          nextHopIpv6,
          ttl: o.ttl,
          maxOutputQueueBytes: o.maxOutputQueueBytes ?? DEFAULT_MAX_OUTPUT_QUEUE_BYTES,
          session: {
            ...DEFAULT_SESSION_CONFIG,
            localAs: options.localAs,
            peerAs: o.peerAs,
            routerId: options.routerId,
            holdTimeSec: hold,
            passive: o.passive ?? false,
            ...(o.connectRetrySec !== undefined ? { connectRetrySec: o.connectRetrySec } : {}),
            ...(o.minConnectRetrySec !== undefined
              ? { minConnectRetrySec: o.minConnectRetrySec }
              : {}),
            ...(o.families ? { families: o.families } : {}),
            ...(o.extendedMessage !== undefined ? { extendedMessage: o.extendedMessage } : {}),
            ...(o.sendHoldTimeSec !== undefined ? { sendHoldTimeSec: o.sendHoldTimeSec } : {}),
          },
        },
      );
      peers.set(key, driver);
      if (o.passive || options.listen) {
        const l = options.listen ?? { address: o.localAddress ?? '::', port: o.port ?? BGP_PORT };
        try {
          await ensureListener(l.address, l.port);
        } catch (err) {
          peers.delete(key);
          throw err;
        }
      }
      driver.start();
    },
    resetPeer(address, subcode = CeaseSubcode.BfdDown, message) {
      peers.get(normPeer(address).key)?.reset(subcode, message);
    },
    removePeer(address) {
      const { key } = normPeer(address);
      const p = peers.get(key);
      if (!p) return;
      p.stop(CeaseSubcode.PeerDeconfigured);
      peers.delete(key);
    },
    announce(prefix, attrs = {}) {
      if (stopped) throw new BgpError(BgpErrorCode.Stopped, 'speaker stopped');
      const p = parsePrefix(prefix);
      checkAnnounceOptions(attrs);
      const attributes = { ...attrs };
      if (attrs.nextHop !== undefined)
        attributes.nextHop = normaliseNextHop(attrs.nextHop, p.family, 'nextHop');
      checkRouteEncodable(p, attributes, options.localAs);
      const key = prefixKey(p);
      routes.set(key, { prefix: p, attributes, attributesKey: attributesKeyOf(attributes) });
      dirty.add(key);
      scheduleFlush();
    },
    withdraw(prefix) {
      const key = prefixKey(parsePrefix(prefix));
      if (routes.delete(key)) {
        dirty.add(key);
        scheduleFlush();
      }
    },
    routes() {
      return [...routes.entries()].map(([prefix, r]) => ({ prefix, attributes: r.attributes }));
    },
    status() {
      return [...peers.values()].map((p) => p.status());
    },
    onEvent(fn) {
      listeners.add(fn);
      return () => listeners.delete(fn);
    },
    async stop(message) {
      if (stopped) return;
      stopped = true;
      for (const p of peers.values()) p.stop(CeaseSubcode.AdministrativeShutdown, message);
      await Promise.all([...servers.values()].map((s) => s.close()));
      servers.clear();
    },
  };
  return speaker;
}
