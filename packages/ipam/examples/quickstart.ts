import { createAllocator, describeFailure, reconcile } from '@ironlb/ipam';

// Pools as k8s-glue maps them from IPAddressPool CRs.
const ipam = createAllocator(
  {},
  {
    pools: [
      { name: 'lan', addresses: ['192.0.2.0/30', '2001:db8::/64'] },
      { name: 'reserved', autoAssign: false, addresses: ['198.51.100.10-198.51.100.12'] },
    ],
  },
);

// A single-stack service: the lowest free address of the first suitable pool.
const web = ipam.allocate({ service: 'shop/web', ipFamilies: ['IPv4'] });
console.log(web.ok && web.addresses); // [ '192.0.2.0' ]

// Two services sharing one address: same key, disjoint (protocol, port) sets.
for (const [service, protocol] of [
  ['dns/tcp', 'TCP'],
  ['dns/udp', 'UDP'],
] as const) {
  const r = ipam.allocate({
    service,
    ipFamilies: ['IPv4'],
    sharingKey: 'dns',
    ports: [{ protocol, port: 53 }],
  });
  console.log(service, r.ok && r.addresses); // both [ '192.0.2.1' ]
}

// Dual-stack, IPv6 primary; the result lists IPv4 first, as MetalLB does.
const dual = ipam.allocate({
  service: 'shop/api',
  ipFamilies: ['IPv6', 'IPv4'],
  ipFamilyPolicy: 'RequireDualStack',
});
console.log(dual.ok && dual.addresses); // [ '192.0.2.2', '2001:db8::' ]

// Failures are data, and describeFailure() gives MetalLB's event text.
const taken = ipam.allocate({
  service: 'shop/copy',
  ipFamilies: ['IPv4'],
  requestedAddresses: ['192.0.2.0'],
});
if (!taken.ok) console.log(taken.failure.reason, '-', describeFailure(taken.failure));

// Exact counters, even for a /64.
console.log(ipam.counters('lan'));

// The controller loop: keep what status says, allocate what is missing.
const res = reconcile(
  ipam,
  { service: 'shop/admin', ipFamilies: ['IPv4'], requestedPool: 'reserved' },
  [],
);
console.log(
  res.addresses,
  res.events.map((e) => e.type),
); // [ '198.51.100.10' ] [ 'allocated' ]
