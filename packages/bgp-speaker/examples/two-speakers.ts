// Two speakers peering over the in-memory network (no sockets, no root): a "router" that waits
// for the session and a "node" that announces a Service address to it.
import { createBgpSpeaker } from '@ironlb/bgp-speaker';
import { MemoryNetwork } from '@ironlb/bgp-speaker/testing';

const net = new MemoryNetwork();
const router = createBgpSpeaker(
  { transport: net.transport('198.51.100.2') },
  { localAs: 64513, routerId: '198.51.100.2' },
);
router.onEvent((e) => {
  if (e.type === 'received' && e.announced.length) console.log('router got', e.announced);
});
await router.addPeer({ address: '198.51.100.1', peerAs: 64512, passive: true });

const node = createBgpSpeaker(
  { transport: net.transport('198.51.100.1') },
  { localAs: 64512, routerId: '198.51.100.1' },
);
node.announce('203.0.113.10/32', { communities: [0xfc000064] }); // 64512:100
await node.addPeer({ address: '198.51.100.2', peerAs: 64513, holdTimeSec: 9 });
await net.flush();
const [peer] = node.status();
console.log(peer?.state, peer?.holdTimeSec, peer?.keepaliveTimeSec, peer?.counters.prefixesSent);
await node.stop('maintenance'); // Cease/2 with an RFC 9003 shutdown message
await router.stop();
