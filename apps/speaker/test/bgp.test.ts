// The speaker's BGP side on in-memory networks: sessions follow k8s-glue's decisions (added,
// changed, removed), routes are diffed per session, a BFD path failure takes the session down at
// once, an option the libraries refuse comes back as a problem, and a stop closes with Cease.
import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock, MemoryLogger, MemoryMetrics, seededRandom } from '@ironlb/clock/testing';
import { createBgpSpeaker, type BgpSpeaker, type SpeakerEvent } from '@ironlb/bgp-speaker';
import { MemoryNetwork } from '@ironlb/bgp-speaker/testing';
import { createBfdManager } from '@ironlb/bfd';
import { MemoryBfdNetwork } from '@ironlb/bfd/testing';
import type { BgpPeerRoutes, BgpSession, BfdProfileConfig } from '@ironlb/k8s-glue';
import {
  bfdSessionOptions,
  createSpeakerBgp,
  defaultRouterId,
  type SpeakerBgp,
} from '../src/bgp.js';

const NODE = '198.51.100.11';
const ROUTER = '198.51.100.1';

function session(
  o: Partial<BgpSession['options']> = {},
  bfdProfile?: BfdProfileConfig,
): BgpSession {
  return {
    name: 'router',
    options: {
      address: ROUTER,
      peerAs: 64512,
      localAs: 64500,
      port: 179,
      ebgpMultiHop: false,
      gracefulRestart: false,
      dualStackAddressFamily: false,
      ...o,
    },
    ...(bfdProfile ? { bfdProfile } : {}),
  };
}

const routes = (...prefixes: [string, number[]][]): BgpPeerRoutes[] => [
  {
    peer: 'router',
    address: ROUTER,
    routes: prefixes.map(([prefix, communities]) => ({
      prefix,
      communities: communities.map((c) => `${c >>> 16}:${c & 0xffff}`),
      attributes: { communities, largeCommunities: [] },
      services: ['default/web'],
    })),
  },
];

interface Rig {
  clock: ManualClock;
  net: MemoryNetwork;
  router: BgpSpeaker;
  received: Map<string, number>;
  events: SpeakerEvent[];
  bgp: SpeakerBgp;
  bfdNet: MemoryBfdNetwork;
}

const rigs: Rig[] = [];

async function settle(r: Rig, ms = 2000): Promise<void> {
  for (let t = 0; t < ms; t += 10) {
    await r.net.flush();
    r.clock.advance(10);
  }
  await r.net.flush();
}

async function rig(): Promise<Rig> {
  const clock = new ManualClock();
  const net = new MemoryNetwork();
  const router = createBgpSpeaker(
    { transport: net.transport(ROUTER), clock, random: seededRandom(1) },
    { localAs: 64512, routerId: ROUTER },
  );
  const received = new Map<string, number>();
  const events: SpeakerEvent[] = [];
  router.onEvent((e) => {
    events.push(e);
    if (e.type !== 'received') return;
    for (const p of e.announced) received.set(p, (received.get(p) ?? 0) + 1);
    for (const p of e.withdrawn) received.delete(p);
  });
  await router.addPeer({ address: NODE, peerAs: 64500, passive: true });
  const bfdNet = new MemoryBfdNetwork(clock, { latencyMs: 1 });
  const bgp = createSpeakerBgp(
    {
      clock,
      logger: new MemoryLogger(),
      metrics: new MemoryMetrics(),
      random: seededRandom(2),
      // The node's sessions ask for a TTL (eBGP single hop, as FRR): an in-memory transport that
      // accepts socket options and ignores them.
      transport: { ...net.transport(NODE), enableSocketOptions: async () => undefined },
      bfd: () =>
        createBfdManager({ clock, random: seededRandom(3), transport: bfdNet.transport([NODE]) }),
      interfaces: () => ({
        eth0: [
          {
            address: NODE,
            netmask: '255.255.255.0',
            family: 'IPv4',
            mac: '02:00:00:00:00:01',
            internal: false,
            cidr: `${NODE}/24`,
          },
        ],
      }),
    },
    { nodeName: 'node-1' },
  );
  const r = { clock, net, router, received, events, bgp, bfdNet };
  rigs.push(r);
  return r;
}

afterEach(async () => {
  for (const r of rigs.splice(0)) {
    await r.bgp.stop('test over');
    await r.router.stop();
  }
});

describe('createSpeakerBgp', () => {
  it('opens the session k8s-glue decided and sends, changes and withdraws its routes', async () => {
    const r = await rig();
    expect(await r.bgp.apply([session()], routes(['203.0.113.5/32', [0xfbf40064]]))).toEqual([]);
    await settle(r);
    expect(r.bgp.sessions()).toEqual([
      { name: 'router', address: ROUTER, established: true, gracefulRestart: false },
    ]);
    expect([...r.received.keys()]).toEqual(['203.0.113.5/32']);
    // Same decision again: nothing sent.
    const updates = r.events.filter((e) => e.type === 'received').length;
    await r.bgp.apply([session()], routes(['203.0.113.5/32', [0xfbf40064]]));
    await settle(r);
    expect(r.events.filter((e) => e.type === 'received').length).toBe(updates);
    // A new prefix and a withdrawn one.
    await r.bgp.apply([session()], routes(['203.0.113.6/32', []]));
    await settle(r);
    expect([...r.received.keys()]).toEqual(['203.0.113.6/32']);
  });

  it('the router ID defaults to this node’s address towards the peer (MetalLB)', async () => {
    const r = await rig();
    await r.bgp.apply([session()], routes());
    await settle(r);
    expect(r.router.status()[0]?.peerRouterId).toBe(NODE);
    expect(
      defaultRouterId('192.0.2.1', undefined, 'node-1', {
        eth0: [
          {
            address: '198.51.100.11',
            netmask: '255.255.255.0',
            family: 'IPv4',
            mac: '',
            internal: false,
            cidr: null,
          },
          {
            address: '192.0.2.7',
            netmask: '255.255.255.0',
            family: 'IPv4',
            mac: '',
            internal: false,
            cidr: null,
          },
        ],
      }),
    ).toBe('192.0.2.7');
    expect(defaultRouterId('2001:db8::1', '2001:db8::2', 'node-1', {})).toMatch(
      /^\d+\.\d+\.\d+\.\d+$/,
    );
    expect(defaultRouterId('192.0.2.1', '198.51.100.99', 'n', {})).toBe('198.51.100.99');
  });

  it('changed peer options reopen the session; a removed peer is closed with Cease/3', async () => {
    const r = await rig();
    await r.bgp.apply([session()], routes(['203.0.113.5/32', []]));
    await settle(r);
    await r.bgp.apply([session({ holdTimeSec: 30 })], routes(['203.0.113.5/32', []]));
    await settle(r, 5000);
    expect(r.router.status()[0]?.holdTimeSec).toBe(30);
    expect([...r.received.keys()]).toEqual(['203.0.113.5/32']);
    await r.bgp.apply([], []);
    await settle(r);
    const notes = r.events.filter((e) => e.type === 'notification' && e.direction === 'received');
    expect(notes.at(-1)).toMatchObject({ code: 6, subcode: 3 });
    expect(r.bgp.sessions()).toEqual([]);
  });

  it('BFD: a path failure takes the BGP session down at once (RFC 5882), not at the hold time', async () => {
    const r = await rig();
    const routerBfd = createBfdManager({
      clock: r.clock,
      random: seededRandom(4),
      transport: r.bfdNet.transport([ROUTER]),
    });
    await routerBfd.addSession({ peerAddress: NODE, passiveMode: true });
    const profile: BfdProfileConfig = {
      name: 'fast',
      receiveIntervalMs: 300,
      transmitIntervalMs: 300,
      detectMultiplier: 3,
      echoMode: false,
      passiveMode: false,
    };
    expect(await r.bgp.apply([session({}, profile)], routes(['203.0.113.5/32', []]))).toEqual([]);
    await settle(r, 5000);
    expect(r.bgp.bfd?.sessions()[0]?.state).toBe('Up');
    expect(r.bgp.sessions()[0]?.established).toBe(true);
    r.bfdNet.cut(ROUTER);
    await settle(r, 1500);
    const notes = r.events.filter((e) => e.type === 'notification' && e.direction === 'received');
    expect(notes.at(-1)).toMatchObject({ code: 6, subcode: 10 });
    await routerBfd.close();
  });

  it('a BFD option the library does not implement is reported, the other sessions still run', async () => {
    const r = await rig();
    const echo: BfdProfileConfig = { name: 'echo', echoMode: true, passiveMode: false };
    const problems = await r.bgp.apply([session({}, echo)], routes());
    expect(problems).toHaveLength(1);
    expect(problems[0]?.name).toBe('router');
    expect(problems[0]?.message).toMatch(/echo/i);
    expect(r.bgp.sessions()).toEqual([]);
    expect(bfdSessionOptions(echo, ROUTER, undefined, true)).toMatchObject({
      peerAddress: ROUTER,
      multihop: true,
      echoMode: true,
    });
  });

  it('stop closes every session with Cease/2', async () => {
    const r = await rig();
    await r.bgp.apply([session()], routes(['203.0.113.5/32', []]));
    await settle(r);
    await r.bgp.stop('planned');
    await settle(r);
    const notes = r.events.filter((e) => e.type === 'notification' && e.direction === 'received');
    expect(notes.at(-1)).toMatchObject({ code: 6, subcode: 2 });
    expect(r.router.status()[0]?.state).not.toBe('Established');
  });
});
