// The speaker's decisions beyond MetalLB's own tables: the Service-level reasons and their log
// texts, NetworkUnavailable and memberlist in the Layer 2 candidate set, one node per shared
// address, Go's canonical address text in the hash, BGP route merging, communities as
// bgp-speaker numbers, LOCAL_PREF conflicts, and the adapters (sessions, memberlist, excludel2).
import { describe, expect, it } from 'vitest';
import { decideBgp } from '../../src/announce/bgp.js';
import { decideLayer2, sortL2Candidates } from '../../src/announce/layer2.js';
import { announceFailedEvent, withdrawLog } from '../../src/announce/reasons.js';
import { bgpSessions } from '../../src/announce/sessions.js';
import {
  DEFAULT_EXCLUDED_INTERFACES,
  interfaceExcluded,
  memberlistPlan,
  memberlistSecretFromFile,
  parseExcludeL2,
} from '../../src/announce/speaker-config.js';
import type { ServiceObject, SpeakerView } from '../../src/announce/types.js';
import { parseConfig } from '../../src/config/parse.js';
import { K8sGlueError } from '../../src/errors.js';
import { bgpAd, config, ep, input, l2ad, node, peer, pool, sel, slice, svc } from './support.js';

const l2view = (p: Partial<SpeakerView> = {}): SpeakerView => ({
  config: config([
    pool('10.20.30.0/24', { l2: [l2ad({ nodes: ['n1', 'n2', 'n3'], allInterfaces: true })] }),
  ]),
  myNode: 'n1',
  nodes: [node('n1'), node('n2'), node('n3')],
  members: ['n1', 'n2', 'n3'],
  ...p,
});
const first = (v: SpeakerView, s: ServiceObject, eps = [slice(ep('n1'))]) =>
  decideLayer2(v, [input(s, ...eps)]).services[0];

describe('Service-level reasons, with MetalLB’s log lines', () => {
  it('not a LoadBalancer, no address yet, an unparsable or foreign address', () => {
    const v = l2view();
    expect(first(v, svc('10.20.30.1', { type: 'ClusterIP' }))).toMatchObject({
      announce: false,
      reason: 'notLoadBalancer',
    });
    expect(first(v, { ...svc([]), status: {} })).toMatchObject({
      announce: false,
      reason: 'noIPAllocated',
    });
    expect(first(v, svc('10.20.30.300'))).toEqual({
      key: 'default/test1',
      announce: false,
      reason: 'invalidIP',
      log: {
        level: 'error',
        fields: { op: 'setBalancer', error: 'invalid LoadBalancer IP "10.20.30.300"' },
        msg: 'invalid IP allocated by controller',
      },
    });
    expect(first(v, svc('198.51.100.7'))).toEqual({
      key: 'default/test1',
      announce: false,
      reason: 'ipNotAllowed',
      log: {
        level: 'error',
        fields: { op: 'setBalancer', error: 'assigned IP not allowed by config' },
        msg: 'IP allocated by controller not allowed by config',
      },
    });
  });
  it('addresses in two different pools are not allowed (MetalLB poolFor)', () => {
    const ads = [l2ad({ nodes: ['n1'], allInterfaces: true })];
    const v = l2view({
      config: config([
        pool('10.20.30.0/24', { l2: ads }),
        pool('2001:db8::/64', { name: 'v6', l2: ads }),
      ]),
    });
    expect(first(v, svc(['10.20.30.1', '2001:db8::1']))).toMatchObject({ reason: 'ipNotAllowed' });
  });
  it('a Service of another load-balancer class is ignored entirely (--lb-class)', () => {
    const s: ServiceObject = {
      ...svc('10.20.30.1'),
      spec: { type: 'LoadBalancer', loadBalancerClass: 'other' },
    };
    expect(decideLayer2(l2view(), [input(s, slice(ep('n1')))]).services).toEqual([]);
    expect(
      decideLayer2(l2view({ loadBalancerClass: 'other' }), [input(s, slice(ep('n1')))]).services,
    ).toHaveLength(1);
  });
  it('announce and withdraw lines and events', () => {
    const winner = ['n1', 'n2', 'n3'].find(
      (me) => first(l2view({ myNode: me }), svc('10.20.30.1'))?.announce,
    );
    const d = first(l2view({ myNode: winner as string }), svc('10.20.30.1'));
    expect(d).toMatchObject({
      announce: true,
      log: {
        level: 'info',
        fields: { event: 'serviceAnnounced', protocol: 'layer2' },
        msg: 'service has IP, announcing',
      },
      event: {
        type: 'Normal',
        reason: 'nodeAssigned',
        message: `announcing from node "${winner}" with protocol "layer2"`,
      },
    });
    expect(withdrawLog(['10.20.30.1'], 'notOwner')).toEqual({
      level: 'info',
      fields: { event: 'serviceWithdrawn', ip: ['10.20.30.1'], reason: 'notOwner' },
      msg: 'withdrawing service announcement',
    });
    expect(announceFailedEvent('10.20.30.1', 'n1')).toEqual({
      type: 'Warning',
      reason: 'announceFailed',
      message: `the interfaces specified by LB IP "10.20.30.1" doesn't exist in assigned node "n1" with protocol "layer2"`,
    });
  });
  it('Layer 2 reasons carry MetalLB’s lines', () => {
    const ads = [l2ad({ nodes: ['n1'], allInterfaces: true, serviceSelectors: [sel('app=web')] })];
    const v = l2view({ config: config([pool('10.20.30.0/24', { l2: ads })]) });
    const shared = svc('10.20.30.1', {
      labels: { app: 'web' },
      annotations: { 'metallb.io/allow-shared-ip': '' },
    });
    expect(first(v, shared)).toMatchObject({
      reason: 'sharedIPWithServiceSelector',
      log: {
        level: 'warn',
        fields: {
          reason: 'allow-shared-ip is incompatible with serviceSelectors on L2 advertisements',
        },
      },
    });
    expect(first(v, svc('10.20.30.1'), [slice(ep('n1', { ready: false }))])).toMatchObject({
      reason: 'notOwner',
      log: { fields: { message: 'failed no active endpoints' } },
    });
  });
});

describe('Layer 2 candidates', () => {
  const winnerOf = (v: Omit<SpeakerView, 'myNode'>, s: ServiceObject, eps = [slice(ep('n1'))]) =>
    ['n1', 'n2', 'n3'].filter(
      (me) => decideLayer2({ ...v, myNode: me }, [input(s, ...eps)]).services[0]?.announce,
    );

  it('a NetworkUnavailable node never announces; the others elect among themselves', () => {
    const service = svc('10.20.30.1');
    const usual = winnerOf(l2view(), service);
    expect(usual).toHaveLength(1);
    const nodes = ['n1', 'n2', 'n3'].map((n) => node(n, { networkUnavailable: n === usual[0] }));
    const next = winnerOf(l2view({ nodes }), service);
    expect(next).toHaveLength(1);
    expect(next[0]).not.toBe(usual[0]);
    // The same order MetalLB's hash gives without that node.
    expect(next[0]).toBe(
      sortL2Candidates(
        ['n1', 'n2', 'n3'].filter((n) => n !== usual[0]),
        '10.20.30.1',
      )[0],
    );
  });
  it('only live members are candidates; a member with no Node object still counts', () => {
    const only = winnerOf(
      l2view({ members: ['n3'], nodes: [node('n1'), node('n2')] }),
      svc('10.20.30.1'),
    );
    expect(only).toEqual(['n3']);
    expect(winnerOf(l2view({ members: [] }), svc('10.20.30.1'))).toEqual([]);
  });
  it('ETP=Local: only members with a serving endpoint', () => {
    const eps = [slice(ep('n2'), ep('n3', { ready: false }))];
    expect(winnerOf(l2view(), svc('10.20.30.1', { etp: 'Local' }), eps)).toEqual(['n2']);
    expect(
      winnerOf(l2view({ members: ['n1', 'n3'] }), svc('10.20.30.1', { etp: 'Local' }), eps),
    ).toEqual([]);
  });
  it('the hash takes Go’s canonical text of the first address (IPv6 lower-case, IPv4-mapped as IPv4)', () => {
    const v6 = l2view({
      config: config([
        pool('2001:db8::/64', { l2: [l2ad({ nodes: ['n1', 'n2', 'n3'], allInterfaces: true })] }),
      ]),
    });
    expect(winnerOf(v6, svc('2001:DB8:0:0::1'))).toEqual([
      sortL2Candidates(['n1', 'n2', 'n3'], '2001:db8::1')[0],
    ]);
    expect(winnerOf(l2view(), svc('::ffff:10.20.30.9'))).toEqual([
      sortL2Candidates(['n1', 'n2', 'n3'], '10.20.30.9')[0],
    ]);
  });
  it('a dual-stack Service is announced for both addresses from the node its first address elects', () => {
    const ads = [l2ad({ nodes: ['n1', 'n2', 'n3'], allInterfaces: true })];
    // One dual-stack pool.
    const dual = config([
      {
        ...pool('10.20.30.0/24', { l2: ads }),
        cidrs: ['10.20.30.0/24', '2001:db8::/64'],
        blocks: [
          { source: '10.20.30.0/24', cidrs: ['10.20.30.0/24'] },
          { source: '2001:db8::/64', cidrs: ['2001:db8::/64'] },
        ],
      },
    ]);
    const s = svc(['10.20.30.4', '2001:db8::4']);
    const w = winnerOf(l2view({ config: dual }), s);
    expect(w).toEqual([sortL2Candidates(['n1', 'n2', 'n3'], '10.20.30.4')[0]]);
    const d = decideLayer2(l2view({ config: dual, myNode: w[0] as string }), [
      input(s, slice(ep('n1'))),
    ]);
    expect(d.addresses.map((a) => a.ip)).toEqual(['10.20.30.4', '2001:db8::4']);
  });
});

describe('one node per shared address (MetalLB #968)', () => {
  const shared = { 'metallb.io/allow-shared-ip': 'dns' };
  const both = (me: string, eps1: ReturnType<typeof slice>[], eps2: ReturnType<typeof slice>[]) =>
    decideLayer2(l2view({ myNode: me }), [
      input(svc('10.20.30.53', { name: 'dns-tcp', etp: 'Local', annotations: shared }), ...eps1),
      input(svc('10.20.30.53', { name: 'dns-udp', etp: 'Local', annotations: shared }), ...eps2),
    ]);
  it('Services sharing an address are elected among the nodes that can serve them all', () => {
    // dns-tcp can be served from n1, n2, n3; dns-udp only from n2 and n3 (readiness differs per port).
    const eps1 = [slice(ep('n1'), ep('n2'), ep('n3'))];
    const eps2 = [slice(ep('n1', { ready: false }), ep('n2'), ep('n3'))];
    const announcing = ['n1', 'n2', 'n3'].filter((me) => both(me, eps1, eps2).addresses.length > 0);
    expect(announcing).toHaveLength(1);
    expect(announcing[0]).toBe(sortL2Candidates(['n2', 'n3'], '10.20.30.53')[0]);
    const d = both(announcing[0] as string, eps1, eps2);
    expect(d.addresses).toEqual([
      {
        ip: '10.20.30.53',
        interfaces: { all: true },
        services: ['default/dns-tcp', 'default/dns-udp'],
      },
    ]);
    expect(d.services.map((s) => s.announce)).toEqual([true, true]);
  });
  it('with no node in common, each is elected on its own (both stay reachable, as in MetalLB)', () => {
    const eps1 = [slice(ep('n1'))];
    const eps2 = [slice(ep('n2'))];
    expect(both('n1', eps1, eps2).services.map((s) => s.announce)).toEqual([true, false]);
    expect(both('n2', eps1, eps2).services.map((s) => s.announce)).toEqual([false, true]);
  });
  it('the losers are told who announces', () => {
    const eps = [slice(ep('n1'), ep('n2'), ep('n3'))];
    const w = sortL2Candidates(['n1', 'n2', 'n3'], '10.20.30.53')[0] as string;
    const loser = ['n1', 'n2', 'n3'].find((n) => n !== w) as string;
    expect(both(loser, eps, eps).services[0]).toMatchObject({
      announce: false,
      reason: 'notOwner',
      winner: w,
    });
  });
  it('interfaces of several ads on this node are unioned per address', () => {
    const ads = [
      l2ad({ nodes: ['n1'], interfaces: ['eth1'] }),
      l2ad({ nodes: ['n1'], interfaces: ['eth0'], serviceSelectors: [sel('app=b')] }),
    ];
    const v = l2view({ config: config([pool('10.20.30.0/24', { l2: ads })]), members: ['n1'] });
    const d = decideLayer2(v, [
      input(svc('10.20.30.1', { labels: { app: 'b' } }), slice(ep('n1'))),
    ]);
    expect(d.addresses).toEqual([
      {
        ip: '10.20.30.1',
        interfaces: { all: false, names: ['eth0', 'eth1'] },
        services: ['default/test1'],
      },
    ]);
  });
});

describe('BGP routes', () => {
  const view = (ads: ReturnType<typeof bgpAd>[], p: Partial<SpeakerView> = {}): SpeakerView => ({
    config: config(
      [pool('10.20.30.0/24', { bgp: ads }), pool('2001:db8::/64', { name: 'v6', bgp: ads })],
      [peer('r1', '192.0.2.1'), peer('r2', '192.0.2.2')],
    ),
    myNode: 'n1',
    nodes: [node('n1')],
    ...p,
  });
  const eps = [slice(ep('n1'))];
  it('identical prefixes from several Services are merged, communities unioned, Services listed', () => {
    const ads = [
      bgpAd({
        name: 'a',
        nodes: ['n1'],
        aggregationLength: 24,
        communities: ['65000:1'],
        serviceSelectors: [sel('team=a')],
      }),
      bgpAd({
        name: 'b',
        nodes: ['n1'],
        aggregationLength: 24,
        communities: ['65000:2', 'large:1:2:3'],
        serviceSelectors: [sel('team=b')],
      }),
    ];
    const d = decideBgp(view(ads), [
      input(svc('10.20.30.1', { name: 's1', labels: { team: 'a' } }), ...eps),
      input(svc('10.20.30.2', { name: 's2', labels: { team: 'b' } }), ...eps),
    ]);
    const route = {
      prefix: '10.20.30.0/24',
      // MetalLB's order: a legacy A:B sorts as the large community (A·65536+B):0:0.
      communities: ['large:1:2:3', '65000:1', '65000:2'],
      attributes: {
        communities: [65000 * 65536 + 1, 65000 * 65536 + 2],
        largeCommunities: [{ global: 1, local1: 2, local2: 3 }],
      },
      services: ['default/s1', 'default/s2'],
    };
    expect(d.peers.map((p) => [p.peer, p.routes])).toEqual([
      ['r1', [route]],
      ['r2', [route]],
    ]);
    expect(d.services.map((s) => s.announce && s.peers)).toEqual([
      ['r1', 'r2'],
      ['r1', 'r2'],
    ]);
  });
  it('a prefix two Services send with different LOCAL_PREFs is withheld from that peer and reported', () => {
    const ads = [
      bgpAd({
        name: 'a',
        nodes: ['n1'],
        aggregationLength: 24,
        localPref: 100,
        serviceSelectors: [sel('team=a')],
      }),
      bgpAd({
        name: 'b',
        nodes: ['n1'],
        aggregationLength: 24,
        localPref: 200,
        serviceSelectors: [sel('team=b')],
        peers: ['r2'],
      }),
    ];
    const d = decideBgp(view(ads), [
      input(svc('10.20.30.1', { name: 's1', labels: { team: 'a' } }), ...eps),
      input(svc('10.20.30.2', { name: 's2', labels: { team: 'b' } }), ...eps),
    ]);
    expect(d.peers).toEqual([
      {
        peer: 'r1',
        address: '192.0.2.1',
        routes: [
          expect.objectContaining({
            prefix: '10.20.30.0/24',
            attributes: { communities: [], largeCommunities: [], localPref: 100 },
          }),
        ],
      },
      { peer: 'r2', address: '192.0.2.2', routes: [] },
    ]);
    expect(d.conflicts).toEqual([
      {
        peer: 'r2',
        prefix: '10.20.30.0/24',
        localPrefs: [100, 200],
        services: ['default/s1', 'default/s2'],
      },
    ]);
  });
  it('IPv6 addresses are aggregated with aggregationLengthV6', () => {
    const d = decideBgp(view([bgpAd({ nodes: ['n1'], aggregationLengthV6: 64 })]), [
      input(svc('2001:db8::17'), ...eps),
    ]);
    expect(d.peers[0]?.routes.map((r) => r.prefix)).toEqual(['2001:db8::/64']);
  });
  it('NetworkUnavailable, no local endpoint with an address, no endpoint at all', () => {
    const ads = [bgpAd({ nodes: ['n1'] })];
    const s = svc('10.20.30.1', { etp: 'Local' });
    expect(
      decideBgp(view(ads, { nodes: [node('n1', { networkUnavailable: true })] }), [
        input(s, ...eps),
      ]).services[0],
    ).toMatchObject({
      reason: 'nodeNetworkUnavailable',
      log: {
        level: 'warn',
        fields: { reason: "speaker's node has NodeNetworkUnavailable condition" },
      },
    });
    expect(
      decideBgp(view(ads), [input(s, slice(ep('n1', { addresses: [] })))]).services[0],
    ).toMatchObject({ reason: 'noLocalEndpoints' });
    expect(decideBgp(view(ads), [input(s, slice(ep('n2')))]).services[0]).toMatchObject({
      reason: 'noLocalEndpoints',
    });
    expect(
      decideBgp(view(ads), [input(svc('10.20.30.1'), slice(ep('n2', { ready: false })))])
        .services[0],
    ).toMatchObject({ reason: 'noEndpoints' });
    expect(
      decideBgp(view([bgpAd({ nodes: ['n2'] })]), [input(s, ...eps)]).services[0],
    ).toMatchObject({
      reason: 'notOwner',
      log: { fields: { reason: 'pool not matching my node' } },
    });
  });
  it('a conflict among one Service’s ads is MetalLB’s conflictingAdvertisements, with its text', () => {
    const ads = [
      bgpAd({ name: 'x', nodes: ['n1'], localPref: 10 }),
      bgpAd({ name: 'y', nodes: ['n1'], localPref: 20, serviceSelectors: [sel('a=b')] }),
    ];
    expect(
      decideBgp(view(ads), [input(svc('10.20.30.1', { labels: { a: 'b' } }), ...eps)]).services[0],
    ).toMatchObject({
      reason: 'conflictingAdvertisements',
      log: {
        level: 'error',
        fields: {
          event: 'conflictingAdvertisements',
          error: "advertisements 'x' and 'y' have conflicting LOCAL_PREF (10 vs 20)",
        },
      },
    });
  });
});

describe('BGPPeer → bgp-speaker session options', () => {
  const peers = [
    {
      metadata: { name: 'r1', namespace: 'metallb-system' },
      spec: {
        myASN: 64512,
        peerASN: 64513,
        peerAddress: '192.0.2.1',
        holdTime: '90s',
        routerID: '198.18.0.1',
        sourceAddress: '192.0.2.10',
        peerPort: 1179,
        ebgpMultiHop: true,
        connectTime: '5s',
        enableGracefulRestart: true,
        bfdProfile: 'fast',
        passwordSecret: { name: 's' },
      },
    },
    {
      metadata: { name: 'r2', namespace: 'metallb-system' },
      spec: {
        myASN: 64512,
        dynamicASN: 'external',
        peerAddress: '2001:db8::1',
        keepaliveTime: '10s',
        dualStackAddressFamily: true,
        routerID: '198.18.0.1',
        nodeSelectors: [{ matchLabels: { rack: 'a' } }],
      },
    },
  ];
  const parsed = parseConfig({
    peers: peers as never,
    bfdProfiles: [
      { metadata: { name: 'fast', namespace: 'metallb-system' }, spec: { receiveInterval: 100 } },
    ] as never,
    secrets: [
      {
        metadata: { name: 's', namespace: 'metallb-system' },
        type: 'kubernetes.io/basic-auth',
        stringData: { password: 'hunter2' },
      },
    ],
    nodes: [],
  });
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.problems));
  it('maps every field one to one', () => {
    const sessions = bgpSessions({
      config: parsed.config,
      myNode: 'n9',
      nodes: [node('n9', { labels: { rack: 'a' } })],
    });
    expect(sessions).toEqual([
      {
        name: 'r1',
        options: {
          address: '192.0.2.1',
          peerAs: 64513,
          localAs: 64512,
          routerId: '198.18.0.1',
          port: 1179,
          localAddress: '192.0.2.10',
          holdTimeSec: 90,
          keepaliveTimeSec: 30,
          connectTimeSec: 5,
          ebgpMultiHop: true,
          password: 'hunter2',
          gracefulRestart: true,
          dualStackAddressFamily: false,
        },
        bfdProfile: { name: 'fast', receiveIntervalMs: 100, echoMode: false, passiveMode: false },
      },
      {
        name: 'r2',
        options: {
          address: '2001:db8::1',
          dynamicAsn: 'external',
          localAs: 64512,
          routerId: '198.18.0.1',
          port: 179,
          holdTimeSec: 30,
          keepaliveTimeSec: 10,
          ebgpMultiHop: false,
          gracefulRestart: false,
          dualStackAddressFamily: true,
        },
      },
    ]);
  });
  it('nodeSelectors are evaluated on this node’s current labels, even for a node the parse did not know', () => {
    expect(
      bgpSessions({ config: parsed.config, myNode: 'n9', nodes: [] }).map((s) => s.name),
    ).toEqual(['r1']);
  });
});

describe('memberlist from MetalLB’s flags and environment', () => {
  it('off without a bind address or labels, with MetalLB’s lines', () => {
    expect(memberlistPlan('n1', {}, { METALLB_ML_BIND_ADDR: '192.0.2.5' })).toEqual({
      enabled: false,
      log: [
        {
          level: 'info',
          fields: { op: 'startup' },
          msg: 'not starting fast dead node detection (memberlist), need ml-bindaddr / ml-labels config',
        },
        {
          level: 'info',
          fields: { op: 'startup' },
          msg: 'when memberlist is disabled, the speaker pods must run on all nodes',
        },
      ],
    });
  });
  it('on from the environment, the fast profile, the key file under the secret path', () => {
    expect(
      memberlistPlan(
        'n1',
        {},
        {
          METALLB_ML_BIND_ADDR: '192.0.2.5',
          METALLB_ML_LABELS: 'app=metallb,component=speaker',
          METALLB_ML_SECRET_KEY_PATH: '/etc/ml_secret_key/',
          METALLB_NAMESPACE: 'ironlb',
        },
      ),
    ).toEqual({
      enabled: true,
      name: 'n1',
      bindAddr: '192.0.2.5:7946',
      profile: 'fast',
      podLabelSelector: 'app=metallb,component=speaker',
      namespace: 'ironlb',
      secretKeyFile: '/etc/ml_secret_key/secretkey',
      log: [],
    });
  });
  it('flags win over the environment; IPv6 in brackets; --ml-wan-config selects lan; no key path warns', () => {
    const plan = memberlistPlan(
      'n1',
      { mlBindAddr: '2001:db8::5', mlBindPort: 7947, mlLabels: 'app=x', mlWanConfig: true },
      { METALLB_ML_BIND_ADDR: '192.0.2.5' },
    );
    expect(plan).toMatchObject({
      enabled: true,
      bindAddr: '[2001:db8::5]:7947',
      profile: 'lan',
      namespace: 'metallb-system',
      log: [
        {
          level: 'warn',
          fields: { warning: 'no ml-secret-key set, memberlist traffic will not be encrypted' },
        },
      ],
    });
    expect(plan).not.toHaveProperty('secretKeyFile');
  });
  it('a bad port or a missing node name is a typed error', () => {
    for (const f of [
      () => memberlistPlan('n1', { mlBindAddr: '192.0.2.5', mlLabels: 'a=b', mlBindPort: 'x' }),
      () => memberlistPlan('n1', { mlBindAddr: '192.0.2.5', mlLabels: 'a=b', mlBindPort: 70000 }),
      () => memberlistPlan('', { mlBindAddr: '192.0.2.5', mlLabels: 'a=b' }),
    ]) {
      expect(f).toThrow(K8sGlueError);
      try {
        f();
      } catch (e) {
        expect((e as K8sGlueError).code).toBe('INVALID_OPTION');
      }
    }
  });
  it('the key file’s bytes are the secret; an empty file means no encryption, with the warning', () => {
    expect(memberlistSecretFromFile('c2VjcmV0')).toEqual({
      secret: new TextEncoder().encode('c2VjcmV0'),
    });
    expect(memberlistSecretFromFile('')).toMatchObject({ log: { level: 'warn' } });
    expect(memberlistSecretFromFile(undefined)).not.toHaveProperty('secret');
  });
});

describe('interfaces Layer 2 never uses (metallb-excludel2)', () => {
  it('MetalLB’s default list excludes container and tunnel devices, not NICs', () => {
    for (const n of [
      'docker0',
      'veth12ab',
      'lo',
      'cali123',
      'flannel.1',
      'kube-ipvs0',
      'cni0',
      'lxc9',
    ])
      expect(interfaceExcluded(n, DEFAULT_EXCLUDED_INTERFACES), n).toBe(true);
    for (const n of ['eth0', 'ens3', 'bond0', 'loop0', 'enp0s3'])
      expect(interfaceExcluded(n, DEFAULT_EXCLUDED_INTERFACES), n).toBe(false);
  });
  it('parses the ConfigMap file; none = nothing excluded; bad input is a typed error', () => {
    expect(parseExcludeL2('announcedInterfacesToExclude: ["^eth1$", "^vlan.*"]\n')).toEqual([
      '^eth1$',
      '^vlan.*',
    ]);
    expect(parseExcludeL2(undefined)).toEqual([]);
    expect(() => parseExcludeL2('announcedInterfacesToExclude: "eth1"')).toThrow(K8sGlueError);
    expect(() => parseExcludeL2('announcedInterfacesToExclude: ["("]')).toThrow(
      /not a regular expression/,
    );
  });
});
