// Captures golden vectors: FRR 8.4 bfdd and BIRD 2.0.12 each run a single-hop IPv4 session with
// our CLI inside network namespaces; tcpdump on the peer's side records its Control packets
// through bring-up, the Poll Sequence and, after our side is blackholed, its detection; one packet
// of each kind is written as hex to test/fixtures/golden/<peer>-<kind>.hex.
// Run as root:  node --import tsx packages/bfd/test/capture-golden.ts
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Tcpdump, Topology, decodeFrame } from '@ironlb/netns-kit';
import type { Netns } from '@ironlb/netns-kit';
import { State, decodeControl } from '../src/index.js';
import type { ControlPacket } from '../src/index.js';
import {
  ensureBuilt,
  isDown,
  isUp,
  pkgDir,
  startBird,
  startCli,
  startFrr,
  waitEvent,
} from './harness.js';

const outDir = join(pkgDir, 'test', 'fixtures', 'golden');

const KINDS: [string, (p: ControlPacket) => boolean][] = [
  ['down-initial', (p) => p.state === State.Down && p.yourDiscriminator === 0 && p.diag === 0],
  ['init', (p) => p.state === State.Init],
  ['up-poll', (p) => p.state === State.Up && p.poll],
  ['final', (p) => p.state === State.Up && p.final],
  ['up-steady', (p) => p.state === State.Up && !p.poll && !p.final && p.desiredMinTxUs === 300_000],
  ['down-detect', (p) => p.state === State.Down && p.diag === 1],
];

async function captureOne(
  kind: 'frr' | 'bird',
  start: (topo: Topology, rt: Netns) => Promise<unknown>,
): Promise<void> {
  const topo = await Topology.create(`gold${kind}`);
  try {
    const us = await topo.addNamespace('us');
    const rt = await topo.addNamespace('rt');
    await topo.link(us, 'v1', rt, 'v2', { a: ['198.51.100.1/24'], b: ['198.51.100.2/24'] });
    const cap = await Tcpdump.start(rt, 'v2', 'udp port 3784 and src host 198.51.100.2');
    await start(topo, rt);
    const cli = startCli(us, ['--peer', '198.51.100.2']);
    await waitEvent(cli, isUp('198.51.100.2'), 20_000);
    await new Promise((r) => setTimeout(r, 2_000));
    await topo.blackhole(us, 'v1');
    await waitEvent(cli, isDown('198.51.100.2'), 5_000);
    await new Promise((r) => setTimeout(r, 1_500));
    const payloads = (await cap.stop())
      .map((c) => decodeFrame(c.data)?.udp?.payload)
      .filter((p): p is Buffer => p !== undefined);
    for (const [name, pred] of KINDS) {
      const hit = payloads.find((b) => {
        try {
          return pred(decodeControl(new Uint8Array(b)));
        } catch {
          return false;
        }
      });
      if (!hit) {
        console.log(`${kind}: no ${name} packet captured`);
        continue;
      }
      writeFileSync(join(outDir, `${kind}-${name}.hex`), hit.toString('hex') + '\n');
      console.log(`${kind}-${name}: ${hit.toString('hex')}`);
    }
    await cli.stop(3_000);
  } finally {
    await topo.destroy();
  }
}

ensureBuilt();
mkdirSync(outDir, { recursive: true });
await captureOne('frr', (topo, rt) =>
  startFrr(topo, rt, '198.51.100.2', [{ address: '198.51.100.1', interface: 'v2' }]),
);
await captureOne('bird', async (topo, rt) =>
  startBird(topo, rt, '198.51.100.2', { iface: 'v2', neighbors: ['198.51.100.1'] }),
);
