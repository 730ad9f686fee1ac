// ironlb-bfd against BIRD 2.0.12's `protocol bfd`, single-hop over IPv4 and IPv6: both active,
// either side passive, detection of a blackholed link. BIRD sends from an ordinary ephemeral
// port, breaking RFC 5881 §4's 49152–65535 (protocols.md §2); we pin its namespace's ephemeral
// range below 49152 so that is certain, and accept its packets anyway, as FRR does.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Tcpdump, Topology, decodeFrame, netnsSkipReason, pollUntil } from '@ironlb/netns-kit';
import type { Netns, NsProcess } from '@ironlb/netns-kit';
import {
  birdSessions,
  cliStatus,
  ensureBuilt,
  measureDetection,
  isUp,
  startBird,
  startCli,
  waitEvent,
} from './harness.js';

const skip = netnsSkipReason(['bird', 'birdc', 'tcpdump']);

const V4 = { us: '198.51.100.1', bird: '198.51.100.2' };
const V6 = { us: '2001:db8:200::1', bird: '2001:db8:200::2' };

describe.skipIf(skip)(
  `ironlb-bfd ⇄ BIRD BFD, single-hop${skip ? ' — SKIPPED: ' + skip : ''}`,
  () => {
    let topo: Topology;
    let us: Netns;
    let rt: Netns;
    let cli: NsProcess | undefined;
    let bird: ReturnType<typeof startBird> | undefined;

    beforeAll(async () => {
      ensureBuilt();
      topo = await Topology.create('bfdbird');
      us = await topo.addNamespace('us');
      rt = await topo.addNamespace('bird');
      await topo.link(us, 'v1', rt, 'v2', {
        a: [`${V4.us}/24`, `${V6.us}/64`],
        b: [`${V4.bird}/24`, `${V6.bird}/64`],
      });
      await rt.run(['sysctl', '-qw', 'net.ipv4.ip_local_port_range=41000 41999']);
    });
    afterAll(async () => {
      await cli?.stop(3_000);
      await bird?.proc.stop(3_000);
      await topo?.destroy();
    });

    async function restart(o: { weArgs: string[]; birdPassive?: boolean }): Promise<NsProcess> {
      await cli?.stop(3_000);
      await bird?.proc.stop(3_000);
      bird = startBird(topo, rt, V4.bird, {
        iface: 'v2',
        neighbors: [V4.us, V6.us],
        passive: o.birdPassive,
      });
      cli = startCli(us, o.weArgs);
      await waitEvent(cli, (e) => e.event === 'ready', 10_000);
      return cli;
    }

    const birdState = async () => birdSessions(await bird!.birdc('show', 'bfd', 'sessions'));

    it('both active: IPv4 and IPv6 come Up; BIRD sends from a port below 49152 and we accept it', async () => {
      const cap = await Tcpdump.start(us, 'v1', 'udp port 3784');
      const p = await restart({ weArgs: ['--peer', V4.bird, '--peer', V6.bird] });
      await waitEvent(p, isUp(V4.bird), 20_000);
      await waitEvent(p, isUp(V6.bird), 20_000);
      const view = await pollUntil(
        birdState,
        (m) => m.get(V4.us) === 'Up' && m.get(V6.us) === 'Up',
        10_000,
      );
      expect(view.get(V4.us)).toBe('Up');
      expect(view.get(V6.us)).toBe('Up');
      await new Promise((r) => setTimeout(r, 1_500));
      const st = await cliStatus(p);
      for (const s of st)
        expect(s).toMatchObject({
          state: 'Up',
          actualTransmitIntervalMs: 300,
          detectionTimeMs: 900,
          remoteDetectMultiplier: 3,
        });
      const fromBird = (await cap.stop())
        .map((c) => decodeFrame(c.data)!)
        .filter((f) => f.ipv4?.src === V4.bird || f.ipv6?.src === V6.bird);
      expect(fromBird.length).toBeGreaterThan(5);
      for (const f of fromBird) {
        expect(f.udp!.srcPort).toBeGreaterThanOrEqual(41000);
        expect(f.udp!.srcPort).toBeLessThan(49152);
        expect(f.ipv4?.ttl ?? f.ipv6?.hopLimit).toBe(255);
      }
    });

    it('a blackholed link: we detect it within 3 × 300 ms + 10 %; it heals', async () => {
      const attempts = await measureDetection({
        p: cli!,
        peers: [V4.bird, V6.bird],
        cut: () => topo.blackhole(us, 'v1'),
        heal: () => topo.clearLoss(us, 'v1'),
        boundMs: 990,
        onDown: async () => {
          const view = await pollUntil(birdState, (m) => m.get(V4.us) === 'Down', 5_000);
          expect(view.get(V4.us)).toBe('Down');
        },
      });
      for (const a of attempts)
        for (const d of a.downs) {
          expect(d).toMatchObject({ diag: 'control-detection-time-expired', pathFailure: true });
          expect(d.sinceLastPacketMs as number).toBeGreaterThanOrEqual(900);
          expect(d.sinceLastPacketMs as number).toBeLessThan(2_000);
        }
      expect(Math.max(...attempts.at(-1)!.ms)).toBeLessThanOrEqual(990);
      console.log(`BIRD detection (ms, per attempt): ${JSON.stringify(attempts.map((a) => a.ms))}`);
    });

    it('we passive, BIRD active', async () => {
      const p = await restart({ weArgs: ['--peer', V4.bird, '--peer', V6.bird, '--passive'] });
      await waitEvent(p, isUp(V4.bird), 20_000);
      await waitEvent(p, isUp(V6.bird), 20_000);
      expect((await cliStatus(p)).every((s) => s.passive === true && s.state === 'Up')).toBe(true);
    });

    it('BIRD passive: nothing with us passive too; we active → Up', async () => {
      const q = await restart({ weArgs: ['--peer', V4.bird, '--passive'], birdPassive: true });
      await new Promise((r) => setTimeout(r, 2_500));
      expect((await cliStatus(q))[0]).toMatchObject({ state: 'Down', packetsIn: 0, packetsOut: 0 });
      const p = await restart({
        weArgs: ['--peer', V4.bird, '--peer', V6.bird],
        birdPassive: true,
      });
      await waitEvent(p, isUp(V4.bird), 20_000);
      await waitEvent(p, isUp(V6.bird), 20_000);
      const view = await pollUntil(birdState, (m) => m.get(V4.us) === 'Up', 10_000);
      expect(view.get(V4.us)).toBe('Up');
    });
  },
);
