// Watches and informers through @kubernetes/client-node: list+watch, selector transitions,
// bookmarks, resume from a resourceVersion, 410 Gone and the informer's relist after it.
import { CoreV1Api, Watch, makeInformer, type V1ConfigMap } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, startWithClients, statusOf, type Clients } from './helpers.ts';

let c: Clients;
beforeAll(async () => {
  c = await startWithClients({ bookmarkIntervalMs: 50 });
});
afterAll(async () => {
  await c.server.stop();
});

interface Seen {
  type: string;
  name: string | undefined;
  rv: string | undefined;
  annotations?: Record<string, string> | undefined;
}

async function watch(
  path: string,
  query: Record<string, string | number | boolean | undefined>,
): Promise<{ events: Seen[]; done: Promise<unknown>; abort: () => void }> {
  const events: Seen[] = [];
  let resolveDone: (v: unknown) => void = () => {};
  const done = new Promise((r) => (resolveDone = r));
  const ctl = await new Watch(c.kc).watch(
    path,
    query,
    (
      type,
      obj: {
        metadata?: {
          name?: string;
          resourceVersion?: string;
          annotations?: Record<string, string>;
        };
      },
    ) =>
      events.push({
        type,
        name: obj.metadata?.name,
        rv: obj.metadata?.resourceVersion,
        annotations: obj.metadata?.annotations,
      }),
    (err) => resolveDone(err ?? 'closed'),
  );
  return { events, done, abort: () => ctl.abort() };
}

const cm = (name: string, labels: Record<string, string> = {}): V1ConfigMap => ({
  metadata: { name, labels },
});

describe('watch', () => {
  it('streams ADDED/MODIFIED/DELETED from a resourceVersion and maps selector transitions', async () => {
    const list = await c.core.listNamespacedConfigMap({ namespace: 'default' });
    const w = await watch('/api/v1/namespaces/default/configmaps', {
      resourceVersion: list.metadata?.resourceVersion,
      labelSelector: 'pool=blue',
    });
    await c.core.createNamespacedConfigMap({
      namespace: 'default',
      body: cm('a', { pool: 'blue' }),
    });
    await c.core.createNamespacedConfigMap({
      namespace: 'default',
      body: cm('b', { pool: 'red' }),
    });
    // b moves into the selector (ADDED), a moves out (DELETED), then b is deleted.
    await c.core.patchNamespacedConfigMap({
      name: 'b',
      namespace: 'default',
      body: [{ op: 'replace', path: '/metadata/labels/pool', value: 'blue' }],
    });
    await c.core.patchNamespacedConfigMap({
      name: 'a',
      namespace: 'default',
      body: [{ op: 'replace', path: '/metadata/labels/pool', value: 'red' }],
    });
    await c.core.deleteNamespacedConfigMap({ name: 'b', namespace: 'default' });
    await eventually(() => (w.events.length >= 4 ? true : undefined));
    expect(w.events.map((e) => [e.type, e.name])).toEqual([
      ['ADDED', 'a'],
      ['ADDED', 'b'],
      ['DELETED', 'a'],
      ['DELETED', 'b'],
    ]);
    const rvs = w.events.map((e) => Number(e.rv));
    expect([...rvs].sort((x, y) => x - y)).toEqual(rvs);
    w.abort();
  });

  it('replays history after a resourceVersion, and sends bookmarks when allowed', async () => {
    const start = await c.core.listNamespacedConfigMap({ namespace: 'default' });
    const rv = start.metadata?.resourceVersion;
    await c.core.createNamespacedConfigMap({ namespace: 'default', body: cm('hist-1') });
    await c.core.createNamespacedConfigMap({ namespace: 'default', body: cm('hist-2') });
    const w = await watch('/api/v1/namespaces/default/configmaps', {
      resourceVersion: rv,
      allowWatchBookmarks: true,
    });
    await eventually(() => (w.events.some((e) => e.type === 'BOOKMARK') ? true : undefined));
    expect(w.events.filter((e) => e.type === 'ADDED').map((e) => e.name)).toEqual([
      'hist-1',
      'hist-2',
    ]);
    const bm = w.events.find((e) => e.type === 'BOOKMARK');
    expect(Number(bm?.rv)).toBeGreaterThanOrEqual(Number(w.events[1]?.rv));
    w.abort();
  });

  it('sends the initial state and the initial-events-end bookmark for sendInitialEvents', async () => {
    const w = await watch('/api/v1/namespaces/default/configmaps', {
      sendInitialEvents: true,
      allowWatchBookmarks: true,
      resourceVersionMatch: 'NotOlderThan',
      labelSelector: 'pool',
    });
    await eventually(() =>
      w.events.some((e) => e.annotations?.['k8s.io/initial-events-end'] === 'true')
        ? true
        : undefined,
    );
    expect(w.events[0]).toMatchObject({ type: 'ADDED', name: 'a' });
    w.abort();
  });

  it('answers a too-old resourceVersion with an ERROR event carrying 410 Expired', async () => {
    const old = (await c.core.listNamespacedConfigMap({ namespace: 'default' })).metadata
      ?.resourceVersion;
    await c.core.createNamespacedConfigMap({ namespace: 'default', body: cm('after-compaction') });
    c.server.core.store.compact();
    const raw: unknown[] = [];
    let closed = false;
    await new Watch(c.kc).watch(
      '/api/v1/namespaces/default/configmaps',
      { resourceVersion: old },
      (_t, _o, whole) => raw.push(whole),
      () => (closed = true),
    );
    await eventually(() => (closed ? true : undefined));
    expect(raw).toEqual([
      {
        type: 'ERROR',
        object: expect.objectContaining({
          kind: 'Status',
          status: 'Failure',
          reason: 'Expired',
          code: 410,
        }),
      },
    ]);
  });
});

describe('informer', () => {
  it('lists, watches, and relists after a 410 without losing changes', async () => {
    const core = c.kc.makeApiClient(CoreV1Api);
    const inf = makeInformer<V1ConfigMap>(c.kc, '/api/v1/namespaces/metallb-inf/configmaps', () =>
      core.listNamespacedConfigMap({ namespace: 'metallb-inf' }),
    );
    await c.core.createNamespace({ body: { metadata: { name: 'metallb-inf' } } });
    await c.core.createNamespacedConfigMap({ namespace: 'metallb-inf', body: cm('pre') });
    const log: string[] = [];
    inf.on('add', (o) => log.push(`add ${o.metadata?.name}`));
    inf.on('update', (o) => log.push(`update ${o.metadata?.name}`));
    inf.on('delete', (o) => log.push(`delete ${o.metadata?.name}`));
    const errors: unknown[] = [];
    inf.on('error', (e) => errors.push(e));
    await inf.start();
    await eventually(() => (log.includes('add pre') ? true : undefined));
    await c.core.createNamespacedConfigMap({ namespace: 'metallb-inf', body: cm('live') });
    await eventually(() => (inf.get('live', 'metallb-inf') ? true : undefined));
    // While the informer's watch is down and history is compacted, things change.
    c.server.core.store.compact();
    await c.core.deleteNamespacedConfigMap({ name: 'pre', namespace: 'metallb-inf' });
    await c.core.patchNamespacedConfigMap({
      name: 'live',
      namespace: 'metallb-inf',
      body: [{ op: 'add', path: '/data', value: { k: 'v' } }],
    });
    c.server.core.store.compact();
    c.server.dropWatches();
    // The watch reconnects with a resourceVersion that is now too old → 410 → relist.
    await eventually(
      () =>
        inf.get('pre', 'metallb-inf') === undefined &&
        inf.get('live', 'metallb-inf')?.data?.k === 'v'
          ? true
          : undefined,
      10_000,
    );
    expect(log).toContain('delete pre');
    expect(inf.list('metallb-inf').map((o) => o.metadata?.name)).toEqual(['live']);
    await c.core.createNamespacedConfigMap({ namespace: 'metallb-inf', body: cm('after') });
    await eventually(() => (inf.get('after', 'metallb-inf') ? true : undefined));
    expect(errors).toEqual([]);
    await inf.stop();
  });
});

describe('list at a resourceVersion', () => {
  it('serves NotOlderThan from the current state, refuses Exact older versions and future ones', async () => {
    const now =
      (await c.core.listNamespacedConfigMap({ namespace: 'default' })).metadata?.resourceVersion ??
      '0';
    await c.core.createNamespacedConfigMap({ namespace: 'default', body: cm('rv-probe') });
    const notOlder = await c.core.listNamespacedConfigMap({
      namespace: 'default',
      resourceVersion: now,
      resourceVersionMatch: 'NotOlderThan',
    });
    expect(notOlder.items.map((i) => i.metadata?.name)).toContain('rv-probe');
    const exact = await statusOf(() =>
      c.core.listNamespacedConfigMap({
        namespace: 'default',
        resourceVersion: now,
        resourceVersionMatch: 'Exact',
      }),
    );
    expect(exact).toMatchObject({ code: 410, reason: 'Expired' });
    const future = await statusOf(() =>
      c.core.listNamespacedConfigMap({
        namespace: 'default',
        resourceVersion: String(Number(now) + 1000),
      }),
    );
    expect(future).toMatchObject({ code: 504, reason: 'Timeout' });
  });
});

describe('slow watchers', () => {
  it('are disconnected when their backlog overflows, and resume from their resourceVersion', async () => {
    const s = await startWithClients({ watchBacklogBytes: 1 });
    try {
      const start = (await s.core.listNamespacedConfigMap({ namespace: 'default' })).metadata
        ?.resourceVersion;
      for (let i = 0; i < 3; i++)
        await s.core.createNamespacedConfigMap({ namespace: 'default', body: cm(`slow-${i}`) });
      const names: string[] = [];
      let rv = start;
      let connections = 0;
      for (let round = 0; round < 5 && names.length < 3; round++) {
        connections++;
        let done = false;
        await new Watch(s.kc).watch(
          '/api/v1/namespaces/default/configmaps',
          { resourceVersion: rv },
          (_t, o: { metadata?: { name?: string; resourceVersion?: string } }) => {
            names.push(o.metadata?.name ?? '');
            rv = o.metadata?.resourceVersion;
          },
          () => (done = true),
        );
        await eventually(() => (done ? true : undefined));
      }
      // Each connection was cut after its first event; resuming lost and duplicated nothing.
      expect(names).toEqual(['slow-0', 'slow-1', 'slow-2']);
      expect(connections).toBe(3);
    } finally {
      await s.server.stop();
    }
  });
});
