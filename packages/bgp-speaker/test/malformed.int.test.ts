// Malformed input from a peer: a crafted raw-TCP peer sends broken OPENs, UPDATEs and headers to
// the shipped CLI. Each gets the RFC 4271 / RFC 7606 answer (NOTIFICATION code/subcode, or
// treat-as-withdraw without a reset) and the speaker process never crashes.
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { netnsSkipReason } from '@ironlb/netns-kit';
import { linkedPair, startCli } from './harness.js';

const skip = netnsSkipReason([]);
const rawPeer = fileURLToPath(new URL('./raw-peer.ts', import.meta.url));

describe.skipIf(skip)(`ironlb-bgp vs malformed input${skip ? ' — SKIPPED: ' + skip : ''}`, () => {
  const env = linkedPair('bgpbad', 'raw');

  it('answers each malformed message per RFC 4271 / 7606 and keeps running', async () => {
    const { us, rt } = env;
    const peer = rt.spawnNode(rawPeer, ['--listen', '198.51.100.2:179', '--as', '64513']);
    await peer.waitForLine(/listening/, 15_000);
    const cli = startCli(us, [
      'announce',
      '--local-as',
      '64512',
      '--peer',
      '198.51.100.2',
      '--peer-as',
      '64513',
      '--connect-retry',
      '1s',
      '203.0.113.0/24',
    ]);
    try {
      await peer.waitForLine(/"done"/, 60_000);
      const replies = peer.jsonLines<{
        event: string;
        scenario: string;
        type: number;
        code?: number;
        subcode?: number;
      }>();
      const notif = (s: string) => replies.find((r) => r.scenario === s && r.type === 3);
      // Treat-as-withdraw cases: no NOTIFICATION, the session stayed up (our UPDATE/KEEPALIVE came).
      expect(notif('bad-origin')).toBeUndefined();
      expect(notif('bad-communities')).toBeUndefined();
      expect(replies.some((r) => r.scenario === 'bad-origin' && r.type === 2)).toBe(true);
      // Session-reset cases with the RFC's code/subcode.
      expect(notif('attr-overrun')).toMatchObject({ code: 3, subcode: 5 });
      expect(notif('bad-marker')).toMatchObject({ code: 1, subcode: 1 });
      expect(notif('bad-type')).toMatchObject({ code: 1, subcode: 3 });
      expect(notif('hold-2')).toMatchObject({ code: 2, subcode: 6 });
      expect(notif('bad-as')).toMatchObject({ code: 2, subcode: 2 });
      // The CLI reported the treat-as-withdraw and is still alive.
      const events = cli.jsonLines();
      const taw = events.filter((e) => e.event === 'received' && e.treatAsWithdraw === true);
      expect(taw.length).toBeGreaterThanOrEqual(2);
      expect(
        events.some(
          (e) => e.event === 'received' && (e.announced as string[]).includes('192.0.2.0/24'),
        ),
      ).toBe(true);
      expect(cli.running).toBe(true);
      cli.kill('SIGTERM');
      expect((await cli.waitForExit(5_000)).code).toBe(0);
    } finally {
      await cli.stop(2_000);
      await peer.stop(1_000);
    }
  });

  it('bad arguments: one-line error on stderr and exit code 2; --help exits 0', async () => {
    const { us } = env;
    const cases: [string[], RegExp][] = [
      [['announce', '--peer', '198.51.100.2', '--peer-as', '64513'], /--local-as is required/],
      [
        ['announce', '--local-as', '64512', '--peer', '198.51.100.300', '--peer-as', '64513'],
        /--peer: not an IP address/,
      ],
      [
        [
          'announce',
          '--local-as',
          '64512',
          '--peer',
          '198.51.100.2',
          '--peer-as',
          '64513',
          '203.0.113.0/33',
        ],
        /PREFIX: bad prefix length/,
      ],
      [
        [
          'announce',
          '--local-as',
          '64512',
          '--peer',
          '198.51.100.2',
          '--peer-as',
          '64513',
          '--hold-time',
          '2s',
        ],
        /--hold-time/,
      ],
      [['frobnicate'], /unknown command/],
    ];
    for (const [argv, re] of cases) {
      const p = startCli(us, argv);
      const st = await p.waitForExit(10_000);
      expect(st.code).toBe(2);
      const lines = p.stderr.trim().split('\n');
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(re);
    }
    const help = startCli(us, ['--help']);
    expect((await help.waitForExit(10_000)).code).toBe(0);
    expect(help.stdout).toMatch(/--local-as N/);
    // Port in use: a passive listener on a port already taken exits non-zero with one line.
    const blocker = us.spawnNode(rawPeer, ['--listen', '198.51.100.1:1790']);
    await blocker.waitForLine(/listening/, 15_000);
    const busy = startCli(us, [
      'announce',
      '--local-as',
      '64512',
      '--peer',
      '198.51.100.2',
      '--peer-as',
      '64513',
      '--passive',
      '--local-address',
      '198.51.100.1',
      '--port',
      '1790',
    ]);
    const st = await busy.waitForExit(10_000);
    expect(st.code).toBe(1);
    expect(busy.stderr.trim()).toMatch(/cannot listen on \[198\.51\.100\.1\]:1790/);
    await blocker.stop(1_000);
  });
});
