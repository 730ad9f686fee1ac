// Issue 14: writes respect backpressure. A peer that reads slowly or never gets our UPDATEs only as
// fast as it takes them; what we owe it stays bounded state; the queue on its socket stays below
// the high-water mark plus one chunk, and a cap past that resets the session (Cease/8, counted).
// The peer here is a raw fake router on the in-memory network whose reading can be paused.
import { describe, expect, it } from 'vitest';
import { BgpFramer } from '../codec/framer.js';
import { decodeMessage } from '../codec/message.js';
import { encodeKeepalive, encodeRouteRefresh } from '../codec/notification.js';
import { encodeOpenBody } from '../codec/open.js';
import { encodeFrame } from '../codec/update.js';
import { ManualClock, MemoryNetwork, seededRandom } from '../testing/index.js';
import type { MemorySocket } from '../testing/index.js';
import type { BgpSocket } from '../deps.js';
import type { SpeakerEvent } from './events.js';
import { createBgpSpeaker } from './speaker.js';

const HWM = 64 * 1024;
/** A chunk is at most 4096 /32 prefixes: ~20 KB of UPDATEs; allow a whole 64 KiB more. */
const BOUND = HWM + 64 * 1024;

/** A fake router at 198.51.100.2 that decodes what it reads and can flood us with bytes. */
async function rawRouter(net: MemoryNetwork, o: { holdTimeSec?: number } = {}) {
  const r = {
    sock: null as BgpSocket | null,
    framer: new BgpFramer({ maxFrameBytes: 65535 }),
    prefixes: 0,
    endOfRib: 0,
    notifications: [] as [number, number][],
  };
  await net.transport('198.51.100.2').listen({ host: '198.51.100.2', port: 179 }, (sock) => {
    r.sock = sock;
    sock.onData((d) => {
      for (const f of r.framer.push(d)) {
        const m = decodeMessage(f, { fourOctetAs: true });
        if (m.type === 'update') {
          r.prefixes += m.nlri.length;
          if (m.endOfRib) r.endOfRib++;
        }
        if (m.type === 'notification') r.notifications.push([m.code, m.subcode]);
      }
    });
    sock.write(
      encodeFrame(
        1,
        encodeOpenBody({
          asn: 64513,
          holdTimeSec: o.holdTimeSec ?? 0,
          bgpId: '198.51.100.2',
          families: [{ afi: 1, safi: 1 }],
          routeRefresh: true,
        }),
      ),
    );
    sock.write(encodeKeepalive());
  });
  return r;
}

async function speakerWith(routes: number, peer: Record<string, unknown> = {}) {
  const net = new MemoryNetwork();
  const clock = new ManualClock(1000);
  const router = await rawRouter(net);
  const s = createBgpSpeaker(
    { clock, random: seededRandom(1), transport: net.transport('198.51.100.1') },
    { localAs: 64512, routerId: '198.51.100.1' },
  );
  const events: SpeakerEvent[] = [];
  s.onEvent((e) => events.push(e));
  for (let i = 0; i < routes; i++) s.announce(`198.18.${(i >> 8) & 255}.${i & 255}/32`);
  // The router stops reading before the session comes up: everything we send queues.
  net.pauseReading('198.51.100.2');
  await s.addPeer({ address: '198.51.100.2', peerAs: 64513, ...peer });
  await net.flush();
  const ours = () =>
    net.sockets.find((x) => x.localAddress === '198.51.100.1' && !x.closed) as MemorySocket;
  return { net, clock, router, s, events, ours };
}

describe('backpressure (issue 14)', () => {
  it('a slow reader gets a 20k-prefix initial dump at its own pace; the queue never passes the high-water mark plus one chunk', async () => {
    const { net, router, s, ours } = await speakerWith(20_000);
    expect(s.status()[0]?.state).toBe('Established');
    expect(ours().maxBufferedBytes).toBeGreaterThanOrEqual(HWM);
    expect(ours().maxBufferedBytes).toBeLessThanOrEqual(BOUND);
    expect(s.status()[0]?.pendingPrefixes).toBeGreaterThan(0);
    for (let i = 0; i < 1000 && router.endOfRib === 0; i++) {
      net.readSome('198.51.100.2', 16 * 1024);
      await net.flush();
    }
    expect(router.prefixes).toBe(20_000);
    expect(router.endOfRib).toBe(1);
    expect(ours().maxBufferedBytes).toBeLessThanOrEqual(BOUND);
    expect(s.status()[0]).toMatchObject({ pendingPrefixes: 0, counters: { prefixesSent: 20_000 } });
    await s.stop();
  });

  it('100k ROUTE-REFRESH from a peer that never reads: queued bytes stay bounded and the resends are coalesced', async () => {
    const { net, router, s, ours } = await speakerWith(2000);
    // 100k requests (2.3 MB) in 64 KB segments, as TCP would deliver them.
    const rr = encodeRouteRefresh(1, 1);
    const perSegment = Math.floor(65536 / rr.length);
    for (let sent = 0; sent < 100_000; sent += perSegment) {
      const n = Math.min(perSegment, 100_000 - sent);
      const seg = new Uint8Array(n * rr.length);
      for (let i = 0; i < n; i++) seg.set(rr, i * rr.length);
      router.sock!.write(seg);
      await net.flush(3);
    }
    await net.flush();
    const st = s.status()[0]!;
    expect(st.state).toBe('Established');
    expect(st.counters.routeRefreshesIn).toBe(100_000);
    expect(st.counters.outputOverflows).toBe(0);
    expect(ours().maxBufferedBytes).toBeLessThanOrEqual(BOUND);
    expect(st.outputQueueBytes).toBeLessThanOrEqual(BOUND);
    // Reading again, the router gets the dump plus a handful of resends, not 100k of them.
    net.resumeReading('198.51.100.2');
    await net.flush();
    expect(router.prefixes % 2000).toBe(0);
    expect(router.prefixes / 2000).toBeLessThanOrEqual(1 + Math.ceil(BOUND / 10_000) + 1);
    await s.stop();
  });

  it('past maxOutputQueueBytes the session is reset with Cease/8 and counted, then reconnects', async () => {
    const { net, clock, s, events } = await speakerWith(10_000, { maxOutputQueueBytes: 16 * 1024 });
    expect(s.status()[0]?.counters.outputOverflows).toBe(1);
    expect(events).toContainEqual(
      expect.objectContaining({ type: 'notification', direction: 'sent', code: 6, subcode: 8 }),
    );
    expect(s.status()[0]?.state).not.toBe('Established');
    net.resumeReading('198.51.100.2');
    clock.advance(1500);
    await net.flush();
    expect(s.status()[0]?.counters.establishedTransitions).toBe(2);
    await s.stop();
  });

  it('a peer that takes nothing for SendHoldTime is closed with NOTIFICATION 8/0 (RFC 9687)', async () => {
    const { net, clock, s, events } = await speakerWith(20_000, { sendHoldTimeSec: 30 });
    expect(s.status()[0]?.state).toBe('Established');
    clock.advance(29_000);
    await net.flush();
    expect(s.status()[0]?.state).toBe('Established');
    clock.advance(1_500);
    await net.flush();
    expect(events).toContainEqual(
      expect.objectContaining({ type: 'notification', direction: 'sent', code: 8, subcode: 0 }),
    );
    expect(s.status()[0]?.state).not.toBe('Established');
    await s.stop();
  });

  it('a reader that keeps draining never trips the send hold timer', async () => {
    const { net, clock, router, s } = await speakerWith(20_000, { sendHoldTimeSec: 30 });
    for (let i = 0; i < 200 && router.endOfRib === 0; i++) {
      clock.advance(20_000);
      net.readSome('198.51.100.2', 16 * 1024);
      await net.flush();
    }
    expect(router.endOfRib).toBe(1);
    expect(s.status()[0]?.state).toBe('Established');
    await s.stop();
  });
});
