import { createAllocator } from '@ironlb/ipam';
import { handleConfig, handleService, type ControllerState } from '@ironlb/k8s-glue';

// The controller's decisions are pure functions of cached objects; the harness
// (@ironlb/k8s-glue/kube) does the writing.
const state: ControllerState = { allocator: createAllocator(), config: undefined };
const pools = [
  {
    metadata: { name: 'lan', namespace: 'metallb-system', generation: 1 },
    spec: { addresses: ['192.0.2.0/30'] },
  },
];
const cfg = handleConfig(state, { pools, communities: [], namespaces: [] }, 'metallb-system');
console.log(cfg.sync, cfg.condition.status);

const web = {
  metadata: { name: 'web', namespace: 'shop', resourceVersion: '7' },
  spec: {
    type: 'LoadBalancer',
    clusterIPs: ['198.18.0.10'],
    ports: [{ protocol: 'TCP', port: 80 }],
  },
};
const out = handleService(state, 'shop/web', web);
console.log(out.update);
for (const e of out.events) console.log(e.type, e.reason, e.message);

// An impossible request: MetalLB's event text, nothing to write.
const odd = {
  ...web,
  metadata: { ...web.metadata, name: 'odd' },
  spec: { ...web.spec, loadBalancerIP: '10.0.0.1' },
};
for (const e of handleService(state, 'shop/odd', odd).events)
  console.log(e.type, e.reason, e.message);
