/**
 * A cluster of real Memberlist instances (the same io + machine code as production) on one
 * manual clock and one in-memory network. Used by the simulation tests and the bench.
 */
import { Keyring } from '../codec/crypto.js';
import type { Meta } from '../codec/messages.js';
import { createMemberlist } from '../io/memberlist.js';
import type { CreateMemberlistOptions, Memberlist } from '../io/memberlist.js';
import type { MemberlistOptions, ProfileName } from '../machine/config.js';
import type { MemberEventType } from '../machine/types.js';
import { ManualClock, seededRandom } from '@ironlb/clock/testing';
import { InMemoryNetwork } from './network.js';

export interface SimulationOptions {
  /** Seed of every random choice (network loss and each member's machine). */
  seed: number;
  /** Default `fast`. */
  profile?: ProfileName;
  /** Timer overrides for every member. */
  options?: Partial<MemberlistOptions>;
  /** Loss on every link, percent. Default 0. */
  lossPercent?: number;
  /** One-way delay, ms. Default 0.2. */
  delayMs?: number;
  /** Shared secret(s); first is primary. Default none (plaintext). */
  secrets?: string[];
  /**
   * Which membership events to keep in `events` (default all). Large clusters emit N² joins while
   * forming; a scale run keeps only what it measures.
   */
  eventTypes?: readonly MemberEventType[];
}

export interface SimEvent {
  atMs: number;
  /** Who saw it. */
  observer: string;
  type: MemberEventType;
  /** About whom. */
  member: string;
  incarnation: number;
}

export class Simulation {
  readonly clock = new ManualClock(0);
  readonly network: InMemoryNetwork;
  readonly members = new Map<string, Memberlist>();
  readonly keyrings = new Map<string, Keyring | null>();
  readonly events: SimEvent[] = [];
  private readonly seed: number;
  private readonly o: SimulationOptions;
  private nextSeed: number;

  constructor(o: SimulationOptions) {
    this.o = o;
    this.seed = o.seed;
    this.nextSeed = o.seed * 7919 + 1;
    this.network = new InMemoryNetwork({
      clock: this.clock,
      random: seededRandom(o.seed),
      delayMs: o.delayMs ?? 0.2,
      lossPercent: o.lossPercent ?? 0,
    });
  }

  static addrOf(i: number): string {
    return `198.51.100.${10 + (i % 200)}:${7946 + Math.floor(i / 200)}`;
  }

  /** Creates and starts a member (not joined). */
  add(name: string, addr: string, extra: { meta?: Meta; secrets?: string[] } = {}): Memberlist {
    const secrets = extra.secrets ?? this.o.secrets;
    const keyring = secrets && secrets.length > 0 ? Keyring.fromSecrets(secrets) : null;
    const opts: CreateMemberlistOptions = {
      name,
      ...(this.o.options ?? {}),
      ...(this.o.profile ? { profile: this.o.profile } : {}),
      ...(extra.meta ? { meta: extra.meta } : {}),
    };
    const m = createMemberlist(
      {
        transport: this.network.createTransport(addr),
        clock: this.clock,
        random: seededRandom(this.nextSeed++),
        keyring,
      },
      opts,
    );
    const keep = this.o.eventTypes;
    m.onEvent((e) => {
      if (keep !== undefined && !keep.includes(e.type)) return;
      this.events.push({
        atMs: e.atMs,
        observer: name,
        type: e.type,
        member: e.member.name,
        incarnation: e.member.incarnation,
      });
    });
    this.members.set(name, m);
    this.keyrings.set(name, keyring);
    m.start();
    return m;
  }

  /**
   * Starts `n` members m0..m(n−1) and joins each to m0; runs until the joins complete and
   * `settleMs` (at least 6 s) has passed. `joinEveryMs` starts member i at i × joinEveryMs, as a
   * DaemonSet rollout does, instead of all at once (default 0: all at once).
   */
  async startCluster(n: number, settleMs = 3000, joinEveryMs = 0): Promise<void> {
    const first = this.add('m0', Simulation.addrOf(0));
    const joins: Promise<number>[] = [];
    for (let i = 1; i < n; i++) {
      if (joinEveryMs > 0) this.run(joinEveryMs);
      const m = this.add(`m${i}`, Simulation.addrOf(i));
      joins.push(m.join([first.addr]));
    }
    this.run(Math.max(settleMs, 6000));
    await Promise.all(joins);
  }

  /** Advances the manual clock by ms, running every timer (deliveries, member timers) due on the way. */
  run(ms: number): void {
    this.clock.advance(ms);
  }

  get(name: string): Memberlist {
    const m = this.members.get(name);
    if (m === undefined) throw new Error(`no member ${name}`);
    return m;
  }

  /** Crash: stop without a word (the in-memory address becomes unreachable). */
  async crash(name: string): Promise<void> {
    const m = this.get(name);
    this.members.delete(name);
    await m.shutdown();
  }

  /** Graceful leave; runs the clock while the leave propagates. */
  async leave(name: string): Promise<void> {
    const m = this.get(name);
    const done = m.leave();
    this.run(2000);
    await done;
    this.members.delete(name);
  }

  /** Everyone alive in the simulation sees exactly `names` (plus itself) as alive. */
  converged(names: readonly string[] = [...this.members.keys()]): boolean {
    for (const [self, m] of this.members) {
      const alive = m
        .members()
        .filter((x) => x.status === 'alive')
        .map((x) => x.name)
        .sort();
      const want = names.filter((x) => x !== self).sort();
      if (alive.length !== want.length || alive.some((x, i) => x !== want[i])) return false;
    }
    return true;
  }

  eventsOf(type: MemberEventType, member?: string): SimEvent[] {
    return this.events.filter(
      (e) => e.type === type && (member === undefined || e.member === member),
    );
  }

  get seedValue(): number {
    return this.seed;
  }
}
