// Issue 12: the mistakes a stranger makes get a BgpError naming the option, never a TypeError or
// a silently different result. Issue 17: per-peer options map MetalLB's BGPPeer fields one to one.
import { describe, expect, it } from 'vitest';
import { MemoryMetrics } from '@ironlb/clock/testing';
import { BgpError, BgpErrorCode } from '../errors.js';
import { ManualClock, MemoryNetwork, seededRandom } from '../testing/index.js';
import { resolvePeer } from './peer-options.js';
import { createBgpSpeaker } from './speaker.js';
import type { SpeakerEvent } from './events.js';

function fails(fn: () => unknown): BgpError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(BgpError);
    return err as BgpError;
  }
  throw new Error('accepted');
}

async function rejects(p: Promise<unknown>): Promise<BgpError> {
  try {
    await p;
  } catch (err) {
    expect(err).toBeInstanceOf(BgpError);
    return err as BgpError;
  }
  throw new Error('accepted');
}

const speakerOpts = { localAs: 64512, routerId: '198.51.100.1' };
const mem = () => ({ transport: new MemoryNetwork().transport('198.51.100.1') });

describe('createBgpSpeaker arguments (issue 12)', () => {
  it('createBgpSpeaker({}) is a typed error naming the missing option', () => {
    const e = fails(() => (createBgpSpeaker as (d: object) => unknown)({}));
    expect(e.code).toBe(BgpErrorCode.InvalidOption);
    expect(e.detail.option).toBe('localAs');
    expect(e.message).toContain('localAs');
  });

  it('options passed as the first argument are named as such', () => {
    const e = fails(() => (createBgpSpeaker as (d: object) => unknown)(speakerOpts));
    expect(e.code).toBe(BgpErrorCode.InvalidOption);
    expect(e.message).toContain('second argument');
  });

  it('a missing or bad field is named; an unknown key is refused with a hint', () => {
    expect(fails(() => createBgpSpeaker({}, { routerId: '1.2.3.4' } as never)).detail.option).toBe(
      'localAs',
    );
    expect(fails(() => createBgpSpeaker({}, { localAs: 64512 } as never)).detail.option).toBe(
      'routerId',
    );
    expect(
      fails(() => createBgpSpeaker({}, { localAs: 64512, routerId: '0.0.0.0' })).detail.option,
    ).toBe('routerId');
    const e = fails(() => createBgpSpeaker({}, { ...speakerOpts, myASN: 1 } as never));
    expect(e.detail.option).toBe('myASN');
    expect(e.message).toContain('did you mean localAs');
  });
});

describe('announce() (issue 12)', () => {
  it('refuses a prefix with host bits set instead of announcing the network', () => {
    const s = createBgpSpeaker(mem(), speakerOpts);
    const e = fails(() => s.announce('203.0.113.10/24'));
    expect(e.code).toBe(BgpErrorCode.InvalidValue);
    expect(e.message).toContain('203.0.113.0/24');
    expect(e.message).toContain('203.0.113.10/32');
    expect(fails(() => s.announce('2001:db8::1/64')).code).toBe(BgpErrorCode.InvalidValue);
    expect(fails(() => s.withdraw('203.0.113.10/24')).code).toBe(BgpErrorCode.InvalidValue);
    expect(s.routes()).toEqual([]);
    s.announce('203.0.113.0/24');
    s.announce('203.0.113.10');
    expect(s.routes().map((r) => r.prefix)).toEqual(['203.0.113.0/24', '203.0.113.10/32']);
  });

  it('an unknown route option is refused (a typo is not a silent default)', () => {
    const s = createBgpSpeaker(mem(), speakerOpts);
    const e = fails(() => s.announce('203.0.113.0/24', { localPreference: 200 } as never));
    expect(e.detail.option).toBe('localPreference');
  });
});

describe('peer options', () => {
  const bad = async (o: object) => {
    const s = createBgpSpeaker(mem(), speakerOpts);
    const e = await rejects(s.addPeer({ address: '198.51.100.2', peerAs: 64513, ...o }));
    expect(e.code).toBe(BgpErrorCode.InvalidOption);
    return e.detail.option;
  };

  it('each bad value is named', async () => {
    expect(await bad({ holdTimeSec: 2 })).toBe('holdTimeSec');
    expect(await bad({ holdTimeSec: 9, keepaliveTimeSec: 10 })).toBe('keepaliveTimeSec');
    expect(await bad({ connectTimeSec: 5, connectRetrySec: 10 })).toBe('connectTimeSec');
    expect(await bad({ ttl: 1, ebgpMultiHop: true })).toBe('ttl');
    expect(await bad({ ttlSecurityHops: 1, ttl: 255 })).toBe('ttlSecurityHops');
    expect(await bad({ password: 'x'.repeat(81) })).toBe('password');
    expect(await bad({ dynamicAsn: 'external' })).toBe('dynamicAsn');
    expect(await bad({ localAddress: '2001:db8::1' })).toBe('localAddress');
    expect(await bad({ holdTime: 90 })).toBe('holdTime');
    expect(await bad({ gracefulRestart: { restartTimeSec: 5000 } })).toBe('restartTimeSec');
    expect(await bad({ families: [] })).toBe('families');
    const s = createBgpSpeaker(mem(), speakerOpts);
    expect((await rejects(s.addPeer({ address: 'nope' } as never))).detail.option).toBe('address');
    expect((await rejects(s.addPeer({ address: '198.51.100.2' }))).detail.option).toBe('peerAs');
  });

  it('socket options need a transport that can set them', async () => {
    expect(await bad({ password: 'secret' })).toBe('password');
    expect(await bad({ ttlSecurityHops: 1 })).toBe('ttlSecurityHops');
  });

  it('MetalLB fields map one to one: keepalive, connect time, multihop TTL, GTSM, families', () => {
    const r = (o: object) =>
      resolvePeer({ address: '198.51.100.2', peerAs: 64513, ...o }, speakerOpts);
    expect(r({})).toMatchObject({
      holdTimeSec: 90,
      keepaliveTimeSec: undefined,
      families: ['ipv4'],
      ttl: undefined,
      localAs: 64512,
      routerId: '198.51.100.1',
    });
    expect(r({ dualStackAddressFamily: true }).families).toEqual(['ipv4', 'ipv6']);
    expect(r({ connectTimeSec: 5 })).toMatchObject({ connectRetrySec: 5, minConnectRetrySec: 5 });
    // ebgpMultiHop false is FRR's single-hop eBGP (TTL 1); true TTL 255; no effect on iBGP.
    expect(r({ ebgpMultiHop: false }).ttl).toBe(1);
    expect(r({ ebgpMultiHop: true }).ttl).toBe(255);
    expect(r({ ebgpMultiHop: false, peerAs: 64512 }).ttl).toBeUndefined();
    expect(r({ ttlSecurityHops: 1 })).toMatchObject({ ttl: 255, minTtl: 255 });
    expect(r({ ttlSecurityHops: 3 })).toMatchObject({ ttl: 255, minTtl: 253 });
    expect(r({ localAs: 4200000001, routerId: '192.0.2.7' })).toMatchObject({
      localAs: 4200000001,
      routerId: '192.0.2.7',
    });
    expect(r({ gracefulRestart: true }).gracefulRestart).toEqual({
      restartTimeSec: 120,
      forwardingStatePreserved: true,
      stalePathTimeSec: 360,
    });
    expect(
      resolvePeer({ address: '2001:db8::2', dynamicAsn: 'internal' }, speakerOpts),
    ).toMatchObject({ peerAs: undefined, dynamicAsn: 'internal', families: ['ipv6'] });
  });
});

/** Two speakers on the in-memory network; B listens passively for A. */
async function pair(aPeer: object = {}, bPeer: object = {}) {
  const net = new MemoryNetwork();
  const clock = new ManualClock(1000);
  const metrics = new MemoryMetrics();
  const a = createBgpSpeaker(
    { clock, random: seededRandom(1), transport: net.transport('198.51.100.1'), metrics },
    speakerOpts,
  );
  const b = createBgpSpeaker(
    { clock, random: seededRandom(2), transport: net.transport('198.51.100.2') },
    { localAs: 64513, routerId: '198.51.100.2' },
  );
  const ea: SpeakerEvent[] = [];
  const eb: SpeakerEvent[] = [];
  a.onEvent((e) => ea.push(e));
  b.onEvent((e) => eb.push(e));
  await b.addPeer({ address: '198.51.100.1', peerAs: 64512, passive: true, ...bPeer });
  await a.addPeer({ address: '198.51.100.2', peerAs: 64513, ...aPeer });
  await net.flush();
  return { net, clock, metrics, a, b, ea, eb };
}

describe('per-peer session options (issue 17)', () => {
  it('per-peer local AS and router ID go on the wire; the peer sees them', async () => {
    const { a, b } = await pair({ localAs: 64600, routerId: '192.0.2.9' }, { peerAs: 64600 });
    expect(a.status()[0]).toMatchObject({
      state: 'Established',
      localAs: 64600,
      routerId: '192.0.2.9',
    });
    expect(b.status()[0]).toMatchObject({ peerAs: 64600, peerRouterId: '192.0.2.9' });
  });

  it('keepaliveTimeSec: min(configured, hold/3), as FRR', async () => {
    const { a } = await pair({ holdTimeSec: 90, keepaliveTimeSec: 10 });
    expect(a.status()[0]).toMatchObject({ holdTimeSec: 90, keepaliveTimeSec: 10 });
    const p = await pair({ holdTimeSec: 90, keepaliveTimeSec: 60 }, { holdTimeSec: 9 });
    expect(p.a.status()[0]).toMatchObject({ holdTimeSec: 9, keepaliveTimeSec: 3 });
  });

  it('dynamicAsn: the peer AS is learnt from the OPEN; the wrong kind gets 2/2', async () => {
    const ok = await pair({ peerAs: undefined, dynamicAsn: 'external' });
    expect(ok.a.status()[0]).toMatchObject({ state: 'Established', peerAs: 64513 });
    const no = await pair({ peerAs: undefined, dynamicAsn: 'internal' });
    expect(no.a.status()[0]?.state).not.toBe('Established');
    expect(no.ea).toContainEqual(
      expect.objectContaining({ type: 'notification', direction: 'sent', code: 2, subcode: 2 }),
    );
  });

  it('peerDown sends Cease/10 "BFD Down" at once, reports the reason, and reconnects', async () => {
    const { a, eb, clock, net } = await pair();
    a.peerDown('198.51.100.2', 'BFD session 198.51.100.2 down');
    await net.flush();
    expect(eb).toContainEqual(
      expect.objectContaining({
        type: 'notification',
        direction: 'received',
        code: 6,
        subcode: 10,
      }),
    );
    expect(a.status()[0]?.lastReason).toContain('BFD session 198.51.100.2 down');
    clock.advance(1500);
    await net.flush();
    expect(a.status()[0]).toMatchObject({
      state: 'Established',
      counters: { establishedTransitions: 2 },
    });
  });

  it('the Active → Connect retry transition carries its own reason, not the last failure', async () => {
    const net = new MemoryNetwork();
    const clock = new ManualClock(1000);
    const s = createBgpSpeaker(
      { clock, random: seededRandom(1), transport: net.transport('198.51.100.1') },
      speakerOpts,
    );
    const ev: SpeakerEvent[] = [];
    s.onEvent((e) => ev.push(e));
    await s.addPeer({ address: '198.51.100.2', peerAs: 64513 });
    await net.flush();
    clock.advance(1500);
    await net.flush();
    const states = ev.flatMap((e) =>
      e.type === 'state' ? [`${e.from}→${e.to}: ${e.reason}`] : [],
    );
    expect(states).toContain('Connect→Active: connect failed: ECONNREFUSED');
    expect(states).toContain('Active→Connect: connect retry timer expired');
    await s.stop();
  });

  it('MetalLB metrics: bgp_session_up, bgp_updates_total, bgp_announced_prefixes_total, bgp_pending_prefixes_total {peer}', async () => {
    const net = new MemoryNetwork();
    const clock = new ManualClock(1000);
    const metrics = new MemoryMetrics();
    const a = createBgpSpeaker(
      { clock, random: seededRandom(1), transport: net.transport('198.51.100.1'), metrics },
      speakerOpts,
    );
    a.announce('203.0.113.0/24');
    a.announce('203.0.113.128/25');
    const b = createBgpSpeaker(
      { clock, transport: net.transport('198.51.100.2') },
      { localAs: 64513, routerId: '198.51.100.2' },
    );
    await a.addPeer({ address: '198.51.100.2', peerAs: 64513 });
    await net.flush();
    const peer = { peer: '198.51.100.2' };
    expect(metrics.value('bgp_session_up', peer)).toBe(0);
    expect(metrics.value('bgp_pending_prefixes_total', peer)).toBe(2);
    await b.addPeer({ address: '198.51.100.1', peerAs: 64512, passive: true });
    clock.advance(1500);
    await net.flush();
    expect(metrics.value('bgp_session_up', peer)).toBe(1);
    expect(metrics.value('bgp_announced_prefixes_total', peer)).toBe(2);
    expect(metrics.value('bgp_pending_prefixes_total', peer)).toBe(0);
    // One UPDATE for both prefixes, one End-of-RIB.
    expect(metrics.value('bgp_updates_total', peer)).toBe(2);
    a.removePeer('198.51.100.2');
    expect(metrics.value('bgp_session_up', peer)).toBe(0);
    expect(metrics.value('bgp_announced_prefixes_total', peer)).toBe(0);
    await a.stop();
    await b.stop();
  });
});
