/* eslint-disable @nx/enforce-module-boundaries -- written the way a consumer imports it, by package name */
// examples/two-speakers.ts — from the repository root, after `npx nx run bgp-speaker:build`:
//   npx tsx packages/bgp-speaker/examples/two-speakers.ts
import { createBgpSpeaker } from '@ironlb/bgp-speaker';
import { MemoryNetwork } from '@ironlb/bgp-speaker/testing';

const net = new MemoryNetwork();
const router = createBgpSpeaker(
  { transport: net.transport('198.51.100.2') },
  { localAs: 64513, routerId: '198.51.100.2' },
);
router.onEvent(
  (e) => e.type === 'received' && e.announced.length && console.log('router got', e.announced),
);
await router.addPeer({ address: '198.51.100.1', peerAs: 64512, passive: true });

const node = createBgpSpeaker(
  { transport: net.transport('198.51.100.1') },
  { localAs: 64512, routerId: '198.51.100.1' },
);
node.announce('203.0.113.10/32');
await node.addPeer({ address: '198.51.100.2', peerAs: 64513 });
await net.flush();
console.log(node.status()[0]?.state); // Established
await node.stop();
await router.stop();
