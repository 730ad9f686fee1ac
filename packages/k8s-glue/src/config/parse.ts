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

const KIND_OF: Record<string, string> = {
  pools: 'IPAddressPool',
  peers: 'BGPPeer',
  bfdProfiles: 'BFDProfile',
  bgpAdvertisements: 'BGPAdvertisement',
  l2Advertisements: 'L2Advertisement',
  communities: 'Community',
  secrets: 'Secret',
  nodes: 'Node',
  namespaces: 'Namespace',
};

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Objects that never went through the API server's schema (the converter, tests, a stale
 * cache) may be malformed at the top level; such items are reported and left out rather than
 * allowed to crash the parser (a throw in the webhook would be a 500 blocking every write).
 * Deeper field types are the CRD schema's job.
 */
function normalize(res: ClusterResources, ns: string, p: Problems): ClusterResources {
  const out: Record<string, unknown> = { ...res };
  for (const [key, kind] of Object.entries(KIND_OF)) {
    const list = (res as Record<string, unknown>)[key];
    if (list === undefined) continue;
    if (!Array.isArray(list)) {
      p.add({ kind, namespace: ns, name: '' }, '', `${kind} list is not a list`);
      out[key] = [];
      continue;
    }
    out[key] = list.filter((o: unknown, i) => {
      const name =
        isObject(o) && isObject(o.metadata) && typeof o.metadata.name === 'string'
          ? o.metadata.name
          : `#${i + 1}`;
      const ref = { kind, namespace: ns, name };
      if (!isObject(o) || !isObject(o.metadata)) {
        p.add(ref, 'metadata', `${kind} ${name} is not an object with metadata`);
        return false;
      }
      if (o.spec !== undefined && o.spec !== null && !isObject(o.spec)) {
        p.add(ref, 'spec', `${kind} ${name}: spec must be an object`);
        return false;
      }
      return true;
    });
  }
  if (res.bgpExtras !== undefined && !isObject(res.bgpExtras?.metadata)) {
    out.bgpExtras = { metadata: {} };
  }
  return out as ClusterResources;
}

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
export function parseConfig(input: ClusterResources, options: ParseOptions = {}): ParseResult {
  const ns = options.namespace ?? DEFAULT_NAMESPACE;
  const p = new Problems(options.keepInputOrder ?? false);
  const resources = normalize(input, ns, p);
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
  if (p.count > 0) return { ok: false, problems: p.list };
  const config: DomainConfig = {
    pools: pools.map((w) => ({ ...w.config, l2Advertisements: w.l2, bgpAdvertisements: w.bgp })),
    peers,
    bfdProfiles: bfd,
  };
  return { ok: true, config };
}
