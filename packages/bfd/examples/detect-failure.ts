// examples/detect-failure.ts — a node and a router run BFD over an in-memory network on a manual
// clock (no sockets, no root, no waiting); the router's link dies and the node's session goes
// down one Detection Time after the router's last packet. Run it with `node` (Node ≥ 24) after
// `npm install @ironlb/bfd`.
import { createBfdManager } from '@ironlb/bfd';
import type { BfdEvent } from '@ironlb/bfd';
import { MemoryBfdNetwork } from '@ironlb/bfd/testing';
import { ManualClock, seededRandom } from '@ironlb/clock/testing';

const clock = new ManualClock();
const net = new MemoryBfdNetwork(clock, { latencyMs: 1 });
const node = createBfdManager(
  { clock, random: seededRandom(1), transport: net.transport(['198.51.100.1']) },
  { maxSessions: 16 },
);
const router = createBfdManager({
  clock,
  random: seededRandom(2),
  transport: net.transport(['198.51.100.2']),
});

node.onEvent((e: BfdEvent) => {
  if (e.type === 'up') console.log(`up: ${e.peer}`);
  // An app takes the BGP session to e.peer down here: speaker.peerDown(e.peer, ...).
  if (e.type === 'down' && e.pathFailure)
    console.log(`down: ${e.peer} (${e.diag}), ${e.sinceLastPacketMs} ms after its last packet`);
});

// MetalLB's BFDProfile defaults: receiveInterval 300, transmitInterval 300, detectMultiplier 3.
await node.addSession({
  peerAddress: '198.51.100.2',
  receiveIntervalMs: 300,
  transmitIntervalMs: 300,
  detectMultiplier: 3,
});
await router.addSession({ peerAddress: '198.51.100.1', passiveMode: true });

clock.advance(5_000);
const s = node.session({ peerAddress: '198.51.100.2' })!;
console.log(
  `agreed: a packet every ${s.actualTransmitIntervalMs} ms, detection after ${s.detectionTimeMs} ms`,
);

net.cut('198.51.100.2'); // the router's link dies
clock.advance(2_000);
console.log(node.session({ peerAddress: '198.51.100.2' })?.state);
await node.close();
await router.close();
