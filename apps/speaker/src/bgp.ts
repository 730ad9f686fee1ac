// The speaker's BGP side: one @ironlb/bgp-speaker per selected BGPPeer (each BGPPeer gets its own
// routes — BGPAdvertisement `peers` — and may carry its own myASN / routerID, as MetalLB's native
// speaker allows), BFD sessions from @ironlb/bfd beside the ones whose BGPPeer names a BFDProfile,
// and a BFD path failure taking the BGP session down at once (RFC 5882 §4.3: speaker.peerDown).
// k8s-glue decides which sessions and which routes; this file only carries them out.
import { networkInterfaces, type NetworkInterfaceInfo } from 'node:os';
import { crc32 } from 'node:zlib';
import type { Clock, Logger, Metrics } from '@ironlb/clock';
import {
  createBgpSpeaker,
  type AnnounceOptions,
  type BgpSpeaker,
  type PeerOptions,
  type SpeakerDeps,
} from '@ironlb/bgp-speaker';
import { createBfdManager, type BfdManager } from '@ironlb/bfd';
import type { BgpRoute, BgpSession, BfdProfileConfig } from '@ironlb/k8s-glue';
import type { BgpPort, BgpSessionProblem, BgpSessionState } from '@ironlb/k8s-glue/kube';

export interface BgpDeps {
  readonly clock: Clock;
  readonly logger: Logger;
  readonly metrics: Metrics;
  readonly random?: () => number;
  /** Default: node:net (tests: a MemoryNetwork transport). */
  readonly transport?: SpeakerDeps['transport'];
  /** Default: a UDP BFD manager, made when the first session needs one. */
  readonly bfd?: () => BfdManager;
  /** Default os.networkInterfaces (router ID selection). */
  readonly interfaces?: () => NodeJS.Dict<NetworkInterfaceInfo[]>;
}

export interface BgpOptions {
  /** This node's name (the last-resort router ID is its CRC32, as MetalLB's). */
  readonly nodeName: string;
}

interface Running {
  readonly want: BgpSession;
  readonly key: string;
  readonly speaker: BgpSpeaker;
  /** prefix → JSON of its attributes, as announced. */
  readonly routes: Map<string, string>;
  bfdKey?: { peerAddress: string; multihop: boolean };
  gracefulRestart: boolean;
}

const isV4 = (a: string) => /^\d+\.\d+\.\d+\.\d+$/.test(a);

function v4ToInt(a: string): number {
  return a.split('.').reduce((n, o) => ((n << 8) | Number(o)) >>> 0, 0);
}

/**
 * MetalLB's router ID when the BGPPeer sets none: the session's IPv4 source address, else this
 * node's IPv4 address on the interface that reaches the peer (same subnet), else its first IPv4
 * address, else the CRC32 of the node name as a dotted quad.
 */
export function defaultRouterId(
  peer: string,
  localAddress: string | undefined,
  nodeName: string,
  interfaces: NodeJS.Dict<NetworkInterfaceInfo[]>,
): string {
  if (localAddress && isV4(localAddress)) return localAddress;
  const v4 = Object.values(interfaces)
    .flat()
    .filter((i): i is NetworkInterfaceInfo => !!i && i.family === 'IPv4' && !i.internal);
  if (isV4(peer)) {
    const p = v4ToInt(peer);
    const same = v4.find((i) => {
      const mask = v4ToInt(i.netmask);
      return (v4ToInt(i.address) & mask) === (p & mask);
    });
    if (same) return same.address;
  }
  if (v4[0]) return v4[0].address;
  const c = crc32(nodeName) >>> 0;
  return [c >>> 24, (c >>> 16) & 255, (c >>> 8) & 255, c & 255].join('.');
}

/** A BFDProfile as @ironlb/bfd session options (same fields, units in the names). */
export function bfdSessionOptions(
  profile: BfdProfileConfig,
  peerAddress: string,
  localAddress: string | undefined,
  multihop: boolean,
): Parameters<BfdManager['addSession']>[0] {
  return {
    peerAddress,
    ...(localAddress ? { localAddress } : {}),
    multihop,
    ...(profile.receiveIntervalMs !== undefined
      ? { receiveIntervalMs: profile.receiveIntervalMs }
      : {}),
    ...(profile.transmitIntervalMs !== undefined
      ? { transmitIntervalMs: profile.transmitIntervalMs }
      : {}),
    ...(profile.detectMultiplier !== undefined
      ? { detectMultiplier: profile.detectMultiplier }
      : {}),
    ...(profile.echoIntervalMs !== undefined ? { echoIntervalMs: profile.echoIntervalMs } : {}),
    echoMode: profile.echoMode,
    passiveMode: profile.passiveMode,
    ...(multihop && profile.minimumTtl !== undefined ? { minimumTtl: profile.minimumTtl } : {}),
  };
}

function attrs(r: BgpRoute): AnnounceOptions {
  const a = r.attributes;
  return {
    ...(a.communities && a.communities.length > 0 ? { communities: [...a.communities] } : {}),
    ...(a.largeCommunities && a.largeCommunities.length > 0
      ? { largeCommunities: a.largeCommunities.map((l) => ({ ...l })) }
      : {}),
    ...(a.localPref !== undefined ? { localPref: a.localPref } : {}),
  };
}

export interface SpeakerBgp extends BgpPort {
  /** The BFD manager, once a session needed one. */
  readonly bfd: BfdManager | undefined;
  /** The running speaker of a BGPPeer (tests, status). */
  speaker(name: string): BgpSpeaker | undefined;
}

export function createSpeakerBgp(deps: BgpDeps, options: BgpOptions): SpeakerBgp {
  const { logger } = deps;
  const running = new Map<string, Running>();
  let bfd: BfdManager | undefined;
  let stopped = false;
  const ifaces = deps.interfaces ?? networkInterfaces;

  const bfdManager = (): BfdManager => {
    if (bfd) return bfd;
    bfd =
      deps.bfd?.() ??
      createBfdManager({
        clock: deps.clock,
        logger,
        metrics: deps.metrics,
        ...(deps.random ? { random: deps.random } : {}),
      });
    bfd.onEvent((e) => {
      if (e.type === 'up') logger.info({ op: 'bfd', peer: e.peer }, 'BFD session up');
      if (e.type !== 'down') return;
      logger.warn(
        { op: 'bfd', peer: e.peer, diag: e.diag, pathFailure: e.pathFailure },
        'BFD session down',
      );
      // RFC 5882 §3.2: an administrative down is no reason to drop the BGP session.
      if (!e.pathFailure) return;
      for (const r of running.values()) {
        if (r.bfdKey?.peerAddress === e.peer && r.bfdKey.multihop === e.multihop)
          r.speaker.peerDown(r.want.options.address, `BFD ${e.diag}`);
      }
    });
    return bfd;
  };

  const keyOf = (w: BgpSession) => JSON.stringify([w.options, w.bfdProfile ?? null]);

  async function open(w: BgpSession): Promise<Running> {
    const o = w.options;
    const routerId =
      o.routerId ?? defaultRouterId(o.address, o.localAddress, options.nodeName, ifaces());
    const speaker = createBgpSpeaker(
      {
        clock: deps.clock,
        logger,
        metrics: deps.metrics,
        ...(deps.random ? { random: deps.random } : {}),
        ...(deps.transport ? { transport: deps.transport } : {}),
      },
      { localAs: o.localAs, routerId },
    );
    const r: Running = {
      want: w,
      key: keyOf(w),
      speaker,
      routes: new Map(),
      gracefulRestart: false,
    };
    speaker.onEvent((e) => {
      if (e.type !== 'state') return;
      if (e.to === 'Established') {
        r.gracefulRestart = speaker.status()[0]?.gracefulRestart ?? false;
        logger.info(
          { op: 'bgp', peer: e.peer, name: w.name, event: 'sessionUp' },
          'BGP session established',
        );
      } else if (e.from === 'Established') {
        logger.warn(
          { op: 'bgp', peer: e.peer, name: w.name, event: 'sessionDown', reason: e.reason },
          'BGP session down',
        );
      }
    });
    try {
      const peer: PeerOptions = { ...o, routerId };
      await speaker.addPeer(peer);
      if (w.bfdProfile) {
        // A multi-hop eBGP session gets a multi-hop BFD session (RFC 5883), as FRR pairs them.
        const multihop = o.ebgpMultiHop;
        await bfdManager().addSession(
          bfdSessionOptions(w.bfdProfile, o.address, o.localAddress, multihop),
        );
        r.bfdKey = { peerAddress: o.address, multihop };
      }
    } catch (e) {
      await speaker.stop('configuration refused').catch(() => undefined);
      throw e;
    }
    return r;
  }

  async function close(r: Running, why: string): Promise<void> {
    if (r.bfdKey && bfd) {
      try {
        bfd.removeSession(r.bfdKey);
      } catch {
        // Already gone.
      }
    }
    r.speaker.removePeer(r.want.options.address);
    await r.speaker.stop(why).catch(() => undefined);
  }

  function syncRoutes(r: Running, want: readonly BgpRoute[]): void {
    const next = new Map<string, BgpRoute>();
    for (const w of want) next.set(w.prefix, w);
    for (const prefix of [...r.routes.keys()]) {
      if (next.has(prefix)) continue;
      r.speaker.withdraw(prefix);
      r.routes.delete(prefix);
    }
    for (const [prefix, w] of next) {
      const a = attrs(w);
      const text = JSON.stringify(a);
      if (r.routes.get(prefix) === text) continue;
      try {
        r.speaker.announce(prefix, a);
        r.routes.set(prefix, text);
      } catch (e) {
        logger.error(
          { op: 'bgp', name: r.want.name, prefix, error: String(e) },
          'cannot announce prefix',
        );
      }
    }
  }

  // One apply at a time: sessions open asynchronously and a second apply must see the first's.
  let chain: Promise<unknown> = Promise.resolve();

  return {
    get bfd() {
      return bfd;
    },
    speaker: (name) => running.get(name)?.speaker,
    apply(sessions, routes) {
      const run = async (): Promise<BgpSessionProblem[]> => {
        if (stopped) return [];
        const problems: BgpSessionProblem[] = [];
        const wanted = new Map(sessions.map((s) => [s.name, s]));
        const routesOf = new Map(routes.map((p) => [p.peer, p.routes]));
        for (const [name, r] of [...running]) {
          const w = wanted.get(name);
          if (w && keyOf(w) === r.key) continue;
          running.delete(name);
          await close(r, w ? 'peer configuration changed' : 'peer removed');
          logger.info({ op: 'bgp', name, peer: r.want.options.address }, 'BGP peer removed');
        }
        for (const w of sessions) {
          if (!running.has(w.name)) {
            try {
              running.set(w.name, await open(w));
              logger.info({ op: 'bgp', name: w.name, peer: w.options.address }, 'BGP peer added');
            } catch (e) {
              problems.push({ name: w.name, message: (e as Error).message });
              logger.error(
                { op: 'bgp', name: w.name, peer: w.options.address, error: String(e) },
                'cannot open BGP session',
              );
              continue;
            }
          }
          syncRoutes(running.get(w.name)!, routesOf.get(w.name) ?? []);
        }
        return problems;
      };
      const p = chain.then(run, run);
      chain = p.catch(() => undefined);
      return p;
    },
    sessions(): BgpSessionState[] {
      return [...running.values()].map((r) => {
        const s = r.speaker.status()[0];
        return {
          name: r.want.name,
          address: r.want.options.address,
          established: s?.state === 'Established',
          gracefulRestart: s?.gracefulRestart ?? false,
        };
      });
    },
    async stop(message) {
      if (stopped) return;
      stopped = true;
      await chain;
      // RFC 4724: a session that negotiated graceful restart closes without a NOTIFICATION, so
      // the router keeps forwarding to this node while it restarts; the others get Cease/2 and
      // withdraw at once.
      await Promise.all(
        [...running.values()].map((r) =>
          r.speaker.stop(message, { graceful: true }).catch(() => undefined),
        ),
      );
      running.clear();
      await bfd?.close().catch(() => undefined);
    },
  };
}
