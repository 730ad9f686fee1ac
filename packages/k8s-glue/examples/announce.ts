import { decideBgp, decideLayer2, parseConfig } from '@ironlb/k8s-glue/pure';

const meta = (name: string) => ({ name, namespace: 'metallb-system' });
const parsed = parseConfig({
  pools: [{ metadata: meta('lan'), spec: { addresses: ['192.0.2.0/28'] } }],
  l2Advertisements: [{ metadata: meta('l2'), spec: { ipAddressPools: ['lan'] } }],
  peers: [
    {
      metadata: meta('router'),
      spec: { myASN: 64512, peerASN: 64500, peerAddress: '198.51.100.1' },
    },
  ],
  bgpAdvertisements: [
    { metadata: meta('bgp'), spec: { ipAddressPools: ['lan'], communities: ['64500:100'] } },
  ],
  nodes: [{ metadata: { name: 'node-a' } }, { metadata: { name: 'node-b' } }],
});
if (!parsed.ok) throw new Error(parsed.problems.map((p) => p.message).join('\n'));

// A Service with its address assigned, and one ready endpoint on node-b.
const web = {
  service: {
    metadata: { name: 'web', namespace: 'shop' },
    spec: { type: 'LoadBalancer', externalTrafficPolicy: 'Cluster' },
    status: { loadBalancer: { ingress: [{ ip: '192.0.2.1' }] } },
  },
  endpointSlices: [{ endpoints: [{ addresses: ['198.18.0.7'], nodeName: 'node-b' }] }],
};

for (const myNode of ['node-a', 'node-b']) {
  const view = {
    config: parsed.config,
    myNode,
    nodes: [{ metadata: { name: 'node-a' } }, { metadata: { name: 'node-b' } }],
    members: ['node-a', 'node-b'], // memberlist's live members
  };
  const l2 = decideLayer2(view, [web]).services[0];
  console.log(myNode, 'layer2:', l2?.announce ? 'announces' : `does not (${l2?.reason})`);
  const bgp = decideBgp(view, [web]);
  for (const p of bgp.peers)
    console.log(
      myNode,
      'bgp to',
      p.address,
      p.routes.map((r) => [r.prefix, r.communities]),
    );
}
