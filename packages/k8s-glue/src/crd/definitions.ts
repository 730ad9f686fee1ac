// The single source of truth for IronLB's copy of MetalLB's API (group metallb.io).
// Fields, defaults, bounds, printer columns and CEL rules follow MetalLB v0.14–v0.16
// (api/v1beta1, api/v1beta2 and config/crd/bases in metallb/metallb); descriptions are ours.
// `npm run generate -w packages/k8s-glue` renders deploy/crds/*.yaml and src/api/types.generated.ts
// from this file; test/crd-drift.test.ts fails when either is stale.
import type { Schema } from './schema.js';
import { obj } from './schema.js';
import {
  ipAddressPoolSpec,
  ipAddressPoolStatus,
  l2AdvertisementSpec,
  bgpAdvertisementSpec,
  bgpPeerV1beta2Spec,
  bgpPeerV1beta1Spec,
  peerColumns,
  bfdProfileSpec,
  communitySpec,
  serviceL2Status,
  serviceBGPStatus,
  configurationStateStatus,
} from './specs.js';

export const GROUP = 'metallb.io';

export interface PrinterColumn {
  readonly name: string;
  readonly type: 'string' | 'integer' | 'boolean' | 'date';
  readonly jsonPath: string;
  readonly priority?: number;
}

export interface VersionDef {
  readonly name: string;
  readonly served: boolean;
  readonly storage: boolean;
  readonly deprecated?: boolean;
  readonly deprecationWarning?: string;
  readonly printerColumns: readonly PrinterColumn[];
  readonly description: string;
  readonly spec?: Schema;
  readonly specRequired?: boolean;
  readonly status?: Schema;
  /** The TypeScript name prefix for this version's generated types. */
  readonly typeName: string;
}

export interface KindDef {
  readonly kind: string;
  readonly plural: string;
  readonly singular: string;
  readonly versions: readonly VersionDef[];
  /** Webhook conversion between versions (only BGPPeer). */
  readonly conversion?: { readonly path: string };
}

const v1beta1 = (
  typeName: string,
  description: string,
  spec: Schema | undefined,
  printerColumns: PrinterColumn[],
  status?: Schema,
): VersionDef => {
  const v: VersionDef = {
    name: 'v1beta1',
    served: true,
    storage: true,
    printerColumns,
    description,
    typeName,
    ...(spec ? { spec } : {}),
    ...(status ? { status } : {}),
  };
  return v;
};

export const KINDS: readonly KindDef[] = [
  {
    kind: 'IPAddressPool',
    plural: 'ipaddresspools',
    singular: 'ipaddresspool',
    versions: [
      {
        ...v1beta1(
          'IPAddressPool',
          'IPAddressPool: a set of addresses IronLB hands out to LoadBalancer Services.',
          ipAddressPoolSpec,
          [
            { name: 'Auto Assign', type: 'boolean', jsonPath: '.spec.autoAssign' },
            { name: 'Avoid Buggy IPs', type: 'boolean', jsonPath: '.spec.avoidBuggyIPs' },
            { name: 'Addresses', type: 'string', jsonPath: '.spec.addresses' },
          ],
          ipAddressPoolStatus,
        ),
        specRequired: true,
      },
    ],
  },
  {
    kind: 'L2Advertisement',
    plural: 'l2advertisements',
    singular: 'l2advertisement',
    versions: [
      v1beta1(
        'L2Advertisement',
        'L2Advertisement: announce pools over ARP/NDP.',
        l2AdvertisementSpec,
        [
          { name: 'IPAddressPools', type: 'string', jsonPath: '.spec.ipAddressPools' },
          {
            name: 'IPAddressPool Selectors',
            type: 'string',
            jsonPath: '.spec.ipAddressPoolSelectors',
          },
          { name: 'Interfaces', type: 'string', jsonPath: '.spec.interfaces' },
          { name: 'Node Selectors', type: 'string', jsonPath: '.spec.nodeSelectors', priority: 10 },
        ],
      ),
    ],
  },
  {
    kind: 'BGPAdvertisement',
    plural: 'bgpadvertisements',
    singular: 'bgpadvertisement',
    versions: [
      v1beta1(
        'BGPAdvertisement',
        'BGPAdvertisement: announce pools to BGP peers.',
        bgpAdvertisementSpec,
        [
          { name: 'IPAddressPools', type: 'string', jsonPath: '.spec.ipAddressPools' },
          {
            name: 'IPAddressPool Selectors',
            type: 'string',
            jsonPath: '.spec.ipAddressPoolSelectors',
          },
          { name: 'Peers', type: 'string', jsonPath: '.spec.peers' },
          { name: 'Node Selectors', type: 'string', jsonPath: '.spec.nodeSelectors', priority: 10 },
        ],
      ),
    ],
  },
  {
    kind: 'BGPPeer',
    plural: 'bgppeers',
    singular: 'bgppeer',
    conversion: { path: '/convert' },
    versions: [
      {
        name: 'v1beta1',
        served: true,
        storage: false,
        deprecated: true,
        deprecationWarning: 'metallb.io v1beta1 BGPPeer is deprecated, consider using v1beta2',
        printerColumns: peerColumns,
        description: 'BGPPeer (v1beta1, deprecated): a BGP router to peer with.',
        spec: bgpPeerV1beta1Spec,
        typeName: 'BGPPeerV1beta1',
      },
      {
        name: 'v1beta2',
        served: true,
        storage: true,
        printerColumns: peerColumns,
        description: 'BGPPeer: a BGP router to peer with.',
        spec: bgpPeerV1beta2Spec,
        typeName: 'BGPPeer',
      },
    ],
  },
  {
    kind: 'BFDProfile',
    plural: 'bfdprofiles',
    singular: 'bfdprofile',
    versions: [
      v1beta1('BFDProfile', 'BFDProfile: BFD session settings for BGP peers.', bfdProfileSpec, [
        { name: 'Passive Mode', type: 'boolean', jsonPath: '.spec.passiveMode' },
        { name: 'Transmit Interval', type: 'integer', jsonPath: '.spec.transmitInterval' },
        { name: 'Receive Interval', type: 'integer', jsonPath: '.spec.receiveInterval' },
        { name: 'Multiplier', type: 'integer', jsonPath: '.spec.detectMultiplier' },
      ]),
    ],
  },
  {
    kind: 'Community',
    plural: 'communities',
    singular: 'community',
    versions: [v1beta1('Community', 'Community: named BGP community values.', communitySpec, [])],
  },
  {
    kind: 'ServiceL2Status',
    plural: 'servicel2statuses',
    singular: 'servicel2status',
    versions: [
      v1beta1(
        'ServiceL2Status',
        'ServiceL2Status: the node announcing a service in layer 2 mode.',
        obj('Unused.', {}),
        [
          { name: 'Allocated Node', type: 'string', jsonPath: '.status.node' },
          { name: 'Service Name', type: 'string', jsonPath: '.status.serviceName' },
          { name: 'Service Namespace', type: 'string', jsonPath: '.status.serviceNamespace' },
        ],
        serviceL2Status,
      ),
    ],
  },
  {
    kind: 'ServiceBGPStatus',
    plural: 'servicebgpstatuses',
    singular: 'servicebgpstatus',
    versions: [
      v1beta1(
        'ServiceBGPStatus',
        'ServiceBGPStatus: the peers a node announces a service to.',
        obj('Unused.', {}),
        [
          { name: 'Node', type: 'string', jsonPath: '.status.node' },
          { name: 'Service Name', type: 'string', jsonPath: '.status.serviceName' },
          { name: 'Service Namespace', type: 'string', jsonPath: '.status.serviceNamespace' },
        ],
        serviceBGPStatus,
      ),
    ],
  },
  {
    kind: 'ConfigurationState',
    plural: 'configurationstates',
    singular: 'configurationstate',
    versions: [
      v1beta1(
        'ConfigurationState',
        'ConfigurationState: whether the controller or a speaker accepted the configuration.',
        undefined,
        [
          { name: 'Result', type: 'string', jsonPath: '.status.result' },
          { name: 'ErrorSummary', type: 'string', jsonPath: '.status.errorSummary' },
          { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' },
        ],
        configurationStateStatus,
      ),
    ],
  },
];
