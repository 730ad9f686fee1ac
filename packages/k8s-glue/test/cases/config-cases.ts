// MetalLB's config-parser table (internal/config/config_test.go, validation_test.go) ported as
// data: the cases, not the code. Each case is raw resources plus either the expected domain
// config fragment or the expected MetalLB message (and whether the problem is transient).
import type { ClusterResources } from '../../src/config/resources.js';

const m = (name: string, labels?: Record<string, string>) => ({
  name,
  namespace: 'metallb-system',
  ...(labels ? { labels } : {}),
});
export const pool = (
  name: string,
  addresses: string[],
  extra: Record<string, unknown> = {},
  labels?: Record<string, string>,
) => ({
  metadata: m(name, labels),
  spec: { addresses, ...extra },
});
export const peer = (name: string, spec: Record<string, unknown>) => ({
  metadata: m(name),
  spec: { myASN: 42, peerASN: 142, peerAddress: '1.2.3.4', ...spec },
});
export const bgpAd = (name: string, spec: Record<string, unknown> = {}) => ({
  metadata: m(name),
  spec,
});
export const l2Ad = (name: string, spec: Record<string, unknown> = {}) => ({
  metadata: m(name),
  spec,
});
export const node = (name: string, labels: Record<string, string> = {}) => ({
  metadata: { name, labels },
});
const testPool = pool('test-pool', ['10.20.30.0/24']);

export interface ConfigCase {
  readonly desc: string;
  readonly crs: ClusterResources;
  /** Substring of a problem message (MetalLB's wording). */
  readonly error?: string;
  /** Expected transient flag of the problem matching `error`. */
  readonly transient?: boolean;
  /** Path of the problem matching `error`. */
  readonly path?: string;
  /** Checks on the parsed config (toMatchObject). */
  readonly want?: Record<string, unknown>;
}

export const CONFIG_CASES = [
  // ---- pools
  {
    desc: 'empty config',
    crs: {},
    want: { pools: [], peers: [], bfdProfiles: [] },
  },
  {
    desc: 'pool with CIDR (host bits masked) and a range summarized like ipaddr.Summarize',
    crs: { pools: [pool('pool1', ['10.20.30.40/24', '3.3.3.2-3.3.3.7'])] },
    want: {
      pools: [
        {
          name: 'pool1',
          autoAssign: true,
          avoidBuggyIPs: false,
          cidrs: ['10.20.30.0/24', '3.3.3.2/31', '3.3.3.4/30'],
        },
      ],
    },
  },
  {
    desc: 'autoAssign false and avoidBuggyIPs true are carried',
    crs: { pools: [pool('p', ['10.0.0.0/24'], { autoAssign: false, avoidBuggyIPs: true })] },
    want: { pools: [{ autoAssign: false, avoidBuggyIPs: true }] },
  },
  {
    desc: 'dual-stack pool',
    crs: { pools: [pool('p', ['10.0.0.0/24', '2001:db8::/64'])] },
    want: { pools: [{ cidrs: ['10.0.0.0/24', '2001:db8::/64'] }] },
  },
  {
    desc: 'pool with no addresses',
    crs: { pools: [pool('p', [])] },
    error: 'parsing address pool p: pool has no prefixes defined',
  },
  {
    desc: 'invalid CIDR',
    crs: { pools: [pool('p', ['100.200.300.400/24'])] },
    error: 'invalid CIDR "100.200.300.400/24" in pool "p"',
    path: 'spec.addresses[0]',
  },
  {
    desc: 'CIDR with a leading space',
    crs: { pools: [pool('p', [' 10.0.0.0/8'])] },
    error: 'invalid CIDR " 10.0.0.0/8"',
  },
  {
    desc: 'range start after end',
    crs: { pools: [pool('p', ['10.0.0.10-10.0.0.1'])] },
    error: 'start IP "10.0.0.10" is after the end IP "10.0.0.1"',
  },
  {
    desc: 'range with invalid start',
    crs: { pools: [pool('p', ['10.0.0.x-10.0.0.1'])] },
    error: 'invalid start IP "10.0.0.x"',
  },
  {
    desc: 'range with spaces around the ends is accepted',
    crs: { pools: [pool('p', ['10.0.0.0 - 10.0.0.3'])] },
    want: { pools: [{ cidrs: ['10.0.0.0/30'] }] },
  },
  {
    desc: 'a bare address is a /32 or /128 (as @ironlb/ipam reads it)',
    crs: { pools: [pool('p', ['192.0.2.7', '2001:db8::7'])] },
    want: { pools: [{ cidrs: ['192.0.2.7/32', '2001:db8::7/128'] }] },
  },
  {
    desc: 'duplicate pool definition',
    crs: { pools: [pool('pool1', ['10.0.0.0/24']), pool('pool1', ['10.1.0.0/24'])] },
    error: 'duplicate definition of pool "pool1"',
  },
  {
    desc: 'duplicate CIDRs across pools',
    crs: { pools: [pool('pool1', ['10.0.0.0/8']), pool('pool2', ['10.0.0.0/8'])] },
    error: 'CIDR "10.0.0.0/8" in pool "pool2" overlaps with already defined CIDR "10.0.0.0/8"',
  },
  {
    desc: 'overlapping CIDRs across pools',
    crs: { pools: [pool('pool1', ['10.0.0.0/8']), pool('pool2', ['10.0.0.0/16'])] },
    error: 'CIDR "10.0.0.0/16" in pool "pool2" overlaps with already defined CIDR "10.0.0.0/8"',
  },
  {
    desc: 'overlapping CIDRs within a pool (range vs CIDR)',
    crs: { pools: [pool('pool1', ['10.0.0.0/24', '10.0.0.5-10.0.0.6'])] },
    error: 'in pool "pool1" overlaps with already defined CIDR "10.0.0.0/24"',
  },
  {
    desc: 'serviceAllocation: namespaces + namespaceSelectors resolved at parse time',
    crs: {
      pools: [
        pool('p', ['10.0.0.0/24'], {
          serviceAllocation: {
            priority: 5,
            namespaces: ['a'],
            namespaceSelectors: [{ matchLabels: { team: 'x' } }],
          },
        }),
      ],
      namespaces: [
        { metadata: { name: 'b', labels: { team: 'x' } } },
        { metadata: { name: 'c', labels: { team: 'y' } } },
      ],
    },
    want: {
      pools: [
        {
          serviceAllocation: {
            priority: 5,
            namespaceScoped: true,
            namespaces: ['a', 'b'],
            serviceSelectors: [],
          },
        },
      ],
    },
  },
  {
    desc: 'serviceAllocation: namespaceSelectors matching no namespace scope the pool to none',
    crs: {
      pools: [
        pool('p', ['10.0.0.0/24'], {
          serviceAllocation: { namespaceSelectors: [{ matchLabels: { team: 'a' } }] },
        }),
      ],
      namespaces: [{ metadata: { name: 'team-b', labels: { team: 'b' } } }],
    },
    want: {
      pools: [
        {
          serviceAllocation: {
            priority: 0,
            namespaceScoped: true,
            namespaces: [],
            serviceSelectors: [],
          },
        },
      ],
    },
  },
  {
    desc: 'serviceAllocation with priority only selects every service',
    crs: { pools: [pool('p', ['10.0.0.0/24'], { serviceAllocation: { priority: 1 } })] },
    want: {
      pools: [
        {
          serviceAllocation: {
            priority: 1,
            namespaceScoped: false,
            namespaces: [],
            serviceSelectors: [{}],
          },
        },
      ],
    },
  },
  {
    desc: 'serviceAllocation duplicate namespaces',
    crs: { pools: [pool('p', ['10.0.0.0/24'], { serviceAllocation: { namespaces: ['a', 'a'] } })] },
    error: 'duplicate definition in namespaces field',
  },
  {
    desc: 'serviceAllocation duplicate service selectors',
    crs: {
      pools: [
        pool('p', ['10.0.0.0/24'], {
          serviceAllocation: {
            serviceSelectors: [{ matchLabels: { a: 'b' } }, { matchLabels: { a: 'b' } }],
          },
        }),
      ],
    },
    error: 'duplicate definition of serviceSelectors {map["a":"b"] []}',
  },

  // ---- L2 advertisements
  {
    desc: 'L2 advertisement without pools applies to every pool, all interfaces, all nodes',
    crs: {
      pools: [pool('a', ['10.0.0.0/24']), pool('b', ['10.1.0.0/24'])],
      l2Advertisements: [l2Ad('l2')],
      nodes: [node('n1'), node('n2')],
    },
    want: {
      pools: [
        { name: 'a', l2Advertisements: [{ name: 'l2', nodes: ['n1', 'n2'], allInterfaces: true }] },
        { name: 'b', l2Advertisements: [{ name: 'l2' }] },
      ],
    },
  },
  {
    desc: 'L2 advertisement by pool selector and node selector, with interfaces',
    crs: {
      pools: [pool('a', ['10.0.0.0/24'], {}, { zone: 'x' }), pool('b', ['10.1.0.0/24'])],
      l2Advertisements: [
        l2Ad('l2', {
          ipAddressPoolSelectors: [{ matchLabels: { zone: 'x' } }],
          nodeSelectors: [{ matchLabels: { l2: 'yes' } }],
          interfaces: ['eth0'],
        }),
      ],
      nodes: [node('n1', { l2: 'yes' }), node('n2')],
    },
    want: {
      pools: [
        {
          name: 'a',
          l2Advertisements: [{ nodes: ['n1'], interfaces: ['eth0'], allInterfaces: false }],
        },
        { name: 'b', l2Advertisements: [] },
      ],
    },
  },
  {
    desc: 'equivalent L2 advertisements attach once per pool',
    crs: { pools: [testPool], l2Advertisements: [l2Ad('x'), l2Ad('y')] },
    want: { pools: [{ l2Advertisements: [{ name: 'x' }] }] },
  },
  {
    desc: 'preferred node selectors sum weights over eligible nodes',
    crs: {
      pools: [testPool],
      l2Advertisements: [
        l2Ad('x', {
          preferredNodeSelectors: [
            { weight: 10, preference: { matchLabels: { a: '1' } } },
            { weight: 5, preference: {} },
          ],
        }),
      ],
      nodes: [node('n1', { a: '1' }), node('n2')],
    },
    want: { pools: [{ l2Advertisements: [{ preferredNodes: { n1: 15, n2: 5 } }] }] },
  },
  {
    desc: 'duplicate ip address pools - in L2 adv',
    crs: {
      pools: [testPool],
      l2Advertisements: [l2Ad('x', { ipAddressPools: ['test-pool', 'test-pool'] })],
    },
    error: 'duplicate definition of ipAddressPools "test-pool"',
  },
  {
    desc: 'duplicate node selectors - in L2 adv',
    crs: {
      pools: [testPool],
      l2Advertisements: [
        l2Ad('x', { nodeSelectors: [{ matchLabels: { a: 'b' } }, { matchLabels: { a: 'b' } }] }),
      ],
    },
    error: 'duplicate definition of nodeSelectors',
  },
  {
    desc: 'duplicate match expressions in a selector',
    crs: {
      pools: [testPool],
      l2Advertisements: [
        l2Ad('x', {
          nodeSelectors: [
            {
              matchExpressions: [
                { key: 'a', operator: 'In', values: ['1'] },
                { key: 'a', operator: 'In', values: ['1'] },
              ],
            },
          ],
        }),
      ],
    },
    error: 'duplicate definition of match expressions {"a" "In" ["1"]}',
  },
  {
    desc: 'duplicate values in a match expression',
    crs: {
      pools: [testPool],
      l2Advertisements: [
        l2Ad('x', {
          nodeSelectors: [{ matchExpressions: [{ key: 'a', operator: 'In', values: ['1', '1'] }] }],
        }),
      ],
    },
    error: 'duplicate definition of match expression value in label selector "1"',
  },
  {
    desc: 'invalid selector operator',
    crs: {
      pools: [testPool],
      l2Advertisements: [
        l2Ad('x', { serviceSelectors: [{ matchExpressions: [{ key: 'a', operator: 'Maybe' }] }] }),
      ],
    },
    error: '"Maybe" is not a valid label selector operator',
  },

  // ---- BGP advertisements
  {
    desc: 'BGP advertisement defaults (32/128, no localPref, all nodes, all peers)',
    crs: { pools: [testPool], bgpAdvertisements: [bgpAd('adv')], nodes: [node('n1')] },
    want: {
      pools: [
        {
          bgpAdvertisements: [
            {
              name: 'adv',
              aggregationLength: 32,
              aggregationLengthV6: 128,
              localPref: 0,
              nodes: ['n1'],
              peers: [],
              communities: [],
            },
          ],
        },
      ],
    },
  },
  {
    desc: 'aggregation length by range',
    crs: {
      pools: [pool('pool1', ['3.3.3.2-3.3.3.254'])],
      bgpAdvertisements: [bgpAd('a', { aggregationLength: 26 })],
    },
    want: { pools: [{ bgpAdvertisements: [{ aggregationLength: 26 }] }] },
  },
  {
    desc: 'aggregation length by range, too wide',
    crs: {
      pools: [pool('pool1', ['3.3.3.2-3.3.3.254'])],
      bgpAdvertisements: [bgpAd('a', { aggregationLength: 24 })],
    },
    error:
      'invalid aggregation length 24: prefix 26 in this pool is more specific than the aggregation length for addresses 3.3.3.2-3.3.3.254',
  },
  {
    desc: 'aggregation length shorter than the pool prefix',
    crs: {
      pools: [pool('pool1', ['10.20.30.0/24'])],
      bgpAdvertisements: [bgpAd('a', { aggregationLength: 16 })],
    },
    error:
      'invalid aggregation length 16: prefix 24 in this pool is more specific than the aggregation length',
  },
  {
    desc: 'aggregation length above 32',
    crs: { pools: [testPool], bgpAdvertisements: [bgpAd('a', { aggregationLength: 33 })] },
    error: 'invalid aggregation length 33 for IPv4',
  },
  {
    desc: 'aggregation length v6 above 128',
    crs: { pools: [testPool], bgpAdvertisements: [bgpAd('a', { aggregationLengthV6: 129 })] },
    error: 'invalid aggregation length 129 for IPv6',
  },
  {
    desc: 'IPv6 aggregation checked against the v6 block',
    crs: {
      pools: [pool('p', ['2001:db8::/64'])],
      bgpAdvertisements: [bgpAd('a', { aggregationLengthV6: 48 })],
    },
    error: 'invalid aggregation length 48: prefix 64 in this pool',
  },
  {
    desc: 'serviceSelectors with aggregationLength',
    crs: {
      pools: [testPool],
      bgpAdvertisements: [
        bgpAd('a', { aggregationLength: 28, serviceSelectors: [{ matchLabels: { a: 'b' } }] }),
      ],
    },
    error: 'serviceSelectors and aggregationLength are mutually exclusive, both cannot be set in a',
  },
  {
    desc: 'serviceSelectors with aggregationLengthV6',
    crs: {
      pools: [testPool],
      bgpAdvertisements: [
        bgpAd('a', { aggregationLengthV6: 120, serviceSelectors: [{ matchLabels: { a: 'b' } }] }),
      ],
    },
    error: 'serviceSelectors and aggregationLengthV6 are mutually exclusive',
  },
  {
    desc: 'different local pref - same nodes, same aggregation: conflict',
    crs: {
      pools: [testPool],
      bgpAdvertisements: [bgpAd('a', { localPref: 100 }), bgpAd('b', { localPref: 200 })],
      nodes: [node('n1')],
    },
    error:
      'invalid local preference 200: local preferernce 100 was already set for the same type of BGP update',
  },
  {
    desc: 'different local pref - same peers & different nodes',
    crs: {
      pools: [testPool],
      nodes: [node('node1', { node: 'node1' }), node('node2', { node: 'node2' })],
      bgpAdvertisements: [
        bgpAd('a', { localPref: 100, nodeSelectors: [{ matchLabels: { node: 'node1' } }] }),
        bgpAd('b', { localPref: 200, nodeSelectors: [{ matchLabels: { node: 'node2' } }] }),
      ],
    },
    want: {
      pools: [
        {
          bgpAdvertisements: [
            { localPref: 100, nodes: ['node1'] },
            { localPref: 200, nodes: ['node2'] },
          ],
        },
      ],
    },
  },
  {
    desc: 'different local pref - different peers & same nodes',
    crs: {
      pools: [testPool],
      nodes: [node('node1'), node('node2')],
      bgpAdvertisements: [
        bgpAd('a', { localPref: 100, peers: ['peer1'] }),
        bgpAd('b', { localPref: 200, peers: ['peer2'] }),
      ],
    },
    want: { pools: [{ bgpAdvertisements: [{ peers: ['peer1'] }, { peers: ['peer2'] }] }] },
  },
  {
    desc: 'different local pref - different aggregation length',
    crs: {
      pools: [testPool],
      nodes: [node('n1')],
      bgpAdvertisements: [
        bgpAd('a', { localPref: 100 }),
        bgpAd('b', { localPref: 200, aggregationLength: 24 }),
      ],
    },
    want: {
      pools: [
        { bgpAdvertisements: [{ localPref: 100 }, { localPref: 200, aggregationLength: 24 }] },
      ],
    },
  },
  {
    desc: 'different local pref on a dual-stack pool needs both lengths to differ',
    crs: {
      pools: [pool('p', ['10.0.0.0/24', '2001:db8::/64'])],
      nodes: [node('n1')],
      bgpAdvertisements: [
        bgpAd('a', { localPref: 100 }),
        bgpAd('b', { localPref: 200, aggregationLength: 24 }),
      ],
    },
    error: 'invalid local preference 200',
  },
  {
    desc: 'different local pref skipped when serviceSelectors are used',
    crs: {
      pools: [testPool],
      nodes: [node('n1')],
      bgpAdvertisements: [
        bgpAd('a', { localPref: 100 }),
        bgpAd('b', { localPref: 200, serviceSelectors: [{ matchLabels: { a: 'b' } }] }),
      ],
    },
    want: { pools: [{ bgpAdvertisements: [{ localPref: 100 }, { localPref: 200 }] }] },
  },
  {
    desc: 'duplicate ip address pools - in BGP adv',
    crs: {
      pools: [testPool],
      bgpAdvertisements: [bgpAd('a', { ipAddressPools: ['test-pool', 'test-pool'] })],
    },
    error: 'duplicate definition of ipAddressPools "test-pool"',
  },
  {
    desc: 'duplicate peers - in BGP adv',
    crs: {
      pools: [testPool],
      bgpAdvertisements: [bgpAd('a', { ipAddressPools: ['test-pool'], peers: ['peer1', 'peer1'] })],
    },
    error: 'duplicate definition of peers "peer1"',
  },
  {
    desc: 'bad community literal (wrong format) - in BGP adv',
    crs: { pools: [testPool], bgpAdvertisements: [bgpAd('a', { communities: ['1234'] })] },
    error: 'invalid community format: 1234',
    transient: true,
  },
  {
    desc: "bad community literal (asn part doesn't fit) - in BGP adv",
    crs: { pools: [testPool], bgpAdvertisements: [bgpAd('a', { communities: ['99999999:1'] })] },
    error: 'invalid community value: invalid section "99999999" of community "99999999:1"',
    transient: false,
  },
  {
    desc: "bad community literal (community# part doesn't fit) - in BGP adv",
    crs: { pools: [testPool], bgpAdvertisements: [bgpAd('a', { communities: ['1:99999999'] })] },
    error: 'invalid section "99999999" of community "1:99999999"',
    transient: false,
  },
  {
    desc: 'bad community ref (unknown alias) - in BGP adv: transient',
    crs: { pools: [testPool], bgpAdvertisements: [bgpAd('a', { communities: ['community'] })] },
    error: 'invalid community "community" in BGP advertisement',
    transient: true,
  },
  {
    desc: 'bad large community marker',
    crs: { pools: [testPool], bgpAdvertisements: [bgpAd('a', { communities: ['big:1:2:3'] })] },
    error: 'invalid marker for large community',
  },
  {
    desc: 'duplicate community literal - in BGP adv',
    crs: {
      pools: [testPool],
      bgpAdvertisements: [bgpAd('a', { communities: ['1234:5678', '1234:5678'] })],
    },
    error: 'duplicate definition of community "1234:5678"',
  },
  {
    desc: 'communities: literals, large and aliases resolved and sorted',
    crs: {
      pools: [testPool],
      communities: [
        {
          metadata: m('c'),
          spec: {
            communities: [
              { name: 'no-export', value: '65535:65281' },
              { name: 'big', value: 'large:1:2:3' },
            ],
          },
        },
      ],
      bgpAdvertisements: [bgpAd('a', { communities: ['no-export', '1234:5678', 'big'] })],
    },
    want: {
      pools: [
        { bgpAdvertisements: [{ communities: ['large:1:2:3', '1234:5678', '65535:65281'] }] },
      ],
    },
  },
  {
    desc: 'bad community literal (wrong format) - in the community CR',
    crs: {
      communities: [
        { metadata: m('community'), spec: { communities: [{ name: 'bar', value: '1234' }] } },
      ],
    },
    error: 'parsing community "bar": invalid community format: 1234',
  },
  {
    desc: "bad community literal (asn part doesn't fit) - in the community CR",
    crs: {
      communities: [
        { metadata: m('community'), spec: { communities: [{ name: 'bar', value: '99999999:1' }] } },
      ],
    },
    error: 'parsing community "bar": invalid community value',
  },
  {
    desc: 'duplicate communities definition (in 2 different crs)',
    crs: {
      communities: [
        { metadata: m('c1'), spec: { communities: [{ name: 'bar', value: '1234:5678' }] } },
        { metadata: m('c2'), spec: { communities: [{ name: 'bar', value: '1234:5678' }] } },
      ],
    },
    error: 'duplicate definition of community "bar"',
  },
  {
    desc: 'duplicate communities definition (in the same cr)',
    crs: {
      communities: [
        {
          metadata: m('c'),
          spec: {
            communities: [
              { name: 'bar', value: '1234:5678' },
              { name: 'bar', value: '1234:5678' },
            ],
          },
        },
      ],
    },
    error: 'duplicate definition of community "bar"',
  },

  // ---- peers
  {
    desc: 'peer with defaults and derived keepalive',
    crs: { peers: [peer('peer1', { holdTime: '90s' })], nodes: [node('n1'), node('n2')] },
    want: {
      peers: [
        {
          name: 'peer1',
          myASN: 42,
          peerASN: 142,
          address: '1.2.3.4',
          port: 179,
          holdTimeMs: 90000,
          keepaliveTimeMs: 30000,
          nodes: ['n1', 'n2'],
        },
      ],
    },
  },
  {
    desc: 'only keepalive: hold = 3 x keepalive',
    crs: { peers: [peer('p', { keepaliveTime: '10s' })] },
    want: { peers: [{ holdTimeMs: 30000, keepaliveTimeMs: 10000 }] },
  },
  {
    desc: 'hold time 0 is allowed (no keepalives)',
    crs: { peers: [peer('p', { holdTime: '0s' })] },
    want: { peers: [{ holdTimeMs: 0, keepaliveTimeMs: 0 }] },
  },
  {
    desc: 'no timers: left to the speaker',
    crs: { peers: [peer('p', {})] },
    want: { peers: [{ name: 'p' }] },
  },
  {
    desc: 'hold time below 3 s',
    crs: { peers: [peer('p', { holdTime: '1s' })] },
    error: 'invalid BGPPeer timers: invalid hold time "1s": must be 0 or >=3s',
    path: 'spec.holdTime',
  },
  {
    desc: 'hold time 2.9 s rounds down to 2 s',
    crs: { peers: [peer('p', { holdTime: '2900ms' })] },
    error: 'must be 0 or >=3s',
  },
  {
    desc: 'keepalive above hold',
    crs: { peers: [peer('p', { holdTime: '30s', keepaliveTime: '60s' })] },
    error: 'invalid keepaliveTime "60s", must be lower than holdTime "30s"',
  },
  {
    desc: 'missing local ASN',
    crs: { peers: [peer('p', { myASN: 0 })] },
    error: 'parsing peer p missing local ASN',
  },
  {
    desc: 'missing peer ASN and dynamicASN',
    crs: { peers: [peer('p', { peerASN: 0 })] },
    error: 'missing peer ASN and dynamicASN',
  },
  {
    desc: 'both peerASN and dynamicASN',
    crs: { peers: [peer('p', { dynamicASN: 'external' })] },
    error: 'both peer ASN and dynamicASN specified',
  },
  {
    desc: 'dynamicASN accepted (FRR-K8s mode feature)',
    crs: { peers: [peer('p', { peerASN: 0, dynamicASN: 'internal' })] },
    want: { peers: [{ dynamicASN: 'internal' }] },
  },
  {
    desc: 'ebgpMultiHop on an iBGP peer',
    crs: { peers: [peer('p', { peerASN: 42, ebgpMultiHop: true })] },
    error: 'invalid ebgp-multihop parameter set for an ibgp peer',
  },
  {
    desc: 'invalid peer address',
    crs: { peers: [peer('p', { peerAddress: '1.2.3.400' })] },
    error: 'invalid BGPPeer address "1.2.3.400"',
  },
  {
    desc: 'no peer address',
    crs: { peers: [peer('p', { peerAddress: '' })] },
    error: 'peer has no Address or Interface specified',
  },
  {
    desc: 'invalid router ID',
    crs: { peers: [peer('p', { routerID: 'abc' })] },
    error: 'invalid router ID "abc"',
  },
  {
    desc: 'invalid source address',
    crs: { peers: [peer('p', { sourceAddress: 'x' })] },
    error: 'invalid source IP "x"',
  },
  {
    desc: 'IPv6 peer (native mode would refuse; IronLB accepts)',
    crs: { peers: [peer('p', { peerAddress: '2001:db8::1' })] },
    want: { peers: [{ address: '2001:db8::1' }] },
  },
  {
    desc: 'BGP Peer with both password and secret ref set',
    crs: {
      peers: [
        peer('p', {
          password: 'nopass',
          passwordSecret: { name: 'nosecret', namespace: 'metallb-system' },
        }),
      ],
    },
    error: 'can not have both password and secret ref set in peer config "metallb-system"/"p"',
  },
  {
    desc: 'BGP Peer with a missing secret: transient',
    crs: {
      peers: [peer('p', { passwordSecret: { name: 'bgpsecret', namespace: 'metallb-system' } })],
    },
    error: 'secret ref not found for peer config "metallb-system"/"p"',
    transient: true,
  },
  {
    desc: 'BGP Peer with invalid secret type',
    crs: {
      peers: [peer('p', { passwordSecret: { name: 'bgpsecret' } })],
      secrets: [{ metadata: m('bgpsecret'), type: 'Opaque', data: {} }],
    },
    error:
      'secret type mismatch on "metallb-system"/"bgpsecret", type "kubernetes.io/basic-auth" is expected',
    transient: false,
  },
  {
    desc: 'BGP Peer with secret without password key',
    crs: {
      peers: [peer('p', { passwordSecret: { name: 'bgpsecret' } })],
      secrets: [{ metadata: m('bgpsecret'), type: 'kubernetes.io/basic-auth', data: {} }],
    },
    error: 'password not specified in the secret "metallb-system"/"bgpsecret"',
  },
  {
    desc: 'BGP Peer with a valid password secret',
    crs: {
      peers: [peer('p', { passwordSecret: { name: 'bgpsecret' } })],
      secrets: [
        {
          metadata: m('bgpsecret'),
          type: 'kubernetes.io/basic-auth',
          data: { password: Buffer.from('s3cret').toString('base64') },
        },
      ],
    },
    want: {
      peers: [
        { password: 's3cret', passwordSecret: { name: 'bgpsecret', namespace: 'metallb-system' } },
      ],
    },
  },
  {
    desc: 'peer referencing a missing BFD profile: transient',
    crs: { peers: [peer('p', { bfdProfile: 'default' })] },
    error: 'peer p referencing non existing bfd profile default',
    transient: true,
  },
  {
    desc: 'Session with default BFD Profile',
    crs: {
      peers: [peer('peer1', { peerASN: 42, bfdProfile: 'default' })],
      bfdProfiles: [{ metadata: m('default') }],
      pools: [pool('pool1', ['1.2.3.0/24'])],
      bgpAdvertisements: [bgpAd('adv3')],
    },
    want: {
      peers: [{ bfdProfile: 'default' }],
      bfdProfiles: [{ name: 'default', echoMode: false, passiveMode: false }],
    },
  },
  {
    desc: 'connectTime accepted',
    crs: { peers: [peer('p', { connectTime: '5s' })] },
    want: { peers: [{ connectTimeMs: 5000 }] },
  },
  {
    desc: 'connectTime with milliseconds',
    crs: { peers: [peer('p', { connectTime: '5500ms' })] },
    error: 'connect time should contain a whole number of seconds',
  },
  {
    desc: 'graceful restart and dualStackAddressFamily accepted',
    crs: { peers: [peer('p', { enableGracefulRestart: true, dualStackAddressFamily: true })] },
    want: { peers: [{ enableGracefulRestart: true, dualStackAddressFamily: true }] },
  },
  {
    desc: 'vrf refused: IronLB does not support it',
    crs: { peers: [peer('p', { vrf: 'red' })] },
    error: 'vrf is not supported by IronLB',
    path: 'spec.vrf',
  },
  {
    desc: 'unnumbered interface refused: IronLB does not support it',
    crs: { peers: [peer('p', { peerAddress: '', interface: 'eth0' })] },
    error: 'unnumbered BGP (interface) is not supported by IronLB',
  },
  {
    desc: 'localASN refused: IronLB does not support it',
    crs: { peers: [peer('p', { localASN: 100 })] },
    error: 'localASN is not supported by IronLB',
  },
  {
    desc: 'bgpextras ConfigMap refused',
    crs: { bgpExtras: { metadata: m('bgpextras'), data: { extras: 'router bgp 64512' } } },
    error: 'the bgpextras ConfigMap (raw FRR configuration) is not supported by IronLB',
  },
  {
    desc: 'peers on shared nodes with different routerID',
    crs: {
      peers: [
        peer('a', { routerID: '10.0.0.1' }),
        peer('b', { routerID: '10.0.0.2', peerAddress: '1.2.3.5' }),
      ],
    },
    error:
      'peer 10.0.0.2 has RouterID different from 10.0.0.1, in FRR mode peers selecting the same node must all have the same RouterID',
  },
  {
    desc: 'duplicate peer address on shared nodes',
    crs: { peers: [peer('a', {}), peer('b', { holdTime: '30s' })] },
    error:
      "peer 1.2.3.4 already exists, FRR mode doesn't support duplicate BGPPeers selecting the same node",
  },
  {
    desc: 'peers identical in every field',
    crs: { peers: [peer('a', {}), peer('b', {})] },
    error: 'peer b already exists',
  },
  {
    desc: 'different myASN on shared nodes',
    crs: { peers: [peer('a', {}), peer('b', { myASN: 43, peerAddress: '1.2.3.5' })] },
    error:
      'peer 1.2.3.5 has myAsn different from 1.2.3.4, in FRR mode peers selecting the same node must have the same myAsn within the same VRF',
  },
  {
    desc: 'same address allowed when node selectors are disjoint',
    crs: {
      nodes: [node('n1', { r: 'a' }), node('n2', { r: 'b' })],
      peers: [
        peer('a', { nodeSelectors: [{ matchLabels: { r: 'a' } }] }),
        peer('b', { myASN: 43, nodeSelectors: [{ matchLabels: { r: 'b' } }] }),
      ],
    },
    want: {
      peers: [
        { name: 'a', nodes: ['n1'] },
        { name: 'b', nodes: ['n2'] },
      ],
    },
  },
  {
    desc: 'duplicate node selectors in a peer',
    crs: {
      peers: [
        peer('p', { nodeSelectors: [{ matchLabels: { a: 'b' } }, { matchLabels: { a: 'b' } }] }),
      ],
    },
    error: 'parsing peer p duplicate definition of nodeSelectors',
  },

  // ---- validation mode (validation_test.go): native mode refuses these; IronLB, like FRR-K8s, accepts them
  {
    desc: 'FRR-K8s mode: peer with a BFD profile is accepted',
    crs: { peers: [peer('p', { bfdProfile: 'foo' })], bfdProfiles: [{ metadata: m('foo') }] },
    want: { peers: [{ bfdProfile: 'foo' }] },
  },
  {
    desc: 'FRR-K8s mode: an IPv6 pool advertised over BGP is accepted',
    crs: { pools: [pool('v6', ['2001:db8::/64'])], bgpAdvertisements: [bgpAd('foo')] },
    want: { pools: [{ bgpAdvertisements: [{ name: 'foo' }] }] },
  },
  {
    desc: 'FRR-K8s mode: a non-zero keepalive time is accepted',
    crs: { peers: [peer('p', { keepaliveTime: '1s' })] },
    want: { peers: [{ keepaliveTimeMs: 1000, holdTimeMs: 3000 }] },
  },
  {
    desc: 'FRR-K8s mode: large communities are accepted',
    crs: {
      pools: [testPool],
      bgpAdvertisements: [bgpAd('a', { communities: ['large:4200000000:1:2'] })],
    },
    want: { pools: [{ bgpAdvertisements: [{ communities: ['large:4200000000:1:2'] }] }] },
  },
  {
    desc: 'FRR mode: routerID set on all peers, all equal',
    crs: {
      peers: [
        peer('a', { routerID: '1.2.3.4' }),
        peer('b', { routerID: '1.2.3.4', peerAddress: '1.2.3.5' }),
      ],
    },
    want: { peers: [{ routerID: '1.2.3.4' }, { routerID: '1.2.3.4' }] },
  },
  {
    desc: 'FRR mode: routerID set, one not set',
    crs: {
      peers: [
        peer('a', { routerID: '1.2.3.4' }),
        peer('b', { routerID: '1.2.3.4', peerAddress: '1.2.3.5' }),
        peer('c', { peerAddress: '1.2.3.6' }),
      ],
    },
    error:
      'has RouterID different from 1.2.3.4, in FRR mode peers selecting the same node must all have the same RouterID',
  },
  {
    desc: 'FRR mode: myAsn set, all equal',
    crs: {
      peers: [
        peer('a', { myASN: 123 }),
        peer('b', { myASN: 123, peerAddress: '1.2.3.5' }),
        peer('c', { myASN: 123, peerAddress: '1.2.3.6' }),
      ],
    },
    want: { peers: [{ myASN: 123 }, { myASN: 123 }, { myASN: 123 }] },
  },
  {
    desc: 'FRR mode: myAsn set, one different',
    crs: {
      peers: [
        peer('a', { myASN: 123 }),
        peer('b', { myASN: 123, peerAddress: '1.2.3.5' }),
        peer('c', { myASN: 124, peerAddress: '1.2.3.6' }),
      ],
    },
    error:
      'peer 1.2.3.6 has myAsn different from 1.2.3.4, in FRR mode peers selecting the same node must have the same myAsn within the same VRF',
  },

  // ---- BFD profiles
  {
    desc: 'BFD profile with every field',
    crs: {
      bfdProfiles: [
        {
          metadata: m('full'),
          spec: {
            receiveInterval: 60,
            transmitInterval: 70,
            detectMultiplier: 5,
            echoInterval: 90,
            echoMode: true,
            passiveMode: true,
            minimumTtl: 60,
          },
        },
      ],
    },
    want: {
      bfdProfiles: [
        {
          name: 'full',
          receiveIntervalMs: 60,
          transmitIntervalMs: 70,
          detectMultiplier: 5,
          echoIntervalMs: 90,
          echoMode: true,
          passiveMode: true,
          minimumTtl: 60,
        },
      ],
    },
  },
  {
    desc: 'BFD detect multiplier out of range',
    crs: { bfdProfiles: [{ metadata: m('b'), spec: { detectMultiplier: 1 } }] },
    error: 'invalid value 1, must be in 2-255 range\ninvalid detect multiplier value',
  },
  {
    desc: 'BFD receive interval out of range',
    crs: { bfdProfiles: [{ metadata: m('b'), spec: { receiveInterval: 90000 } }] },
    error: 'invalid value 90000, must be in 10-60000 range\ninvalid receive interval value',
  },
  {
    desc: 'BFD transmit interval out of range',
    crs: { bfdProfiles: [{ metadata: m('b'), spec: { transmitInterval: 5 } }] },
    error: 'invalid transmit interval value',
  },
  {
    desc: 'BFD minimum ttl out of range',
    crs: { bfdProfiles: [{ metadata: m('b'), spec: { minimumTtl: 255 } }] },
    error: 'invalid minimum ttl value',
  },
  {
    desc: 'BFD echo interval out of range',
    crs: { bfdProfiles: [{ metadata: m('b'), spec: { echoInterval: 9 } }] },
    error: 'invalid echo interval value',
  },
  {
    desc: 'duplicate BFD profile',
    crs: { bfdProfiles: [{ metadata: m('b') }, { metadata: m('b') }] },
    error: 'found duplicate bfd profile name b',
  },
  {
    desc: 'BFD echo with an IPv6 pool advertised to the peer',
    crs: {
      bfdProfiles: [{ metadata: m('echo'), spec: { echoMode: true } }],
      peers: [peer('p', { bfdProfile: 'echo' })],
      pools: [pool('v6', ['2001:db8::/64'])],
      bgpAdvertisements: [bgpAd('adv')],
    },
    error:
      'pool v6 has bgpadvertisement adv which references peer p which has bfd echo enabled, which is not possible',
  },
] satisfies ConfigCase[] as ConfigCase[];
