// Issue 14 on a real TCP connection: a peer that completes the OPEN exchange, then never reads and
// sends 100k ROUTE-REFRESH messages (2.3 MB) to the CLI announcing 2000 prefixes. The queue on our
// socket (status().outputQueueBytes, node:net's writableLength) stays below the cap, the requests
// are all processed, the session stays up and nothing overflows. (RSS under this attack is a bench
// figure: `nx run bgp-speaker:bench`.)
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { netnsSkipReason } from '@ironlb/netns-kit';
import { established, linkedPair, startCli, waitEvent } from './harness.js';

const skip = netnsSkipReason([]);
const peerScript = fileURLToPath(new URL('./never-reading-peer.ts', import.meta.url));
const CAP = 1 << 20; // maxOutputQueueBytes default

interface Status {
  state: string;
  outputQueueBytes: number;
  counters: { routeRefreshesIn: number; outputOverflows: number };
}

describe.skipIf(skip)(
  `ironlb-bgp vs a peer that never reads${skip ? ' — SKIPPED: ' + skip : ''}`,
  () => {
    const env = linkedPair('bgpslow', 'slow');

    it('100k ROUTE-REFRESH from a never-reading peer: queued bytes stay under the cap, session up', async () => {
      const { us, rt } = env;
      const peer = rt.spawnNode(peerScript, [
        '--listen',
        '198.51.100.2:179',
        '--refreshes',
        '100000',
      ]);
      expect(JSON.parse(await peer.waitForLine(/listening/, 15_000))).toMatchObject({
        rcvbuf: true,
      });
      const prefixes = Array.from({ length: 2000 }, (_, i) => `198.18.${i >> 8}.${i & 255}/32`);
      const cli = startCli(us, [
        'announce',
        '--local-as',
        '64512',
        '--peer',
        '198.51.100.2',
        '--peer-as',
        '64513',
        '--log-level',
        'warn',
        ...prefixes,
      ]);
      try {
        await waitEvent(cli, established, 30_000);
        await peer.waitForLine(/sent-refreshes/, 60_000);
        let last: Status | undefined;
        let maxQueued = 0;
        for (let i = 0; i < 300; i++) {
          const mark = cli.lines.length;
          cli.writeLine('status');
          const st = await waitEvent(cli, (e) => e.event === 'status', 10_000, mark);
          last = (st.peers as Status[])[0];
          maxQueued = Math.max(maxQueued, last?.outputQueueBytes ?? 0);
          if (last?.counters.routeRefreshesIn === 100_000) break;
          await new Promise((r) => setTimeout(r, 200));
        }
        expect(last?.counters.routeRefreshesIn).toBe(100_000);
        expect(last?.state).toBe('Established');
        expect(last?.counters.outputOverflows).toBe(0);
        // The peer really never read: what we sent sits in our kernel's send queue, behind its
        // closed window (polling status() alone can miss the moments node:net held bytes: with
        // coalesced resends the kernel may take each one whole).
        const ss = await us.run(['ss', '-tnH', 'state', 'established', 'dport', '=', ':179']);
        const sendQ = Number(ss.stdout.trim().split(/\s+/)[1]);
        expect(sendQ).toBeGreaterThan(0);
        // Below the cap by far: the high-water mark (64 KiB) plus at most one chunk.
        expect(maxQueued).toBeLessThan(CAP);
        expect(maxQueued).toBeLessThanOrEqual(256 * 1024);
        expect(cli.running).toBe(true);
      } finally {
        await cli.stop();
        await peer.stop();
      }
    });
  },
);
