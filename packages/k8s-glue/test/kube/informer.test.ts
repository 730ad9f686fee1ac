// The informer on a scripted API and a manual clock: list then watch from the list's
// resourceVersion; reconnects resume from the last resourceVersion without relisting; 410 Gone
// relists and tells handlers only about real differences; our own writes are no news.
import { describe, expect, it } from 'vitest';
import { ManualClock } from '@ironlb/clock/testing';
import { Informer, type KubeObject } from '../../src/kube/informer.js';
import { FakeRest, apiError, flush } from './fake-rest.js';

const obj = (
  name: string,
  rv: string,
  extra: Record<string, unknown> = {},
): KubeObject & Record<string, unknown> => ({
  metadata: { name, namespace: 'ns', resourceVersion: rv },
  ...extra,
});

function setup(items: KubeObject[], rv = '10') {
  const rest = new FakeRest();
  const clock = new ManualClock();
  let listItems = items;
  let listRv = rv;
  rest.handler = (req) => {
    if (req.method === 'GET') return { metadata: { resourceVersion: listRv }, items: listItems };
    return {};
  };
  const inf = new Informer<KubeObject>(
    { rest, clock, random: () => 0 },
    { path: '/api/v1/services', name: 'services' },
  );
  const seen: string[] = [];
  inf.on({
    add: (o) => seen.push(`add ${o.metadata.name}@${o.metadata.resourceVersion}`),
    update: (a, b) =>
      seen.push(
        `update ${b.metadata.name} ${a.metadata.resourceVersion}->${b.metadata.resourceVersion}`,
      ),
    delete: (o) => seen.push(`delete ${o.metadata.name}`),
  });
  return {
    rest,
    clock,
    inf,
    seen,
    setList(i: KubeObject[], r: string) {
      listItems = i;
      listRv = r;
    },
  };
}

describe('Informer', () => {
  it('lists, reports synced, then watches from the list resourceVersion with bookmarks', async () => {
    const t = setup([obj('a', '5'), obj('b', '7')]);
    t.inf.start();
    await t.inf.synced();
    expect(t.seen).toEqual(['add a@5', 'add b@7']);
    expect(t.rest.open?.query).toMatchObject({ resourceVersion: '10', allowWatchBookmarks: true });
    expect(t.rest.requests[0]!.query).toMatchObject({ limit: 500 });
  });

  it('follows pages (continue tokens)', async () => {
    const rest = new FakeRest();
    rest.handler = (req) =>
      req.query?.continue === 'p2'
        ? { metadata: { resourceVersion: '3' }, items: [obj('b', '2')] }
        : { metadata: { resourceVersion: '3', continue: 'p2' }, items: [obj('a', '1')] };
    const inf = new Informer<KubeObject>(
      { rest, clock: new ManualClock() },
      { path: '/x', pageSize: 1 },
    );
    inf.start();
    await inf.synced();
    expect(inf.list().map((o) => o.metadata.name)).toEqual(['a', 'b']);
  });

  it('applies watch events; a clean end resumes from the last resourceVersion without a list', async () => {
    const t = setup([obj('a', '5')]);
    t.inf.start();
    await t.inf.synced();
    const w = t.rest.open!;
    w.emit('ADDED', obj('c', '11'));
    w.emit('MODIFIED', obj('a', '12'));
    w.emit('MODIFIED', obj('a', '12')); // same version: no news
    w.emit('BOOKMARK', { metadata: { resourceVersion: '15' } });
    w.emit('DELETED', obj('c', '16'));
    expect(t.seen).toEqual(['add a@5', 'add c@11', 'update a 5->12', 'delete c']);
    const lists = t.rest.requests.length;
    w.end();
    expect(t.rest.open?.query.resourceVersion).toBe('16');
    expect(t.rest.requests.length).toBe(lists);
  });

  it('a network error reconnects with backoff from the same resourceVersion (an API server restart)', async () => {
    const t = setup([obj('a', '5')]);
    t.inf.start();
    await t.inf.synced();
    t.rest.open!.end(new Error('ECONNREFUSED'));
    expect(t.rest.open).toBeUndefined();
    t.clock.advance(199);
    expect(t.rest.open).toBeUndefined();
    t.clock.advance(1);
    expect(t.rest.open?.query.resourceVersion).toBe('10');
    t.rest.open!.end(new Error('ECONNREFUSED'));
    t.clock.advance(399);
    expect(t.rest.open).toBeUndefined();
    t.clock.advance(1);
    expect(t.rest.open).toBeDefined();
    expect(t.inf.stats).toMatchObject({ lists: 1, errors: 2 });
    expect(t.seen).toEqual(['add a@5']);
  });

  it('410 Gone relists and diffs: only changed objects reach the handlers', async () => {
    const t = setup([obj('a', '5'), obj('b', '7'), obj('c', '8')]);
    t.inf.start();
    await t.inf.synced();
    t.seen.length = 0;
    t.setList([obj('a', '5'), obj('b', '20'), obj('d', '21')], '22');
    t.rest.open!.emit('ERROR', {
      kind: 'Status',
      code: 410,
      reason: 'Expired',
      message: 'too old resource version',
    });
    await flush();
    expect(t.seen).toEqual(['update b 7->20', 'add d@21', 'delete c']);
    expect(t.inf.stats.expired).toBe(1);
    expect(t.rest.open?.query.resourceVersion).toBe('22');
  });

  it('a failed list retries with backoff and reports synced only once it worked', async () => {
    const t = setup([obj('a', '1')]);
    let fail = true;
    const ok = t.rest.handler;
    t.rest.handler = (req) => {
      if (fail) throw apiError(503, 'ServiceUnavailable');
      return ok(req);
    };
    t.inf.start();
    await flush();
    expect(t.inf.hasSynced).toBe(false);
    fail = false;
    t.clock.advance(200);
    await t.inf.synced();
    expect(t.seen).toEqual(['add a@1']);
  });

  it('writeThrough: our own write is cached, so its watch event is no news', async () => {
    const t = setup([obj('a', '5')]);
    t.inf.start();
    await t.inf.synced();
    t.inf.writeThrough(obj('a', '30', { status: 1 }) as KubeObject, '5');
    t.inf.writeThrough(obj('a', '31') as KubeObject, '5'); // based on an old version: ignored
    expect(t.inf.get('ns/a')?.metadata.resourceVersion).toBe('30');
    t.rest.open!.emit('MODIFIED', obj('a', '30', { status: 1 }));
    expect(t.seen).toEqual(['add a@5']);
  });

  it('the echo of our own write is dropped unparsed; the watch position still moves', async () => {
    const t = setup([obj('a', '5'), obj('b', '6')]);
    t.inf.start();
    await t.inf.synced();
    t.inf.writeThrough(obj('a', '30', { status: 1 }) as KubeObject, '5');
    t.rest.open!.emit('MODIFIED', obj('a', '30', { status: 1 }));
    t.rest.open!.emit('MODIFIED', obj('b', '31'));
    expect(t.inf.stats.echoes).toBe(1);
    expect(t.seen).toEqual(['add a@5', 'add b@6', 'update b 6->31']);
    expect(t.inf.resourceVersion).toBe('31');
    // A second event at the same version is not an echo any more: parsed, no news.
    t.rest.open!.emit('MODIFIED', obj('a', '30', { status: 1 }));
    expect(t.inf.stats.echoes).toBe(1);
    expect(t.seen).toHaveLength(3);
  });

  it('ensureFresh: already current when the watch is past the collection resourceVersion; else relists', async () => {
    const t = setup([obj('a', '5')], '10');
    t.inf.start();
    await t.inf.synced();
    await expect(t.inf.ensureFresh()).resolves.toBe(true);
    expect(t.inf.stats.lists).toBe(1);
    // The API server is ahead (writes the watch has not delivered yet): wait, then relist.
    t.setList([obj('a', '40')], '41');
    const p = t.inf.ensureFresh(100);
    for (let i = 0; i < 10; i++) {
      await flush();
      t.clock.advance(20);
    }
    await expect(p).resolves.toBe(true);
    expect(t.inf.stats.lists).toBe(2);
    expect(t.seen).toEqual(['add a@5', 'update a 5->40']);
  });
});
