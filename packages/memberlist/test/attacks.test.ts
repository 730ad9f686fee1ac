// Issue 14's attacks on memberlist, replayed against whole simulated clusters (real Memberlist
// instances on the in-memory network, manual clock): each asserts counted bounds — member-table
// size, pending verifications, queued gossip, dropped messages — and that no healthy member is
// declared dead. Run with and without a keyring: with one, the attacker is an insider holding the
// key (a compromised or buggy member), since nobody else can get a byte past authentication.
import { describe, expect, it } from 'vitest';
import { Keyring, open, seal, SealPurpose } from '../src/codec/crypto.js';
import { MemberState } from '../src/codec/messages.js';
import type { Message, NodeStateEntry, Packet } from '../src/codec/messages.js';
import { decodePacket, encodePacket, LIMITS } from '../src/codec/packet.js';
import type { Transport } from '../src/deps.js';
import { BOUNDS } from '../src/machine/config.js';
import { Simulation } from '../src/testing/simulation.js';

const SECRET = 'cluster secret';
const ROGUE = '203.0.113.66:7946';

interface Rogue {
  transport: Transport;
  send(to: string, messages: Message[], from?: string): void;
  stream(to: string, messages: Message[]): Promise<Packet | null>;
  /** Acks every ping that reaches the rogue's address, as the member it names. */
  answerPings(on: boolean): void;
}

/** A sender on the cluster's network; seals with the cluster's key when it has one. */
function rogue(sim: Simulation, keyed: boolean, addr = ROGUE): Rogue {
  const transport = sim.network.createTransport(addr);
  const ring = keyed ? Keyring.fromSecrets([SECRET]) : null;
  const wrap = (p: Packet, purpose: SealPurpose) => {
    const plain = encodePacket(p);
    return ring === null ? plain : seal(ring, purpose, plain);
  };
  const unwrap = (b: Uint8Array, purpose: SealPurpose) =>
    decodePacket(ring === null ? b : open(ring, purpose, b));
  const r: Rogue = {
    transport,
    send(to, messages, from = 'm9') {
      transport.sendPacket(to, wrap({ version: 1, from, messages }, SealPurpose.Packet));
    },
    stream(to, messages) {
      return new Promise((resolve) =>
        transport.openStream(
          to,
          wrap({ version: 1, from: 'm9', messages }, SealPurpose.Stream),
          5000,
          (reply) => resolve(reply === null ? null : unwrap(reply, SealPurpose.Stream)),
        ),
      );
    },
    answerPings(on) {
      transport.onPacket((from, bytes) => {
        if (!on) return;
        for (const m of unwrap(bytes, SealPurpose.Packet).messages)
          if (m.type === 'ping') r.send(from, [{ type: 'ack', seq: m.seq }], m.target);
      });
    },
  };
  return r;
}

function deathsOf(sim: Simulation, since: number): string[] {
  return sim.events
    .filter((e) => e.atMs >= since && (e.type === 'dead' || e.type === 'leave'))
    .map((e) => `${e.observer} saw ${e.type} ${e.member}`);
}

function incarnationOf(sim: Simulation, observer: string, member: string): number | undefined {
  return sim
    .get(observer)
    .members()
    .find((m) => m.name === member)?.incarnation;
}

const modes = [
  ['plaintext', false],
  ['keyring (insider)', true],
] as const;

describe.each(modes)('incarnation overflow (%s)', (_mode, keyed) => {
  const start = async () => {
    const sim = new Simulation({ seed: 14, ...(keyed ? { secrets: [SECRET] } : {}) });
    await sim.startCluster(5);
    return { sim, r: rogue(sim, keyed), since: sim.clock.now() };
  };
  const everyone = (sim: Simulation) => [...sim.members.values()].map((m) => m.addr);

  it('Suspect{m2, 4294967295} to everyone: no death, no refutation (serially older than m2’s incarnation)', async () => {
    const { sim, r, since } = await start();
    for (const to of everyone(sim))
      r.send(to, [{ type: 'suspect', node: 'm2', incarnation: 0xffff_ffff, from: 'm9' }]);
    sim.run(60_000);
    expect(deathsOf(sim, since)).toEqual([]);
    expect(sim.eventsOf('suspect', 'm2').filter((e) => e.atMs >= since)).toEqual([]);
    expect(sim.get('m2').stats().refutations).toBe(0);
    expect(sim.converged()).toBe(true);
  });

  it('accusations far ahead (serially newer by up to 2³¹−1) are dropped and counted by everyone, m2 included', async () => {
    const { sim, r, since } = await start();
    const inc = incarnationOf(sim, 'm0', 'm2') ?? 0;
    for (const lead of [BOUNDS.maxAccusationLead + 1, 1000, 2 ** 31 - 1])
      for (const to of everyone(sim)) {
        r.send(to, [{ type: 'suspect', node: 'm2', incarnation: inc + lead, from: 'm9' }]);
        r.send(to, [{ type: 'dead', node: 'm2', incarnation: inc + lead, from: 'm9' }]);
      }
    sim.run(60_000);
    expect(deathsOf(sim, since)).toEqual([]);
    for (const m of sim.members.values()) expect(m.stats().rejected.accusationTooFar).toBe(6);
    expect(sim.get('m2').stats().refutations).toBe(0);
    expect(incarnationOf(sim, 'm0', 'm2')).toBe(inc);
  });

  it('a credible accusation repeated every 5 s for a minute: refuted every time, never a death', async () => {
    const { sim, r, since } = await start();
    for (let i = 0; i < 12; i++) {
      const inc = incarnationOf(sim, 'm0', 'm2') ?? 0;
      for (const to of everyone(sim))
        r.send(to, [{ type: 'suspect', node: 'm2', incarnation: inc + 3, from: 'm9' }]);
      sim.run(5000);
    }
    expect(deathsOf(sim, since)).toEqual([]);
    expect(sim.get('m2').stats().refutations).toBeGreaterThanOrEqual(12);
    // Each refutation is one step past the accusation: m2 climbs by at most lead + 1 per attack.
    expect(incarnationOf(sim, 'm1', 'm2')).toBeLessThanOrEqual(12 * 4 + 1);
    expect(sim.converged()).toBe(true);
  });

  it('at the top of the range the refutation wraps to 0 and everyone takes it as newer', async () => {
    const { sim, r, since } = await start();
    const top = 0xffff_ffff;
    // Lift the cluster's view of m2 to the top with alives of m2 (alives are not capped: after a
    // partition a member may be far ahead). Serially, a jump must stay under 2³¹, so two steps;
    // m2 outbids each, as after a restart.
    for (const step of [2 ** 31 - 1, top - 1]) {
      for (const to of everyone(sim))
        r.send(to, [
          { type: 'alive', node: 'm2', incarnation: step, addr: Simulation.addrOf(2), meta: {} },
        ]);
      sim.run(2000);
    }
    expect(incarnationOf(sim, 'm0', 'm2')).toBe(top); // m2 refuted top − 1 with top
    for (const to of everyone(sim))
      r.send(to, [{ type: 'suspect', node: 'm2', incarnation: top, from: 'm9' }]);
    sim.run(60_000);
    expect(deathsOf(sim, since)).toEqual([]);
    for (const observer of ['m0', 'm1', 'm3', 'm4'])
      expect(incarnationOf(sim, observer, 'm2')).toBe(0); // 4294967295 + 1, mod 2³²
    expect(sim.converged()).toBe(true);
  });
});

describe.each(modes)('fake-member flood (%s)', (_mode, keyed) => {
  it('100 packets × 512 alives of invented names: no fake in any table, no false death, bounded work', async () => {
    const sim = new Simulation({ seed: 15, ...(keyed ? { secrets: [SECRET] } : {}) });
    await sim.startCluster(5);
    const r = rogue(sim, keyed);
    const since = sim.clock.now();
    const victim = sim.get('m0');
    let peakTable = 0;
    let peakPending = 0;
    for (let p = 0; p < 100; p++) {
      const messages: Message[] = [];
      for (let i = 0; i < LIMITS.messagesPerPacket; i++)
        messages.push({
          type: 'alive',
          node: `fake-${p}-${i}`,
          incarnation: 1,
          addr: `203.0.113.${1 + (i % 200)}:7946`,
          meta: { zone: 'x'.repeat(32) },
        });
      r.send(victim.addr, messages, `fake-${p}-0`);
      sim.run(10);
      peakTable = Math.max(peakTable, victim.members().length);
      peakPending = Math.max(peakPending, victim.stats().pendingMembers);
    }
    sim.run(60_000);
    const st = victim.stats();
    expect(peakTable).toBe(4);
    expect(peakPending).toBeLessThanOrEqual(BOUNDS.maxCandidates);
    expect(st.pendingMembers).toBe(0);
    expect(st.candidatesExpired).toBe(100 * BOUNDS.newMembersPerMessage);
    expect(st.rejected.perPacketLimit).toBe(100 * (512 - BOUNDS.newMembersPerMessage));
    for (const m of sim.members.values()) expect(m.members()).toHaveLength(4);
    expect(sim.events.filter((e) => e.member.startsWith('fake-'))).toEqual([]);
    expect(deathsOf(sim, since)).toEqual([]);
    expect(sim.converged()).toBe(true);
  });

  it('an inbound push/pull of 9,999 invented members introduces at most 32 candidates, and none is admitted', async () => {
    const sim = new Simulation({ seed: 16, ...(keyed ? { secrets: [SECRET] } : {}) });
    await sim.startCluster(5);
    const r = rogue(sim, keyed);
    const since = sim.clock.now();
    const nodes: NodeStateEntry[] = Array.from({ length: LIMITS.nodesPerPushPull - 1 }, (_, i) => ({
      node: `fake-${i}`,
      incarnation: 1,
      addr: `203.0.113.${1 + (i % 200)}:7946`,
      meta: {},
      state: MemberState.Alive,
    }));
    const reply = r.stream(sim.get('m0').addr, [{ type: 'push-pull', join: true, nodes }]);
    sim.run(100);
    expect(await reply).not.toBeNull(); // answered as any push/pull
    sim.run(60_000);
    const st = sim.get('m0').stats();
    expect(st.candidatesExpired).toBe(BOUNDS.newMembersPerMessage);
    expect(st.rejected.perPacketLimit).toBe(nodes.length - BOUNDS.newMembersPerMessage);
    expect(sim.get('m0').members()).toHaveLength(4);
    expect(deathsOf(sim, since)).toEqual([]);
  });

  it('a forger that answers for its names fills at most maxMembers; its names die and leave at once', async () => {
    const maxMembers = 40;
    const sim = new Simulation({
      seed: 17,
      options: { maxMembers },
      ...(keyed ? { secrets: [SECRET] } : {}),
    });
    await sim.startCluster(5);
    const r = rogue(sim, keyed);
    r.answerPings(true);
    const since = sim.clock.now();
    for (let b = 0; b < 3; b++) {
      r.send(
        sim.get('m0').addr,
        Array.from({ length: 20 }, (_, i) => ({
          type: 'alive' as const,
          node: `fake-${b}-${i}`,
          incarnation: 1,
          addr: ROGUE,
          meta: {},
        })),
      );
      sim.run(50);
    }
    sim.run(2000);
    // 60 answering names, room for 40 − 4 real ones: the table stops at maxMembers everywhere.
    for (const m of sim.members.values())
      expect(m.members().length).toBeLessThanOrEqual(maxMembers);
    const rejected = [...sim.members.values()].reduce(
      (n, m) => n + m.stats().rejected.memberLimit,
      0,
    );
    expect(rejected).toBeGreaterThan(0);
    // The forger goes quiet: its names are detected like any crash and, once dead, forgotten.
    r.answerPings(false);
    sim.run(120_000);
    for (const m of sim.members.values()) expect(m.members()).toHaveLength(4);
    expect(deathsOf(sim, since).filter((d) => !d.includes('fake-'))).toEqual([]);
    expect(sim.converged()).toBe(true);
  });
});

describe('a push/pull never exceeds the limits its receiver enforces', () => {
  it('5,000 members with full metadata: the state sent decodes within LIMITS', async () => {
    const { MembershipMachine } = await import('../src/machine/machine.js');
    const { resolveOptions } = await import('../src/machine/config.js');
    const { seededRandom } = await import('../src/testing/index.js');
    const m = new MembershipMachine(
      { random: seededRandom(1) },
      { name: 'me', addr: '198.51.100.1:7946' },
      resolveOptions({ pushPullIntervalMs: 1_000_000 }),
    );
    m.handle({ type: 'start' }, 0);
    const out = m.handle({ type: 'join', seeds: ['198.51.100.2:7946'], id: 1 }, 0);
    const open = out.find((a) => a.type === 'stream-open');
    if (open?.type !== 'stream-open') throw new Error('no join');
    const meta = Object.fromEntries(Array.from({ length: 8 }, (_, i) => [`k${i}`, 'v'.repeat(60)]));
    const nodes = Array.from({ length: 5000 }, (_, i) => ({
      node: `n${i}-${'x'.repeat(200)}`,
      incarnation: 1,
      addr: `198.51.100.${i % 250}:${7000 + (i % 1000)}`,
      meta,
      state: MemberState.Alive,
    }));
    m.handle(
      {
        type: 'stream-result',
        token: open.token,
        packet: { version: 1, from: 'seed', messages: [{ type: 'push-pull', join: false, nodes }] },
      },
      1,
    );
    expect(m.members()).toHaveLength(5000);
    const reply = m.handle(
      {
        type: 'stream-request',
        token: -1,
        from: '198.51.100.3:7946',
        packet: {
          version: 1,
          from: 'x',
          messages: [{ type: 'push-pull', join: false, nodes: [] }],
        },
      },
      2,
    );
    const sent = reply.find((a) => a.type === 'stream-reply');
    if (sent?.type !== 'stream-reply') throw new Error('no reply');
    const bytes = encodePacket(sent.packet);
    expect(bytes.length).toBeLessThanOrEqual(LIMITS.pushPullBytes);
    const back = decodePacket(bytes).messages[0];
    expect(back?.type).toBe('push-pull');
    // Every live member that fits is sent; the state is cut by bytes, never undecodable.
    expect((back as { nodes: unknown[] }).nodes.length).toBeGreaterThan(1000);
  });
});
