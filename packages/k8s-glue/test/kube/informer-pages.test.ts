// Paged lists ask for the next page as soon as its continue token shows in the head of the answer
// (at most one page ahead), fall back when the guess was wrong, and never leave a rejected
// prefetch unhandled.
import { describe, expect, it } from 'vitest';
import { ManualClock } from '@ironlb/clock/testing';
import { Informer, continueInHead, type KubeObject } from '../../src/kube/informer.js';
import type { KubeRequest, KubeRest } from '../../src/kube/rest.js';
import { flush } from './fake-rest.js';

describe('continueInHead', () => {
  it('reads the list metadata before the items only', () => {
    expect(
      continueInHead(
        '{"kind":"ServiceList","apiVersion":"v1","metadata":{"resourceVersion":"9","continue":"eyJ4IjoxfQ","remainingItemCount":3},"items":[{"metadata":',
      ),
    ).toBe('eyJ4IjoxfQ');
    // The last page has no token; a head cut before the items says nothing.
    expect(continueInHead('{"metadata":{"resourceVersion":"9"},"items":[]}')).toBeUndefined();
    expect(
      continueInHead('{"kind":"ServiceList","metadata":{"resourceVersion":"9","contin'),
    ).toBeUndefined();
    // Items first (another server's order): a "continue" key inside an object is never taken.
    expect(
      continueInHead('{"items":[{"spec":{"continue":"nope"}}],"metadata":{"continue":"x"}}'),
    ).toBeUndefined();
  });
});

interface Pending {
  req: KubeRequest;
  /** Shows the head of `body` (onHead), as the first bytes arriving. */
  head(body: unknown): void;
  resolve(body: unknown): void;
  reject(e: unknown): void;
}

/** A KubeRest whose list requests the test answers step by step. */
function steppedRest() {
  const pending: Pending[] = [];
  const rest: KubeRest = {
    request<T>(req: KubeRequest): Promise<T> {
      return new Promise<T>((resolve, reject) => {
        pending.push({
          req,
          head: (b) => req.onHead?.(JSON.stringify(b).slice(0, 200)),
          resolve: (b) => resolve(b as T),
          reject,
        });
      });
    },
    watch: () => ({ close() {} }),
    close() {},
  };
  return { rest, pending };
}

const page = (names: string[], cont?: string) => ({
  kind: 'ServiceList',
  apiVersion: 'v1',
  metadata: { resourceVersion: '50', ...(cont ? { continue: cont } : {}) },
  items: names.map((n) => ({ metadata: { name: n, namespace: 'ns', resourceVersion: '1' } })),
});

function informer(rest: KubeRest) {
  return new Informer<KubeObject>(
    { rest, clock: new ManualClock(), random: () => 0 },
    { path: '/api/v1/services', pageSize: 2 },
  );
}

describe('Informer paged list', () => {
  it('asks for page n+1 once page n shows its token, and never more than one page ahead', async () => {
    const { rest, pending } = steppedRest();
    const inf = informer(rest);
    inf.start();
    await flush();
    expect(pending).toHaveLength(1);
    pending[0]!.head(page(['a', 'b'], 't2'));
    expect(pending).toHaveLength(2);
    expect(pending[1]!.req.query).toMatchObject({ continue: 't2', limit: 2 });
    // Page 2's head arrives while page 1 is still being read: page 3 waits.
    pending[1]!.head(page(['c', 'd'], 't3'));
    await flush();
    expect(pending).toHaveLength(2);
    pending[0]!.resolve(page(['a', 'b'], 't2'));
    await flush();
    // Now page 2 is the one being read: page 3 is asked for at once (its token is known).
    expect(pending).toHaveLength(3);
    expect(pending[2]!.req.query).toMatchObject({ continue: 't3' });
    pending[1]!.resolve(page(['c', 'd'], 't3'));
    pending[2]!.head(page(['e']));
    pending[2]!.resolve(page(['e']));
    await inf.synced();
    expect(inf.list().map((o) => o.metadata.name)).toEqual(['a', 'b', 'c', 'd', 'e']);
    expect(pending).toHaveLength(3);
    inf.stop();
  });

  it('a token guessed from the head that the page does not confirm is dropped', async () => {
    const { rest, pending } = steppedRest();
    const inf = informer(rest);
    inf.start();
    await flush();
    pending[0]!.head(page(['a', 'b'], 'guess'));
    pending[0]!.resolve(page(['a', 'b'], 'real'));
    await flush();
    expect(pending.map((p) => p.req.query?.continue)).toEqual([undefined, 'guess', 'real']);
    pending[1]!.resolve(page(['wrong']));
    pending[2]!.resolve(page(['c']));
    await inf.synced();
    expect(inf.list().map((o) => o.metadata.name)).toEqual(['a', 'b', 'c']);
    inf.stop();
  });

  it('a failed page with its successor in flight: the list retries, nothing is left unhandled', async () => {
    const { rest, pending } = steppedRest();
    const clock = new ManualClock();
    const inf = new Informer<KubeObject>(
      { rest, clock, random: () => 0 },
      { path: '/api/v1/services', pageSize: 2 },
    );
    const unhandled: unknown[] = [];
    const onUnhandled = (e: unknown) => unhandled.push(e);
    process.on('unhandledRejection', onUnhandled);
    try {
      inf.start();
      await flush();
      pending[0]!.head(page(['a', 'b'], 't2'));
      pending[0]!.reject(new Error('connection reset'));
      pending[1]!.reject(new Error('connection reset'));
      await flush(20);
      expect(inf.stats.errors).toBe(1);
      clock.advance(1000);
      await flush();
      expect(pending).toHaveLength(3);
      expect(pending[2]!.req.query?.continue).toBeUndefined();
      pending[2]!.resolve(page(['a']));
      await inf.synced();
      await new Promise((r) => setImmediate(r));
      expect(unhandled).toEqual([]);
    } finally {
      process.off('unhandledRejection', onUnhandled);
      inf.stop();
    }
  });
});
