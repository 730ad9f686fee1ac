// The object store: what etcd + the watch cache are to kube-apiserver. One global, strictly
// increasing resourceVersion (etcd's revision); a bounded event log (the watch cache, whose size is
// `watchCacheSize`) from which watches resume; a watch from a resourceVersion older than the log is
// answered with 410 Gone, exactly when the real watch cache would say "too old resource version".
import { readFileSync, renameSync, writeFileSync, existsSync } from 'node:fs';
import type { KubeObject } from './registry/types.ts';

export type EventType = 'ADDED' | 'MODIFIED' | 'DELETED';

export interface StoreEvent {
  rv: number;
  type: EventType;
  /** Bucket of the object (`group/resource`). */
  bucket: string;
  obj: KubeObject;
  /** The object before the change (MODIFIED/DELETED), for selector transitions. */
  prev: KubeObject | undefined;
}

export type Listener = (ev: StoreEvent) => void;

export interface StoreOptions {
  /** Events kept for watch resumption (the watch cache). Default 10000 events. */
  watchCacheSize?: number;
  /** File that keeps every object across restarts; undefined = memory only. */
  dataFile?: string;
  /** Delay before a change is flushed to `dataFile`. Default 20 ms. */
  persistDelayMs?: number;
}

interface Persisted {
  format: 'ironlb-test-apiserver/v1';
  resourceVersion: number;
  buckets: Record<string, KubeObject[]>;
}

export function objectKey(namespace: string | undefined, name: string): string {
  return namespace ? `${namespace}/${name}` : name;
}

export class Store {
  private readonly buckets = new Map<string, Map<string, KubeObject>>();
  /** Sorted keys per bucket, dropped when a key is added or removed (not on modification). */
  private readonly sortedKeys = new Map<string, string[]>();
  private readonly log: StoreEvent[] = [];
  private logStart = 0;
  private readonly listeners = new Set<Listener>();
  private revision = 1;
  /** Watches from a resourceVersion >= this can be replayed from the log. */
  private oldestServable = 1;
  private readonly cacheSize: number;
  private readonly dataFile: string | undefined;
  private readonly persistDelayMs: number;
  private persistTimer: NodeJS.Timeout | undefined;

  constructor(options: StoreOptions = {}) {
    this.cacheSize = options.watchCacheSize ?? 10_000;
    this.dataFile = options.dataFile;
    this.persistDelayMs = options.persistDelayMs ?? 20;
    if (this.dataFile && existsSync(this.dataFile)) this.load(this.dataFile);
  }

  get resourceVersion(): number {
    return this.revision;
  }

  /** The oldest resourceVersion a watch may start from without a 410. */
  get oldestResourceVersion(): number {
    return this.oldestServable;
  }

  bucket(name: string): Map<string, KubeObject> {
    let b = this.buckets.get(name);
    if (!b) {
      b = new Map();
      this.buckets.set(name, b);
    }
    return b;
  }

  get(bucket: string, key: string): KubeObject | undefined {
    return this.buckets.get(bucket)?.get(key);
  }

  /** Objects of a bucket (optionally one namespace) in key order, as etcd range reads return them. */
  list(bucket: string, namespace?: string): KubeObject[] {
    const b = this.buckets.get(bucket);
    if (!b) return [];
    let keys = this.sortedKeys.get(bucket);
    if (!keys) {
      keys = [...b.keys()].sort();
      this.sortedKeys.set(bucket, keys);
    }
    const out: KubeObject[] = [];
    const prefix = namespace ? `${namespace}/` : undefined;
    for (const k of keys) {
      if (prefix && !k.startsWith(prefix)) continue;
      out.push(b.get(k) as KubeObject);
    }
    return out;
  }

  /** Allocates the next resourceVersion for an object about to be written. */
  nextResourceVersion(): number {
    return this.revision + 1;
  }

  /** Stores `obj` (whose metadata.resourceVersion the caller set to nextResourceVersion()). */
  put(bucket: string, key: string, obj: KubeObject, type: 'ADDED' | 'MODIFIED'): void {
    const b = this.bucket(bucket);
    const prev = b.get(key);
    this.revision = Number(obj.metadata.resourceVersion);
    if (!prev) this.sortedKeys.delete(bucket);
    b.set(key, obj);
    this.emit({ rv: this.revision, type, bucket, obj, prev });
  }

  /** Removes an object; the DELETED event carries the object with the deletion's resourceVersion. */
  remove(bucket: string, key: string, final: KubeObject): void {
    const b = this.bucket(bucket);
    const prev = b.get(key);
    if (!prev) return;
    this.revision = Number(final.metadata.resourceVersion);
    this.sortedKeys.delete(bucket);
    b.delete(key);
    this.emit({ rv: this.revision, type: 'DELETED', bucket, obj: final, prev });
  }

  /** Events after `rv` still in the log, or undefined if `rv` is too old (→ 410 Gone). */
  eventsSince(rv: number): StoreEvent[] | undefined {
    if (rv < this.oldestServable) return undefined;
    const out: StoreEvent[] = [];
    for (let i = this.logStart; i < this.log.length; i++) {
      const ev = this.log[i] as StoreEvent;
      if (ev.rv > rv) out.push(ev);
    }
    return out;
  }

  subscribe(l: Listener): () => void {
    this.listeners.add(l);
    return () => this.listeners.delete(l);
  }

  get watcherCount(): number {
    return this.listeners.size;
  }

  /** Forgets the event log (as a compaction would): older watches then get 410. For tests. */
  compact(): void {
    this.log.length = 0;
    this.logStart = 0;
    this.oldestServable = this.revision;
  }

  private emit(ev: StoreEvent): void {
    this.log.push(ev);
    if (this.log.length - this.logStart > this.cacheSize) {
      const dropped = this.log[this.logStart] as StoreEvent;
      this.logStart++;
      this.oldestServable = dropped.rv;
      if (this.logStart > 4096) {
        this.log.splice(0, this.logStart);
        this.logStart = 0;
      }
    }
    for (const l of this.listeners) l(ev);
    this.schedulePersist();
  }

  private schedulePersist(): void {
    if (!this.dataFile || this.persistTimer) return;
    this.persistTimer = setTimeout(() => {
      this.persistTimer = undefined;
      this.flush();
    }, this.persistDelayMs);
  }

  /** Writes the data file now (atomically: temp file + rename). */
  flush(): void {
    if (this.persistTimer) {
      clearTimeout(this.persistTimer);
      this.persistTimer = undefined;
    }
    if (!this.dataFile) return;
    const doc: Persisted = {
      format: 'ironlb-test-apiserver/v1',
      resourceVersion: this.revision,
      buckets: {},
    };
    for (const [name, b] of this.buckets) if (b.size) doc.buckets[name] = [...b.values()];
    const tmp = `${this.dataFile}.tmp`;
    writeFileSync(tmp, JSON.stringify(doc));
    renameSync(tmp, this.dataFile);
  }

  private load(file: string): void {
    const doc = JSON.parse(readFileSync(file, 'utf8')) as Persisted;
    if (doc.format !== 'ironlb-test-apiserver/v1')
      throw new Error(`${file}: not a test-apiserver data file`);
    this.revision = doc.resourceVersion;
    // After a restart the watch cache is empty: watches from the last revision resume, older
    // ones get 410 — what a client sees after a real API server restart with a fresh watch cache.
    this.oldestServable = doc.resourceVersion;
    for (const [name, objs] of Object.entries(doc.buckets)) {
      const b = this.bucket(name);
      for (const o of objs) b.set(objectKey(o.metadata.namespace, o.metadata.name ?? ''), o);
      this.sortedKeys.delete(name);
    }
  }
}
