// MetalLB's webhook tables (internal/k8s/webhooks/webhookv1beta1/*_webhook_test.go,
// webhookv1beta2/bgppeer_webhook_test.go and e2e "webhooks" scenarios) ported as data.
import type { ClusterResources } from '../../src/config/resources.js';
import type { AdmissionRequest } from '../../src/webhook/admission.js';
import { bgpAd, node, peer, pool } from './config-cases.js';

export interface WebhookCase {
  readonly desc: string;
  readonly existing: ClusterResources;
  readonly request: Omit<AdmissionRequest, 'uid'>;
  readonly allowed: boolean;
  readonly message?: string;
  readonly warning?: string;
}

const req = (
  kind: string,
  operation: AdmissionRequest['operation'],
  object: Record<string, unknown>,
  version = 'v1beta1',
): Omit<AdmissionRequest, 'uid'> => ({
  kind: { group: 'metallb.io', version, kind },
  operation,
  namespace: 'metallb-system',
  ...(operation === 'DELETE' ? { oldObject: object, object: null } : { object }),
});
const inNs = (o: { metadata: Record<string, unknown> }, namespace: string) => ({
  ...o,
  metadata: { ...o.metadata, namespace },
});

export const WEBHOOK_CASES: WebhookCase[] = [
  // IPAddressPool
  {
    desc: 'valid pool',
    existing: {},
    request: req('IPAddressPool', 'CREATE', pool('p', ['10.0.0.0/24'])),
    allowed: true,
  },
  {
    desc: 'pool in the wrong namespace',
    existing: {},
    request: req('IPAddressPool', 'CREATE', inNs(pool('p', ['10.0.0.0/24']), 'default')),
    allowed: false,
    message: 'resource must be created in metallb-system namespace',
  },
  {
    desc: 'pool overlapping an existing pool',
    existing: { pools: [pool('a', ['10.0.0.0/16'])] },
    request: req('IPAddressPool', 'CREATE', pool('b', ['10.0.1.0/24'])),
    allowed: false,
    message: 'CIDR "10.0.1.0/24" in pool "b" overlaps with already defined CIDR "10.0.0.0/16"',
  },
  {
    desc: 'pool update that no longer overlaps (the old version is replaced, not added)',
    existing: { pools: [pool('a', ['10.0.0.0/24'])] },
    request: req('IPAddressPool', 'UPDATE', pool('a', ['10.0.0.0/25'])),
    allowed: true,
  },
  {
    desc: 'pool with an invalid CIDR',
    existing: {},
    request: req('IPAddressPool', 'CREATE', pool('p', ['10.0.0.0/33'])),
    allowed: false,
    message: 'invalid CIDR "10.0.0.0/33"',
  },
  {
    desc: 'pool change that breaks an existing advertisement aggregation',
    existing: {
      pools: [pool('a', ['10.0.0.0/24'])],
      bgpAdvertisements: [bgpAd('adv', { aggregationLength: 24 })],
    },
    request: req('IPAddressPool', 'UPDATE', pool('a', ['10.0.0.0/28'])),
    allowed: false,
    message:
      'invalid aggregation length 24: prefix 28 in this pool is more specific than the aggregation length',
  },
  {
    desc: 'deleting a pool in use is allowed',
    existing: { pools: [pool('a', ['10.0.0.0/24'])] },
    request: req('IPAddressPool', 'DELETE', pool('a', ['10.0.0.0/24'])),
    allowed: true,
  },
  {
    desc: 'unrelated pre-existing breakage does not block a valid change',
    existing: { pools: [pool('a', ['10.0.0.0/24']), pool('b', ['10.0.0.0/24'])] },
    request: req('IPAddressPool', 'CREATE', pool('c', ['10.9.0.0/24'])),
    allowed: true,
  },
  {
    desc: 'update of a pool outside the IronLB namespace is not IronLB’s business',
    existing: {},
    request: req('IPAddressPool', 'UPDATE', inNs(pool('p', ['not-an-ip']), 'default')),
    allowed: true,
  },
  // BGPAdvertisement
  {
    desc: 'advertisement with invalid aggregation length for an existing pool',
    existing: { pools: [pool('a', ['10.0.0.0/24'])] },
    request: req(
      'BGPAdvertisement',
      'CREATE',
      bgpAd('adv', { ipAddressPools: ['a'], aggregationLength: 16 }),
    ),
    allowed: false,
    message:
      'invalid aggregation length 16: prefix 24 in this pool is more specific than the aggregation length for addresses 10.0.0.0/24',
  },
  {
    desc: 'advertisement with serviceSelectors and non-default aggregation',
    existing: { pools: [pool('a', ['10.0.0.0/24'])] },
    request: req(
      'BGPAdvertisement',
      'CREATE',
      bgpAd('adv', { aggregationLength: 30, serviceSelectors: [{ matchLabels: { a: 'b' } }] }),
    ),
    allowed: false,
    message: 'serviceSelectors and aggregationLength are mutually exclusive',
  },
  {
    desc: 'advertisement with an alias not yet defined is allowed (transient)',
    existing: { pools: [pool('a', ['10.0.0.0/24'])] },
    request: req('BGPAdvertisement', 'CREATE', bgpAd('adv', { communities: ['later-alias'] })),
    allowed: true,
  },
  {
    desc: 'advertisement with an invalid community literal',
    existing: {},
    request: req('BGPAdvertisement', 'CREATE', bgpAd('adv', { communities: ['65536:1'] })),
    allowed: false,
    message: 'invalid community value: invalid section "65536" of community "65536:1"',
  },
  {
    desc: 'advertisement with a conflicting localPref',
    existing: {
      pools: [pool('a', ['10.0.0.0/24'])],
      bgpAdvertisements: [bgpAd('x', { localPref: 100 })],
      nodes: [node('n1')],
    },
    request: req('BGPAdvertisement', 'CREATE', bgpAd('y', { localPref: 150 })),
    allowed: false,
    message: 'invalid local preference 150',
  },
  // L2Advertisement
  {
    desc: 'valid L2 advertisement',
    existing: { pools: [pool('a', ['10.0.0.0/24'])] },
    request: req('L2Advertisement', 'CREATE', {
      metadata: { name: 'l2', namespace: 'metallb-system' },
      spec: { ipAddressPools: ['a'] },
    }),
    allowed: true,
  },
  {
    desc: 'L2 advertisement with duplicate pools',
    existing: {},
    request: req('L2Advertisement', 'CREATE', {
      metadata: { name: 'l2', namespace: 'metallb-system' },
      spec: { ipAddressPools: ['a', 'a'] },
    }),
    allowed: false,
    message: 'duplicate definition of ipAddressPools "a"',
  },
  {
    desc: 'L2 advertisement in the wrong namespace',
    existing: {},
    request: req('L2Advertisement', 'CREATE', {
      metadata: { name: 'l2', namespace: 'kube-system' },
      spec: {},
    }),
    allowed: false,
    message: 'resource must be created in metallb-system namespace',
  },
  // Community
  {
    desc: 'community with an invalid legacy value',
    existing: {},
    request: req('Community', 'CREATE', {
      metadata: { name: 'c', namespace: 'metallb-system' },
      spec: { communities: [{ name: 'x', value: '1:70000' }] },
    }),
    allowed: false,
    message: 'parsing community "x": invalid community value',
  },
  {
    desc: 'community with an invalid large value',
    existing: {},
    request: req('Community', 'CREATE', {
      metadata: { name: 'c', namespace: 'metallb-system' },
      spec: { communities: [{ name: 'x', value: 'large:1:2' }] },
    }),
    allowed: false,
    message: 'parsing community "x": invalid community format: large:1:2',
  },
  {
    desc: 'community alias duplicated across objects',
    existing: {
      communities: [
        {
          metadata: { name: 'c1', namespace: 'metallb-system' },
          spec: { communities: [{ name: 'x', value: '1:1' }] },
        },
      ],
    },
    request: req('Community', 'CREATE', {
      metadata: { name: 'c2', namespace: 'metallb-system' },
      spec: { communities: [{ name: 'x', value: '2:2' }] },
    }),
    allowed: false,
    message: 'duplicate definition of community "x"',
  },
  // BFDProfile
  {
    desc: 'BFD profile deletion while referenced by a peer',
    existing: {
      bfdProfiles: [{ metadata: { name: 'fast', namespace: 'metallb-system' } }],
      peers: [peer('router', { bfdProfile: 'fast' })],
    },
    request: req('BFDProfile', 'DELETE', {
      metadata: { name: 'fast', namespace: 'metallb-system' },
      spec: {},
    }),
    allowed: false,
    message: 'failed to delete BFDProfile fast, used by BGPPeer router',
  },
  {
    desc: 'BFD profile deletion when unused',
    existing: { bfdProfiles: [{ metadata: { name: 'fast', namespace: 'metallb-system' } }] },
    request: req('BFDProfile', 'DELETE', {
      metadata: { name: 'fast', namespace: 'metallb-system' },
      spec: {},
    }),
    allowed: true,
  },
  {
    desc: 'BFD profile in the wrong namespace',
    existing: {},
    request: req('BFDProfile', 'CREATE', {
      metadata: { name: 'fast', namespace: 'default' },
      spec: {},
    }),
    allowed: false,
    message: 'resource must be created in metallb-system namespace',
  },
  // BGPPeer
  {
    desc: 'valid peer',
    existing: {},
    request: req('BGPPeer', 'CREATE', peer('p', {}), 'v1beta2'),
    allowed: true,
  },
  {
    desc: 'peer with an invalid address',
    existing: {},
    request: req('BGPPeer', 'CREATE', peer('p', { peerAddress: '1.2.3.256' }), 'v1beta2'),
    allowed: false,
    message: 'invalid BGPPeer address "1.2.3.256"',
  },
  {
    desc: 'duplicate peer with overlapping node selectors',
    existing: { peers: [peer('a', {})], nodes: [node('n1')] },
    request: req('BGPPeer', 'CREATE', peer('b', { holdTime: '9s' }), 'v1beta2'),
    allowed: false,
    message:
      "peer 1.2.3.4 already exists, FRR mode doesn't support duplicate BGPPeers selecting the same node",
  },
  {
    desc: 'duplicate peer address with disjoint node selectors',
    existing: {
      peers: [peer('a', { nodeSelectors: [{ matchLabels: { r: 'a' } }] })],
      nodes: [node('n1', { r: 'a' }), node('n2', { r: 'b' })],
    },
    request: req(
      'BGPPeer',
      'CREATE',
      peer('b', { nodeSelectors: [{ matchLabels: { r: 'b' } }] }),
      'v1beta2',
    ),
    allowed: true,
  },
  {
    desc: 'peer with a missing BFD profile is allowed (transient)',
    existing: {},
    request: req('BGPPeer', 'CREATE', peer('p', { bfdProfile: 'later' }), 'v1beta2'),
    allowed: true,
  },
  {
    desc: 'peer with a missing password secret is allowed (transient)',
    existing: {},
    request: req('BGPPeer', 'CREATE', peer('p', { passwordSecret: { name: 'later' } }), 'v1beta2'),
    allowed: true,
  },
  {
    desc: 'peer with vrf is refused by IronLB',
    existing: {},
    request: req('BGPPeer', 'CREATE', peer('p', { vrf: 'red' }), 'v1beta2'),
    allowed: false,
    message: 'vrf is not supported by IronLB',
  },
  {
    desc: 'peer with disableMP: warned and still validated',
    existing: {},
    request: req(
      'BGPPeer',
      'CREATE',
      peer('p', { disableMP: true, peerAddress: 'nope' }),
      'v1beta2',
    ),
    allowed: false,
    message: 'invalid BGPPeer address "nope"',
    warning: 'disableMP is deprecated',
  },
  {
    desc: 'v1beta1 peer is converted and validated',
    existing: {},
    request: req('BGPPeer', 'CREATE', {
      apiVersion: 'metallb.io/v1beta1',
      kind: 'BGPPeer',
      metadata: { name: 'old', namespace: 'metallb-system' },
      spec: { myASN: 1, peerASN: 2, peerAddress: '10.0.0.1', holdTime: '1s' },
    }),
    allowed: false,
    message: 'invalid hold time "1s": must be 0 or >=3s',
  },
  // status kinds
  {
    desc: 'ServiceL2Status in the IronLB namespace',
    existing: {},
    request: req('ServiceL2Status', 'CREATE', {
      metadata: { name: 'l2-x', namespace: 'metallb-system' },
    }),
    allowed: true,
  },
  {
    desc: 'ConfigurationState outside the IronLB namespace',
    existing: {},
    request: req('ConfigurationState', 'CREATE', {
      metadata: { name: 'controller', namespace: 'default' },
    }),
    allowed: false,
    message: 'resource must be created in metallb-system namespace',
  },
];
