// The OpenAPI schemas of every metallb.io kind (MetalLB api/v1beta1, api/v1beta2 and
// config/crd/bases): fields, defaults, bounds and CEL rules. Descriptions are ours.
import type { PrinterColumn } from './definitions.js';
import { arr, bool, duration, int, int32, int64, labelSelector, obj, str } from './schema.js';

export const immutable = [{ rule: 'self == oldSelf', message: 'Value is immutable' }];

export const poolsList = arr('The names of the IPAddressPools announced by this advertisement.', {
  type: 'string',
});
export const poolSelectors = arr(
  'Selectors on IPAddressPool labels; matching pools are announced by this advertisement. When neither ipAddressPools nor ipAddressPoolSelectors is set, every pool is announced.',
  labelSelector('A label selector on IPAddressPools.'),
);
export const nodeSelectors = arr(
  'Selectors on the nodes this advertisement is made from. Empty means every node.',
  labelSelector('A label selector on Nodes.'),
);
export const serviceSelectors = arr(
  'Selectors on Service labels; only matching services use this item (OR of the selectors).',
  labelSelector('A label selector on Services.'),
);

// ---------------------------------------------------------------- IPAddressPool (§1.1)
export const ipAddressPoolSpec = obj(
  'IPAddressPoolSpec: the addresses of a pool and how they are handed out.',
  {
    addresses: arr(
      'IP ranges owned by this pool: CIDR prefixes (10.0.0.0/24) or explicit ranges (10.0.0.10-10.0.0.20). IPv4 and IPv6 may be mixed (a dual-stack pool).',
      { type: 'string' },
    ),
    autoAssign: bool(
      'When false, addresses are only handed out when a Service asks for this pool or IP.',
      {
        default: true,
      },
    ),
    avoidBuggyIPs: bool('Never hand out IPv4 addresses ending in .0 or .255.', { default: false }),
    serviceAllocation: obj(
      'Restricts the pool to some namespaces and/or services, with a priority among such pools.',
      {
        namespaceSelectors: arr(
          'Selectors on Namespace labels whose services may use the pool.',
          labelSelector('A label selector on Namespaces.'),
        ),
        namespaces: arr('Namespaces whose services may use the pool.', { type: 'string' }),
        priority: int(
          'Priority among pools matching a service; a lower number wins, 0 (unset) comes last.',
        ),
        serviceSelectors,
      },
    ),
  },
  ['addresses'],
);
export const ipAddressPoolStatus = obj(
  'IPAddressPoolStatus: usage counters written by the controller.',
  {
    assignedIPv4: int64('Number of assigned IPv4 addresses.'),
    assignedIPv6: int64('Number of assigned IPv6 addresses.'),
    availableIPv4: int64('Number of free IPv4 addresses.'),
    availableIPv6: int64('Number of free IPv6 addresses.'),
  },
);

// ---------------------------------------------------------------- L2Advertisement (§1.2)
export const l2AdvertisementSpec = obj(
  'L2AdvertisementSpec: which pools are announced over ARP/NDP, and from where.',
  {
    interfaces: arr('Interfaces to announce from. Empty means every interface of the node.', {
      type: 'string',
    }),
    ipAddressPoolSelectors: poolSelectors,
    ipAddressPools: poolsList,
    nodeSelectors,
    preferredNodeSelectors: arr(
      'Soft preferences among the eligible nodes: the weights of matching terms are summed per node and the highest total wins.',
      obj(
        'A weighted node preference.',
        {
          preference: labelSelector('A label selector on Nodes; empty matches every node.'),
          weight: int32('Weight of this preference, 1 to 100.', { minimum: 1, maximum: 100 }),
        },
        ['preference', 'weight'],
      ),
    ),
    serviceSelectors,
  },
);

// ---------------------------------------------------------------- BGPAdvertisement (§1.3)
export const bgpAdvertisementSpec = obj(
  'BGPAdvertisementSpec: how the addresses of some pools are announced to BGP peers.',
  {
    aggregationLength: int32('Prefix length the IPv4 addresses are rolled up to.', {
      default: 32,
      minimum: 1,
    }),
    aggregationLengthV6: int32('Prefix length the IPv6 addresses are rolled up to.', {
      default: 128,
    }),
    communities: arr(
      'BGP communities attached to the announcements: "A:B", "large:X:Y:Z" or the name of a Community alias.',
      { type: 'string' },
    ),
    ipAddressPoolSelectors: poolSelectors,
    ipAddressPools: poolsList,
    localPref: {
      type: 'integer',
      format: 'int32',
      description: 'BGP LOCAL_PREF attribute (iBGP only).',
    },
    nodeSelectors,
    peers: arr('Names of the BGPPeers to announce to. Empty means every peer.', { type: 'string' }),
    serviceSelectors,
  },
  [],
  {
    // MetalLB: aggregation and service selection cannot be combined (the aggregated prefix
    // would cover services the selector does not pick).
    'x-kubernetes-validations': [
      {
        rule: '!has(self.serviceSelectors) || size(self.serviceSelectors) == 0 || ((!has(self.aggregationLength) || self.aggregationLength == 32) && (!has(self.aggregationLengthV6) || self.aggregationLengthV6 == 128))',
        message:
          'serviceSelectors and aggregationLength are mutually exclusive, both cannot be set',
      },
    ],
  },
);

// ---------------------------------------------------------------- BGPPeer (§1.4)
export const asn = (d: string) => int(d, { format: 'int64', minimum: 0, maximum: 4294967295 });
export const bgpPeerV1beta2Spec = obj(
  'BGPPeerSpec: one BGP session to open from the selected nodes.',
  {
    bfdProfile: str(
      'Name of the BFDProfile used for the BFD session of this peer. Unset means no BFD.',
    ),
    connectTime: duration('How long BGP waits between connection attempts to the peer.', {
      'x-kubernetes-validations': [
        {
          rule: 'duration(self).getSeconds() >= 1 && duration(self).getSeconds() <= 65535',
          message: 'connect time should be between 1 seconds to 65535',
        },
        {
          rule: 'duration(self).getMilliseconds() % 1000 == 0',
          message: 'connect time should contain a whole number of seconds',
        },
      ],
    }),
    disableMP: bool('Deprecated in favour of dualStackAddressFamily.', { default: false }),
    dualStackAddressFamily: bool('Carry both IPv4 and IPv6 prefixes over this one session.', {
      default: false,
    }),
    dynamicASN: str(
      'Accept the peer ASN dynamically: internal (equal to myASN) or external (different). Exclusive with peerASN.',
      { enum: ['internal', 'external'] },
    ),
    ebgpMultiHop: bool('The eBGP peer is more than one hop away.'),
    enableGracefulRestart: bool('Enable BGP graceful restart for this peer. Immutable.', {
      'x-kubernetes-validations': [
        {
          rule: 'self == oldSelf',
          message: 'EnableGracefulRestart cannot be changed after creation',
        },
      ],
    }),
    holdTime: duration('Requested BGP hold time (RFC 4271).'),
    interface: str('Node interface for unnumbered BGP. Not supported by IronLB.'),
    keepaliveTime: duration('Requested BGP keepalive time (RFC 4271).'),
    localASN: asn('Local ASN presented to this peer instead of myASN. Not supported by IronLB.'),
    myASN: asn('AS number of the local end of the session.'),
    nodeSelectors: arr(
      'Only open this session from nodes matching one of these selectors. Empty means every node.',
      labelSelector('A label selector on Nodes.'),
    ),
    password: str('TCP-MD5 password. Exclusive with passwordSecret.'),
    passwordSecret: obj(
      'Secret (type kubernetes.io/basic-auth, key "password", in the IronLB namespace) holding the TCP-MD5 password.',
      {
        name: str('name is unique within a namespace to reference a secret resource.'),
        namespace: str('namespace defines the space within which the secret name must be unique.'),
      },
      [],
      { 'x-kubernetes-map-type': 'atomic' },
    ),
    peerASN: asn('AS number expected from the peer. Exclusive with dynamicASN.'),
    peerAddress: str('Address to dial.'),
    peerPort: int('Port to dial.', { default: 179, minimum: 1, maximum: 16384 }),
    routerID: str('BGP router ID to advertise.'),
    sourceAddress: str('Source address of the session.'),
    vrf: str('Host VRF to open the session from. Not supported by IronLB.'),
  },
  ['myASN'],
);

export const bgpPeerV1beta1Spec = obj(
  'BGPPeerSpec (v1beta1, deprecated): one BGP session to open from the selected nodes.',
  {
    bfdProfile: str('Name of the BFDProfile used for the BFD session of this peer.'),
    ebgpMultiHop: bool('The eBGP peer is more than one hop away.'),
    holdTime: duration('Requested BGP hold time (RFC 4271).'),
    keepaliveTime: duration('Requested BGP keepalive time (RFC 4271).'),
    myASN: asn('AS number of the local end of the session.'),
    nodeSelectors: arr(
      'Only open this session from nodes matching one of these selectors.',
      obj('A node selector (v1beta1 shape).', {
        matchExpressions: arr(
          'Label requirements (ANDed).',
          obj(
            'A label requirement.',
            {
              key: str('The label key.'),
              operator: str('In, NotIn, Exists or DoesNotExist.'),
              values: arr('Values for In/NotIn.', { type: 'string' }, { minItems: 1 }),
            },
            ['key', 'operator', 'values'],
          ),
        ),
        matchLabels: {
          type: 'object',
          description: 'Labels that must all be present with these values.',
          additionalProperties: { type: 'string' },
        },
      }),
    ),
    password: str('TCP-MD5 password.'),
    peerASN: asn('AS number expected from the peer.'),
    peerAddress: str('Address to dial.'),
    peerPort: int('Port to dial.', { default: 179, minimum: 0, maximum: 16384 }),
    routerID: str('BGP router ID to advertise.'),
    sourceAddress: str('Source address of the session.'),
  },
  ['myASN', 'peerASN', 'peerAddress'],
);

export const peerColumns: PrinterColumn[] = [
  { name: 'Address', type: 'string', jsonPath: '.spec.peerAddress' },
  { name: 'ASN', type: 'string', jsonPath: '.spec.peerASN' },
  { name: 'BFD Profile', type: 'string', jsonPath: '.spec.bfdProfile' },
  { name: 'Multi Hops', type: 'string', jsonPath: '.spec.ebgpMultiHop' },
];

// ---------------------------------------------------------------- BFDProfile (§1.5)
export const ms = (d: string) => int(d, { format: 'int32', minimum: 10, maximum: 60000 });
export const bfdProfileSpec = obj(
  'BFDProfileSpec: the parameters of the BFD sessions of the peers using it.',
  {
    detectMultiplier: int('Detection multiplier (2-255).', {
      format: 'int32',
      minimum: 2,
      maximum: 255,
    }),
    echoInterval: ms('Minimum echo receive interval in milliseconds (default 50).'),
    echoMode: bool('Enable echo mode (not for multi-hop sessions, not with IPv6 pools).'),
    minimumTtl: int('Multi-hop only: minimum TTL expected on incoming BFD packets (1-254).', {
      format: 'int32',
      minimum: 1,
      maximum: 254,
    }),
    passiveMode: bool('Wait for the peer to start the session.'),
    receiveInterval: ms('Minimum receive interval in milliseconds (default 300).'),
    transmitInterval: ms('Minimum transmit interval in milliseconds (default 300).'),
  },
);

// ---------------------------------------------------------------- Community (§1.6)
export const communitySpec = obj(
  'CommunitySpec: named BGP community values usable in BGPAdvertisements.',
  {
    communities: arr(
      'The aliases.',
      obj('One alias.', {
        name: str('The alias name used in BGPAdvertisement.spec.communities.'),
        value: str(
          'The community: "A:B" (two 16-bit numbers) or "large:X:Y:Z" (three 32-bit numbers).',
        ),
      }),
    ),
  },
);

// ---------------------------------------------------------------- status kinds (§1.7)
export const serviceL2Status = obj(
  'Which node announces a service in layer 2 mode, and from which interfaces.',
  {
    interfaces: arr(
      'Interfaces the service is announced from; empty means every interface.',
      obj('An interface.', { name: str('Interface name.') }),
    ),
    node: str('Node announcing the service.', { 'x-kubernetes-validations': immutable }),
    serviceName: str('Name of the service.', { 'x-kubernetes-validations': immutable }),
    serviceNamespace: str('Namespace of the service.', { 'x-kubernetes-validations': immutable }),
  },
);
export const serviceBGPStatus = obj(
  'The BGP peers a node is configured to announce a service to.',
  {
    node: str('Node announcing the service.', { 'x-kubernetes-validations': immutable }),
    peers: arr('BGPPeer names the service is announced to.', { type: 'string' }),
    serviceName: str('Name of the service.', { 'x-kubernetes-validations': immutable }),
    serviceNamespace: str('Namespace of the service.', { 'x-kubernetes-validations': immutable }),
  },
);
export const configurationStateStatus = obj(
  'Whether a component accepted the current configuration.',
  {
    conditions: arr(
      'One condition per reconciler (configReconcilerValid, poolReconcilerValid).',
      obj(
        'A metav1.Condition.',
        {
          lastTransitionTime: str('When the condition last changed.', { format: 'date-time' }),
          message: str('Details; the error when invalid.', { maxLength: 32768 }),
          observedGeneration: int('Generation the condition was computed for.', {
            format: 'int64',
            minimum: 0,
          }),
          reason: str('Reconciled, ConfigurationError or UnknownError.', {
            maxLength: 1024,
            minLength: 1,
            pattern: '^[A-Za-z]([A-Za-z0-9_,:]*[A-Za-z0-9_])?$',
          }),
          status: str('True, False or Unknown.', { enum: ['True', 'False', 'Unknown'] }),
          type: str('Condition type.', { maxLength: 316 }),
        },
        ['lastTransitionTime', 'message', 'reason', 'status', 'type'],
      ),
      { 'x-kubernetes-list-map-keys': ['type'], 'x-kubernetes-list-type': 'map' },
    ),
    errorSummary: str('All configuration errors of the component, joined.'),
    result: str('Valid, Invalid or Unknown.', { enum: ['Valid', 'Invalid', 'Unknown'] }),
  },
);
