// Graceful restart (RFC 4724) against real routers acting as helpers (receiving speakers): the
// CLI announces with --graceful-restart, is SIGKILLed and restarted within the restart time — the
// router keeps our routes installed throughout — and SIGKILLed again without coming back — the
// router flushes them once the restart time is over.
import { describe, expect, it } from 'vitest';
import { Bird, Frr, netnsSkipReason, pollUntil } from '@ironlb/netns-kit';
import type { BgpDaemon, DaemonConfig, NsProcess } from '@ironlb/netns-kit';
import { established, linkedPair, startCli, waitEvent } from './harness.js';

type Kind = 'bird' | 'frr';
const starters: Record<Kind, (c: DaemonConfig) => Promise<BgpDaemon>> = {
  bird: (c) => Bird.start(c),
  frr: (c) => Frr.start(c),
};
const binaries: Record<Kind, string[]> = {
  bird: ['bird', 'birdc'],
  frr: ['/usr/lib/frr/bgpd', '/usr/lib/frr/zebra', 'vtysh'],
};
const RESTART_SEC = 8;
const PREFIXES = ['203.0.113.0/24', '203.0.113.128/25'];

for (const kind of ['bird', 'frr'] as Kind[]) {
  const skip = netnsSkipReason(binaries[kind]);
  describe.skipIf(skip)(
    `graceful restart: ironlb-bgp restarting, ${kind} helping${skip ? ' — SKIPPED: ' + skip : ''}`,
    () => {
      const env = linkedPair(`bgpgr${kind}`, 'router');

      it('routes stay installed while the speaker is SIGKILLed and restarted; flushed when it does not come back', async () => {
        const { topo, us, rt } = env;
        const router = await starters[kind]({
          ns: rt,
          dir: topo.tempDir(kind),
          as: 64513,
          routerId: '198.51.100.2',
          localAddress: '198.51.100.2',
          neighbors: [{ address: '198.51.100.1', as: 64512, holdTimeSec: 9 }],
        });
        const args = [
          'announce',
          '--local-as',
          '64512',
          '--peer',
          '198.51.100.2',
          '--peer-as',
          '64513',
          '--local-address',
          '198.51.100.1',
          '--family',
          'ipv4',
          '--hold-time',
          '9',
          '--connect-retry',
          '1s',
          '--graceful-restart',
          '--restart-time',
          `${RESTART_SEC}s`,
          ...PREFIXES,
        ];
        const count = async () =>
          (await router.routes('ipv4')).filter((r) => PREFIXES.includes(r.prefix)).length;
        let cli: NsProcess = startCli(us, args);
        try {
          await waitEvent(cli, established, 30_000);
          expect(await pollUntil(count, (n) => n === 2, 15_000)).toBe(2);
          const mark = cli.lines.length;
          cli.writeLine('status');
          const st = await waitEvent(cli, (e) => e.event === 'status', 5_000, mark);
          expect((st.peers as { gracefulRestart: boolean }[])[0]?.gracefulRestart).toBe(true);

          // Crash: no NOTIFICATION, the router keeps our routes as stale.
          cli.kill('SIGKILL');
          await cli.waitForExit(5_000);
          const seen: number[] = [];
          for (let i = 0; i < 6; i++) {
            seen.push(await count());
            await new Promise((r) => setTimeout(r, 300));
          }
          // Restarted well within the restart time: routes never left.
          cli = startCli(us, args);
          await waitEvent(cli, established, 30_000);
          for (let i = 0; i < 6; i++) {
            seen.push(await count());
            await new Promise((r) => setTimeout(r, 300));
          }
          expect(seen.every((n) => n === 2)).toBe(true);

          // Crash again and stay away: flushed after the restart time, not before.
          cli.kill('SIGKILL');
          await cli.waitForExit(5_000);
          const t0 = Date.now();
          await new Promise((r) => setTimeout(r, 2_000));
          expect(await count()).toBe(2);
          const gone = await pollUntil(count, (n) => n === 0, (RESTART_SEC + 20) * 1000, 250);
          const after = (Date.now() - t0) / 1000;
          expect(gone).toBe(0);
          expect(after).toBeGreaterThanOrEqual(RESTART_SEC - 1);
        } finally {
          await cli.stop(2_000);
          await router.stop();
        }
      });

      it('SIGTERM with --graceful-restart leaves the routes with the router; SIGINT withdraws them', async () => {
        const { topo, us, rt } = env;
        const router = await starters[kind]({
          ns: rt,
          dir: topo.tempDir(`${kind}-stop`),
          as: 64513,
          routerId: '198.51.100.2',
          localAddress: '198.51.100.2',
          neighbors: [{ address: '198.51.100.1', as: 64512, holdTimeSec: 9 }],
        });
        const args = [
          'announce',
          '--local-as',
          '64512',
          '--peer',
          '198.51.100.2',
          '--peer-as',
          '64513',
          '--local-address',
          '198.51.100.1',
          '--family',
          'ipv4',
          '--connect-retry',
          '1s',
          '--graceful-restart',
          '--restart-time',
          '60s',
          ...PREFIXES,
        ];
        const count = async () =>
          (await router.routes('ipv4')).filter((r) => PREFIXES.includes(r.prefix)).length;
        let cli = startCli(us, args);
        try {
          await waitEvent(cli, established, 30_000);
          expect(await pollUntil(count, (n) => n === 2, 15_000)).toBe(2);
          cli.kill('SIGTERM');
          expect((await cli.waitForExit(5_000)).code).toBe(0);
          expect(cli.jsonLines().some((e) => e.event === 'notification')).toBe(false);
          await new Promise((r) => setTimeout(r, 1_500));
          expect(await count()).toBe(2);
          cli = startCli(us, args);
          await waitEvent(cli, established, 30_000);
          cli.kill('SIGINT');
          expect((await cli.waitForExit(5_000)).code).toBe(0);
          expect(
            cli
              .jsonLines()
              .some((e) => e.event === 'notification' && e.code === 6 && e.subcode === 2),
          ).toBe(true);
          expect(await pollUntil(count, (n) => n === 0, 10_000, 200)).toBe(0);
        } finally {
          await cli.stop(2_000);
          await router.stop();
        }
      });
    },
  );
}
