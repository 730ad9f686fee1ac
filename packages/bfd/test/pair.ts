// Two pure session machines joined by a simulated link with a fixed one-way delay, driven by
// virtual time: the machine tests' way to run whole RFC 5880 exchanges without any I/O.
import { seededRandom } from '@ironlb/clock/testing';
import { initialSessionState, nextDeadline, step } from '../src/index.js';
import type {
  ControlPacket,
  SessionAction,
  SessionConfig,
  SessionEvent,
  SessionState,
} from '../src/index.js';

export interface Sent {
  at: number;
  from: 'a' | 'b';
  packet: ControlPacket;
}

export const config = (o: Partial<SessionConfig> = {}): SessionConfig => ({
  localDiscriminator: 1,
  detectMult: 3,
  desiredMinTxUs: 300_000,
  requiredMinRxUs: 300_000,
  passive: false,
  ...o,
});

export class Pair {
  now = 0;
  a: SessionState;
  b: SessionState;
  readonly sent: Sent[] = [];
  readonly changes: {
    at: number;
    who: 'a' | 'b';
    action: Extract<SessionAction, { type: 'state-change' }>;
  }[] = [];
  /** Packets in flight: deliver at `at` to `to`. */
  private flight: { at: number; to: 'a' | 'b'; packet: ControlPacket }[] = [];
  cut = false;
  private readonly random: () => number;

  constructor(
    ca: Partial<SessionConfig>,
    cb: Partial<SessionConfig>,
    readonly delayMs = 1,
    seed = 1,
  ) {
    this.random = seededRandom(seed);
    this.a = initialSessionState(config({ localDiscriminator: 0xaaaa, ...ca }), 0);
    this.b = initialSessionState(config({ localDiscriminator: 0xbbbb, ...cb }), 0);
  }

  apply(who: 'a' | 'b', e: SessionEvent): void {
    const r = step(this[who], e, this.now, this.random);
    this[who] = r.state;
    for (const act of r.actions) {
      if (act.type === 'send') {
        this.sent.push({ at: this.now, from: who, packet: act.packet });
        if (!this.cut)
          this.flight.push({
            at: this.now + this.delayMs,
            to: who === 'a' ? 'b' : 'a',
            packet: act.packet,
          });
      } else this.changes.push({ at: this.now, who, action: act });
    }
  }

  /** Runs every event due up to `untilMs`, in time order. */
  run(untilMs: number): void {
    for (let guard = 0; guard < 1_000_000; guard++) {
      const da = nextDeadline(this.a);
      const db = nextDeadline(this.b);
      const df = this.flight.length ? Math.min(...this.flight.map((f) => f.at)) : null;
      const next = Math.min(da ?? Infinity, db ?? Infinity, df ?? Infinity);
      if (next > untilMs) break;
      this.now = next;
      if (df === next) {
        const i = this.flight.findIndex((f) => f.at === next);
        const f = this.flight.splice(i, 1)[0]!;
        this.apply(f.to, { type: 'packet', packet: f.packet });
      } else if (da === next) this.apply('a', { type: 'timer' });
      else this.apply('b', { type: 'timer' });
    }
    this.now = untilMs;
  }

  /** Drops everything in flight and everything sent from now on. */
  blackhole(): void {
    this.cut = true;
    this.flight = [];
  }

  sentBy(who: 'a' | 'b', from = 0): Sent[] {
    return this.sent.filter((s) => s.from === who && s.at >= from);
  }
}
