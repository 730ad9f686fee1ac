// The Writer (bounded, status before events, fenced by the Lease) and the EventRecorder (client-go
// style: create once, patch counts), on a scripted API and a manual clock.
import { describe, expect, it } from 'vitest';
import { ManualClock, ManualWallClock } from '@ironlb/clock/testing';
import { EventRecorder } from '../../src/kube/event-recorder.js';
import { FencedError, Writer, type WriteGate } from '../../src/kube/writer.js';
import { FakeRest, flush } from './fake-rest.js';

function deferred() {
  let resolve!: () => void;
  const p = new Promise<void>((r) => (resolve = r));
  return { p, resolve };
}

describe('Writer', () => {
  it('caps writes in flight and starts status writes before events', async () => {
    const w = new Writer(new ManualClock(), undefined, { concurrency: 2, lowConcurrency: 1 });
    const order: string[] = [];
    const gates = new Map<string, ReturnType<typeof deferred>>();
    const task = (name: string) => () => {
      order.push(name);
      const d = deferred();
      gates.set(name, d);
      return d.p;
    };
    const all = [
      w.submit('low', task('e1')),
      w.submit('high', task('s1')),
      w.submit('low', task('e2')),
      w.submit('high', task('s2')),
      w.submit('high', task('s3')),
    ];
    // e1 started when nothing else waited; then the two slots go to status writes first.
    expect(order).toEqual(['e1', 's1']);
    gates.get('e1')!.resolve();
    await flush();
    expect(order).toEqual(['e1', 's1', 's2']);
    gates.get('s1')!.resolve();
    await flush();
    gates.get('s2')!.resolve();
    await flush();
    expect(order).toEqual(['e1', 's1', 's2', 's3', 'e2']);
    gates.get('s3')!.resolve();
    gates.get('e2')!.resolve();
    await Promise.all(all);
    expect(w.pendingHigh + w.pendingLow).toBe(0);
  });

  it('the gate fences: nothing starts without leadership, and a write gets only the time left before the deadline', async () => {
    const clock = new ManualClock(1000);
    let leader = true;
    const gate: WriteGate = { canWrite: () => leader, deadlineMs: () => 1800 };
    const w = new Writer(clock, gate, { timeoutMs: 30_000 });
    let got = 0;
    await w.submit('high', async (t) => {
      got = t;
    });
    expect(got).toBe(800);
    leader = false;
    await expect(w.submit('high', async () => undefined)).rejects.toBeInstanceOf(FencedError);
    leader = true;
    clock.advance(900);
    await expect(w.submit('high', async () => undefined)).rejects.toBeInstanceOf(FencedError);
    expect(w.stats.fenced).toBe(2);
  });

  it('drop() rejects queued writes; idleHigh() waits for status writes only', async () => {
    const w = new Writer(new ManualClock(), undefined, { concurrency: 1 });
    const d = deferred();
    const first = w.submit('high', () => d.p);
    const queued = w.submit('high', async () => 'never');
    let idle = false;
    void w.idleHigh().then(() => (idle = true));
    w.drop();
    await expect(queued).rejects.toBeInstanceOf(FencedError);
    expect(idle).toBe(false);
    d.resolve();
    await first;
    await flush();
    expect(idle).toBe(true);
  });
});

describe('Writer.highAtMost', () => {
  it('lets a producer wait until the status writes queued or in flight are down to n', async () => {
    const w = new Writer(new ManualClock(), undefined, { concurrency: 2 });
    const gates = Array.from({ length: 5 }, () => deferred());
    const all = gates.map((g) => w.submit('high', () => g.p));
    expect(w.pendingHigh).toBe(5);
    let at2 = false;
    let at0 = false;
    void w.highAtMost(2).then(() => (at2 = true));
    void w.highAtMost(0).then(() => (at0 = true));
    await expect(w.highAtMost(5)).resolves.toBeUndefined();
    for (const i of [0, 1]) gates[i]!.resolve();
    await flush();
    expect(w.pendingHigh).toBe(3);
    expect(at2).toBe(false);
    gates[2]!.resolve();
    await flush();
    expect([at2, at0]).toEqual([true, false]);
    for (const i of [3, 4]) gates[i]!.resolve();
    await Promise.all(all);
    await flush();
    expect(at0).toBe(true);
  });
});

describe('EventRecorder', () => {
  const svc = {
    kind: 'Service',
    apiVersion: 'v1',
    namespace: 'ns',
    name: 'web',
    uid: 'u1',
    resourceVersion: '7',
  };

  function setup() {
    const rest = new FakeRest();
    const clock = new ManualClock();
    const wall = new ManualWallClock(Date.UTC(2026, 0, 2, 3, 4, 5));
    const writer = new Writer(clock);
    const rec = new EventRecorder(
      { rest, writer, clock, wallClock: wall },
      { component: 'metallb-controller', instance: 'pod-1' },
    );
    return { rest, rec, wall, clock };
  }

  it("creates an Event in the object's namespace, shaped like client-go's", async () => {
    const t = setup();
    t.rec.record({
      object: svc,
      type: 'Normal',
      reason: 'IPAllocated',
      message: 'Assigned IP ["192.0.2.1"]',
    });
    await flush();
    expect(t.rest.requests).toHaveLength(1);
    const r = t.rest.requests[0]!;
    expect(r).toMatchObject({ method: 'POST', path: '/api/v1/namespaces/ns/events' });
    expect(r.body).toMatchObject({
      metadata: { namespace: 'ns', name: expect.stringMatching(/^web\.[0-9a-f]+$/) },
      involvedObject: {
        kind: 'Service',
        apiVersion: 'v1',
        namespace: 'ns',
        name: 'web',
        uid: 'u1',
        resourceVersion: '7',
      },
      reason: 'IPAllocated',
      message: 'Assigned IP ["192.0.2.1"]',
      type: 'Normal',
      source: { component: 'metallb-controller' },
      count: 1,
      firstTimestamp: '2026-01-02T03:04:05Z',
      lastTimestamp: '2026-01-02T03:04:05Z',
      reportingComponent: 'metallb-controller',
      reportingInstance: 'pod-1',
    });
  });

  it('an identical event is not created again: the first one’s count is patched', async () => {
    const t = setup();
    const e = {
      object: svc,
      type: 'Warning' as const,
      reason: 'AllocationFailed',
      message: 'no available IPs',
    };
    t.rec.record(e);
    t.rec.record(e); // while the create is in flight
    await flush(20);
    t.wall.advance(60_000);
    t.rec.record(e);
    await flush(20);
    const methods = t.rest.requests.map(
      (r) => `${r.method} ${r.path.replace(/web\.[0-9a-f]+/, 'web.X')}`,
    );
    expect(methods).toEqual([
      'POST /api/v1/namespaces/ns/events',
      'PATCH /api/v1/namespaces/ns/events/web.X',
      'PATCH /api/v1/namespaces/ns/events/web.X',
    ]);
    expect(t.rest.requests[1]!.body).toMatchObject({ count: 2 });
    expect(t.rest.requests[2]!.body).toMatchObject({
      count: 3,
      lastTimestamp: '2026-01-02T03:05:05Z',
    });
    expect(t.rec.stats).toMatchObject({ created: 1, patched: 2 });
  });

  it('hands at most `window` events to the Writer, the rest in recorded order with their recorded times', async () => {
    const rest = new FakeRest();
    const held: (() => void)[] = [];
    rest.handler = () => new Promise<void>((r) => held.push(r));
    const clock = new ManualClock();
    const wall = new ManualWallClock(Date.UTC(2026, 0, 2, 3, 4, 5));
    const writer = new Writer(clock);
    const rec = new EventRecorder({ rest, writer, clock, wallClock: wall }, { window: 2 });
    for (let i = 0; i < 5; i++) {
      rec.record({
        object: { ...svc, name: `web-${i}`, uid: `u${i}` },
        type: 'Normal',
        reason: 'IPAllocated',
        message: `Assigned IP ["192.0.2.${i}"]`,
      });
      wall.advance(1000);
    }
    await flush();
    expect(rest.requests).toHaveLength(2);
    expect(rec.queuedCount).toBe(3);
    let flushed = false;
    const done = rec.flush().then(() => (flushed = true));
    for (let round = 0; round < 3; round++) {
      for (const r of held.splice(0)) r();
      await flush(10);
    }
    for (const r of held.splice(0)) r();
    await done;
    expect(flushed).toBe(true);
    expect(
      rest.requests.map(
        (r) => (r.body as { involvedObject: { name: string } }).involvedObject.name,
      ),
    ).toEqual(['web-0', 'web-1', 'web-2', 'web-3', 'web-4']);
    // Sent seconds later, stamped when recorded.
    expect((rest.requests[4]!.body as { firstTimestamp: string }).firstTimestamp).toBe(
      '2026-01-02T03:04:09Z',
    );
    expect(rec.stats).toMatchObject({ created: 5, dropped: 0 });
  });

  it('the queue is bounded: beyond maxQueued, new events are dropped and counted', async () => {
    const rest = new FakeRest();
    rest.handler = () => new Promise<void>(() => undefined); // the API server never answers
    const clock = new ManualClock();
    const writer = new Writer(clock);
    const rec = new EventRecorder(
      { rest, writer, clock, wallClock: new ManualWallClock(0) },
      { window: 1, maxQueued: 3 },
    );
    for (let i = 0; i < 10; i++)
      rec.record({
        object: { ...svc, name: `web-${i}`, uid: `u${i}` },
        type: 'Normal',
        reason: 'IPAllocated',
        message: 'x',
      });
    await flush();
    expect(rest.requests).toHaveLength(1);
    expect(rec.queuedCount).toBe(3);
    expect(rec.stats.dropped).toBe(6);
  });
});
