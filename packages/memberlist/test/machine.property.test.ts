// Property test of the state machine: arbitrary sequences of authenticated-but-hostile messages,
// ticks, stream results, leave and metadata changes never throw, never re-arm the timer in the
// past (a busy loop on a real clock), never make us a member of our own table, and never lower
// our incarnation.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { resolveOptions } from '../src/machine/config.js';
import { MembershipMachine } from '../src/machine/machine.js';
import type { MachineEvent } from '../src/machine/types.js';
import type { Message } from '../src/codec/messages.js';
import { MemberState } from '../src/codec/messages.js';
import { seededRandom } from '../src/testing/index.js';

const names = fc.constantFrom('me', 'a', 'b', 'c', 'd');
const inc = fc.integer({ min: 0, max: 5 });
const seq = fc.integer({ min: 0, max: 20 });
const message: fc.Arbitrary<Message> = fc.oneof(
  fc.record({ type: fc.constant('ping' as const), seq, target: names }),
  fc.record({
    type: fc.constant('indirect-ping' as const),
    seq,
    target: names,
    targetAddr: fc.constant('addr-x'),
    wantNack: fc.boolean(),
  }),
  fc.record({ type: fc.constant('ack' as const), seq }),
  fc.record({ type: fc.constant('nack' as const), seq }),
  fc.record({
    type: fc.constant('alive' as const),
    node: names,
    incarnation: inc,
    addr: names.map((n) => `addr-${n}`),
    meta: fc.constant({}),
  }),
  fc.record({ type: fc.constant('suspect' as const), node: names, incarnation: inc, from: names }),
  fc.record({ type: fc.constant('dead' as const), node: names, incarnation: inc, from: names }),
);
const pushPull = fc.record({
  type: fc.constant('push-pull' as const),
  join: fc.boolean(),
  nodes: fc.array(
    fc.record({
      node: names,
      incarnation: inc,
      addr: fc.constant('addr-y'),
      meta: fc.constant({}),
      state: fc.constantFrom(
        MemberState.Alive,
        MemberState.Suspect,
        MemberState.Dead,
        MemberState.Left,
      ),
    }),
    { maxLength: 4 },
  ),
});

type Step = { dt: number; ev: MachineEvent };
const step: fc.Arbitrary<Step> = fc.record({
  dt: fc.integer({ min: 0, max: 400 }),
  ev: fc.oneof(
    {
      weight: 6,
      arbitrary: fc
        .array(message, { minLength: 1, maxLength: 3 })
        .map((messages): MachineEvent => ({
          type: 'packet',
          from: 'addr-x',
          packet: { version: 1, from: 'x', messages },
        })),
    },
    { weight: 4, arbitrary: fc.constant<MachineEvent>({ type: 'tick' }) },
    {
      weight: 1,
      arbitrary: pushPull.map((p): MachineEvent => ({
        type: 'stream-request',
        token: -1,
        from: 'addr-x',
        packet: { version: 1, from: 'x', messages: [p] },
      })),
    },
    {
      weight: 1,
      arbitrary: fc
        .tuple(fc.integer({ min: 1, max: 10 }), fc.option(pushPull, { nil: null }))
        .map(([token, p]): MachineEvent => ({
          type: 'stream-result',
          token,
          packet: p === null ? null : { version: 1, from: 'x', messages: [p] },
        })),
    },
    { weight: 1, arbitrary: fc.constant<MachineEvent>({ type: 'join', seeds: ['addr-a'] }) },
    { weight: 1, arbitrary: fc.constant<MachineEvent>({ type: 'set-meta', meta: { k: 'v' } }) },
  ),
});

describe('state machine properties', () => {
  it.each(['fast', 'lan'] as const)(
    'invariants hold for arbitrary event sequences (%s)',
    (profile) => {
      fc.assert(
        fc.property(
          fc.array(step, { maxLength: 60 }),
          fc.boolean(),
          fc.integer(),
          (steps, leaveMidway, seed) => {
            const m = new MembershipMachine(
              { random: seededRandom(seed) },
              { name: 'me', addr: 'addr-me' },
              resolveOptions({ profile }),
            );
            let now = 0;
            m.handle({ type: 'start' }, now);
            let lastInc = 0;
            steps.forEach((s, i) => {
              now += s.dt;
              const ev: MachineEvent =
                leaveMidway && i === Math.floor(steps.length / 2) ? { type: 'leave' } : s.ev;
              const out = m.handle(ev, now);
              const timer = out.filter((a) => a.type === 'timer').at(-1);
              expect(timer).toBeDefined();
              if (timer?.type === 'timer') expect(timer.atMs).toBeGreaterThan(now);
              expect(m.members().some((x) => x.name === 'me')).toBe(false);
              expect(m.state.self.incarnation).toBeGreaterThanOrEqual(lastInc);
              lastInc = m.state.self.incarnation;
              expect(m.awareness()).toBeGreaterThanOrEqual(0);
              expect(m.awareness()).toBeLessThan(8);
            });
          },
        ),
        { numRuns: 400, seed: 17 },
      );
    },
  );
});
