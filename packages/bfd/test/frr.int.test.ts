// ironlb-bfd against FRR 8.4's bfdd (the BFD MetalLB's FRR mode runs), single-hop over IPv4 and
// IPv6 on one link: both active, either side passive, what goes on the wire (TTL / Hop Limit 255,
// source port 49152–65535, destination 3784), and detection of a blackholed link within
// detectMultiplier × interval + 10 % on our side, with FRR's own detection alongside.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Tcpdump, Topology, decodeFrame, netnsSkipReason } from '@ironlb/netns-kit';
import type { Netns, NsProcess } from '@ironlb/netns-kit';
import { State, decodeControl } from '../src/index.js';
import {
  cliStatus,
  ensureBuilt,
  isUp,
  measureDetection,
  startCli,
  startFrr,
  waitEvent,
} from './harness.js';
import type { FrrBfd } from './harness.js';

const skip = netnsSkipReason(['vtysh', '/usr/lib/frr/bfdd', '/usr/lib/frr/zebra', 'tcpdump']);

const V4 = { us: '198.51.100.1', frr: '198.51.100.2' };
const V6 = { us: '2001:db8:200::1', frr: '2001:db8:200::2' };

describe.skipIf(skip)(
  `ironlb-bfd ⇄ FRR bfdd, single-hop${skip ? ' — SKIPPED: ' + skip : ''}`,
  () => {
    let topo: Topology;
    let us: Netns;
    let rt: Netns;
    let frr: FrrBfd;
    let cli: NsProcess | undefined;

    beforeAll(async () => {
      ensureBuilt();
      topo = await Topology.create('bfdfrr');
      us = await topo.addNamespace('us');
      rt = await topo.addNamespace('frr');
      await topo.link(us, 'v1', rt, 'v2', {
        a: [`${V4.us}/24`, `${V6.us}/64`],
        b: [`${V4.frr}/24`, `${V6.frr}/64`],
      });
      frr = await startFrr(topo, rt, V4.frr, [
        { address: V4.us, interface: 'v2' },
        { address: V6.us, interface: 'v2' },
      ]);
    });
    afterAll(async () => {
      await cli?.stop(3_000);
      await topo?.destroy();
    });

    async function restartCli(args: string[]): Promise<NsProcess> {
      await cli?.stop(3_000);
      cli = startCli(us, args);
      await waitEvent(cli, (e) => e.event === 'ready', 10_000);
      return cli;
    }

    it('both active: IPv4 and IPv6 sessions come Up with 300 ms × 3 agreed; our packets carry TTL 255 from a source port in 49152–65535', async () => {
      const cap = await Tcpdump.start(rt, 'v2', 'udp port 3784');
      const p = await restartCli(['--peer', V4.frr, '--peer', V6.frr]);
      await waitEvent(p, isUp(V4.frr), 20_000);
      await waitEvent(p, isUp(V6.frr), 20_000);
      // Let the Poll Sequences settle on both sides.
      const f4 = await frr.waitBfd(V4.us, 'up');
      await new Promise((r) => setTimeout(r, 1_500));
      const ours = await cliStatus(p);
      const s4 = ours.find((s) => s.peer === V4.frr)!;
      const s6 = ours.find((s) => s.peer === V6.frr)!;
      expect(s4).toMatchObject({
        state: 'Up',
        actualTransmitIntervalMs: 300,
        detectionTimeMs: 900,
        pollActive: false,
      });
      expect(s6).toMatchObject({
        state: 'Up',
        actualTransmitIntervalMs: 300,
        detectionTimeMs: 900,
      });
      // FRR's view: our discriminator, our timers.
      const frr4 = (await frr.bfdPeer(V4.us))!;
      const frr6 = (await frr.bfdPeer(V6.us))!;
      expect(f4?.status).toBe('up');
      expect(frr4).toMatchObject({
        status: 'up',
        'remote-id': s4.localDiscriminator,
        id: s4.remoteDiscriminator,
        'remote-receive-interval': 300,
        'remote-transmit-interval': 300,
        'remote-detect-multiplier': 3,
        'remote-echo-receive-interval': 0,
      });
      expect(frr6).toMatchObject({ status: 'up', 'remote-id': s6.localDiscriminator });

      const frames = (await cap.stop()).map((c) => decodeFrame(c.data)!);
      const fromUs = frames.filter((f) => f.ipv4?.src === V4.us || f.ipv6?.src === V6.us);
      expect(fromUs.length).toBeGreaterThan(10);
      for (const f of fromUs) {
        expect(f.ipv4?.ttl ?? f.ipv6?.hopLimit).toBe(255);
        expect(f.udp!.dstPort).toBe(3784);
        expect(f.udp!.srcPort).toBeGreaterThanOrEqual(49152);
      }
      // Every packet we sent, and every packet FRR sent, decodes; P and F never together.
      for (const f of frames) {
        const pkt = decodeControl(new Uint8Array(f.udp!.payload));
        expect(pkt.poll && pkt.final).toBe(false);
      }
      // Our slow start (1 s) then the Poll carrying 300 ms, answered by FRR's Final.
      const ourPkts = fromUs.map((f) => decodeControl(new Uint8Array(f.udp!.payload)));
      expect(ourPkts[0]).toMatchObject({
        state: State.Down,
        desiredMinTxUs: 1_000_000,
        yourDiscriminator: 0,
      });
      expect(
        ourPkts.some((x) => x.state === State.Up && x.poll && x.desiredMinTxUs === 300_000),
      ).toBe(true);
    });

    it('a blackholed link: we detect it within 3 × 300 ms + 10 %, and so does FRR; it heals', async () => {
      const attempts = await measureDetection({
        p: cli!,
        peers: [V4.frr, V6.frr],
        cut: () => topo.blackhole(us, 'v1'),
        heal: () => topo.clearLoss(us, 'v1'),
        boundMs: 990,
        onDown: async () => {
          const f = await frr.waitBfd(V4.us, 'down', 5_000);
          expect(f?.diagnostic).toBe('control detection time expired');
        },
      });
      for (const a of attempts)
        for (const d of a.downs) {
          expect(d).toMatchObject({
            diag: 'control-detection-time-expired',
            pathFailure: true,
            to: 'Down',
          });
          expect(d.sinceLastPacketMs as number).toBeGreaterThanOrEqual(900); // never early
          expect(d.sinceLastPacketMs as number).toBeLessThan(2_000);
        }
      expect(Math.max(...attempts.at(-1)!.ms)).toBeLessThanOrEqual(990);
      console.log(
        `FRR single-hop detection (ms, per attempt): ${JSON.stringify(attempts.map((a) => a.ms))}`,
      );
      expect((await frr.waitBfd(V4.us, 'up'))?.status).toBe('up');
    });

    it('we passive, FRR active: FRR speaks first and we answer', async () => {
      await cli?.stop(3_000); // its AdminDown must not be in the capture
      const cap = await Tcpdump.start(us, 'v1', 'udp port 3784');
      const p = await restartCli(['--peer', V4.frr, '--passive']);
      await waitEvent(p, isUp(V4.frr), 20_000);
      expect((await cliStatus(p))[0]).toMatchObject({ passive: true, state: 'Up' });
      const frames = (await cap.stop()).map((c) => decodeFrame(c.data)!).filter((f) => f.ipv4);
      const firstOurs = frames.findIndex((f) => f.ipv4!.src === V4.us);
      const firstTheirs = frames.findIndex((f) => f.ipv4!.src === V4.frr);
      expect(firstTheirs).toBeGreaterThanOrEqual(0);
      expect(firstOurs).toBeGreaterThan(firstTheirs);
      // Our first packet answers FRR's discriminator (RFC 5880 §6.1: passive waits to learn it).
      expect(
        decodeControl(new Uint8Array(frames[firstOurs]!.udp!.payload)).yourDiscriminator,
      ).not.toBe(0);
    });

    it('FRR passive, we active; and with both passive nothing is ever sent', async () => {
      await frr.configureBfd(`peer ${V4.us} interface v2`, 'passive-mode');
      const p = await restartCli(['--peer', V4.frr]);
      await waitEvent(p, isUp(V4.frr), 20_000);
      const f = await frr.waitBfd(V4.us, 'up');
      expect(f).toMatchObject({ status: 'up', 'passive-mode': true });

      const q = await restartCli(['--peer', V4.frr, '--passive']);
      await new Promise((r) => setTimeout(r, 2_500));
      expect((await cliStatus(q))[0]).toMatchObject({ state: 'Down', packetsOut: 0 });
      expect((await frr.bfdPeer(V4.us))?.status).not.toBe('up');
    });

    it('SIGTERM: exit 0, and FRR hears AdminDown (down, not blamed on the path)', async () => {
      await frr.configureBfd(`peer ${V4.us} interface v2`, 'no passive-mode');
      const p = await restartCli(['--peer', V4.frr]);
      await waitEvent(p, isUp(V4.frr), 20_000);
      await frr.waitBfd(V4.us, 'up');
      cli = undefined;
      expect(await p.stop(5_000)).toEqual({ code: 0, signal: null });
      const f = await frr.waitBfd(V4.us, 'down', 5_000);
      expect(f).toMatchObject({ status: 'down', 'remote-diagnostic': 'administratively down' });
    });
  },
);
