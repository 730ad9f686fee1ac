// The pre-0.13 MetalLB ConfigMap (`config` key: address-pools, peers, bgp-communities,
// bfd-profiles) → MetalLB custom resources, with the rules of MetalLB's configmaptocrs:
//  - names made DNS-safe (lowercase, `_` → `-`, leading non-letters stripped, 63 characters);
//  - peers become BGPPeer v1beta2 peer1..N; holdTime defaults to 90s, must be 0 or ≥ 3 s and is
//    rounded to whole seconds; keepaliveTime is written only when given;
//  - one BGPAdvertisement per bgp-advertisement (bgpadvertisement1..N) bound to its pool, an
//    empty one for a bgp pool without any; one L2Advertisement per layer2 pool;
//  - all bgp-communities aliases in one Community named "communities", sorted;
//  - output namespace = the ConfigMap's (default metallb-system).
// Stricter than MetalLB on purpose: unknown fields and protocols are reported instead of being
// dropped silently, and the output is checked with IronLB's own parser before it is printed.
import { stringify } from 'yaml';
import type {
  BFDProfile,
  BGPAdvertisement,
  BGPPeer,
  Community,
  IPAddressPool,
  L2Advertisement,
} from '../api/types.generated.js';
import { formatGoDuration, parseGoDuration } from '../config/duration.js';
import { parseConfig } from '../config/parse.js';

export interface ConvertedResources {
  readonly peers: BGPPeer[];
  readonly pools: IPAddressPool[];
  readonly bgpAdvertisements: BGPAdvertisement[];
  readonly l2Advertisements: L2Advertisement[];
  readonly bfdProfiles: BFDProfile[];
  readonly communities: Community[];
}

export type ConvertResult =
  | {
      readonly ok: true;
      readonly yaml: string;
      readonly resources: ConvertedResources;
      readonly namespace: string;
    }
  | { readonly ok: false; readonly problems: readonly string[] };

import {
  Collector,
  GENERATED_HEADER,
  KNOWN,
  configFromInput,
  dnsSafeName,
  isObj,
  nodeSelectors,
  type Obj,
} from './input.js';

export { configFromInput, dnsSafeName, GENERATED_HEADER };

function roundedSeconds(ms: number): number {
  return Math.trunc(ms / 1000) * 1000;
}

export function convertConfig(
  cfg: Obj,
  namespace: string,
): { resources: ConvertedResources; problems: string[] } {
  const c = new Collector();
  c.unknown(cfg, KNOWN.top, 'config');
  const meta = (name: string) => ({ name, namespace });
  const bfdName = new Map<string, string>();

  const bfdProfiles: BFDProfile[] = c.list(cfg, 'bfd-profiles', 'config').map((raw, i) => {
    const w = `bfd-profiles[${i}]`;
    const b = isObj(raw) ? raw : {};
    c.unknown(b, KNOWN.bfd, w);
    const original = c.str(b, 'name', w) ?? '';
    const name = dnsSafeName(original);
    if (!name) c.problems.push(`${w}: missing or unusable name ${JSON.stringify(original)}`);
    bfdName.set(original, name);
    const spec: Obj = {};
    const fields: [string, string][] = [
      ['detect-multiplier', 'detectMultiplier'],
      ['echo-interval', 'echoInterval'],
      ['minimum-ttl', 'minimumTtl'],
      ['receive-interval', 'receiveInterval'],
      ['transmit-interval', 'transmitInterval'],
    ];
    for (const [from, to] of fields) {
      const v = c.num(b, from, w);
      if (v !== undefined) spec[to] = v;
    }
    spec.echoMode = c.bool(b, 'echo-mode', w) ?? false;
    spec.passiveMode = c.bool(b, 'passive-mode', w) ?? false;
    return {
      apiVersion: 'metallb.io/v1beta1',
      kind: 'BFDProfile',
      metadata: meta(name),
      spec: sortKeys(spec),
    } as BFDProfile;
  });

  const peers: BGPPeer[] = c.list(cfg, 'peers', 'config').map((raw, i) => {
    const w = `peers[${i}]`;
    const p = isObj(raw) ? raw : {};
    c.unknown(p, KNOWN.peer, w);
    const spec: Obj = {};
    const myASN = c.num(p, 'my-asn', w);
    const peerASN = c.num(p, 'peer-asn', w);
    if (myASN !== undefined) spec.myASN = myASN;
    if (peerASN !== undefined) spec.peerASN = peerASN;
    for (const [from, to] of [
      ['peer-address', 'peerAddress'],
      ['source-address', 'sourceAddress'],
      ['router-id', 'routerID'],
      ['password', 'password'],
    ] as const) {
      const v = c.str(p, from, w);
      if (v) spec[to] = v;
    }
    const port = c.num(p, 'peer-port', w);
    if (port) spec.peerPort = port;
    const holdText = c.str(p, 'hold-time', w);
    let holdMs = 90_000;
    if (holdText !== undefined && holdText !== '') {
      const d = parseGoDuration(holdText);
      if (d === undefined)
        c.problems.push(
          `${w}: invalid hold time ${JSON.stringify(holdText)}: time: invalid duration ${JSON.stringify(holdText)}`,
        );
      else {
        holdMs = roundedSeconds(d);
        if (holdMs !== 0 && holdMs < 3000)
          c.problems.push(`${w}: invalid hold time ${JSON.stringify(holdText)}: must be 0 or >=3s`);
      }
    }
    spec.holdTime = formatGoDuration(holdMs);
    const kaText = c.str(p, 'keepalive-time', w);
    if (kaText !== undefined && kaText !== '') {
      const d = parseGoDuration(kaText);
      if (d === undefined)
        c.problems.push(
          `${w}: invalid keepalive time ${JSON.stringify(kaText)}: time: invalid duration ${JSON.stringify(kaText)}`,
        );
      else spec.keepaliveTime = formatGoDuration(roundedSeconds(d));
    }
    const sels = nodeSelectors(c, c.list(p, 'node-selectors', w), w);
    if (sels.length > 0) spec.nodeSelectors = sels;
    const bfd = c.str(p, 'bfd-profile', w);
    if (bfd) spec.bfdProfile = bfdName.get(bfd) ?? dnsSafeName(bfd);
    if (c.bool(p, 'ebgp-multihop', w)) spec.ebgpMultiHop = true;
    return {
      apiVersion: 'metallb.io/v1beta2',
      kind: 'BGPPeer',
      metadata: meta(`peer${i + 1}`),
      spec: sortKeys(spec),
    } as BGPPeer;
  });

  const pools: IPAddressPool[] = [];
  const bgpAdvertisements: BGPAdvertisement[] = [];
  const l2Advertisements: L2Advertisement[] = [];
  c.list(cfg, 'address-pools', 'config').forEach((raw, i) => {
    const w = `address-pools[${i}]`;
    const p = isObj(raw) ? raw : {};
    c.unknown(p, KNOWN.pool, w);
    const original = c.str(p, 'name', w) ?? '';
    const name = dnsSafeName(original);
    if (!name) c.problems.push(`${w}: missing or unusable name ${JSON.stringify(original)}`);
    const protocol = c.str(p, 'protocol', w);
    if (protocol !== 'layer2' && protocol !== 'bgp') {
      c.problems.push(
        `${w} (${original}): unknown protocol ${JSON.stringify(protocol ?? '')}, expected layer2 or bgp`,
      );
    }
    const spec: Obj = { addresses: c.list(p, 'addresses', w).map(String) };
    const autoAssign = c.bool(p, 'auto-assign', w);
    if (autoAssign !== undefined) spec.autoAssign = autoAssign;
    const avoid = c.bool(p, 'avoid-buggy-ips', w);
    if (avoid !== undefined) spec.avoidBuggyIPs = avoid;
    pools.push({
      apiVersion: 'metallb.io/v1beta1',
      kind: 'IPAddressPool',
      metadata: meta(name),
      spec: sortKeys(spec),
    } as IPAddressPool);
    const ads = c.list(p, 'bgp-advertisements', w);
    if (ads.length > 0 && protocol === 'layer2') {
      c.problems.push(`${w} (${original}): bgp-advertisements are only valid with protocol bgp`);
    }
    ads.forEach((rawAd, j) => {
      const wa = `${w}.bgp-advertisements[${j}]`;
      const a = isObj(rawAd) ? rawAd : {};
      c.unknown(a, KNOWN.ad, wa);
      const s: Obj = { ipAddressPools: [name] };
      const agg = c.num(a, 'aggregation-length', wa);
      if (agg !== undefined) s.aggregationLength = agg;
      const agg6 = c.num(a, 'aggregation-length-v6', wa);
      if (agg6 !== undefined) s.aggregationLengthV6 = agg6;
      const lp = c.num(a, 'localpref', wa);
      if (lp) s.localPref = lp;
      const comms = c.list(a, 'communities', wa).map(String);
      if (comms.length > 0) s.communities = comms;
      bgpAdvertisements.push({
        apiVersion: 'metallb.io/v1beta1',
        kind: 'BGPAdvertisement',
        metadata: meta(`bgpadvertisement${bgpAdvertisements.length + 1}`),
        spec: sortKeys(s),
      } as BGPAdvertisement);
    });
    if (ads.length === 0 && protocol === 'bgp') {
      bgpAdvertisements.push({
        apiVersion: 'metallb.io/v1beta1',
        kind: 'BGPAdvertisement',
        metadata: meta(`bgpadvertisement${bgpAdvertisements.length + 1}`),
        spec: { ipAddressPools: [name] },
      } as BGPAdvertisement);
    }
    if (protocol === 'layer2') {
      l2Advertisements.push({
        apiVersion: 'metallb.io/v1beta1',
        kind: 'L2Advertisement',
        metadata: meta(`l2advertisement${l2Advertisements.length + 1}`),
        spec: { ipAddressPools: [name] },
      } as L2Advertisement);
    }
  });
  const seen = new Map<string, string>();
  for (const [list, what] of [
    [pools, 'address pools'],
    [bfdProfiles, 'bfd profiles'],
  ] as const) {
    seen.clear();
    for (const o of list) {
      const n = o.metadata.name ?? '';
      if (n && seen.has(n)) c.problems.push(`two ${what} convert to the same name "${n}"`);
      seen.set(n, n);
    }
  }

  const communities: Community[] = [];
  const aliases = cfg['bgp-communities'];
  if (aliases !== undefined && aliases !== null) {
    if (!isObj(aliases))
      c.problems.push('config: bgp-communities must be a mapping of alias: value');
    else if (Object.keys(aliases).length > 0) {
      communities.push({
        apiVersion: 'metallb.io/v1beta1',
        kind: 'Community',
        metadata: meta('communities'),
        spec: {
          communities: Object.keys(aliases)
            .sort()
            .map((name) => ({ name, value: String(aliases[name]) })),
        },
      } as Community);
    }
  }
  return {
    resources: { peers, pools, bgpAdvertisements, l2Advertisements, bfdProfiles, communities },
    problems: c.problems,
  };
}

function sortKeys(o: Obj): Obj {
  return Object.fromEntries(
    Object.keys(o)
      .sort()
      .map((k) => [k, o[k]]),
  );
}

// YAML 1.1 quoting: kubectl's parser reads an unquoted 64512:1 as a base-60 integer.
export function renderResources(r: ConvertedResources): string {
  const docs = [
    ...r.peers,
    ...r.pools,
    ...r.bgpAdvertisements,
    ...r.l2Advertisements,
    ...r.bfdProfiles,
    ...r.communities,
  ];
  return (
    GENERATED_HEADER + docs.map((d) => stringify(d, { lineWidth: 0, version: '1.1' })).join('---\n')
  );
}

/** Whole pipeline: input text → CR YAML, or every problem (input and validation of the output). */
export interface ConvertOptions {
  /** Namespace of the output; default the ConfigMap's, or metallb-system for bare config text. */
  readonly namespace?: string;
}

export function convertConfigMap(input: string, options: ConvertOptions = {}): ConvertResult {
  const read = configFromInput(input);
  if ('error' in read) return { ok: false, problems: [read.error] };
  const src = options.namespace ? { ...read, namespace: options.namespace } : read;
  const { resources, problems } = convertConfig(src.config, src.namespace);
  // MetalLB's converter runs its parser over the result; so do we (IronLB's rules), even when
  // the input already had problems, so that the user sees all of them at once.
  const parsed = parseConfig(
    {
      pools: resources.pools,
      peers: resources.peers,
      bfdProfiles: resources.bfdProfiles,
      bgpAdvertisements: resources.bgpAdvertisements,
      l2Advertisements: resources.l2Advertisements,
      communities: resources.communities,
    },
    { namespace: src.namespace },
  );
  const all = [
    ...problems,
    ...(parsed.ok
      ? []
      : parsed.problems.map((p) => `${p.object.kind} ${p.object.name} (${p.path}): ${p.message}`)),
  ];
  if (all.length > 0) return { ok: false, problems: all };
  return { ok: true, yaml: renderResources(resources), resources, namespace: src.namespace };
}
