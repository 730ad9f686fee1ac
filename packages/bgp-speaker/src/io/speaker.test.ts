// Two speakers over the in-memory network with a manual clock: announcements, packing, End-of-RIB,
// withdraw, re-send after reconnect, hold timer on a blackholed link, loop prevention.
import { describe, expect, it } from 'vitest';
import { BgpError, BgpErrorCode } from '../errors.js';
import { parseCommunity } from '../codec/communities.js';
import { ManualClock, MemoryNetwork, seededRandom } from '../testing/index.js';
import { createBgpSpeaker } from './speaker.js';
import type { SpeakerEvent } from './events.js';
import { encodeKeepalive, encodeRouteRefresh } from '../codec/notification.js';
import { encodeOpenBody } from '../codec/open.js';
import { parsePrefix } from '../codec/prefix.js';
import { encodeFrame, packAnnouncements } from '../codec/update.js';

async function pair(opts: { ibgp?: boolean; holdTimeSec?: number } = {}) {
  const net = new MemoryNetwork();
  const clock = new ClockWrap();
  const asB = opts.ibgp ? 64512 : 64513;
  const a = createBgpSpeaker(
    { clock: clock.c, random: seededRandom(1), transport: net.transport('198.51.100.1') },
    { localAs: 64512, routerId: '198.51.100.1' },
  );
  const b = createBgpSpeaker(
    { clock: clock.c, random: seededRandom(2), transport: net.transport('198.51.100.2') },
    { localAs: asB, routerId: '198.51.100.2' },
  );
  const ea: SpeakerEvent[] = [];
  const eb: SpeakerEvent[] = [];
  a.onEvent((e) => ea.push(e));
  b.onEvent((e) => eb.push(e));
  await b.addPeer({
    address: '198.51.100.1',
    peerAs: 64512,
    passive: true,
    localAddress: '198.51.100.2',
    holdTimeSec: opts.holdTimeSec ?? 9,
    dualStackAddressFamily: true,
  });
  return { net, clock: clock.c, a, b, ea, eb, asB };
}

class ClockWrap {
  c = new ManualClock(1000);
}

const received = (ev: SpeakerEvent[]) =>
  ev.filter((e): e is Extract<SpeakerEvent, { type: 'received' }> => e.type === 'received');

describe('speaker over an in-memory network', () => {
  it('establishes, dumps routes with End-of-RIB per family, then sends changes and withdrawals', async () => {
    const { net, a, b, ea, eb, asB } = await pair();
    a.announce('203.0.113.0/24', { communities: [parseCommunity('64512:100')] });
    a.announce('2001:db8:1::/48');
    await a.addPeer({
      address: '198.51.100.2',
      peerAs: asB,
      holdTimeSec: 9,
      localAddress: '198.51.100.1',
      nextHopIpv6: ['2001:db8:200::1'],
      dualStackAddressFamily: true,
    });
    await net.flush();
    expect(a.status()[0]?.state).toBe('Established');
    expect(b.status()[0]?.state).toBe('Established');
    const r = received(eb);
    expect(r.flatMap((x) => x.announced).sort()).toEqual(['2001:db8:1::/48', '203.0.113.0/24']);
    expect(
      r
        .map((x) => x.endOfRib)
        .filter(Boolean)
        .sort(),
    ).toEqual(['ipv4', 'ipv6']);
    eb.length = 0;
    a.withdraw('203.0.113.0/24');
    a.announce('198.51.100.128/25');
    await net.flush();
    expect(received(eb).flatMap((x) => x.withdrawn)).toEqual(['203.0.113.0/24']);
    expect(received(eb).flatMap((x) => x.announced)).toEqual(['198.51.100.128/25']);
    const sent = ea.filter((e) => e.type === 'sent');
    expect(sent.length).toBeGreaterThan(0);
    expect(a.status()[0]?.counters.prefixesSent).toBe(2);
  });

  it('packs a burst of 5000 announcements into few UPDATEs sent in one turn', async () => {
    const { net, a, eb, asB } = await pair();
    await a.addPeer({ address: '198.51.100.2', peerAs: asB, holdTimeSec: 9 });
    await net.flush();
    const before = a.status()[0]!.counters.updatesOut;
    for (let i = 0; i < 5000; i++) a.announce(`198.18.${i >> 8}.${i & 0xff}/32`);
    await net.flush();
    const msgs = a.status()[0]!.counters.updatesOut - before;
    // 5000 × 5 bytes / (65535 - header) → 1 message with extended messages negotiated.
    expect(msgs).toBeLessThanOrEqual(2);
    expect(received(eb).flatMap((x) => x.announced)).toHaveLength(5000);
  });

  it('eBGP gets AS_PATH [own AS] and no LOCAL_PREF; iBGP gets an empty AS_PATH and LOCAL_PREF', async () => {
    for (const ibgp of [false, true]) {
      const { net, a, b, asB } = await pair({ ibgp });
      const updates: unknown[] = [];
      b.onEvent(() => undefined);
      a.announce('203.0.113.7/32', {
        localPref: 250,
        largeCommunities: [{ global: 64512, local1: 1, local2: 2 }],
      });
      await a.addPeer({ address: '198.51.100.2', peerAs: asB, holdTimeSec: 9 });
      await net.flush();
      // Inspect the bytes A wrote: decode its UPDATE via B's received event is attribute-less,
      // so read the wire: find the UPDATE in the memory sockets.
      const { decodeMessage } = await import('../codec/message.js');
      const { BgpFramer } = await import('../codec/framer.js');
      const sock = net.sockets.find((s) => s.localAddress === '198.51.100.1');
      const frames = new BgpFramer({ maxFrameBytes: 65535 }).push(Buffer.concat(sock!.written));
      for (const f of frames) {
        const m = decodeMessage(f, { fourOctetAs: true });
        if (m.type === 'update' && m.nlri.length) updates.push(m.attributes);
      }
      expect(updates).toHaveLength(1);
      const at = updates[0] as {
        asPath: unknown;
        localPref?: number;
        nextHop: string;
        largeCommunities: unknown;
      };
      expect(at.asPath).toEqual(ibgp ? [] : [{ type: 2, asns: [64512] }]);
      expect(at.localPref).toBe(ibgp ? 250 : undefined);
      expect(at.nextHop).toBe('198.51.100.1');
      expect(at.largeCommunities).toEqual([{ global: 64512, local1: 1, local2: 2 }]);
    }
  });

  it('IPv6 routes over an IPv4 session carry a 16-byte IPv4-mapped next hop the receiver accepts (RFC 2545 §3)', async () => {
    const { net, a, eb, asB } = await pair();
    a.announce('2001:db8:1::/48');
    // No nextHopIpv6 and an IPv4-only session: next-hop-self is ::ffff:198.51.100.1.
    await a.addPeer({
      address: '198.51.100.2',
      peerAs: asB,
      holdTimeSec: 9,
      localAddress: '198.51.100.1',
      dualStackAddressFamily: true,
    });
    await net.flush();
    const got = received(eb).filter((x) => x.announced.length || x.treatAsWithdraw);
    expect(got).toHaveLength(1);
    expect(got[0]).toMatchObject({
      announced: ['2001:db8:1::/48'],
      treatAsWithdraw: false,
      problems: [],
    });
    const { decodeMessage } = await import('../codec/message.js');
    const { BgpFramer } = await import('../codec/framer.js');
    const sock = net.sockets.find((s) => s.localAddress === '198.51.100.1');
    const frames = new BgpFramer({ maxFrameBytes: 65535 }).push(Buffer.concat(sock!.written));
    const mp = frames
      .map((f) => decodeMessage(f, { fourOctetAs: true }))
      .flatMap((m) => (m.type === 'update' && m.nlri.length ? [m.attributes.mpReach] : []));
    expect(mp).toHaveLength(1);
    expect(mp[0]?.nextHops).toEqual(['::ffff:198.51.100.1']);
  });

  it('announce() refuses values the wire cannot carry: INVALID_VALUE for 4-octet ranges, ENCODE_ERROR for oversized attributes', () => {
    const s = createBgpSpeaker(
      { transport: new MemoryNetwork().transport('198.51.100.1') },
      { localAs: 4200000001, routerId: '198.51.100.1' },
    );
    const codeOf = (fn: () => void) => {
      try {
        fn();
      } catch (err) {
        return err instanceof BgpError ? err.code : 'not a BgpError';
      }
      return 'accepted';
    };
    const p = '203.0.113.0/24';
    expect(codeOf(() => s.announce(p, { med: 2 ** 32 }))).toBe(BgpErrorCode.InvalidValue);
    expect(codeOf(() => s.announce(p, { med: -1 }))).toBe(BgpErrorCode.InvalidValue);
    expect(codeOf(() => s.announce(p, { localPref: 2 ** 32 }))).toBe(BgpErrorCode.InvalidValue);
    expect(codeOf(() => s.announce(p, { localPref: 0.5 }))).toBe(BgpErrorCode.InvalidValue);
    expect(codeOf(() => s.announce(p, { communities: [2 ** 32] }))).toBe(BgpErrorCode.InvalidValue);
    expect(
      codeOf(() => s.announce(p, { largeCommunities: [{ global: -1, local1: 0, local2: 0 }] })),
    ).toBe(BgpErrorCode.InvalidValue);
    const many = (n: number) => Array.from({ length: n }, (_, i) => 0x10000 + i);
    expect(codeOf(() => s.announce(p, { communities: many(1100) }))).toBe(BgpErrorCode.EncodeError);
    expect(codeOf(() => s.announce('2001:db8::/48', { communities: many(1010) }))).toBe(
      BgpErrorCode.EncodeError,
    );
    expect(codeOf(() => s.announce('2001:db8::/48', { nextHop: '192.0.2.1' }))).toBe(
      BgpErrorCode.InvalidValue,
    );
    expect(s.routes()).toEqual([]);
    // The extremes that do fit are accepted.
    expect(codeOf(() => s.announce(p, { med: 2 ** 32 - 1, localPref: 0 }))).toBe('accepted');
    expect(codeOf(() => s.announce(p, { communities: many(990) }))).toBe('accepted');
    expect(codeOf(() => s.announce('2001:db8::/48', { nextHop: '::ffff:192.0.2.1' }))).toBe(
      'accepted',
    );
  });

  it('a route one peer cannot encode is skipped for that peer only; other routes and peers still get their UPDATEs', async () => {
    const net = new MemoryNetwork();
    const clock = new ManualClock(1000);
    // For the IPv6 session a broken link-local lookup yields a next hop that cannot be encoded.
    const a = createBgpSpeaker(
      {
        clock,
        random: seededRandom(1),
        transport: net.transport('198.51.100.1'),
        linkLocal: (_l, peer) => (peer === '2001:db8:200::2' ? 'not-an-address' : undefined),
      },
      { localAs: 64512, routerId: '198.51.100.1' },
    );
    const ea: SpeakerEvent[] = [];
    a.onEvent((e) => ea.push(e));
    const got: Record<string, string[]> = {};
    for (const addr of ['2001:db8:200::2', '198.51.100.2']) {
      const b = createBgpSpeaker(
        { clock, transport: net.transport(addr) },
        { localAs: 64513, routerId: addr.includes(':') ? '198.51.100.3' : addr },
      );
      b.onEvent((e) => {
        if (e.type === 'received') (got[addr] ??= []).push(...e.announced);
      });
      await b.addPeer({
        address: addr.includes(':') ? '2001:db8:200::1' : '198.51.100.1',
        peerAs: 64512,
        passive: true,
        localAddress: addr,
        dualStackAddressFamily: true,
      });
    }
    a.announce('203.0.113.0/24');
    a.announce('2001:db8:1::/48');
    await a.addPeer({
      address: '2001:db8:200::2',
      peerAs: 64513,
      localAddress: '2001:db8:200::1',
      nextHopIpv4: '198.51.100.1',
      dualStackAddressFamily: true,
    });
    await a.addPeer({
      address: '198.51.100.2',
      peerAs: 64513,
      localAddress: '198.51.100.1',
      dualStackAddressFamily: true,
    });
    await net.flush();
    expect(a.status().map((p) => p.state)).toEqual(['Established', 'Established']);
    expect(got['198.51.100.2']?.sort()).toEqual(['2001:db8:1::/48', '203.0.113.0/24']);
    expect(got['2001:db8:200::2']).toEqual(['203.0.113.0/24']);
    const skipped = ea.filter((e) => e.type === 'skipped');
    expect(skipped).toEqual([
      expect.objectContaining({ peer: '2001:db8:200::2', prefixes: ['2001:db8:1::/48'] }),
    ]);
    // Later changes still flow to both peers (the failed group did not poison the Adj-RIB-Out).
    a.announce('198.51.100.128/25');
    await net.flush();
    expect(got['2001:db8:200::2']).toContain('198.51.100.128/25');
    expect(got['198.51.100.2']).toContain('198.51.100.128/25');
    expect(a.status()[0]?.counters.encodeErrors).toBeGreaterThanOrEqual(1);
    expect(a.status()[0]?.counters.prefixesSent).toBe(2);
  });

  it('re-sends everything after the peer restarts', async () => {
    const { net, a, b, eb, asB, clock } = await pair();
    a.announce('203.0.113.0/24');
    await a.addPeer({
      address: '198.51.100.2',
      peerAs: asB,
      holdTimeSec: 9,
      minConnectRetrySec: 1,
      dualStackAddressFamily: true,
    });
    await net.flush();
    expect(a.status()[0]).toMatchObject({
      holdTimeSec: 9,
      keepaliveTimeSec: 3,
      families: ['ipv4', 'ipv6'],
      peerRouterId: '198.51.100.2',
    });
    await b.stop('restart');
    await net.flush();
    expect(a.status()[0]?.state).not.toBe('Established');
    // Nothing of the dead session's negotiation is reported any more.
    expect(a.status()[0]).toMatchObject({
      holdTimeSec: undefined,
      keepaliveTimeSec: undefined,
      families: [],
      peerRouterId: undefined,
    });
    const b2 = createBgpSpeaker(
      { clock, transport: net.transport('198.51.100.2') },
      { localAs: asB, routerId: '198.51.100.2' },
    );
    const eb2: SpeakerEvent[] = [];
    b2.onEvent((e) => eb2.push(e));
    await b2.addPeer({ address: '198.51.100.1', peerAs: 64512, passive: true, holdTimeSec: 9 });
    clock.advance(2000);
    await net.flush();
    expect(a.status()[0]?.state).toBe('Established');
    expect(received(eb2).flatMap((x) => x.announced)).toEqual(['203.0.113.0/24']);
    expect(eb.some((e) => e.type === 'notification' && e.direction === 'received')).toBe(false);
  });

  it('answers a ROUTE-REFRESH by re-sending the whole Adj-RIB-Out (RFC 2918 §4)', async () => {
    const { net, a, ea, asB } = await pair();
    a.announce('203.0.113.0/24');
    a.announce('203.0.113.128/25', { med: 3 });
    await a.addPeer({ address: '198.51.100.2', peerAs: asB, holdTimeSec: 9 });
    await net.flush();
    ea.length = 0;
    const sock = net.sockets.find((s) => s.localAddress === '198.51.100.2' && !s.closed);
    sock!.write(encodeRouteRefresh(1, 1));
    await net.flush();
    const resent = ea
      .filter((e) => e.type === 'sent')
      .flatMap((e) => (e.type === 'sent' ? e.announced : []));
    expect(resent.sort()).toEqual(['203.0.113.0/24', '203.0.113.128/25']);
  });

  it('our hold timer fires on a blackholed link within the negotiated hold time', async () => {
    const { net, a, ea, asB, clock } = await pair();
    await a.addPeer({ address: '198.51.100.2', peerAs: asB, holdTimeSec: 9 });
    await net.flush();
    net.blackhole('198.51.100.2');
    const t0 = clock.now();
    for (let i = 0; i < 100 && a.status()[0]?.state === 'Established'; i++) {
      clock.advance(100);
      await net.flush(5);
    }
    const n = ea.find((e) => e.type === 'notification' && e.direction === 'sent');
    expect(n).toMatchObject({ code: 4, subcode: 0 });
    expect(clock.now() - t0).toBeLessThanOrEqual(9100);
    expect(clock.now() - t0).toBeGreaterThanOrEqual(6000);
  });

  it('never re-exports received routes', async () => {
    const { net, a, b, ea, eb } = await pair();
    b.announce('192.0.2.0/24');
    await a.addPeer({ address: '198.51.100.2', peerAs: 64513, holdTimeSec: 9 });
    await net.flush();
    const got = received(ea).filter((x) => x.announced.length);
    expect(got[0]?.announced).toEqual(['192.0.2.0/24']);
    expect(got[0]?.droppedOwnAs).toEqual([]);
    expect(a.status()[0]?.counters.prefixesSent).toBe(0);
    expect(received(eb).flatMap((x) => x.announced)).toEqual([]);
  });

  it('drops received routes that carry our own AS (a reflected route)', async () => {
    const net = new MemoryNetwork();
    const a = createBgpSpeaker(
      { clock: new ManualClock(), transport: net.transport('198.51.100.1') },
      { localAs: 64512, routerId: '198.51.100.1' },
    );
    const ea: SpeakerEvent[] = [];
    a.onEvent((e) => ea.push(e));
    // A raw fake router: OPEN, KEEPALIVE, then an UPDATE with AS_PATH [64513 64512].
    await net.transport('198.51.100.2').listen({ host: '198.51.100.2', port: 179 }, (sock) => {
      sock.write(
        encodeFrame(
          1,
          encodeOpenBody({
            asn: 64513,
            holdTimeSec: 90,
            bgpId: '198.51.100.2',
            families: [{ afi: 1, safi: 1 }],
          }),
        ),
      );
      sock.write(encodeKeepalive());
      sock.write(
        packAnnouncements(
          {
            family: 'ipv4',
            attributes: {
              origin: 0,
              asPath: [{ type: 2, asns: [64513, 64512] }],
              nextHop: '198.51.100.2',
            },
            prefixes: [parsePrefix('203.0.113.0/24')],
          },
          { fourOctetAs: true },
          4096,
        )[0]!,
      );
    });
    await a.addPeer({ address: '198.51.100.2', peerAs: 64513 });
    await net.flush();
    const r = received(ea).find((x) => x.droppedOwnAs.length);
    expect(r?.droppedOwnAs).toEqual(['203.0.113.0/24']);
    // A looped route is not reported as announced (accepted).
    expect(received(ea).flatMap((x) => x.announced)).toEqual([]);
    expect(a.status()[0]?.counters.ownAsDropped).toBe(1);
    expect(a.status()[0]?.counters.prefixesReceived).toBe(0);
  });

  it('resetPeer sends Cease/10 and the session comes back; removePeer sends Cease/3 and forgets it', async () => {
    const { net, a, eb, asB, clock } = await pair();
    a.announce('203.0.113.0/24');
    await a.addPeer({ address: '198.51.100.2', peerAs: asB, holdTimeSec: 9 });
    await net.flush();
    a.resetPeer('198.51.100.2');
    await net.flush();
    expect(eb).toContainEqual(
      expect.objectContaining({
        type: 'notification',
        direction: 'received',
        code: 6,
        subcode: 10,
      }),
    );
    clock.advance(1500);
    await net.flush();
    expect(a.status()[0]?.state).toBe('Established');
    expect(a.status()[0]?.counters.establishedTransitions).toBe(2);
    a.removePeer('198.51.100.2');
    await net.flush();
    expect(eb).toContainEqual(
      expect.objectContaining({ type: 'notification', direction: 'received', code: 6, subcode: 3 }),
    );
    expect(a.status()).toEqual([]);
  });

  it('collision: both sides dial and listen; one connection survives, the other gets Cease/7 (RFC 4271 §6.8)', async () => {
    const net = new MemoryNetwork();
    const clock = new ManualClock();
    const mk = (addr: string, asn: number) =>
      createBgpSpeaker(
        { clock, random: seededRandom(asn), transport: net.transport(addr) },
        { localAs: asn, routerId: addr, listen: { address: addr, port: 179 } },
      );
    const a = mk('198.51.100.1', 64512);
    const b = mk('198.51.100.2', 64513);
    const ev: SpeakerEvent[] = [];
    a.onEvent((e) => ev.push(e));
    b.onEvent((e) => ev.push(e));
    a.announce('203.0.113.0/24');
    await Promise.all([
      a.addPeer({ address: '198.51.100.2', peerAs: 64513 }),
      b.addPeer({ address: '198.51.100.1', peerAs: 64512 }),
    ]);
    await net.flush();
    expect(a.status()[0]?.state).toBe('Established');
    expect(b.status()[0]?.state).toBe('Established');
    const cease7 = ev.filter(
      (e) => e.type === 'notification' && e.direction === 'sent' && e.code === 6 && e.subcode === 7,
    );
    expect(cease7.length).toBeGreaterThanOrEqual(1);
    // The session that survived carries the route exactly once.
    expect(received(ev).flatMap((x) => x.announced)).toEqual(['203.0.113.0/24']);
    expect(a.status()[0]?.counters.establishedTransitions).toBe(1);
  });

  it('a connection from an unknown address gets Cease/5 "connection rejected" (RFC 4486)', async () => {
    const net = new MemoryNetwork();
    const b = createBgpSpeaker(
      { clock: new ManualClock(), transport: net.transport('198.51.100.2') },
      { localAs: 64513, routerId: '198.51.100.2' },
    );
    await b.addPeer({
      address: '198.51.100.1',
      peerAs: 64512,
      passive: true,
      localAddress: '198.51.100.2',
    });
    let got: Uint8Array | undefined;
    net.transport('198.51.100.9').connect(
      { host: '198.51.100.2', port: 179 },
      (s) => s.onData((d) => (got = d)),
      () => undefined,
    );
    await net.flush();
    expect(got && Array.from(got.subarray(18, 21))).toEqual([3, 6, 5]);
    await b.stop();
  });

  it('rejects bad options with INVALID_OPTION', async () => {
    expect(() => createBgpSpeaker({}, { localAs: 0, routerId: '1.2.3.4' })).toThrow(BgpError);
    const s = createBgpSpeaker(
      { transport: new MemoryNetwork().transport('198.51.100.1') },
      { localAs: 64512, routerId: '198.51.100.1' },
    );
    await expect(
      s.addPeer({ address: '198.51.100.2', peerAs: 64513, holdTimeSec: 2 }),
    ).rejects.toMatchObject({ code: BgpErrorCode.InvalidOption });
    expect(() => s.announce('not-a-prefix')).toThrow(BgpError);
    await s.stop();
  });
});
