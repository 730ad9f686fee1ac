// MetalLB's Layer 2 speaker tables, ported as data (behaviour oracles, not code):
// speaker/layer2_controller_test.go at metallb/metallb 7938d3f — TestUsableNodesEPSlices*,
// TestShouldAnnounceEPSlices, TestShouldAnnounceFromNodes, TestClusterPolicy, TestL2ServiceSelectors,
// TestL2SharedIPWithServiceSelectors, TestL2AdsForService, TestL2ElectionConsistentButAdsPerNode,
// TestL2NoMatchingAdForServiceAndNode, TestL2ServiceSelectorFiltersCandidateNodes,
// TestIPAdvertisementFor, TestSortL2Candidates, TestPreferredScoresFor,
// TestShouldAnnouncePreferredNode, TestShouldAnnounceSplitBrainWithMixedAds,
// TestShouldAnnouncePreferredNodeFailover; internal/layer2/announcer_test.go (one announcement
// per shared address). A MetalLB ShouldAnnounce result is '' (announce) or a reason.
import { describe, expect, it } from 'vitest';
import {
  decideLayer2,
  interfacesFor,
  l2AdsForService,
  preferredScores,
  sortL2Candidates,
} from '../../src/announce/layer2.js';
import { nodesWithServingEndpoint } from '../../src/announce/inputs.js';
import type {
  EndpointSliceObject,
  NodeStatusObject,
  ServiceObject,
  SpeakerView,
} from '../../src/announce/types.js';
import type { L2AdvertisementConfig } from '../../src/config/types.js';
import { config, ep, input, l2ad, node, pool, sel, slice, svc } from './support.js';

/** MetalLB's ShouldAnnounce for one Service on one node: '' or the reason. */
function shouldAnnounce(
  view: Omit<SpeakerView, 'myNode'>,
  myNode: string,
  service: ServiceObject,
  slices: EndpointSliceObject[],
): string {
  const d = decideLayer2({ ...view, myNode }, [input(service, ...slices)]).services[0];
  if (!d) throw new Error('no decision');
  return d.announce ? '' : d.reason;
}

const both = ['iris1', 'iris2'];
const adBoth = l2ad({ nodes: both });
const l2Config = (ads: L2AdvertisementConfig[]) => config([pool('10.20.30.0/24', { l2: ads })]);

describe('TestUsableNodesEPSlicesWithSpeakerlistDisabled', () => {
  it('without memberlist every known node is a candidate (MetalLB assumes a speaker on each)', () => {
    const view = {
      config: l2Config([adBoth]),
      nodes: [node('iris1'), node('iris2')],
      members: undefined,
    };
    const service = svc('10.20.30.1', { etp: 'Local' });
    const eps = [slice(ep('iris1'), ep('iris1', { addresses: ['2.3.4.15'] }))];
    expect(shouldAnnounce(view, 'iris1', service, eps)).toBe('');
  });
});

describe('TestUsableNodesEPSlices (nodesWithEndpoint)', () => {
  const cases: { desc: string; eps: EndpointSliceObject[]; want: string[] }[] = [
    {
      desc: 'Two endpoints, different hosts, multi slice',
      eps: [slice(ep('iris1')), slice(ep('iris2', { addresses: ['2.3.4.15'] }))],
      want: ['iris1', 'iris2'],
    },
    {
      desc: 'Two endpoints, different hosts',
      eps: [slice(ep('iris1'), ep('iris2', { addresses: ['2.3.4.15'] }))],
      want: ['iris1', 'iris2'],
    },
    {
      desc: 'Two endpoints, same host',
      eps: [slice(ep('iris1'), ep('iris1', { addresses: ['2.3.4.15'] }))],
      want: ['iris1'],
    },
    {
      desc: 'Two endpoints, same host, one is not ready',
      eps: [slice(ep('iris1'), ep('iris1', { ready: false }))],
      want: ['iris1'],
    },
    {
      desc: 'Two endpoints, different hosts, not ready but serving',
      eps: [
        slice(
          ep('iris1', { ready: false, serving: true }),
          ep('iris2', { ready: false, serving: true }),
        ),
      ],
      want: ['iris1', 'iris2'],
    },
    {
      desc: 'Two endpoints, different hosts, ready but not serving',
      eps: [
        slice(
          ep('iris1', { ready: true, serving: false }),
          ep('iris2', { ready: true, serving: false }),
        ),
      ],
      want: ['iris1', 'iris2'],
    },
  ];
  for (const c of cases) {
    it(c.desc, () => {
      expect([...nodesWithServingEndpoint(c.eps)].sort()).toEqual(c.want);
    });
  }
});

// TestShouldAnnounceEPSlices: speakers iris1 and iris2, one ad selecting both, ETP Local.
describe('TestShouldAnnounceEPSlices', () => {
  type Ep = [string, boolean, boolean?]; // node, ready, serving
  const eps = (...slices: Ep[][]) =>
    slices.map((s) =>
      slice(
        ...s.map(([n, r, sv]) => ep(n, { ready: r, ...(sv !== undefined ? { serving: sv } : {}) })),
      ),
    );
  const cases: {
    desc: string;
    svcs: { ip: string; eps: EndpointSliceObject[] }[];
    c1: Record<string, string>;
    c2: Record<string, string>;
  }[] = [
    {
      desc: 'One service, two endpoints, one host, controller 1 should announce',
      svcs: [
        {
          ip: '10.20.30.1',
          eps: eps([
            ['iris1', true],
            ['iris1', true],
          ]),
        },
      ],
      c1: { '10.20.30.1': '' },
      c2: { '10.20.30.1': 'notOwner' },
    },
    {
      desc: 'One service, two endpoints, one host, neither endpoint is ready, no controller should announce',
      svcs: [
        {
          ip: '10.20.30.1',
          eps: eps([
            ['iris1', false],
            ['iris1', false],
          ]),
        },
      ],
      c1: { '10.20.30.1': 'notOwner' },
      c2: { '10.20.30.1': 'notOwner' },
    },
    {
      desc: 'One service, two endpoints across two hosts, controller2 should announce',
      svcs: [
        {
          ip: '10.20.30.1',
          eps: eps([
            ['iris1', true],
            ['iris2', false, true],
          ]),
        },
      ],
      c1: { '10.20.30.1': 'notOwner' },
      c2: { '10.20.30.1': '' },
    },
    {
      desc: 'One service, two endpoints across two hosts, neither endpoint is ready, no controllers should announce',
      svcs: [
        {
          ip: '10.20.30.1',
          eps: eps([
            ['iris1', false],
            ['iris2', false],
          ]),
        },
      ],
      c1: { '10.20.30.1': 'notOwner' },
      c2: { '10.20.30.1': 'notOwner' },
    },
    {
      desc: 'One service, two endpoints across two hosts, controller 2 is not ready, controller 1 should announce',
      svcs: [
        {
          ip: '10.20.30.1',
          eps: eps([
            ['iris1', true],
            ['iris2', false],
          ]),
        },
      ],
      c1: { '10.20.30.1': '' },
      c2: { '10.20.30.1': 'notOwner' },
    },
    {
      desc: 'Two services each with two endpoints across across two hosts, each controller should announce one service',
      svcs: [
        {
          ip: '10.20.30.1',
          eps: eps([
            ['iris1', true],
            ['iris2', true],
          ]),
        },
        {
          ip: '10.20.30.2',
          eps: eps([
            ['iris1', true],
            ['iris2', true],
          ]),
        },
      ],
      c1: { '10.20.30.1': 'notOwner', '10.20.30.2': '' },
      c2: { '10.20.30.1': '', '10.20.30.2': 'notOwner' },
    },
    {
      desc: 'Two services each with two endpoints across across two hosts, one service has an endpoint not ready on controller 2, each controller should announce one service',
      svcs: [
        {
          ip: '10.20.30.1',
          eps: eps([
            ['iris1', true],
            ['iris2', true],
          ]),
        },
        {
          ip: '10.20.30.2',
          eps: eps([
            ['iris1', true],
            ['iris2', false],
          ]),
        },
      ],
      c1: { '10.20.30.1': 'notOwner', '10.20.30.2': '' },
      c2: { '10.20.30.1': '', '10.20.30.2': 'notOwner' },
    },
    {
      desc: 'Two services each with an endpoint not ready on a different controller: each announces the service with the ready endpoint on it',
      svcs: [
        {
          ip: '10.20.30.1',
          eps: eps([
            ['iris2', true],
            ['iris1', false],
          ]),
        },
        {
          ip: '10.20.30.2',
          eps: eps([
            ['iris1', true],
            ['iris2', false],
          ]),
        },
      ],
      c1: { '10.20.30.1': 'notOwner', '10.20.30.2': '' },
      c2: { '10.20.30.1': '', '10.20.30.2': 'notOwner' },
    },
    {
      desc: 'One service with three endpoints across two hosts (two slices), controller 2 hosts two endpoints, controller 2 should announce',
      svcs: [
        {
          ip: '10.20.30.1',
          eps: eps(
            [
              ['iris1', true],
              ['iris2', true],
            ],
            [['iris2', true]],
          ),
        },
      ],
      c1: { '10.20.30.1': 'notOwner' },
      c2: { '10.20.30.1': '' },
    },
    {
      desc: 'One service with three endpoints across two hosts, controller 1 hosts two endpoints, controller 2 should announce',
      svcs: [
        {
          ip: '10.20.30.1',
          eps: eps([
            ['iris1', true],
            ['iris2', true],
            ['iris1', true],
          ]),
        },
      ],
      c1: { '10.20.30.1': 'notOwner' },
      c2: { '10.20.30.1': '' },
    },
    {
      desc: 'One service with three endpoints across two hosts, controller 2 hosts two ready endpoints, controller 2 should announce',
      svcs: [
        {
          ip: '10.20.30.1',
          eps: eps([
            ['iris1', true],
            ['iris2', true],
            ['iris2', true],
          ]),
        },
      ],
      c1: { '10.20.30.1': 'notOwner' },
      c2: { '10.20.30.1': '' },
    },
    {
      desc: 'One service with three endpoints across two hosts, controller 1 hosts two endpoints, one of which is not ready: controller 2 announces',
      svcs: [
        {
          ip: '10.20.30.1',
          eps: eps([
            ['iris1', true],
            ['iris2', true],
            ['iris1', false],
          ]),
        },
      ],
      c1: { '10.20.30.1': 'notOwner' },
      c2: { '10.20.30.1': '' },
    },
    {
      desc: 'One service with three endpoints across two hosts, controller 2 hosts two endpoints, both of which are not ready, controller 1 should announce',
      svcs: [
        {
          ip: '10.20.30.1',
          eps: eps([
            ['iris1', true],
            ['iris2', false],
            ['iris2', false],
          ]),
        },
      ],
      c1: { '10.20.30.1': '' },
      c2: { '10.20.30.1': 'notOwner' },
    },
  ];
  const view = { config: l2Config([adBoth]), nodes: [], members: both };
  for (const c of cases) {
    it(c.desc, () => {
      for (const s of c.svcs) {
        const service = svc(s.ip, { etp: 'Local' });
        expect(shouldAnnounce(view, 'iris1', service, s.eps), `iris1 ${s.ip}`).toBe(c.c1[s.ip]);
        expect(shouldAnnounce(view, 'iris2', service, s.eps), `iris2 ${s.ip}`).toBe(c.c2[s.ip]);
      }
    });
  }
});

describe('TestShouldAnnounceFromNodes', () => {
  const adOnIris1 = [l2ad({ nodes: ['iris1'] })];
  const adSplit = [l2ad({ nodes: ['iris1'] }), l2ad({ nodes: ['iris2'] })];
  const adOnIris2 = [l2ad({ nodes: ['iris2'] })];
  const epsOn = (n: string) => [slice(ep(n))];
  const epsOnBoth = [slice(ep('iris1'), ep('iris2', { addresses: ['2.3.4.15'] }))];
  const cases: {
    desc: string;
    eps: EndpointSliceObject[];
    ads: L2AdvertisementConfig[];
    etp: 'Cluster' | 'Local';
    excluded?: string[];
    ignoreExcludeLB?: boolean;
    c1: string;
    c2: string;
  }[] = [
    {
      desc: 'One service, endpoint on iris1, selector on iris1, c1 should announce',
      eps: epsOn('iris1'),
      ads: adOnIris1,
      etp: 'Cluster',
      c1: '',
      c2: 'noMatchingAdvertisement',
    },
    {
      desc: 'One service, etp local, endpoint on iris1, selector on both(split), c1 should announce',
      eps: epsOn('iris1'),
      ads: adSplit,
      etp: 'Local',
      c1: '',
      c2: 'notOwner',
    },
    {
      desc: 'One service, endpoint on iris1, selector on both, c2 should announce',
      eps: epsOn('iris1'),
      ads: [adBoth],
      etp: 'Cluster',
      c1: 'notOwner',
      c2: '',
    },
    {
      desc: 'One service, endpoint on both nodes, advertisement on iris1, c1 should announce',
      eps: epsOnBoth,
      ads: adOnIris1,
      etp: 'Cluster',
      c1: '',
      c2: 'noMatchingAdvertisement',
    },
    {
      desc: 'One service, ltp endpoint on iris1, advertisement on iris2, no one should announce',
      eps: epsOn('iris1'),
      ads: adOnIris2,
      etp: 'Local',
      c1: 'noMatchingAdvertisement',
      c2: 'notOwner',
    },
    {
      desc: 'One service, endpoint on iris1, no selector, iris2 excluded, c1 should announce',
      eps: epsOn('iris1'),
      ads: [adBoth],
      etp: 'Cluster',
      excluded: ['iris2'],
      c1: '',
      c2: 'notOwner',
    },
    {
      desc: 'One service, endpoint on iris1, no selector, iris1 excluded, c2 should announce',
      eps: epsOn('iris1'),
      ads: [adBoth],
      etp: 'Cluster',
      excluded: ['iris1'],
      c1: 'notOwner',
      c2: '',
    },
    {
      desc: 'One service, endpoint on iris1, no selector, both excluded, both should not announce',
      eps: epsOn('iris1'),
      ads: [adBoth],
      etp: 'Cluster',
      excluded: both,
      c1: 'notOwner',
      c2: 'notOwner',
    },
    {
      desc: 'One service, endpoint on iris1, no selector, etplocal, both excluded, ignore excludelb, c1 should announce',
      eps: epsOn('iris1'),
      ads: [adBoth],
      etp: 'Local',
      excluded: both,
      ignoreExcludeLB: true,
      c1: '',
      c2: 'notOwner',
    },
  ];
  for (const c of cases) {
    it(c.desc, () => {
      const nodes = both.map((n) =>
        node(
          n,
          c.excluded?.includes(n)
            ? { labels: { 'node.kubernetes.io/exclude-from-external-load-balancers': '' } }
            : {},
        ),
      );
      const view = {
        config: l2Config(c.ads),
        nodes,
        members: both,
        ignoreExcludeLB: c.ignoreExcludeLB ?? false,
      };
      const service = svc('10.20.30.1', { etp: c.etp });
      expect(shouldAnnounce(view, 'iris1', service, c.eps)).toBe(c.c1);
      expect(shouldAnnounce(view, 'iris2', service, c.eps)).toBe(c.c2);
    });
  }
});

describe('TestClusterPolicy', () => {
  it('two services with the same address and ETP Cluster are announced by the same node, whatever the address', () => {
    const view = { config: l2Config([adBoth]), nodes: [], members: both };
    const eps = [slice(ep('iris1')), slice(ep('iris2', { addresses: ['2.3.4.15'] }))];
    for (let i = 1; i < 255; i++) {
      const ip = `10.20.30.${i}`;
      const s1 = svc(ip, { name: 'svc1', etp: 'Cluster' });
      const s2 = svc(ip, { name: 'svc2', etp: 'Cluster' });
      for (const me of both) {
        const d = decideLayer2({ ...view, myNode: me }, [input(s1, ...eps), input(s2, ...eps)]);
        expect(d.services[0]?.announce, `${ip} on ${me}`).toBe(d.services[1]?.announce);
      }
    }
  });
});

describe('TestL2ServiceSelectors', () => {
  const cases: { desc: string; ads: L2AdvertisementConfig[]; want: string }[] = [
    {
      desc: 'Empty selector matches all services',
      ads: [l2ad({ nodes: ['iris1'], allInterfaces: true })],
      want: '',
    },
    {
      desc: 'Matching selector allows announcement',
      ads: [l2ad({ nodes: ['iris1'], allInterfaces: true, serviceSelectors: [sel('app=nginx')] })],
      want: '',
    },
    {
      desc: 'Non-matching selector prevents announcement',
      ads: [l2ad({ nodes: ['iris1'], allInterfaces: true, serviceSelectors: [sel('app=apache')] })],
      want: 'noMatchingAdvertisement',
    },
    {
      desc: 'Multiple selectors - OR logic - one matches',
      ads: [
        l2ad({
          nodes: ['iris1'],
          allInterfaces: true,
          serviceSelectors: [sel('app=apache'), sel('app=nginx')],
        }),
      ],
      want: '',
    },
  ];
  for (const c of cases) {
    it(c.desc, () => {
      const view = { config: l2Config(c.ads), nodes: [], members: ['iris1'] };
      const service = svc('10.20.30.1', { etp: 'Cluster', labels: { app: 'nginx' } });
      expect(shouldAnnounce(view, 'iris1', service, [slice(ep('iris1'))])).toBe(c.want);
    });
  }
});

describe('TestL2SharedIPWithServiceSelectors', () => {
  const withSel = l2ad({
    nodes: ['iris1'],
    allInterfaces: true,
    serviceSelectors: [sel('app=nginx')],
  });
  const noSel = l2ad({ nodes: ['iris1'], allInterfaces: true });
  const cases: {
    desc: string;
    ads: L2AdvertisementConfig[];
    annotations?: Record<string, string>;
    want: string;
  }[] = [
    {
      desc: 'allow-shared-ip with serviceSelectors is denied',
      ads: [withSel],
      annotations: { 'metallb.io/allow-shared-ip': 'shared' },
      want: 'sharedIPWithServiceSelector',
    },
    {
      desc: 'allow-shared-ip without serviceSelectors is allowed',
      ads: [noSel],
      annotations: { 'metallb.io/allow-shared-ip': 'shared' },
      want: '',
    },
    { desc: 'no allow-shared-ip with serviceSelectors is allowed', ads: [withSel], want: '' },
    {
      desc: 'deprecated allow-shared-ip with serviceSelectors is denied',
      ads: [withSel],
      annotations: { 'metallb.universe.tf/allow-shared-ip': 'shared' },
      want: 'sharedIPWithServiceSelector',
    },
    {
      desc: 'allow-shared-ip with mixed ads (one with selectors) is denied',
      ads: [noSel, withSel],
      annotations: { 'metallb.io/allow-shared-ip': 'shared' },
      want: 'sharedIPWithServiceSelector',
    },
  ];
  for (const c of cases) {
    it(c.desc, () => {
      const view = { config: l2Config(c.ads), nodes: [], members: ['iris1'] };
      const service = svc('10.20.30.1', {
        name: 'test-svc',
        etp: 'Cluster',
        labels: { app: 'nginx' },
        ...(c.annotations ? { annotations: c.annotations } : {}),
      });
      expect(shouldAnnounce(view, 'iris1', service, [slice(ep('iris1'))])).toBe(c.want);
    });
  }
});

describe('TestL2AdsForService', () => {
  const ad1 = l2ad({ name: 'ad1', nodes: ['nodeA'], allInterfaces: true });
  const ad2 = l2ad({
    name: 'ad2',
    nodes: ['nodeA'],
    allInterfaces: true,
    serviceSelectors: [sel('app=nginx')],
  });
  const ad3 = l2ad({
    name: 'ad3',
    nodes: ['nodeA'],
    allInterfaces: true,
    serviceSelectors: [sel('app=apache')],
  });
  const ad4 = l2ad({ name: 'ad4', nodes: ['nodeB'], allInterfaces: true });
  const cases: [string, L2AdvertisementConfig[], L2AdvertisementConfig[]][] = [
    ['Empty selectors match all', [ad1], [ad1]],
    ['Matching selector', [ad2], [ad2]],
    ['Non-matching selector', [ad3], []],
    ['Ad with no matching selector is still returned (node filtering is separate)', [ad4], [ad4]],
    ['Multiple ads - some match by service selector', [ad3, ad2, ad1], [ad2, ad1]],
  ];
  for (const [desc, ads, want] of cases) {
    it(desc, () => {
      expect(
        l2AdsForService(ads, { app: 'nginx' })
          .map((a) => a.name)
          .sort(),
      ).toEqual(want.map((a) => a.name).sort());
    });
  }
});

describe('TestL2ElectionConsistentButAdsPerNode', () => {
  it('one winner for the service; each node would announce on its own ad’s interface only', () => {
    const ads = [
      l2ad({ nodes: ['iris1'], interfaces: ['eth0'], serviceSelectors: [sel('app=web')] }),
      l2ad({ nodes: ['iris2'], interfaces: ['eth1'], serviceSelectors: [sel('app=web')] }),
    ];
    const view = { config: l2Config(ads), nodes: [], members: both };
    const service = svc('10.20.30.1', { name: 'svc-web', etp: 'Cluster', labels: { app: 'web' } });
    const eps = [slice(ep('iris1'), ep('iris2', { addresses: ['2.3.4.15'] }))];
    const r1 = decideLayer2({ ...view, myNode: 'iris1' }, [input(service, ...eps)]).services[0];
    const r2 = decideLayer2({ ...view, myNode: 'iris2' }, [input(service, ...eps)]).services[0];
    expect([r1?.announce, r2?.announce].filter(Boolean)).toHaveLength(1);
    const winner = r1?.announce ? r1 : r2;
    expect(winner?.announce && winner.interfaces).toEqual({
      all: false,
      names: [r1?.announce ? 'eth0' : 'eth1'],
    });
    const adsForSvc = l2AdsForService(ads, { app: 'web' });
    expect(interfacesFor(adsForSvc.filter((a) => a.nodes.includes('iris1')))).toEqual({
      all: false,
      names: ['eth0'],
    });
    expect(interfacesFor(adsForSvc.filter((a) => a.nodes.includes('iris2')))).toEqual({
      all: false,
      names: ['eth1'],
    });
  });
});

describe('TestL2NoMatchingAdForServiceAndNode', () => {
  it('the ad for every node targets another service, the service’s ad a node that does not exist: nobody announces', () => {
    const ads = [
      l2ad({ nodes: both, allInterfaces: true, serviceSelectors: [sel('app=other')] }),
      l2ad({ nodes: ['ghost'], allInterfaces: true, serviceSelectors: [sel('app=web')] }),
    ];
    const view = { config: l2Config(ads), nodes: [], members: both };
    const service = svc('10.20.30.1', { name: 'svc-web', etp: 'Cluster', labels: { app: 'web' } });
    const eps = [slice(ep('iris1'), ep('iris2', { addresses: ['2.3.4.15'] }))];
    for (const n of both)
      expect(shouldAnnounce(view, n, service, eps)).toBe('noMatchingAdvertisement');
  });
});

describe('TestL2ServiceSelectorFiltersCandidateNodes', () => {
  const ads = [
    l2ad({ nodes: ['iris1'], allInterfaces: true, serviceSelectors: [sel('app=foo')] }),
    l2ad({ nodes: ['iris2'], allInterfaces: true, serviceSelectors: [sel('app=bar')] }),
  ];
  const view = { config: l2Config(ads), nodes: [], members: both };
  const eps = [slice(ep('iris1'), ep('iris2', { addresses: ['2.3.4.15'] }))];
  it.each([
    ['svc-foo matches only iris1’s adv, iris1 must announce', 'foo', '', 'noMatchingAdvertisement'],
    ['svc-bar matches only iris2’s adv, iris2 must announce', 'bar', 'noMatchingAdvertisement', ''],
  ])('%s', (_d, app, c1, c2) => {
    const service = svc('10.20.30.1', { name: `svc-${app}`, etp: 'Cluster', labels: { app } });
    expect(shouldAnnounce(view, 'iris1', service, eps)).toBe(c1);
    expect(shouldAnnounce(view, 'iris2', service, eps)).toBe(c2);
  });
});

describe('TestIPAdvertisementFor', () => {
  it.each([
    ['AllInterfaces set', [l2ad({ allInterfaces: true })], { all: true }],
    [
      'Single L2Advertisement with interfaces',
      [l2ad({ interfaces: ['eth1', 'eth2'] })],
      { all: false, names: ['eth1', 'eth2'] },
    ],
    [
      'Multiple L2Advertisements - interfaces merged',
      [l2ad({ interfaces: ['eth0', 'eth1'] }), l2ad({ interfaces: ['eth0', 'eth2'] })],
      { all: false, names: ['eth0', 'eth1', 'eth2'] },
    ],
    [
      'Multiple L2Advertisements - one has AllInterfaces',
      [l2ad({ interfaces: ['eth0', 'eth1'] }), l2ad({ allInterfaces: true })],
      { all: true },
    ],
  ])('%s', (_d, ads, want) => {
    expect(interfacesFor(ads)).toEqual(want);
  });
});

describe('TestSortL2Candidates', () => {
  const cases: {
    desc: string;
    candidates: string[];
    ip: string;
    scores?: Record<string, number>;
    want: string[];
  }[] = [
    { desc: 'empty input', candidates: [], ip: '10.0.0.1', want: [] },
    { desc: 'single candidate', candidates: ['node-a'], ip: '10.0.0.1', want: ['node-a'] },
    {
      desc: 'no scores: stable hash order independent of input order',
      candidates: ['node-a', 'node-b', 'node-c'],
      ip: '10.0.0.1',
      want: ['node-b', 'node-a', 'node-c'],
    },
    {
      desc: 'no scores: hash order depends on the IP',
      candidates: ['node-a', 'node-b', 'node-c'],
      ip: '10.0.0.2',
      want: ['node-b', 'node-c', 'node-a'],
    },
    {
      desc: 'highest score wins regardless of hash',
      candidates: ['edge-a', 'edge-b', 'worker-a', 'worker-b'],
      ip: '10.20.30.1',
      scores: { 'edge-a': 100 },
      want: ['edge-a', 'edge-b', 'worker-a', 'worker-b'],
    },
    {
      desc: 'equal non-zero scores fall through to hash',
      candidates: ['node-a', 'node-b'],
      ip: '10.20.30.1',
      scores: { 'node-a': 100, 'node-b': 100 },
      want: ['node-b', 'node-a'],
    },
    {
      desc: 'preferred group sorted by hash, unpreferred trail',
      candidates: ['edge-a', 'edge-b', 'worker-a'],
      ip: '10.20.30.1',
      scores: { 'edge-a': 100, 'edge-b': 100 },
      want: ['edge-b', 'edge-a', 'worker-a'],
    },
  ];
  for (const c of cases) {
    it(c.desc, () => {
      // A rotated permutation: the order comes from score and hash, never from the input.
      const permuted = [...c.candidates.slice(1), ...c.candidates.slice(0, 1)];
      expect(sortL2Candidates(permuted, c.ip, new Map(Object.entries(c.scores ?? {})))).toEqual(
        c.want,
      );
    });
  }
});

describe('TestPreferredScoresFor', () => {
  it.each([
    ['nil ads', [], {}],
    ['ads without preferences', [l2ad({ nodes: ['a'] })], {}],
    [
      'preferences across ads sum',
      [
        l2ad({ nodes: ['a', 'b'], preferredNodes: { a: 70 } }),
        l2ad({ nodes: ['a', 'b'], preferredNodes: { a: 30, b: 50 } }),
      ],
      { a: 100, b: 50 },
    ],
  ])('%s', (_d, ads, want) => {
    expect(Object.fromEntries(preferredScores(ads))).toEqual(want);
  });
});

/** Every speaker's decision; the nodes that announce. */
function winners(
  ads: L2AdvertisementConfig[],
  speakers: string[],
  service: ServiceObject,
  eps: EndpointSliceObject[],
  nodes: NodeStatusObject[] = speakers.map((n) => node(n)),
): string[] {
  const view = { config: l2Config(ads), nodes, members: speakers };
  return speakers.filter((me) => shouldAnnounce(view, me, service, eps) === '').sort();
}

describe('TestShouldAnnouncePreferredNode', () => {
  it('preferred node with highest score wins', () => {
    const speakers = ['edge-a', 'edge-b', 'worker-a', 'worker-b'];
    const ad = l2ad({ nodes: speakers, preferredNodes: { 'edge-a': 100 }, allInterfaces: true });
    expect(winners([ad], speakers, svc('10.20.30.1'), [slice(ep('worker-a'))])).toEqual(['edge-a']);
  });
  it('ETP Local drops preferred node without local endpoints', () => {
    const speakers = ['preferred-a', 'worker-a'];
    const ad = l2ad({
      nodes: speakers,
      preferredNodes: { 'preferred-a': 100 },
      allInterfaces: true,
    });
    expect(
      winners([ad], speakers, svc('10.20.30.1', { etp: 'Local' }), [slice(ep('worker-a'))]),
    ).toEqual(['worker-a']);
  });
});

describe('TestShouldAnnounceSplitBrainWithMixedAds', () => {
  it('scores come from every service-matching ad, not the node-filtered ones: one winner, edge-a', () => {
    const adEdge = l2ad({
      nodes: ['edge-a'],
      preferredNodes: { 'edge-a': 100 },
      allInterfaces: true,
    });
    const adAll = l2ad({ nodes: ['edge-a', 'worker-a'], allInterfaces: true });
    const adPoison = l2ad({
      nodes: ['edge-a', 'worker-a'],
      preferredNodes: { 'worker-a': 1000 },
      serviceSelectors: [sel('app=does-not-match')],
      allInterfaces: true,
    });
    expect(
      winners([adEdge, adAll, adPoison], ['edge-a', 'worker-a'], svc('10.20.30.1'), [
        slice(ep('worker-a')),
      ]),
    ).toEqual(['edge-a']);
  });
});

describe('TestShouldAnnouncePreferredNodeFailover', () => {
  const ad = l2ad({
    nodes: ['edge-a', 'edge-b', 'worker-a'],
    preferredNodes: { 'edge-a': 100, 'edge-b': 100 },
    allInterfaces: true,
  });
  const eps = [slice(ep('worker-a'))];
  const all = ['edge-a', 'edge-b', 'worker-a'].map((n) => node(n));
  it('preferred node pruned leaves remaining preferred as winner', () => {
    expect(winners([ad], ['edge-b', 'worker-a'], svc('10.20.30.1'), eps, all)).toEqual(['edge-b']);
  });
  it('preferred node returns and reclaims via sha256 tie-break', () => {
    expect(winners([ad], ['edge-a', 'edge-b', 'worker-a'], svc('10.20.30.1'), eps, all)).toEqual([
      'edge-b',
    ]);
  });
  it('all preferred unavailable falls through to hash across zero-score survivors', () => {
    const adAllWorkers = l2ad({
      nodes: ['edge-a', 'edge-b', 'worker-a', 'worker-b'],
      preferredNodes: { 'edge-a': 100, 'edge-b': 100 },
      allInterfaces: true,
    });
    const nodes = ['edge-a', 'edge-b', 'worker-a', 'worker-b'].map((n) => node(n));
    expect(
      winners([adAllWorkers], ['worker-a', 'worker-b'], svc('10.20.30.1'), eps, nodes),
    ).toEqual(['worker-a']);
  });
});

describe('internal/layer2 Test_SetBalancer_AddsToAnnouncedServices', () => {
  it('two services on one address: one announcement carrying both', () => {
    const ads = [l2ad({ nodes: ['n1'], allInterfaces: true })];
    const view = {
      config: config([
        pool('192.168.1.0/24', { l2: ads }),
        pool('1000::/64', { name: 'v6', l2: ads }),
      ]),
      nodes: [],
      members: ['n1'],
      myNode: 'n1',
    };
    const shared = { 'metallb.io/allow-shared-ip': 'k' };
    const d = decideLayer2(view, [
      input(svc('192.168.1.20', { name: 'foo', annotations: shared }), slice(ep('n1'))),
      input(svc('1000::1', { name: 'foo6' }), slice(ep('n1'))),
      input(svc('192.168.1.20', { name: 'bar', annotations: shared }), slice(ep('n1'))),
    ]);
    expect(d.addresses).toEqual([
      { ip: '1000::1', interfaces: { all: true }, services: ['default/foo6'] },
      { ip: '192.168.1.20', interfaces: { all: true }, services: ['default/bar', 'default/foo'] },
    ]);
  });
});
