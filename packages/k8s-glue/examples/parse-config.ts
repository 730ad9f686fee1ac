import { parseConfig } from '@ironlb/k8s-glue/pure'; // no Kubernetes client is loaded

const result = parseConfig({
  pools: [
    {
      metadata: { name: 'pool', namespace: 'metallb-system' },
      spec: { addresses: ['192.0.2.240-192.0.2.250'] },
    },
  ],
  l2Advertisements: [
    {
      metadata: { name: 'example', namespace: 'metallb-system' },
      spec: { ipAddressPools: ['pool'] },
    },
  ],
  nodes: [{ metadata: { name: 'node-1', labels: {} } }],
});
if (result.ok) {
  console.log(result.config.pools[0]?.cidrs);
  console.log(result.config.pools[0]?.l2Advertisements.map((a) => [a.name, a.nodes]));
} else {
  for (const p of result.problems) console.log(p.object.kind, p.object.name, p.path, p.message);
}
