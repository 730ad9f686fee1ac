// Runs inside a namespace for bgp.int.test.ts: a BGP speaker (@ironlb/bgp-speaker) with one peer
// and a BFD session to the same address, wired the way an app does it — a BFD `down` that is a
// path failure takes the BGP session down at once (speaker.peerDown, Cease/10 "BFD Down",
// RFC 9384) instead of waiting for the hold timer. Prints both libraries' events as JSON lines.
// Usage: bgp-with-bfd.ts LOCAL_AS PEER PEER_AS PREFIX HOLD_TIME_SEC
/* eslint-disable @nx/enforce-module-boundaries -- written the way an app imports them, by package name */
import { createBfdManager } from '@ironlb/bfd';
import { createBgpSpeaker } from '@ironlb/bgp-speaker';

const [localAs, peer, peerAs, prefix, hold] = process.argv.slice(2);
const print = (src: string, e: object) =>
  process.stdout.write(JSON.stringify({ time: new Date().toISOString(), src, ...e }) + '\n');

const speaker = createBgpSpeaker({}, { localAs: Number(localAs), routerId: '198.51.100.1' });
const bfd = createBfdManager();
speaker.onEvent((e) => print('bgp', e));
bfd.onEvent((e) => {
  print('bfd', e);
  if (e.type === 'down' && e.pathFailure) speaker.peerDown(e.peer, `BFD ${e.diag}`);
});
speaker.announce(prefix!);
await speaker.addPeer({ address: peer!, peerAs: Number(peerAs), holdTimeSec: Number(hold) });
await bfd.addSession({ peerAddress: peer! });
print('harness', { type: 'ready' });

process.on('SIGTERM', () => {
  void Promise.all([bfd.close(), speaker.stop()]).then(() => process.exit(0));
});
