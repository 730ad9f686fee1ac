// The speaker runtime on an in-memory API server, fake protocol ports and a manual clock: what it
// hands to Layer 2 / BGP, the status objects and events it writes (once per change), MetalLB's
// ConfigurationState `speaker-<node>`, the failover path (a memberlist change syncs at once), and
// the planned handover.
import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock, ManualWallClock, MemoryLogger, MemoryMetrics } from '@ironlb/clock/testing';
import type { BgpPeerRoutes } from '../../src/announce/bgp.js';
import type { Layer2Address } from '../../src/announce/layer2.js';
import type { BgpSession } from '../../src/announce/sessions.js';
import { IronlbSpeaker } from '../../src/kube/speaker.js';
import type {
  BgpPort,
  BgpSessionProblem,
  Layer2Port,
  MemberChange,
  MembershipPort,
} from '../../src/kube/speaker-ports.js';
import { FakeApi } from './fake-api.js';
import { flush } from './fake-rest.js';

const NS = 'metallb-system';
const P = {
  services: '/api/v1/services',
  slices: '/apis/discovery.k8s.io/v1/endpointslices',
  nodes: '/api/v1/nodes',
  namespaces: '/api/v1/namespaces',
  pools: `/apis/metallb.io/v1beta1/namespaces/${NS}/ipaddresspools`,
  l2ads: `/apis/metallb.io/v1beta1/namespaces/${NS}/l2advertisements`,
  bgpads: `/apis/metallb.io/v1beta1/namespaces/${NS}/bgpadvertisements`,
  peers: `/apis/metallb.io/v1beta2/namespaces/${NS}/bgppeers`,
  bfd: `/apis/metallb.io/v1beta1/namespaces/${NS}/bfdprofiles`,
  communities: `/apis/metallb.io/v1beta1/namespaces/${NS}/communities`,
  secrets: `/api/v1/namespaces/${NS}/secrets`,
  configmaps: `/api/v1/namespaces/${NS}/configmaps`,
  l2status: `/apis/metallb.io/v1beta1/namespaces/${NS}/servicel2statuses`,
  bgpstatus: `/apis/metallb.io/v1beta1/namespaces/${NS}/servicebgpstatuses`,
  cs: `/apis/metallb.io/v1beta1/namespaces/${NS}/configurationstates`,
  pods: `/api/v1/namespaces/${NS}/pods`,
};

class FakeLayer2 implements Layer2Port {
  applied: { want: readonly Layer2Address[]; reannounce: boolean; at: number }[] = [];
  excludes: (readonly string[])[] = [];
  /** Addresses for which no interface exists here. */
  missing = new Set<string>();
  handOvers: { addresses: readonly string[] }[] = [];
  constructor(private readonly clock: ManualClock) {}
  apply(want: readonly Layer2Address[], o: { reannounce?: boolean } = {}) {
    this.applied.push({ want, reannounce: o.reannounce ?? false, at: this.clock.now() });
    return new Map(want.map((w) => [w.ip, this.missing.has(w.ip) ? [] : ['eth0']]));
  }
  get current(): string[] {
    return (this.applied.at(-1)?.want ?? []).map((w) => w.ip);
  }
  async handOver(addresses: readonly string[]) {
    this.handOvers.push({ addresses });
    return [];
  }
  setExcludedInterfaces(p: readonly string[]) {
    this.excludes.push(p);
  }
  async close() {}
}

class FakeBgp implements BgpPort {
  applied: { sessions: readonly BgpSession[]; routes: readonly BgpPeerRoutes[] }[] = [];
  problems: BgpSessionProblem[] = [];
  async apply(sessions: readonly BgpSession[], routes: readonly BgpPeerRoutes[]) {
    this.applied.push({ sessions, routes });
    return this.problems;
  }
  sessions() {
    return [];
  }
  async stop() {}
}

class FakeMembers implements MembershipPort {
  liveSet = new Set<string>();
  private listeners = new Set<(c: MemberChange, m: string) => void>();
  joins: string[][] = [];
  left = false;
  live() {
    return this.liveSet;
  }
  liveAddresses() {
    return new Set<string>();
  }
  onChange(l: (c: MemberChange, m: string) => void) {
    this.listeners.add(l);
    return () => this.listeners.delete(l);
  }
  emit(c: MemberChange, m: string) {
    if (c === 'dead' || c === 'leave') this.liveSet.delete(m);
    else this.liveSet.add(m);
    for (const l of this.listeners) l(c, m);
  }
  async join(seeds: readonly string[]) {
    this.joins.push([...seeds]);
    return seeds.length;
  }
  async leave() {
    this.left = true;
  }
  async close() {}
}

function seedCluster(api: FakeApi): void {
  api.put(P.namespaces, { metadata: { name: NS } });
  api.put(P.namespaces, { metadata: { name: 'default' } });
  for (const n of ['node-1', 'node-2', 'node-3'])
    api.put(P.nodes, { metadata: { name: n, labels: { 'kubernetes.io/hostname': n } } });
  api.put(P.pools, {
    metadata: { name: 'l2', namespace: NS, generation: 1 },
    spec: { addresses: ['192.0.2.0/28'] },
  });
  api.put(P.l2ads, {
    metadata: { name: 'l2', namespace: NS, generation: 1 },
    spec: { ipAddressPools: ['l2'] },
  });
  for (const c of [
    P.services,
    P.slices,
    P.bgpads,
    P.peers,
    P.bfd,
    P.communities,
    P.secrets,
    P.configmaps,
    P.l2status,
    P.bgpstatus,
    P.cs,
    P.pods,
  ])
    if (!api.store.has(c)) api.store.set(c, new Map());
}

function lbService(name: string, ip: string, extra: Record<string, unknown> = {}) {
  return {
    metadata: { name, namespace: 'default' },
    spec: { type: 'LoadBalancer', selector: { app: name }, ports: [{ port: 80 }], ...extra },
    status: { loadBalancer: { ingress: [{ ip }] } },
  };
}

function slice(svc: string, nodes: string[]) {
  return {
    metadata: {
      name: `${svc}-abc`,
      namespace: 'default',
      labels: { 'kubernetes.io/service-name': svc },
    },
    endpoints: nodes.map((n, i) => ({
      addresses: [`198.18.0.${i + 10}`],
      nodeName: n,
      conditions: { ready: true },
    })),
  };
}

/** The node MetalLB elects for an address among candidates (first by SHA-256 order). */
import { sortL2Candidates } from '../../src/announce/layer2.js';
const winnerOf = (ip: string, nodes: string[]) => sortL2Candidates(nodes, ip)[0] as string;

interface Rig {
  api: FakeApi;
  clock: ManualClock;
  l2: FakeLayer2;
  bgp: FakeBgp;
  members: FakeMembers | undefined;
  logger: MemoryLogger;
  metrics: MemoryMetrics;
  speaker: IronlbSpeaker;
}

const rigs: Rig[] = [];

async function drive<T>(clock: ManualClock, p: Promise<T>, maxMs = 20_000): Promise<T> {
  let done = false;
  let value: T | undefined;
  let error: unknown;
  p.then(
    (v) => {
      done = true;
      value = v;
    },
    (e: unknown) => {
      done = true;
      error = e;
    },
  );
  for (let t = 0; !done && t < maxMs; t += 5) {
    await flush(20);
    clock.advance(5);
  }
  await flush(20);
  if (!done) throw new Error('did not settle');
  if (error) throw error;
  return value as T;
}

/** Lets timers and promise chains run for `ms` of manual time. */
async function settle(clock: ManualClock, ms = 200): Promise<void> {
  for (let t = 0; t < ms; t += 5) {
    await flush(20);
    clock.advance(5);
  }
  await flush(20);
}

async function rig(
  node: string,
  opts: { memberlist?: boolean; seed?: (api: FakeApi) => void } = {},
): Promise<Rig> {
  const api = new FakeApi();
  seedCluster(api);
  opts.seed?.(api);
  const clock = new ManualClock();
  const l2 = new FakeLayer2(clock);
  const bgp = new FakeBgp();
  const members = opts.memberlist ? new FakeMembers() : undefined;
  if (members) for (const n of ['node-1', 'node-2', 'node-3']) members.liveSet.add(n);
  const logger = new MemoryLogger();
  const metrics = new MemoryMetrics();
  const speaker = new IronlbSpeaker(
    {
      rest: api,
      clock,
      wallClock: new ManualWallClock(Date.UTC(2026, 0, 1)),
      logger,
      metrics,
      random: () => 0.5,
      layer2: l2,
      bgp,
      ...(members ? { membership: members } : {}),
    },
    {
      namespace: NS,
      nodeName: node,
      ...(members
        ? { memberlist: { namespace: NS, podLabelSelector: 'app=speaker', port: 7946 } }
        : {}),
    },
  );
  const r = { api, clock, l2, bgp, members, logger, metrics, speaker };
  rigs.push(r);
  await drive(clock, speaker.start());
  return r;
}

afterEach(async () => {
  for (const r of rigs.splice(0)) await drive(r.clock, r.speaker.stop());
});

describe('IronlbSpeaker, Layer 2', () => {
  const ip = '192.0.2.1';
  const owner = winnerOf(ip, ['node-1', 'node-2', 'node-3']);
  const others = ['node-1', 'node-2', 'node-3'].filter((n) => n !== owner);

  it('the elected node announces, writes its ServiceL2Status and one nodeAssigned event', async () => {
    const r = await rig(owner, {
      seed: (api) => {
        api.put(P.services, lbService('web', ip));
        api.put(P.slices, slice('web', ['node-1']));
      },
    });
    await settle(r.clock);
    expect(r.l2.current).toEqual([ip]);
    const statuses = r.api.list(P.l2status);
    expect(statuses).toHaveLength(1);
    expect(statuses[0]?.metadata.labels).toEqual({
      'metallb.io/node': owner,
      'metallb.io/service-name': 'web',
      'metallb.io/service-namespace': 'default',
    });
    expect(statuses[0]?.status).toEqual({
      node: owner,
      serviceName: 'web',
      serviceNamespace: 'default',
      interfaces: [],
    });
    expect(r.api.events.map((e) => [e.reason, e.message])).toEqual([
      ['nodeAssigned', `announcing from node "${owner}" with protocol "layer2"`],
    ]);
    expect(
      r.metrics.value('speaker_announced', {
        service: 'default/web',
        protocol: 'layer2',
        node: owner,
        ip,
      }),
    ).toBe(1);
    // More syncs (unrelated changes) decide the same: no more events, no more writes.
    const writes = r.api.writes.length;
    r.api.put(P.services, lbService('other', '192.0.2.99', { type: 'ClusterIP' }));
    r.api.put(P.slices, { ...slice('web', ['node-1', 'node-2']) });
    await settle(r.clock);
    expect(r.api.events).toHaveLength(1);
    expect(r.api.writes.length).toBe(writes);
  });

  it('a ServiceL2Status deleted by someone else is written again (also right after our own write)', async () => {
    const r = await rig(owner, {
      seed: (api) => {
        api.put(P.services, lbService('web', ip));
        api.put(P.slices, slice('web', ['node-1']));
      },
    });
    for (let i = 0; i < 3; i++) {
      const [obj] = r.api.list(P.l2status);
      expect(obj?.status).toMatchObject({ node: owner });
      r.api.remove(P.l2status, obj?.metadata.name ?? '');
      await settle(r.clock);
      expect(r.api.list(P.l2status)).toHaveLength(1);
    }
  });

  it('other nodes do not announce and write nothing', async () => {
    const r = await rig(others[0] as string, {
      seed: (api) => {
        api.put(P.services, lbService('web', ip));
        api.put(P.slices, slice('web', ['node-1']));
      },
    });
    await settle(r.clock);
    expect(r.l2.current).toEqual([]);
    expect(r.api.list(P.l2status)).toEqual([]);
    expect(r.api.events).toEqual([]);
  });

  it('no serving endpoint: nothing is announced; once one serves, the owner announces', async () => {
    const r = await rig(owner, {
      seed: (api) => {
        api.put(P.services, lbService('web', ip));
        api.put(P.slices, {
          ...slice('web', ['node-1']),
          endpoints: [
            { addresses: ['198.18.0.9'], nodeName: 'node-1', conditions: { ready: false } },
          ],
        });
      },
    });
    await settle(r.clock);
    expect(r.l2.current).toEqual([]);
    r.api.put(P.slices, slice('web', ['node-1']));
    await settle(r.clock);
    expect(r.l2.current).toEqual([ip]);
  });

  it('a memberlist death syncs at once (no debounce) and the next node takes over', async () => {
    const next = sortL2Candidates(['node-1', 'node-2', 'node-3'], ip)[1] as string;
    const r = await rig(next, {
      memberlist: true,
      seed: (api) => {
        api.put(P.services, lbService('web', ip));
        api.put(P.slices, slice('web', ['node-1', 'node-2', 'node-3']));
      },
    });
    await settle(r.clock);
    expect(r.l2.current).toEqual([]);
    const t0 = r.clock.now();
    r.members!.emit('dead', owner);
    await flush(50);
    expect(r.l2.current).toEqual([ip]);
    expect(r.l2.applied.at(-1)?.at).toBe(t0);
    await settle(r.clock);
    expect(r.metrics.samples('speaker_failover_seconds').length).toBeGreaterThan(0);
    // The owner comes back: a join re-announces (split-brain healing) and the address moves back.
    r.members!.emit('join', owner);
    await flush(50);
    expect(r.l2.current).toEqual([]);
    expect(r.l2.applied.at(-1)?.reannounce).toBe(true);
    await settle(r.clock);
    expect(r.api.list(P.l2status)).toEqual([]);
  });

  it('none of the chosen interfaces exists: announceFailed once, no status', async () => {
    const r = await rig(owner, {
      seed: (api) => {
        api.put(P.services, lbService('web', ip));
        api.put(P.slices, slice('web', ['node-1']));
      },
    });
    r.l2.missing.add(ip);
    r.api.put(P.services, {
      ...lbService('web', ip),
      metadata: { name: 'web', namespace: 'default', labels: { x: '1' } },
    });
    await settle(r.clock);
    // The first sync announced (interfaces found); afterwards they are gone.
    const reasons = r.api.events.map((e) => e.reason);
    expect(reasons.filter((x) => x === 'announceFailed')).toHaveLength(1);
    expect(r.api.events.find((e) => e.reason === 'announceFailed')?.message).toBe(
      `the interfaces specified by LB IP "${ip}" doesn't exist in assigned node "${owner}" with protocol "layer2"`,
    );
    await settle(r.clock);
    expect(r.api.list(P.l2status)).toEqual([]);
  });

  it('the metallb-excludel2 ConfigMap sets the excluded interfaces (none without it, as MetalLB)', async () => {
    const r = await rig(owner);
    expect(r.l2.excludes).toEqual([[]]);
    r.api.put(P.configmaps, {
      metadata: { name: 'metallb-excludel2', namespace: NS },
      data: { 'excludel2.yaml': 'announcedInterfacesToExclude: ["^docker.*", "^lo$"]' },
    });
    await settle(r.clock);
    expect(r.l2.excludes.at(-1)).toEqual(['^docker.*', '^lo$']);
  });

  it('planned handover: stops deciding, leaves memberlist, waits for the addresses the next node takes', async () => {
    const r = await rig(owner, {
      memberlist: true,
      seed: (api) => {
        api.put(P.services, lbService('web', ip));
        api.put(P.slices, slice('web', ['node-1', 'node-2', 'node-3']));
      },
    });
    await settle(r.clock);
    expect(r.l2.current).toEqual([ip]);
    const applies = r.l2.applied.length;
    await drive(r.clock, r.speaker.handOver(5000));
    expect(r.members!.left).toBe(true);
    expect(r.l2.handOvers).toEqual([{ addresses: [ip] }]);
    // No more decisions after the handover started: the address is not withdrawn here.
    r.members!.emit('leave', owner);
    await settle(r.clock);
    expect(r.l2.applied.length).toBe(applies);
  });
});

describe('IronlbSpeaker, configuration and BGP', () => {
  it('writes ConfigurationState speaker-<node> Valid, and Invalid with the reason while keeping the last good config', async () => {
    const r = await rig('node-1');
    await settle(r.clock);
    const cs = () => r.api.list(P.cs).find((o) => o.metadata.name === 'speaker-node-1');
    expect(cs()?.metadata.labels).toEqual({
      'metallb.io/component-type': 'speaker',
      'metallb.io/node-name': 'node-1',
    });
    expect((cs()?.status as { result?: string }).result).toBe('Valid');
    const good = r.speaker.currentConfig;
    r.api.put(P.pools, {
      metadata: { name: 'bad', namespace: NS, generation: 1 },
      spec: { addresses: ['not-a-cidr'] },
    });
    await settle(r.clock);
    const st = cs()?.status as { result?: string; errorSummary?: string };
    expect(st.result).toBe('Invalid');
    expect(st.errorSummary).toMatch(/not-a-cidr/);
    expect(r.speaker.currentConfig).toBe(good);
    expect(r.metrics.value('k8s_client_config_stale_bool')).toBe(1);
  });

  it('a BGPPeer that selects another node does not make this node invalid (MetalLB pre-filters)', async () => {
    const r = await rig('node-1', {
      seed: (api) =>
        api.put(P.peers, {
          metadata: { name: 'elsewhere', namespace: NS, generation: 1 },
          spec: {
            myASN: 64500,
            peerASN: 64512,
            peerAddress: '198.51.100.1',
            passwordSecret: { name: 'missing', namespace: NS },
            nodeSelectors: [{ matchLabels: { 'kubernetes.io/hostname': 'node-2' } }],
          },
        }),
    });
    await settle(r.clock);
    const cs = r.api.list(P.cs).find((o) => o.metadata.name === 'speaker-node-1');
    expect((cs?.status as { result?: string }).result).toBe('Valid');
    expect(r.bgp.applied.at(-1)?.sessions).toEqual([]);
  });

  it('BGP: sessions and routes go to the port; a session the libraries refuse makes ConfigurationState Invalid', async () => {
    const r = await rig('node-1', {
      seed: (api) => {
        api.put(P.pools, {
          metadata: { name: 'bgp', namespace: NS, generation: 1 },
          spec: { addresses: ['203.0.113.0/28'] },
        });
        api.put(P.bgpads, {
          metadata: { name: 'bgp', namespace: NS, generation: 1 },
          spec: { ipAddressPools: ['bgp'], communities: ['64500:100'], localPref: 150 },
        });
        api.put(P.peers, {
          metadata: { name: 'router', namespace: NS, generation: 1 },
          spec: { myASN: 64500, peerASN: 64512, peerAddress: '198.51.100.1' },
        });
        api.put(P.services, lbService('web', '203.0.113.5'));
        api.put(P.slices, slice('web', ['node-2']));
      },
    });
    await settle(r.clock);
    const last = r.bgp.applied.at(-1);
    expect(last?.sessions.map((s) => [s.name, s.options.address, s.options.localAs])).toEqual([
      ['router', '198.51.100.1', 64500],
    ]);
    expect(last?.routes).toEqual([
      {
        peer: 'router',
        address: '198.51.100.1',
        routes: [
          {
            prefix: '203.0.113.5/32',
            communities: ['64500:100'],
            attributes: {
              communities: [64500 * 65536 + 100],
              largeCommunities: [],
              localPref: 150,
            },
            services: ['default/web'],
          },
        ],
      },
    ]);
    const status = r.api.list(P.bgpstatus);
    expect(status.map((s) => s.status)).toEqual([
      { node: 'node-1', serviceName: 'web', serviceNamespace: 'default', peers: ['router'] },
    ]);
    expect(r.api.events.map((e) => e.reason)).toEqual(['nodeAssigned']);
    // The port refuses the session (e.g. BFD echo mode): ConfigurationState says why.
    r.bgp.problems = [{ name: 'router', message: 'echo mode is not supported' }];
    r.api.put(P.slices, slice('web', ['node-2', 'node-3']));
    await settle(r.clock);
    const cs = r.api.list(P.cs).find((o) => o.metadata.name === 'speaker-node-1');
    expect(cs?.status).toMatchObject({
      result: 'Invalid',
      errorSummary: 'BGPPeer router: echo mode is not supported',
    });
  });

  it('a withdrawn Service deletes its status object and sets speaker_announced to 0', async () => {
    const ip = '192.0.2.1';
    const owner = winnerOf(ip, ['node-1', 'node-2', 'node-3']);
    const r = await rig(owner, {
      seed: (api) => {
        api.put(P.services, lbService('web', ip));
        api.put(P.slices, slice('web', ['node-1']));
      },
    });
    await settle(r.clock);
    expect(r.api.list(P.l2status)).toHaveLength(1);
    r.api.remove(P.services, 'web');
    await settle(r.clock);
    expect(r.l2.current).toEqual([]);
    expect(r.api.list(P.l2status)).toEqual([]);
    expect(
      r.metrics.value('speaker_announced', {
        service: 'default/web',
        protocol: 'layer2',
        node: owner,
        ip,
      }),
    ).toBe(0);
    expect(r.logger.find('withdrawing service announcement')[0]?.fields).toMatchObject({
      reason: 'serviceDeleted',
    });
  });

  it('memberlist: joins the other speaker pods found through the API before deciding', async () => {
    const r = await rig('node-1', {
      memberlist: true,
      seed: (api) => {
        for (const [n, ip] of [
          ['node-1', '198.51.100.11'],
          ['node-2', '198.51.100.12'],
          ['node-3', '2001:db8::13'],
        ] as const)
          api.put(P.pods, {
            metadata: { name: `speaker-${n}`, namespace: NS, labels: { app: 'speaker' } },
            spec: { nodeName: n },
            status: { podIP: ip },
          });
      },
    });
    expect(r.members!.joins[0]).toEqual(['198.51.100.12:7946', '[2001:db8::13]:7946']);
  });
});
