// An in-memory API server behind the KubeRest interface, enough for the speaker runtime's unit
// tests: collections by path, list / get / create (generateName) / update (and /status) / delete,
// resourceVersions, watches that see every change, and a record of every write and event.
import { KubeApiError } from '../../src/kube/errors.js';
import type { KubeRequest, KubeRest, WatchEvent, WatchHandle } from '../../src/kube/rest.js';

type Obj = {
  apiVersion?: string;
  kind?: string;
  metadata: {
    name?: string;
    generateName?: string;
    namespace?: string;
    resourceVersion?: string;
    uid?: string;
    labels?: Record<string, string>;
    generation?: number;
  };
  [k: string]: unknown;
};

interface Watcher {
  path: string;
  onEvent: (e: WatchEvent<unknown>) => void;
  onEnd: (e?: unknown) => void;
  open: boolean;
}

export class FakeApi implements KubeRest {
  private rv = 1;
  private seq = 0;
  /** collection path → name → object */
  readonly store = new Map<string, Map<string, Obj>>();
  readonly writes: { method: string; path: string; body?: unknown }[] = [];
  readonly events: Obj[] = [];
  private readonly watchers: Watcher[] = [];
  /** Requests answered with this error (path prefix → status). */
  failing = new Map<string, number>();

  /** Seeds an object (as another client would create it), telling watches. */
  put(collection: string, obj: Obj): Obj {
    const c = this.store.get(collection) ?? new Map<string, Obj>();
    this.store.set(collection, c);
    const existed = c.has(obj.metadata.name ?? '');
    const stored = structuredClone(obj);
    stored.metadata.resourceVersion = String(++this.rv);
    stored.metadata.uid ??= `uid-${++this.seq}`;
    c.set(stored.metadata.name ?? '', stored);
    this.notify(collection, existed ? 'MODIFIED' : 'ADDED', stored);
    return stored;
  }

  remove(collection: string, name: string): void {
    const c = this.store.get(collection);
    const o = c?.get(name);
    if (!c || !o) return;
    c.delete(name);
    this.notify(collection, 'DELETED', {
      ...o,
      metadata: { ...o.metadata, resourceVersion: String(++this.rv) },
    });
  }

  list(collection: string): Obj[] {
    return [...(this.store.get(collection)?.values() ?? [])];
  }

  private notify(collection: string, type: WatchEvent<unknown>['type'], obj: Obj): void {
    for (const w of this.watchers) {
      if (!w.open || w.path !== collection) continue;
      const copy = structuredClone(obj);
      queueMicrotask(() => w.open && w.onEvent({ type, object: copy }));
    }
  }

  request<T>(req: KubeRequest): Promise<T> {
    return Promise.resolve().then(() => this.handle(req) as T);
  }

  private handle(req: KubeRequest): unknown {
    for (const [prefix, status] of this.failing)
      if (req.path.startsWith(prefix) && req.method !== 'GET')
        throw new KubeApiError(`${req.method} ${req.path}: ${status}`, status, 'Injected');
    if (req.method !== 'GET')
      this.writes.push({ method: req.method, path: req.path, body: req.body });
    if (/\/events$/.test(req.path)) {
      if (req.method === 'POST') {
        const e = structuredClone(req.body) as Obj;
        e.metadata.resourceVersion = String(++this.rv);
        this.events.push(e);
        return e;
      }
    }
    if (/\/events\/[^/]+$/.test(req.path) && req.method === 'PATCH') {
      const name = req.path.split('/').pop();
      const e = this.events.find((x) => x.metadata.name === name);
      if (e) Object.assign(e, req.body as object);
      return e ?? {};
    }
    if (this.store.has(req.path) || req.method === 'POST') {
      const c = this.store.get(req.path) ?? new Map<string, Obj>();
      this.store.set(req.path, c);
      if (req.method === 'GET') {
        let items = [...c.values()];
        const fs = req.query?.fieldSelector;
        if (typeof fs === 'string' && fs.startsWith('metadata.name='))
          items = items.filter((o) => o.metadata.name === fs.slice('metadata.name='.length));
        const ls = req.query?.labelSelector;
        if (typeof ls === 'string' && ls !== '')
          items = items.filter((o) =>
            ls.split(',').every((kv) => {
              const [k, v] = kv.split('=');
              return o.metadata.labels?.[k ?? ''] === v;
            }),
          );
        return { metadata: { resourceVersion: String(this.rv) }, items: structuredClone(items) };
      }
      if (req.method === 'POST') {
        const o = structuredClone(req.body) as Obj;
        o.metadata.name ??= `${o.metadata.generateName ?? 'x-'}${(++this.seq).toString(36)}`;
        if (c.has(o.metadata.name)) throw new KubeApiError('exists', 409, 'AlreadyExists');
        delete o.status;
        return structuredClone(this.put(req.path, o));
      }
    }
    const isStatus = req.path.endsWith('/status');
    const item = isStatus ? req.path.slice(0, -'/status'.length) : req.path;
    const cut = item.lastIndexOf('/');
    const collection = item.slice(0, cut);
    const name = item.slice(cut + 1);
    const c = this.store.get(collection);
    const cur = c?.get(name);
    if (!cur) throw new KubeApiError(`${req.path} not found`, 404, 'NotFound');
    if (req.method === 'GET') return structuredClone(cur);
    if (req.method === 'DELETE') {
      this.remove(collection, name);
      return {};
    }
    if (req.method === 'PUT') {
      const body = structuredClone(req.body) as Obj;
      if (
        body.metadata.resourceVersion &&
        body.metadata.resourceVersion !== cur.metadata.resourceVersion
      )
        throw new KubeApiError('conflict', 409, 'Conflict');
      const next = isStatus ? { ...cur, status: body.status } : { ...body, status: cur.status };
      return structuredClone(this.put(collection, next as Obj));
    }
    throw new KubeApiError(`unsupported ${req.method} ${req.path}`, 405, 'MethodNotAllowed');
  }

  watch<T>(
    path: string,
    _query: Readonly<Record<string, string | number | boolean | undefined>>,
    onEvent: (e: WatchEvent<T>) => void,
    onEnd: (error?: unknown) => void,
  ): WatchHandle {
    const w: Watcher = {
      path,
      onEvent: onEvent as (e: WatchEvent<unknown>) => void,
      onEnd,
      open: true,
    };
    this.watchers.push(w);
    return {
      close: () => {
        if (!w.open) return;
        w.open = false;
        onEnd();
      },
    };
  }

  close(): void {}
}
