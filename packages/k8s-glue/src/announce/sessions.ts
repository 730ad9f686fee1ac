// BGPPeers → the sessions one node opens, as plain options that map field for field onto
// @ironlb/bgp-speaker's PeerOptions (addPeer). k8s-glue does not import bgp-speaker: the speaker
// app passes `options` to addPeer as they are (DESIGN.md §1: Kubernetes objects never reach a
// protocol library; plain data does).
import { anySelectorMatches } from '../config/selector.js';
import type { BfdProfileConfig, DomainConfig, PeerConfig } from '../config/types.js';
import { nodeIndex } from './inputs.js';
import type { NodeStatusObject } from './types.js';

/** One session's options, named and shaped as @ironlb/bgp-speaker's PeerOptions. */
export interface BgpSessionOptions {
  /** BGPPeer peerAddress. */
  readonly address: string;
  /** BGPPeer peerASN; absent with dynamicAsn. */
  readonly peerAs?: number;
  /** BGPPeer dynamicASN. */
  readonly dynamicAsn?: 'internal' | 'external';
  /** BGPPeer myASN. */
  readonly localAs: number;
  /** BGPPeer routerID; absent = the speaker's default. */
  readonly routerId?: string;
  /** BGPPeer peerPort (default 179). */
  readonly port: number;
  /** BGPPeer sourceAddress. */
  readonly localAddress?: string;
  /** BGPPeer holdTime, whole seconds; absent = the speaker's default (90). */
  readonly holdTimeSec?: number;
  /** BGPPeer keepaliveTime, whole seconds; absent = hold / 3 (or none when hold is 0). */
  readonly keepaliveTimeSec?: number;
  /** BGPPeer connectTime, seconds. */
  readonly connectTimeSec?: number;
  /** BGPPeer ebgpMultiHop: eBGP single hop (TTL 1) when false, multi-hop (255) when true. */
  readonly ebgpMultiHop: boolean;
  /** BGPPeer password or the passwordSecret's `password` (TCP-MD5). */
  readonly password?: string;
  /** BGPPeer enableGracefulRestart. */
  readonly gracefulRestart: boolean;
  /** BGPPeer dualStackAddressFamily. */
  readonly dualStackAddressFamily: boolean;
}

/** A session this node opens. */
export interface BgpSession {
  /** BGPPeer name. */
  readonly name: string;
  readonly options: BgpSessionOptions;
  /** The BFD profile to run beside it (@ironlb/bfd), when the BGPPeer names one. */
  readonly bfdProfile?: BfdProfileConfig;
}

/** A parsed BGPPeer as @ironlb/bgp-speaker session options. */
export function peerSessionOptions(peer: PeerConfig): BgpSessionOptions {
  const sec = (ms: number) => Math.floor(ms / 1000);
  const keepalive = peer.keepaliveTimeMs !== undefined ? sec(peer.keepaliveTimeMs) : undefined;
  return {
    address: peer.address,
    ...(peer.peerASN !== undefined ? { peerAs: peer.peerASN } : {}),
    ...(peer.dynamicASN !== undefined ? { dynamicAsn: peer.dynamicASN } : {}),
    localAs: peer.myASN,
    ...(peer.routerID !== undefined ? { routerId: peer.routerID } : {}),
    port: peer.port,
    ...(peer.sourceAddress !== undefined ? { localAddress: peer.sourceAddress } : {}),
    ...(peer.holdTimeMs !== undefined ? { holdTimeSec: sec(peer.holdTimeMs) } : {}),
    // A keepalive of 0 goes with a hold time of 0 (no keepalives): nothing to set.
    ...(keepalive !== undefined && keepalive > 0 ? { keepaliveTimeSec: keepalive } : {}),
    ...(peer.connectTimeMs !== undefined ? { connectTimeSec: sec(peer.connectTimeMs) } : {}),
    ebgpMultiHop: peer.ebgpMultiHop,
    ...(peer.password !== undefined ? { password: peer.password } : {}),
    gracefulRestart: peer.enableGracefulRestart,
    dualStackAddressFamily: peer.dualStackAddressFamily,
  };
}

/**
 * MetalLB syncPeers: the BGPPeers whose nodeSelectors match this node's current labels (none =
 * every node), in the config's order.
 */
export function bgpSessions(view: {
  readonly config: DomainConfig;
  readonly myNode: string;
  readonly nodes: readonly NodeStatusObject[];
}): BgpSession[] {
  const labels = nodeIndex(view.nodes).get(view.myNode)?.metadata.labels ?? {};
  const bfd = new Map(view.config.bfdProfiles.map((b) => [b.name, b]));
  return view.config.peers
    .filter((p) => p.nodeSelectors.length === 0 || anySelectorMatches(p.nodeSelectors, labels))
    .map((p) => {
      const profile = p.bfdProfile !== undefined ? bfd.get(p.bfdProfile) : undefined;
      return {
        name: p.name,
        options: peerSessionOptions(p),
        ...(profile ? { bfdProfile: profile } : {}),
      };
    });
}
