import { describe, expect, it } from 'vitest';
import type { Clock } from '../index.js';
import { ManualClock } from './index.js';

describe('ManualClock', () => {
  it('starts at the given time (0 by default) and moves only when told to', () => {
    expect(new ManualClock().now()).toBe(0);
    const clock = new ManualClock(1_000);
    expect(clock.now()).toBe(1_000);
    clock.advance(250);
    expect(clock.now()).toBe(1_250);
  });

  it('is a Clock', () => {
    const clock: Clock = new ManualClock();
    const fired: number[] = [];
    clock.setTimeout(() => fired.push(clock.now()), 5);
    (clock as ManualClock).advance(5);
    expect(fired).toEqual([5]);
  });

  it('fires due timers by time, then by insertion order for equal times', () => {
    const clock = new ManualClock();
    const order: string[] = [];
    clock.setTimeout(() => order.push('c@30'), 30);
    clock.setTimeout(() => order.push('a@10'), 10);
    clock.setTimeout(() => order.push('b1@20'), 20);
    clock.setTimeout(() => order.push('b2@20'), 20);
    clock.setTimeout(() => order.push('b3@20'), 20);
    clock.setTimeout(() => order.push('z@0'), 0);
    clock.advance(100);
    expect(order).toEqual(['z@0', 'a@10', 'b1@20', 'b2@20', 'b3@20', 'c@30']);
  });

  it('keeps insertion order among many equal deadlines (heap stability)', () => {
    const clock = new ManualClock();
    const order: number[] = [];
    for (let i = 0; i < 200; i++) clock.setTimeout(() => order.push(i), (i % 3) * 10);
    clock.advance(20);
    const expected = [0, 1, 2].flatMap((r) =>
      Array.from({ length: 200 }, (_, i) => i).filter((i) => i % 3 === r),
    );
    expect(order).toEqual(expected);
  });

  it('runs each timer with now() at its deadline, and ends at now + ms', () => {
    const clock = new ManualClock(100);
    const seen: number[] = [];
    clock.setTimeout(() => seen.push(clock.now()), 7);
    clock.setTimeout(() => seen.push(clock.now()), 3);
    clock.advance(10);
    expect(seen).toEqual([103, 107]);
    expect(clock.now()).toBe(110);
  });

  it('fires timers armed by timers within the same advance when they fall due', () => {
    const clock = new ManualClock();
    const seen: [string, number][] = [];
    clock.setTimeout(() => {
      seen.push(['outer', clock.now()]);
      clock.setTimeout(() => seen.push(['inner', clock.now()]), 5);
      clock.setTimeout(() => seen.push(['late', clock.now()]), 50);
    }, 10);
    clock.advance(20);
    expect(seen).toEqual([
      ['outer', 10],
      ['inner', 15],
    ]);
    expect(clock.pending()).toBe(1);
    clock.advance(40);
    expect(seen.at(-1)).toEqual(['late', 60]);
  });

  it('a zero-delay timer armed by a timer runs after the timers already due at that time', () => {
    const clock = new ManualClock();
    const order: string[] = [];
    clock.setTimeout(() => {
      order.push('a');
      clock.setTimeout(() => order.push('a-child'), 0);
    }, 10);
    clock.setTimeout(() => order.push('b'), 10);
    clock.advance(10);
    expect(order).toEqual(['a', 'b', 'a-child']);
  });

  it('treats negative delays as 0', () => {
    const clock = new ManualClock(50);
    let at = -1;
    clock.setTimeout(() => (at = clock.now()), -10);
    clock.advance(0);
    expect(at).toBe(50);
  });

  it('clearTimeout cancels a pending timer; clearing twice, after firing, or a foreign value is a no-op', () => {
    const clock = new ManualClock();
    const fired: string[] = [];
    const a = clock.setTimeout(() => fired.push('a'), 10);
    const b = clock.setTimeout(() => fired.push('b'), 10);
    clock.clearTimeout(a);
    clock.clearTimeout(a);
    clock.clearTimeout(undefined);
    clock.clearTimeout(null);
    clock.clearTimeout(42);
    clock.advance(10);
    expect(fired).toEqual(['b']);
    clock.clearTimeout(b);
    clock.advance(10);
    expect(fired).toEqual(['b']);
  });

  it('a timer can cancel a later one that is due in the same advance', () => {
    const clock = new ManualClock();
    const fired: string[] = [];
    clock.setTimeout(() => {
      fired.push('first');
      clock.clearTimeout(later);
    }, 5);
    const later = clock.setTimeout(() => fired.push('later'), 6);
    clock.advance(10);
    expect(fired).toEqual(['first']);
  });

  it('advanceTo runs what is due up to the target and never moves time backwards', () => {
    const clock = new ManualClock(100);
    const fired: number[] = [];
    clock.setTimeout(() => fired.push(clock.now()), 10);
    clock.setTimeout(() => fired.push(clock.now()), 30);
    clock.advanceTo(120);
    expect(fired).toEqual([110]);
    expect(clock.now()).toBe(120);
    clock.advanceTo(50);
    expect(clock.now()).toBe(120);
    clock.advanceTo(130);
    expect(fired).toEqual([110, 130]);
    expect(clock.now()).toBe(130);
  });

  it('pending() and pendingTimers count armed timers, excluding cancelled and fired ones', () => {
    const clock = new ManualClock();
    expect(clock.pending()).toBe(0);
    expect(clock.pendingTimers).toBe(0);
    const a = clock.setTimeout(() => {}, 10);
    clock.setTimeout(() => {}, 20);
    clock.setTimeout(() => {}, 30);
    expect(clock.pending()).toBe(3);
    expect(clock.pendingTimers).toBe(3);
    clock.clearTimeout(a);
    expect(clock.pending()).toBe(2);
    clock.advance(20);
    expect(clock.pending()).toBe(1);
    expect(clock.pendingTimers).toBe(1);
    clock.advance(10);
    expect(clock.pendingTimers).toBe(0);
  });
});
