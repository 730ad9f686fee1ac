// The configuration function: raw custom resources (+ namespaces, nodes, secrets) → a
// validated DomainConfig, or every problem found. All-or-nothing like MetalLB's config.For
// (internal/config/config.go), but where MetalLB stops at the first error this keeps going
// so the user sees every issue at once.
import { parseBgpAds, parseL2Ads, familiesOf } from './advertisements.js';
import {
  checkPeerConflicts,
  parseBfdProfiles,
  parseCommunityAliases,
  parsePeers,
} from './peers.js';
import { parsePools, type WorkPool } from './pools.js';
import {
  DEFAULT_NAMESPACE,
  Problems,
  type ClusterResources,
  type ParseOptions,
} from './resources.js';
import type { DomainConfig, ParseResult, PeerConfig } from './types.js';

/** MetalLB validateConfig: BFD echo cannot be used by a peer that carries IPv6 prefixes. */
function checkBfdEcho(
  pools: readonly WorkPool[],
  peers: readonly PeerConfig[],
  echo: ReadonlySet<string>,
  ns: string,
  p: Problems,
): void {
  for (const w of pools) {
    if (!familiesOf(w).v6) continue;
    for (const a of w.bgp) {
      const targets = a.peers.length === 0 ? peers : peers.filter((x) => a.peers.includes(x.name));
      for (const peer of targets) {
        if (peer.bfdProfile && echo.has(peer.bfdProfile)) {
          p.add(
            { kind: 'BGPAdvertisement', namespace: ns, name: a.name },
            'spec',
            `pool ${w.name} has bgpadvertisement ${a.name} which references peer ${peer.name} which has bfd echo enabled, which is not possible`,
          );
        }
      }
    }
  }
}

/**
 * Turns MetalLB's custom resources into IronLB's validated domain config. Pure: the same input
 * gives the same output. On failure every problem is returned, each marked transient or not.
 */
export function parseConfig(resources: ClusterResources, options: ParseOptions = {}): ParseResult {
  const ns = options.namespace ?? DEFAULT_NAMESPACE;
  const p = new Problems(options.keepInputOrder ?? false);
  const nodes = resources.nodes ?? [];
  if (resources.bgpExtras) {
    p.add(
      {
        kind: 'ConfigMap',
        namespace: resources.bgpExtras.metadata.namespace ?? ns,
        name: resources.bgpExtras.metadata.name ?? 'bgpextras',
      },
      'data',
      'the bgpextras ConfigMap (raw FRR configuration) is not supported by IronLB',
    );
  }
  const bfd = parseBfdProfiles(resources.bfdProfiles, ns, p);
  const bfdNames = new Set((resources.bfdProfiles ?? []).map((b) => b.metadata.name ?? ''));
  const peers = parsePeers(
    { peers: resources.peers, secrets: resources.secrets ?? [], nodes, bfdProfiles: bfdNames, ns },
    p,
  );
  checkPeerConflicts(peers, resources.peers, ns, nodes.length > 0, p);
  const aliases = parseCommunityAliases(resources.communities, ns, p);
  const pools = parsePools(resources.pools, resources.namespaces ?? [], ns, p);
  parseL2Ads(resources.l2Advertisements, pools, nodes, ns, p);
  parseBgpAds(resources.bgpAdvertisements, pools, nodes, aliases, ns, p);
  checkBfdEcho(pools, peers, new Set(bfd.filter((b) => b.echoMode).map((b) => b.name)), ns, p);
  if (p.list.length > 0) return { ok: false, problems: p.list };
  const config: DomainConfig = {
    pools: pools.map((w) => ({ ...w.config, l2Advertisements: w.l2, bgpAdvertisements: w.bgp })),
    peers,
    bfdProfiles: bfd,
  };
  return { ok: true, config };
}
