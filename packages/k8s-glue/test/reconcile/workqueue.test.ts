// The work queue's client-go semantics, on a manual clock.
import { describe, expect, it } from 'vitest';
import { ManualClock } from '@ironlb/clock/testing';
import { RateLimiter, WorkQueue } from '../../src/reconcile/workqueue.js';
import { K8sGlueError } from '../../src/errors.js';

const drain = (q: WorkQueue<string>) => {
  const out: string[] = [];
  for (let k = q.tryGet(); k !== undefined; k = q.tryGet()) out.push(k);
  return out;
};

describe('WorkQueue', () => {
  it('de-duplicates queued keys and keeps first-in order', () => {
    const q = new WorkQueue<string>(new ManualClock());
    for (const k of ['a', 'b', 'a', 'c', 'b']) q.add(k);
    expect(q.length).toBe(3);
    expect(drain(q)).toEqual(['a', 'b', 'c']);
  });

  it('never hands out a key being processed; an add meanwhile re-queues it after done()', () => {
    const q = new WorkQueue<string>(new ManualClock());
    q.add('a');
    expect(q.tryGet()).toBe('a');
    q.add('a');
    q.add('a');
    expect(q.tryGet()).toBeUndefined();
    q.done('a');
    expect(drain(q)).toEqual(['a']);
    q.done('a');
    expect(q.tryGet()).toBeUndefined();
  });

  it('get() waits for a key, and resolves undefined on shutdown', async () => {
    const q = new WorkQueue<string>(new ManualClock());
    const p = q.get();
    q.add('x');
    await expect(p).resolves.toBe('x');
    const waiting = q.get();
    q.shutDown();
    await expect(waiting).resolves.toBeUndefined();
    q.add('y');
    expect(q.length).toBe(0);
  });

  it('retries with per-key exponential backoff; forget() resets it', () => {
    const clock = new ManualClock();
    const q = new WorkQueue<string>(clock, { baseDelayMs: 10, maxDelayMs: 50 });
    const delays = [1, 2, 3, 4, 5].map(() => q.addRateLimited('k'));
    expect(delays).toEqual([10, 20, 40, 50, 50]);
    expect(q.numRequeues('k')).toBe(5);
    expect(q.length).toBe(0);
    clock.advance(9);
    expect(q.length).toBe(0);
    clock.advance(1);
    expect(drain(q)).toEqual(['k']);
    q.forget('k');
    expect(q.addRateLimited('k')).toBe(10);
  });

  it('addAfter keeps the earliest deadline for a key', () => {
    const clock = new ManualClock();
    const q = new WorkQueue<string>(clock);
    q.addAfter('k', 100);
    q.addAfter('k', 500);
    q.addAfter('k', 50);
    expect(q.delayed).toBe(1);
    clock.advance(50);
    expect(drain(q)).toEqual(['k']);
    clock.advance(1000);
    expect(q.length).toBe(0);
  });

  it('clear() drops queued and delayed keys but lets processing finish', () => {
    const clock = new ManualClock();
    const depths: number[] = [];
    const q = new WorkQueue<string>(clock, { onDepth: (d) => depths.push(d) });
    q.add('a');
    q.add('b');
    q.addAfter('c', 10);
    expect(q.tryGet()).toBe('a');
    q.clear();
    clock.advance(100);
    expect(q.length).toBe(0);
    q.done('a');
    expect(q.inProgress).toBe(0);
    expect(depths).toContain(2);
    expect(depths.at(-1)).toBe(0);
  });
});

describe('RateLimiter', () => {
  it('an overall token bucket caps a storm of retries (10/s after a burst of 100)', () => {
    const clock = new ManualClock();
    const r = new RateLimiter<number>(clock, { baseDelayMs: 1 });
    const delays = Array.from({ length: 110 }, (_, i) => r.when(i));
    expect(delays.slice(0, 100).every((d) => d === 1)).toBe(true);
    expect(delays[100]).toBeCloseTo(100);
    expect(delays[109]).toBeCloseTo(1000);
  });

  it('rejects nonsense options', () => {
    expect(() => new RateLimiter(new ManualClock(), { baseDelayMs: 0 })).toThrow(K8sGlueError);
    try {
      new RateLimiter(new ManualClock(), { maxDelayMs: 1, baseDelayMs: 5 });
    } catch (e) {
      expect((e as K8sGlueError).code).toBe('INVALID_OPTION');
    }
  });
});
