// MetalLB's BGP speaker tables, ported as data (behaviour oracles, not code):
// speaker/bgp_controller_test.go at metallb/metallb 7938d3f — TestBGPSpeakerEPSlices,
// TestNodeSelectors, TestShouldAnnounceExcludeLB, TestPeersForService, TestBGPAdsForService,
// TestCheckBGPAdvConflicts, TestShouldAnnounceBGPServiceSelectors, TestHasHealthyEndpoint.
// MetalLB's tests drive one stateful controller through steps (SetConfig, SetBalancer, SetNode);
// the decisions here are stateless, so each step is the cluster as it stands after it, decided
// from scratch. TestPasswordForSession is FRR-K8s secret passthrough, which IronLB does not have.
import { describe, expect, it } from 'vitest';
import {
  bgpAdsForService,
  bgpAdvConflict,
  decideBgp,
  type BgpDecisions,
} from '../../src/announce/bgp.js';
import { hasHealthyEndpoint } from '../../src/announce/inputs.js';
import type {
  EndpointSliceObject,
  NodeStatusObject,
  ServiceObject,
  SpeakerView,
} from '../../src/announce/types.js';
import type { BgpAdvertisementConfig, DomainConfig, PeerConfig } from '../../src/config/types.js';
import { bgpAd, config, ep, input, node, peer, pool, sel, slice, svc } from './support.js';

interface Ad {
  prefix: string;
  localPref?: number;
  communities?: string[];
}

/** Per session address: its routes as MetalLB's wantAds lists them (null = session, no routes). */
function adsByPeer(d: BgpDecisions): Record<string, Ad[] | null> {
  const out: Record<string, Ad[] | null> = {};
  for (const p of d.peers) {
    out[p.address] =
      p.routes.length === 0
        ? null
        : p.routes.map((r) => ({
            prefix: r.prefix,
            ...(r.attributes.localPref !== undefined ? { localPref: r.attributes.localPref } : {}),
            ...(r.communities.length > 0 ? { communities: [...r.communities] } : {}),
          }));
  }
  return out;
}

/** MetalLB lists a prefix twice when two services announce it; here routes are merged. */
function deduped(want: Record<string, Ad[] | null>): Record<string, Ad[] | null> {
  return Object.fromEntries(
    Object.entries(want).map(([k, v]) => [
      k,
      v === null
        ? null
        : [...new Map(v.map((a) => [JSON.stringify(a), a])).values()].sort((a, b) =>
            a.prefix < b.prefix ? -1 : a.prefix > b.prefix ? 1 : 0,
          ),
    ]),
  );
}

/** The steps of a MetalLB stateful test, replayed as whole states. */
class Cluster {
  cfg: DomainConfig | undefined;
  readonly services = new Map<string, { service: ServiceObject; eps: EndpointSliceObject[] }>();
  myNode: NodeStatusObject;
  constructor(readonly me: string) {
    this.myNode = node(me);
  }
  setBalancer(name: string, service: ServiceObject | undefined, eps: EndpointSliceObject[] = []) {
    if (service === undefined) this.services.delete(name);
    else
      this.services.set(name, {
        service: { ...service, metadata: { ...service.metadata, name } },
        eps,
      });
  }
  decide(extra: Partial<SpeakerView> = {}): BgpDecisions {
    if (!this.cfg) return { services: [], sessions: [], peers: [], conflicts: [] }; // no config: nothing
    return decideBgp({ config: this.cfg, myNode: this.me, nodes: [this.myNode], ...extra }, [
      ...[...this.services.values()].map((s) => input(s.service, ...s.eps)),
    ]);
  }
}

const epIris = [slice(ep('iris'))];
const c1234 = ['0:1234', '0:2345'];
const onePeer = (address = '1.2.3.4', name = 'peer1') => [peer(name, address)];

describe('TestBGPSpeakerEPSlices', () => {
  const basePool = (ads: BgpAdvertisementConfig[]) => [pool('10.20.30.0/24', { bgp: ads })];
  const steps: {
    desc: string;
    config?: DomainConfig;
    balancer?: string;
    svc?: ServiceObject | null;
    eps?: EndpointSliceObject[];
    want: Record<string, Ad[] | null>;
  }[] = [
    {
      desc: 'Service ignored, no config',
      balancer: 'ignored',
      svc: svc('10.20.30.1', { etp: 'Cluster' }),
      eps: epIris,
      want: {},
    },
    {
      // MetalLB's test never reprocesses the ignored Service after SetConfig (its speaker does:
      // SetConfig answers ReprocessAll), so it expects no route here; in the replayed state that
      // Service is gone by now.
      desc: 'One peer, no services',
      config: config(basePool([bgpAd({ nodes: ['pandora'] })]), onePeer()),
      balancer: 'ignored',
      svc: null,
      want: { '1.2.3.4': null },
    },
    {
      desc: 'Add service, not an LB',
      balancer: 'test1',
      svc: {
        metadata: { name: 'test1', namespace: 'default' },
        spec: { type: 'ClusterIP', externalTrafficPolicy: 'Cluster' },
      },
      eps: [slice(ep('pandora'))],
      want: { '1.2.3.4': null },
    },
    {
      desc: "Add service, it's an LB!",
      balancer: 'test1',
      svc: svc('10.20.30.1', { etp: 'Cluster' }),
      eps: epIris,
      want: { '1.2.3.4': [{ prefix: '10.20.30.1/32' }] },
    },
    {
      desc: "LB switches to local traffic policy, endpoint isn't on our node",
      balancer: 'test1',
      svc: svc('10.20.30.1', { etp: 'Local' }),
      eps: epIris,
      want: { '1.2.3.4': null },
    },
    {
      desc: 'New endpoint, on our node',
      balancer: 'test1',
      svc: svc('10.20.30.1', { etp: 'Local' }),
      eps: [slice(ep('iris')), slice(ep('pandora', { addresses: ['2.3.4.6'] }))],
      want: { '1.2.3.4': [{ prefix: '10.20.30.1/32' }] },
    },
    {
      desc: 'Endpoint on our node has some unready ports',
      balancer: 'test1',
      svc: svc('10.20.30.1', { etp: 'Local' }),
      eps: [slice(ep('iris'), ep('pandora', { ready: false })), slice(ep('iris'), ep('pandora'))],
      want: { '1.2.3.4': [{ prefix: '10.20.30.1/32' }] },
    },
    {
      desc: 'Endpoint list is empty',
      balancer: 'test1',
      svc: svc('10.20.30.1', { etp: 'Cluster' }),
      eps: [],
      want: { '1.2.3.4': null },
    },
    {
      desc: 'Endpoint list contains only unhealthy endpoints',
      balancer: 'test1',
      svc: svc('10.20.30.1', { etp: 'Cluster' }),
      eps: [slice(ep('iris', { ready: false }))],
      want: { '1.2.3.4': null },
    },
    {
      desc: 'Endpoint list contains some unhealthy endpoints',
      balancer: 'test1',
      svc: svc('10.20.30.1', { etp: 'Cluster' }),
      eps: [slice(ep('iris'), ep('pandora', { ready: false }))],
      want: { '1.2.3.4': [{ prefix: '10.20.30.1/32' }] },
    },
    {
      desc: 'Endpoint list contains serving but not ready endpoints',
      balancer: 'test1',
      svc: svc('10.20.30.1', { etp: 'Cluster' }),
      eps: [slice(ep('iris', { ready: false, serving: true }))],
      want: { '1.2.3.4': [{ prefix: '10.20.30.1/32' }] },
    },
    {
      desc: 'Endpoint list contains ready but not serving endpoints',
      balancer: 'test1',
      svc: svc('10.20.30.1', { etp: 'Cluster' }),
      eps: [slice(ep('iris', { ready: true, serving: false }))],
      want: { '1.2.3.4': [{ prefix: '10.20.30.1/32' }] },
    },
    {
      desc: 'Multiple advertisement config',
      config: config(
        basePool([
          bgpAd({ aggregationLength: 32, localPref: 100, communities: c1234, nodes: ['pandora'] }),
          bgpAd({ aggregationLength: 24, localPref: 1000, nodes: ['pandora'] }),
        ]),
        onePeer(),
      ),
      balancer: 'test1',
      svc: svc('10.20.30.1', { etp: 'Cluster' }),
      eps: epIris,
      want: {
        '1.2.3.4': [
          { prefix: '10.20.30.1/32', localPref: 100, communities: c1234 },
          { prefix: '10.20.30.0/24', localPref: 1000 },
        ],
      },
    },
    {
      desc: 'Multiple advertisement config, one only for my node',
      config: config(
        basePool([
          bgpAd({ aggregationLength: 32, localPref: 100, communities: c1234, nodes: ['pandora'] }),
          bgpAd({ aggregationLength: 24, localPref: 1000, nodes: ['iris'] }),
        ]),
        onePeer(),
      ),
      balancer: 'test1',
      svc: svc('10.20.30.1', { etp: 'Cluster' }),
      eps: epIris,
      want: { '1.2.3.4': [{ prefix: '10.20.30.1/32', localPref: 100, communities: c1234 }] },
    },
    {
      desc: 'Multiple advertisement config, one with peer selector',
      config: config(
        basePool([
          bgpAd({
            aggregationLength: 32,
            localPref: 100,
            communities: c1234,
            peers: ['peer1'],
            nodes: ['pandora'],
          }),
          bgpAd({ aggregationLength: 24, localPref: 1000, nodes: ['pandora'] }),
        ]),
        onePeer(),
      ),
      balancer: 'test1',
      svc: svc('10.20.30.1', { etp: 'Cluster' }),
      eps: epIris,
      want: {
        '1.2.3.4': [
          { prefix: '10.20.30.1/32', localPref: 100, communities: c1234 },
          { prefix: '10.20.30.0/24', localPref: 1000 },
        ],
      },
    },
    {
      desc: 'Multiple peers',
      config: config(basePool([bgpAd({ nodes: ['pandora'] })]), [
        peer('peer1', '1.2.3.4'),
        peer('peer2', '1.2.3.5'),
      ]),
      balancer: 'test1',
      svc: svc('10.20.30.1', { etp: 'Cluster' }),
      eps: epIris,
      want: { '1.2.3.4': [{ prefix: '10.20.30.1/32' }], '1.2.3.5': [{ prefix: '10.20.30.1/32' }] },
    },
    {
      desc: 'Second balancer, no ingress assigned',
      balancer: 'test2',
      svc: { ...svc([], { etp: 'Cluster' }), status: {} },
      eps: epIris,
      want: { '1.2.3.4': [{ prefix: '10.20.30.1/32' }], '1.2.3.5': [{ prefix: '10.20.30.1/32' }] },
    },
    {
      desc: 'Second balancer, ingress gets assigned',
      balancer: 'test2',
      svc: svc('10.20.30.5', { etp: 'Cluster' }),
      eps: epIris,
      want: {
        '1.2.3.4': [{ prefix: '10.20.30.1/32' }, { prefix: '10.20.30.5/32' }],
        '1.2.3.5': [{ prefix: '10.20.30.1/32' }, { prefix: '10.20.30.5/32' }],
      },
    },
    {
      desc: 'Second balancer, ingress shared with first (MetalLB lists the prefix twice; merged here)',
      balancer: 'test2',
      svc: svc('10.20.30.1', { etp: 'Cluster' }),
      eps: epIris,
      want: {
        '1.2.3.4': [{ prefix: '10.20.30.1/32' }, { prefix: '10.20.30.1/32' }],
        '1.2.3.5': [{ prefix: '10.20.30.1/32' }, { prefix: '10.20.30.1/32' }],
      },
    },
    {
      desc: 'Delete svc',
      balancer: 'test1',
      svc: null,
      want: { '1.2.3.4': [{ prefix: '10.20.30.1/32' }], '1.2.3.5': [{ prefix: '10.20.30.1/32' }] },
    },
    {
      desc: 'Delete peer',
      config: config(basePool([bgpAd({ nodes: ['pandora'] })]), [peer('peer1', '1.2.3.5')]),
      balancer: 'test2',
      svc: svc('10.20.30.1', { etp: 'Cluster' }),
      eps: epIris,
      want: { '1.2.3.5': [{ prefix: '10.20.30.1/32' }] },
    },
    { desc: 'Delete second svc', balancer: 'test2', svc: null, want: { '1.2.3.5': null } },
  ];
  const c = new Cluster('pandora');
  for (const s of steps) {
    it(s.desc, () => {
      if (s.config) c.cfg = s.config;
      if (s.balancer) c.setBalancer(s.balancer, s.svc ?? undefined, s.eps);
      expect(adsByPeer(c.decide())).toEqual(deduped(s.want));
    });
  }
});

describe('TestNodeSelectors', () => {
  const bgpPool = [pool('1.2.3.0/24', { bgp: [bgpAd({ nodes: ['pandora'] })] })];
  const fooIn = { matchExpressions: [{ key: 'foo', operator: 'In', values: ['bar', 'baz'] }] };
  const steps: {
    desc: string;
    config?: DomainConfig;
    labels?: Record<string, string>;
    want: string[];
  }[] = [
    { desc: 'No config, no advertisements', want: [] },
    {
      desc: 'One peer, default node selector, no node labels',
      config: config(bgpPool, [peer('peer1', '1.2.3.4')]),
      want: ['1.2.3.4'],
    },
    {
      desc: 'Second peer, non-matching node selector',
      config: config(bgpPool, [
        peer('peer1', '1.2.3.4'),
        peer('peer2', '2.3.4.5', { nodeSelectors: [sel('foo=bar')] }),
      ]),
      want: ['1.2.3.4'],
    },
    { desc: 'Add node label that matches', labels: { foo: 'bar' }, want: ['1.2.3.4', '2.3.4.5'] },
    {
      desc: 'Change node label so it no longer matches',
      labels: { foo: 'baz' },
      want: ['1.2.3.4'],
    },
    {
      desc: 'Change node selector so it matches again',
      config: config(bgpPool, [
        peer('peer1', '1.2.3.4'),
        peer('peer2', '2.3.4.5', { nodeSelectors: [fooIn] }),
      ]),
      want: ['1.2.3.4', '2.3.4.5'],
    },
    {
      desc: 'Change node label back, still matches',
      labels: { foo: 'bar' },
      want: ['1.2.3.4', '2.3.4.5'],
    },
    {
      desc: 'Multiple node selectors, only one matches',
      config: config(bgpPool, [
        peer('peer1', '1.2.3.4'),
        peer('peer2', '2.3.4.5', { nodeSelectors: [sel('host=frontend'), fooIn] }),
      ]),
      want: ['1.2.3.4', '2.3.4.5'],
    },
    {
      desc: 'Change node labels to match the other selector',
      labels: { host: 'frontend' },
      want: ['1.2.3.4', '2.3.4.5'],
    },
  ];
  const c = new Cluster('pandora');
  for (const s of steps) {
    it(s.desc, () => {
      if (s.config) c.cfg = s.config;
      if (s.labels) c.myNode = node('pandora', { labels: s.labels });
      expect(
        c
          .decide()
          .sessions.map((x) => x.options.address)
          .sort(),
      ).toEqual(s.want);
    });
  }
});

/** MetalLB's bgp ShouldAnnounce for one Service: '' or the reason. */
function shouldAnnounce(
  view: SpeakerView,
  service: ServiceObject,
  eps: EndpointSliceObject[],
): string {
  const d = decideBgp(view, [input(service, ...eps)]).services[0];
  if (!d) throw new Error('no decision');
  return d.announce ? '' : d.reason;
}

describe('TestShouldAnnounceExcludeLB', () => {
  const cfg = config([pool('10.20.30.0/24', { bgp: [bgpAd({ nodes: ['iris1', 'iris2'] })] })]);
  const excluded = { labels: { 'node.kubernetes.io/exclude-from-external-load-balancers': '' } };
  const nodes = [node('iris1', excluded), node('iris2', excluded)];
  it.each([
    [
      'One service, endpoint on iris1, no selector, both excluded, both should not announce',
      false,
      'nodeLabeledExcludeBalancers',
    ],
    [
      'One service, endpoint on iris1, no selector, ignore excludelb, both should announce',
      true,
      '',
    ],
  ])('%s', (_d, ignoreExcludeLB, want) => {
    for (const me of ['iris1', 'iris2']) {
      const view = { config: cfg, myNode: me, nodes, ignoreExcludeLB };
      expect(
        shouldAnnounce(view, svc('10.20.30.1', { etp: 'Cluster' }), [slice(ep('iris1'))]),
      ).toBe(want);
    }
  });
});

describe('TestPeersForService (ServiceBGPStatus peers)', () => {
  const peers = [peer('peer1', '1.2.3.4'), peer('peer2', '1.2.3.5')];
  const pools = (pool1Peers: string[] = []) => [
    pool('10.20.30.0/24', {
      name: 'pool1',
      bgp: [bgpAd({ nodes: ['pandora'], peers: pool1Peers })],
    }),
    pool('10.20.40.0/24', { name: 'pool2', bgp: [bgpAd({ nodes: ['pandora'] })] }),
  ];
  const steps: {
    desc: string;
    config?: DomainConfig;
    balancer?: string;
    svc?: ServiceObject | null;
    want: Record<string, string[]>;
  }[] = [
    {
      desc: 'Set the config with 2 peers and 2 pools',
      config: config(pools(), peers),
      want: { test1: [], test2: [] },
    },
    {
      desc: 'Add first service',
      balancer: 'test1',
      svc: svc('10.20.30.1', { etp: 'Cluster' }),
      want: { test1: ['peer1', 'peer2'], test2: [] },
    },
    {
      desc: 'Add second service',
      balancer: 'test2',
      svc: svc('10.20.40.1', { etp: 'Cluster' }),
      want: { test1: ['peer1', 'peer2'], test2: ['peer1', 'peer2'] },
    },
    {
      desc: 'Advertise service 1 to peer1 only',
      config: config(pools(['peer1']), peers),
      balancer: 'test1',
      svc: svc('10.20.30.1', { etp: 'Cluster' }),
      want: { test1: ['peer1'], test2: ['peer1', 'peer2'] },
    },
    {
      desc: 'Delete first service',
      balancer: 'test1',
      svc: null,
      want: { test1: [], test2: ['peer1', 'peer2'] },
    },
    {
      desc: 'Delete first peer',
      config: config(pools(['peer1']), [peer('peer2', '1.2.3.5')]),
      balancer: 'test2',
      svc: svc('10.20.40.1', { etp: 'Cluster' }),
      want: { test1: [], test2: ['peer2'] },
    },
  ];
  const c = new Cluster('pandora');
  for (const s of steps) {
    it(s.desc, () => {
      if (s.config) c.cfg = s.config;
      if (s.balancer) c.setBalancer(s.balancer, s.svc ?? undefined, epIris);
      const d = c.decide();
      const got: Record<string, string[]> = {};
      for (const name of Object.keys(s.want)) {
        const x = d.services.find((v) => v.key === `default/${name}`);
        got[name] = x?.announce ? [...x.peers] : [];
      }
      expect(got).toEqual(s.want);
    });
  }
});

describe('TestBGPAdsForService', () => {
  const ad = (name: string, nodes: string[], selectors?: string[]) =>
    bgpAd({ name, nodes, ...(selectors ? { serviceSelectors: selectors.map(sel) } : {}) });
  it.each([
    ['Empty selectors match all', [ad('ad1', ['nodeA'])], ['ad1']],
    ['Matching selector', [ad('ad1', ['nodeA'], ['app=nginx'])], ['ad1']],
    ['Non-matching selector', [ad('ad1', ['nodeA'], ['app=apache'])], []],
    ['Wrong node', [ad('ad1', ['nodeB'])], []],
    [
      'Multiple ads - some match',
      [
        ad('ad1', ['nodeA'], ['app=apache']),
        ad('ad2', ['nodeA'], ['app=nginx']),
        ad('ad3', ['nodeA']),
      ],
      ['ad2', 'ad3'],
    ],
    [
      'Multiple selectors in single ad - OR logic',
      [ad('ad1', ['nodeA'], ['app=apache', 'app=nginx'])],
      ['ad1'],
    ],
  ])('%s', (_d, ads, want) => {
    expect(
      bgpAdsForService(ads, 'nodeA', { app: 'nginx' })
        .map((a) => a.name)
        .sort(),
    ).toEqual(want);
  });
});

describe('TestCheckBGPAdvConflicts', () => {
  const p = pool('10.20.30.0/24', { name: 'test-pool' });
  const ad = (name: string, localPref: number, nodes: string[], peers?: string[]) =>
    bgpAd({ name, localPref, nodes, ...(peers ? { peers } : {}) });
  const cases: [string, BgpAdvertisementConfig[], boolean][] = [
    [
      'No conflict - same local pref',
      [ad('ad1', 100, ['nodeA']), ad('ad2', 100, ['nodeA'])],
      false,
    ],
    [
      'No conflict - different nodes',
      [ad('ad1', 100, ['nodeA']), ad('ad2', 200, ['nodeB'])],
      false,
    ],
    [
      "Conflict - ad1's nodes are a subset of ad2's nodes",
      [ad('ad1', 100, ['nodeA']), ad('ad2', 200, ['nodeB', 'nodeA'])],
      true,
    ],
    [
      "Conflict - ad2's nodes are a subset of ad1's nodes",
      [ad('ad1', 100, ['nodeB', 'nodeA']), ad('ad2', 200, ['nodeA'])],
      true,
    ],
    ["No conflict - ad1's nodes are empty", [ad('ad1', 100, []), ad('ad2', 200, ['nodeA'])], false],
    ["No conflict - ad2's nodes are empty", [ad('ad1', 100, ['nodeA']), ad('ad2', 200, [])], false],
    [
      'No conflict - different peers',
      [ad('ad1', 100, ['nodeA'], ['peer1']), ad('ad2', 200, ['nodeA'], ['peer2'])],
      false,
    ],
    ['Single ad - no conflict', [ad('ad1', 100, ['nodeA'])], false],
    ['Empty ads - no conflict', [], false],
    [
      'Conflict - different local pref, same node',
      [ad('ad1', 100, ['nodeA']), ad('ad2', 200, ['nodeA'])],
      true,
    ],
    [
      "Conflict - ad1's peers are a subset of ad2's peers",
      [ad('ad1', 100, ['nodeA'], ['peer1']), ad('ad2', 200, ['nodeA'], ['peer2', 'peer1'])],
      true,
    ],
    [
      "Conflict - ad2's peers are a subset of ad1's peers",
      [ad('ad1', 100, ['nodeA'], ['peer2', 'peer1']), ad('ad2', 200, ['nodeA'], ['peer1'])],
      true,
    ],
    [
      "Conflict - ad1's peers overlap ad2's, ad1 has one extra",
      [
        ad('ad1', 100, ['nodeA'], ['peer1', 'peer3']),
        ad('ad2', 200, ['nodeA'], ['peer2', 'peer1']),
      ],
      true,
    ],
    [
      "Conflict - ad2's peers overlap ad1's, ad2 has one extra",
      [
        ad('ad1', 100, ['nodeA'], ['peer2', 'peer1']),
        ad('ad2', 200, ['nodeA'], ['peer1', 'peer3']),
      ],
      true,
    ],
    [
      "Conflict - ad1's peers are empty",
      [ad('ad1', 100, ['nodeA'], []), ad('ad2', 200, ['nodeA'], ['peer1'])],
      true,
    ],
    [
      "Conflict - ad2's peers are empty",
      [ad('ad1', 100, ['nodeA'], ['peer1']), ad('ad2', 200, ['nodeA'], [])],
      true,
    ],
  ];
  for (const [desc, ads, conflict] of cases) {
    it(desc, () => {
      const err = bgpAdvConflict(ads, p);
      expect(err !== undefined).toBe(conflict);
      if (conflict) {
        expect(err).toBe(`advertisements 'ad1' and 'ad2' have conflicting LOCAL_PREF (100 vs 200)`);
      }
    });
  }
});

describe('TestShouldAnnounceBGPServiceSelectors', () => {
  const ad = (name: string, localPref: number, selectors?: string[]) =>
    bgpAd({
      name,
      localPref,
      nodes: ['pandora'],
      ...(selectors ? { serviceSelectors: selectors.map(sel) } : {}),
    });
  it.each([
    ['Empty selector matches all services', [ad('ad1', 0)], ''],
    ['Matching selector allows announcement', [ad('ad1', 0, ['app=nginx'])], ''],
    [
      'Non-matching selector prevents announcement',
      [ad('ad1', 0, ['app=apache'])],
      'noMatchingAdvertisement',
    ],
    [
      'Multiple selectors - OR logic - one matches',
      [ad('ad1', 0, ['app=apache', 'app=nginx'])],
      '',
    ],
    [
      'Multiple ads with different selectors - one matches',
      [ad('ad1', 0, ['app=apache']), ad('ad2', 0, ['app=nginx'])],
      '',
    ],
    [
      'Conflicting local prefs - different ads match same service',
      [ad('ad1', 100), ad('ad2', 200, ['app=nginx'])],
      'conflictingAdvertisements',
    ],
  ])('%s', (_d, ads, want) => {
    const view = {
      config: config([pool('10.20.30.0/24', { name: 'test-pool', bgp: ads })], [
        peer('peer1', '1.2.3.4'),
      ] as PeerConfig[]),
      myNode: 'pandora',
      nodes: [node('pandora')],
    };
    const service = svc('10.20.30.1', {
      name: 'test-svc',
      etp: 'Cluster',
      labels: { app: 'nginx' },
    });
    expect(shouldAnnounce(view, service, [slice(ep('pandora'))])).toBe(want);
  });
});

describe('TestHasHealthyEndpoint', () => {
  const e = (ip: string, ready: boolean) => ep(undefined, { ready, addresses: [ip] });
  it.each([
    ['One ready endpoint', [e('1.2.3.4', true)], true],
    ['One not ready endpoint', [e('1.2.3.4', false)], false],
    ['Two endpoints same IP, one ready one not', [e('1.2.3.4', false), e('1.2.3.4', true)], true],
    [
      'Two endpoints same IP, ready then not ready',
      [e('1.2.3.4', true), e('1.2.3.4', false)],
      true,
    ],
    ['Two endpoints same IP, both not ready', [e('1.2.3.4', false), e('1.2.3.4', false)], false],
    ['Mixed IPs, one ready', [e('1.2.3.4', false), e('5.6.7.8', true)], true],
  ])('%s', (_d, endpoints, want) => {
    expect(hasHealthyEndpoint([slice(...endpoints)])).toBe(want);
  });
});
