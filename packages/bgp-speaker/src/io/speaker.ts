// The multi-peer speaker: one desired route table, one PeerDriver (session + Adj-RIB-Out) per
// peer, listeners for passive peers. Changes are coalesced per microtask so a burst of announce()
// calls becomes one packed UPDATE, and still leaves within the same event-loop turn.
import { backgroundClock, noMetrics, silentLogger, systemClock } from '@ironlb/clock';
import { BgpError, BgpErrorCode } from '../errors.js';
import { CeaseSubcode, ErrorCode } from '../codec/constants.js';
import { encodeNotification } from '../codec/notification.js';
import { parseAddress, parseNetwork, prefixKey } from '../codec/prefix.js';
import type { AddressFamily } from '../codec/prefix.js';
import { DEFAULT_SESSION_CONFIG } from '../machine/session.js';
import { checkRouteEncodable } from '../machine/rib.js';
import { AttributeSets } from './attribute-sets.js';
import { SlotTable } from '../machine/adj-rib-out.js';
import type { Route, RouteAttributes } from '../machine/rib.js';
import type { SessionConfig } from '../machine/types.js';
import type { BgpSocket, Listener, SpeakerDeps } from '../deps.js';
import { createNetTransport } from './net-transport.js';
import { linkLocalFor } from './netif.js';
import { declareMetrics } from './metrics.js';
import type { PeerStatus, SpeakerEvent } from './events.js';
import { PeerDriver } from './peer.js';
import {
  checkAnnounceOptions,
  checkSpeakerArgs,
  normaliseNextHop,
  optionError,
} from './options.js';
import type { AnnounceOptions, PeerOptions, SpeakerOptions } from './options.js';
import { resolvePeer } from './peer-options.js';
import type { ResolvedPeer } from './peer-options.js';

export interface StopOptions {
  /**
   * Graceful restart (RFC 4724 §4.2): sessions that negotiated it close without a NOTIFICATION,
   * so the peer keeps our routes for our Restart Time (a restart or upgrade of this process);
   * other sessions get the Cease as usual. Default false: every peer withdraws our routes.
   */
  graceful?: boolean;
}

export interface BgpSpeaker {
  /** Adds a peer and starts its session (dials it, or waits when passive). */
  addPeer(o: PeerOptions): Promise<void>;
  /**
   * Takes the session down at once with a Cease and reconnects after the backoff. Default
   * subcode 10 "BFD Down" (RFC 9384).
   */
  resetPeer(address: string, subcode?: number, message?: string): void;
  /**
   * An external liveness detector (BFD) saw the path to this peer fail: the session goes down at
   * once with NOTIFICATION Cease/10 "BFD Down" (RFC 9384) and enters the normal reconnect cycle.
   * `reason` appears in the state event and `status().lastReason`. No-op for an unknown peer.
   */
  peerDown(address: string, reason?: string): void;
  /** Closes the session with Cease/3 (peer de-configured, RFC 4486) and forgets the peer. */
  removePeer(address: string): void;
  /**
   * Adds or replaces a route; sent to every Established peer within the same event-loop turn.
   * `prefix` is a network ("203.0.113.0/24") or an address (a host route); host bits set after
   * the slash ("203.0.113.10/24") are refused with INVALID_VALUE.
   */
  announce(prefix: string, attrs?: AnnounceOptions): void;
  withdraw(prefix: string): void;
  routes(): { prefix: string; attributes: RouteAttributes }[];
  status(): PeerStatus[];
  onEvent(fn: (e: SpeakerEvent) => void): () => void;
  /** Cease/2 with the RFC 9003 message to every peer (or a graceful-restart stop), closes listeners. */
  stop(message?: string, options?: StopOptions): Promise<void>;
}

export function createBgpSpeaker(deps: SpeakerDeps, options: SpeakerOptions): BgpSpeaker {
  const opts = checkSpeakerArgs(deps, options);
  const clock = deps.clock ?? systemClock;
  const random = deps.random ?? Math.random;
  const logger = deps.logger ?? silentLogger;
  const metrics = declareMetrics(deps.metrics ?? noMetrics);
  // The close-after-end timers of sockets must not keep a process alive on their own.
  const transport = deps.transport ?? createNetTransport({ clock: deps.clock ?? backgroundClock });
  const linkLocal = deps.linkLocal ?? ((local: string, peer: string) => linkLocalFor(local, peer));
  const createdAt = clock.now();
  const routes = new Map<string, Route>();
  const attributeSets = new AttributeSets();
  // One slot per prefix for every peer's Adj-RIB-Out (machine/adj-rib-out.ts).
  const slots = new SlotTable();
  const routeCount: Record<AddressFamily, number> = { ipv4: 0, ipv6: 0 };
  const peers = new Map<string, PeerDriver>();
  const resolved = new Map<string, ResolvedPeer>();
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

  const keyOf = (a: string) => parseAddress(a).bytes.join('.');

  const onIncoming = (s: BgpSocket) => {
    const peer = s.remoteAddress ? peers.get(keyOf(s.remoteAddress)) : undefined;
    if (!peer || stopped) {
      // RFC 4486: Cease/5 "Connection Rejected" for a connection from an unknown peer.
      logger.warn({ remote: s.remoteAddress }, 'rejecting connection from unknown peer');
      s.write(encodeNotification(ErrorCode.Cease, CeaseSubcode.ConnectionRejected));
      s.end();
      return;
    }
    peer.accept(s);
  };

  /**
   * What listeners must know before a SYN arrives: each peer's TCP-MD5 key, and a minimum TTL —
   * the smallest GTSM minimum among all peers, 0 as soon as one peer does not use GTSM (its SYNs
   * arrive with any TTL). Accepted sockets then get their own peer's exact minimum.
   */
  const listenerMinTtl = new Map<Listener, number>();
  const configureListeners = (on: Iterable<Listener> = servers.values()) => {
    let minTtl = Number.POSITIVE_INFINITY;
    for (const r of resolved.values()) minTtl = Math.min(minTtl, r.minTtl ?? 0);
    if (!Number.isFinite(minTtl)) minTtl = 0;
    for (const l of on) {
      for (const r of resolved.values()) {
        if (r.password === undefined) continue;
        if (!l.setPeerPassword)
          throw optionError('password', 'this transport cannot set TCP-MD5 on a listener');
        l.setPeerPassword(r.address, r.password);
      }
      if (minTtl !== (listenerMinTtl.get(l) ?? 0)) {
        if (!l.setMinTtl)
          throw optionError('ttlSecurityHops', 'this transport cannot set GTSM on a listener');
        l.setMinTtl(minTtl);
        listenerMinTtl.set(l, minTtl);
      }
    }
  };

  const ensureListener = async (host: string, port: number) => {
    const key = `${host}|${port}`;
    if (servers.has(key)) return;
    let l: Listener;
    try {
      const onError = (reason: string) => {
        logger.warn({ host, port, reason }, 'listener error');
        metrics.listenerErrors.inc({ listen: key });
      };
      l = await transport.listen({ host, port }, onIncoming, onError);
    } catch (err) {
      throw new BgpError(
        BgpErrorCode.InvalidOption,
        `cannot listen on [${host}]:${port}: ${(err as Error).message}`,
        { detail: { option: 'listen', host, port } },
      );
    }
    servers.set(key, l);
    // Keys of peers already configured (an active peer may dial us too: collision, RFC 4271 §6.8).
    configureListeners([l]);
  };

  const sessionConfig = (r: ResolvedPeer): SessionConfig => ({
    ...DEFAULT_SESSION_CONFIG,
    localAs: r.localAs,
    peerAs: r.peerAs,
    ...(r.dynamicAsn ? { dynamicAsn: r.dynamicAsn } : {}),
    routerId: r.routerId,
    holdTimeSec: r.holdTimeSec,
    ...(r.keepaliveTimeSec !== undefined ? { keepaliveTimeSec: r.keepaliveTimeSec } : {}),
    passive: r.passive,
    families: r.families,
    ...(r.connectRetrySec !== undefined ? { connectRetrySec: r.connectRetrySec } : {}),
    ...(r.minConnectRetrySec !== undefined ? { minConnectRetrySec: r.minConnectRetrySec } : {}),
    ...(r.extendedMessage !== undefined ? { extendedMessage: r.extendedMessage } : {}),
    ...(r.sendHoldTimeSec !== undefined ? { sendHoldTimeSec: r.sendHoldTimeSec } : {}),
    ...(r.gracefulRestart
      ? {
          gracefulRestart: {
            restartTimeSec: r.gracefulRestart.restartTimeSec,
            forwardingStatePreserved: r.gracefulRestart.forwardingStatePreserved,
            stalePathTimeSec: r.gracefulRestart.stalePathTimeSec,
            // R bit (RFC 4724 §3) while this process is within its restart window, as FRR does
            // during its startup: a peer added later to a long-running speaker gets R = 0.
            restarting: clock.now() - createdAt < r.gracefulRestart.restartTimeSec * 1000,
          },
        }
      : {}),
  });

  const speaker: BgpSpeaker = {
    async addPeer(o) {
      if (stopped) throw new BgpError(BgpErrorCode.Stopped, 'speaker stopped');
      const r = resolvePeer(o, opts);
      const key = keyOf(r.address);
      if (peers.has(key))
        throw optionError('address', `peer ${r.address} already exists`, r.address);
      if (r.ttl !== undefined || r.minTtl !== undefined || r.password !== undefined) {
        if (!transport.enableSocketOptions)
          throw optionError(
            r.password !== undefined
              ? 'password'
              : r.minTtl !== undefined
                ? 'ttlSecurityHops'
                : 'ttl',
            'this transport cannot set socket options (TTL, GTSM, TCP-MD5)',
          );
        try {
          await transport.enableSocketOptions();
        } catch (err) {
          throw optionError(
            'password',
            `socket options are not available here: ${(err as Error).message}`,
          );
        }
      }
      const driver = new PeerDriver(
        {
          clock,
          random,
          logger,
          metrics,
          transport,
          emit,
          routes,
          slots,
          routeCount: (fams) => fams.reduce((n, f) => n + routeCount[f], 0),
          linkLocal,
        },
        {
          address: r.address,
          port: r.port,
          localAddress: r.localAddress,
          localPort: r.localPort,
          nextHopIpv4: r.nextHopIpv4,
          nextHopIpv6: r.nextHopIpv6,
          socket: {
            ...(r.ttl !== undefined ? { ttl: r.ttl } : {}),
            ...(r.minTtl !== undefined ? { minTtl: r.minTtl } : {}),
            ...(r.password !== undefined ? { md5Password: r.password } : {}),
          },
          maxOutputQueueBytes: r.maxOutputQueueBytes,
          session: sessionConfig(r),
        },
      );
      peers.set(key, driver);
      resolved.set(key, r);
      try {
        if (r.passive || opts.listen) {
          const l = opts.listen ?? { address: r.localAddress ?? '::', port: r.port };
          await ensureListener(l.address, l.port);
        }
        configureListeners();
      } catch (err) {
        peers.delete(key);
        resolved.delete(key);
        for (const l of servers.values()) l.setPeerPassword?.(r.address, undefined);
        configureListeners();
        throw err;
      }
      driver.start();
    },
    resetPeer(address, subcode = CeaseSubcode.BfdDown, message) {
      peers.get(keyOf(address))?.reset(subcode, message);
    },
    peerDown(address, reason = 'BFD down') {
      peers.get(keyOf(address))?.reset(CeaseSubcode.BfdDown, undefined, reason);
    },
    removePeer(address) {
      const key = keyOf(address);
      const p = peers.get(key);
      if (!p) return;
      p.stop(CeaseSubcode.PeerDeconfigured);
      p.clearMetrics();
      peers.delete(key);
      const r = resolved.get(key);
      resolved.delete(key);
      if (r?.password !== undefined)
        for (const l of servers.values()) l.setPeerPassword?.(r.address, undefined);
      configureListeners();
    },
    announce(prefix, attrs = {}) {
      if (stopped) throw new BgpError(BgpErrorCode.Stopped, 'speaker stopped');
      const p = parseNetwork(prefix);
      checkAnnounceOptions(attrs);
      const attributes: RouteAttributes = {};
      if (attrs.communities !== undefined) attributes.communities = [...attrs.communities];
      if (attrs.largeCommunities !== undefined)
        attributes.largeCommunities = attrs.largeCommunities.map((c) => ({ ...c }));
      if (attrs.localPref !== undefined) attributes.localPref = attrs.localPref;
      if (attrs.med !== undefined) attributes.med = attrs.med;
      if (attrs.nextHop !== undefined)
        attributes.nextHop = normaliseNextHop(attrs.nextHop, p.family, 'nextHop');
      const set = attributeSets.acquire(attributes);
      try {
        // The largest AS_PATH any session could add (a 4-octet ASN, with AS4_PATH to old
        // peers); checked once per attribute set, family and prefix size.
        set.checkEncodable(p, () => checkRouteEncodable(p, set.attributes, 0xffffffff));
      } catch (err) {
        attributeSets.release(set.key);
        throw err;
      }
      const key = prefixKey(p);
      const old = routes.get(key);
      if (old) attributeSets.release(old.attributesKey ?? '');
      else routeCount[p.family]++;
      routes.set(key, {
        prefix: p,
        attributes: set.attributes,
        attributesKey: set.key,
        key,
        slot: slots.slot(key),
      });
      dirty.add(key);
      scheduleFlush();
    },
    withdraw(prefix) {
      const p = parseNetwork(prefix);
      const key = prefixKey(p);
      const old = routes.get(key);
      if (old) {
        routes.delete(key);
        attributeSets.release(old.attributesKey ?? '');
        routeCount[p.family]--;
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
    async stop(message, o = {}) {
      if (stopped) return;
      stopped = true;
      for (const p of peers.values())
        p.stop(CeaseSubcode.AdministrativeShutdown, message, o.graceful);
      await Promise.all([...servers.values()].map((s) => s.close()));
      servers.clear();
    },
  };
  return speaker;
}

export type { AnnounceOptions, PeerOptions, SpeakerOptions };
