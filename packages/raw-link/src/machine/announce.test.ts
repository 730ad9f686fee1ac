import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { AnnounceEvent, AnnounceOptions, AnnounceState } from './announce.js';
import {
  DEFAULT_ANNOUNCE_OPTIONS,
  initialAnnounceState,
  nextAnnounceDeadline,
  stepAnnounce,
} from './announce.js';

/** Drives the machine like the io layer does: tick at every deadline up to `untilMs`. */
function run(state: AnnounceState, untilMs: number, o: AnnounceOptions = DEFAULT_ANNOUNCE_OPTIONS) {
  const sends: { atMs: number; address: string; reason: string }[] = [];
  for (;;) {
    const d = nextAnnounceDeadline(state);
    if (d === null || d > untilMs) break;
    const r = stepAnnounce(state, { type: 'tick' }, d, o);
    state = r.state;
    for (const a of r.actions)
      if (a.type === 'announce') sends.push({ atMs: d, address: a.address, reason: a.reason });
  }
  return { state, sends };
}

describe('announcement schedule (MetalLB announcer.go)', () => {
  it('announces at once, then every 1.1 s until 5 s after the trigger: 6 rounds', () => {
    const r0 = stepAnnounce(
      initialAnnounceState(),
      { type: 'acquire', address: '198.51.100.10' },
      1000,
    );
    expect(r0.actions).toEqual([
      { type: 'added', address: '198.51.100.10' },
      { type: 'announce', address: '198.51.100.10', reason: 'burst' },
    ]);
    const { state, sends } = run(r0.state, 60_000);
    expect(sends.map((s) => s.atMs - 1000)).toEqual([1100, 2200, 3300, 4400, 5500]);
    expect(nextAnnounceDeadline(state)).toBeNull();
  });

  it('a trigger during a burst extends it without an extra immediate round', () => {
    let s = stepAnnounce(initialAnnounceState(), { type: 'acquire', address: 'a' }, 0).state;
    s = run(s, 2200).state;
    const r = stepAnnounce(s, { type: 'acquire', address: 'a' }, 3000);
    expect(r.actions).toEqual([]);
    expect(r.state.addresses.get('a')?.refs).toBe(2);
    const { sends } = run(r.state, 60_000);
    // rounds continue on the 1.1 s grid until 5 s after the *last* trigger (3.0 s → 8.0 s)
    expect(sends.map((x) => x.atMs)).toEqual([3300, 4400, 5500, 6600, 7700, 8800]);
  });

  it('a trigger after the burst starts a new one at once', () => {
    let s = stepAnnounce(initialAnnounceState(), { type: 'acquire', address: 'a' }, 0).state;
    s = run(s, 10_000).state;
    const r = stepAnnounce(s, { type: 'trigger', address: 'a' }, 20_000);
    expect(r.actions).toEqual([{ type: 'announce', address: 'a', reason: 'burst' }]);
    expect(r.state.addresses.get('a')?.refs).toBe(1);
    expect(stepAnnounce(s, { type: 'trigger', address: 'zzz' }, 20_000).actions).toEqual([]);
  });

  it('refreshes periodically after the burst when refreshIntervalMs > 0 (MetalLB #2910)', () => {
    const o = { ...DEFAULT_ANNOUNCE_OPTIONS, refreshIntervalMs: 30_000 };
    const s = stepAnnounce(initialAnnounceState(), { type: 'acquire', address: 'a' }, 0, o).state;
    const { sends } = run(s, 100_000, o);
    expect(sends.map((x) => [x.atMs, x.reason])).toEqual([
      [1100, 'burst'],
      [2200, 'burst'],
      [3300, 'burst'],
      [4400, 'burst'],
      [5500, 'burst'],
      [35_500, 'refresh'],
      [65_500, 'refresh'],
      [95_500, 'refresh'],
    ]);
  });

  it('is reference-counted: withdrawn only when the last owner releases', () => {
    let s = stepAnnounce(initialAnnounceState(), { type: 'acquire', address: 'a' }, 0).state;
    s = stepAnnounce(s, { type: 'acquire', address: 'a' }, 0).state;
    let r = stepAnnounce(s, { type: 'release', address: 'a' }, 1);
    expect(r.actions).toEqual([]);
    expect(r.state.addresses.has('a')).toBe(true);
    r = stepAnnounce(r.state, { type: 'release', address: 'a' }, 2);
    expect(r.actions).toEqual([{ type: 'removed', address: 'a' }]);
    expect(r.state.addresses.size).toBe(0);
    expect(nextAnnounceDeadline(r.state)).toBeNull();
    expect(stepAnnounce(r.state, { type: 'release', address: 'a' }, 3).actions).toEqual([]);
  });

  it('a late timer does not stretch the burst or double-send', () => {
    const s = stepAnnounce(initialAnnounceState(), { type: 'acquire', address: 'a' }, 0).state;
    const r = stepAnnounce(s, { type: 'tick' }, 1500);
    expect(r.actions).toHaveLength(1);
    expect(r.state.addresses.get('a')?.nextAnnounceMs).toBe(2200);
    const r2 = stepAnnounce(r.state, { type: 'tick' }, 10_000);
    expect(r2.actions).toHaveLength(1);
    expect(r2.state.addresses.get('a')?.nextAnnounceMs).toBe(11_100);
  });

  it('property: refs equal acquires minus releases; present iff refs > 0; never announces a removed address', () => {
    const addr = fc.constantFrom('a', 'b', 'c');
    const ev: fc.Arbitrary<AnnounceEvent> = fc.oneof(
      addr.map((address) => ({ type: 'acquire', address }) as const),
      addr.map((address) => ({ type: 'release', address }) as const),
      addr.map((address) => ({ type: 'trigger', address }) as const),
      fc.constant({ type: 'tick' } as const),
    );
    fc.assert(
      fc.property(
        fc.array(fc.tuple(ev, fc.integer({ min: 0, max: 3000 })), { maxLength: 60 }),
        (steps) => {
          let s = initialAnnounceState();
          let now = 0;
          const refs = new Map<string, number>();
          for (const [e, dt] of steps) {
            now += dt;
            const r = stepAnnounce(s, e, now);
            if (e.type === 'acquire') refs.set(e.address, (refs.get(e.address) ?? 0) + 1);
            if (e.type === 'release' && (refs.get(e.address) ?? 0) > 0)
              refs.set(e.address, (refs.get(e.address) ?? 0) - 1);
            for (const a of r.actions)
              if (a.type === 'announce') expect((refs.get(a.address) ?? 0) > 0).toBe(true);
            s = r.state;
            for (const [a, n] of refs) expect(s.addresses.get(a)?.refs ?? 0).toBe(n);
            const d = nextAnnounceDeadline(s);
            // after a tick nothing due is left behind
            if (d !== null && e.type === 'tick') expect(d).toBeGreaterThan(now);
          }
        },
      ),
      { numRuns: 500 },
    );
  });
});
