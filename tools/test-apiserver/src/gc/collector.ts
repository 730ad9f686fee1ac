// The garbage collector as a background controller of this server: it follows the store's events,
// keeps the set of objects that have owners or wait for the collector (finalizers `orphan`,
// `foregroundDeletion`), and after each change plans (graph.ts) and carries out the next steps
// until the graph is settled. It works in storage versions (no conversion webhook), and its
// writes do not go through admission (kube-controller-manager's would).
import type { Registry } from '../registry/registry.ts';
import type { KubeObject, ResourceType } from '../registry/types.ts';
import { isObject } from '../schema/structural.ts';
import { objectKey, type Store, type StoreEvent } from '../store.ts';
import {
  FOREGROUND_FINALIZER,
  ORPHAN_FINALIZER,
  planGc,
  type GcAction,
  type GcNode,
  type OwnerRef,
} from './graph.ts';

export interface GcOptions {
  /** 'on' (default): ownerReferences are collected. 'off': they are only stored. */
  garbageCollector?: 'on' | 'off';
}

export interface GcHost {
  store: Store;
  registry: Registry;
  /** DELETE without admission, with DeleteOptions. */
  deleteNow(t: ResourceType, ns: string | undefined, name: string, opts: unknown): void;
  /** Writes a changed object (storage version); removes it when it was deleting and has no finalizers left. */
  writeInternal(t: ResourceType, key: string, next: KubeObject): void;
}

function refsOf(o: KubeObject): OwnerRef[] {
  const refs = o.metadata.ownerReferences;
  if (!Array.isArray(refs)) return [];
  return refs.filter(isObject).map((r) => ({
    uid: String(r.uid ?? ''),
    apiVersion: String(r.apiVersion ?? ''),
    kind: String(r.kind ?? ''),
    name: String(r.name ?? ''),
    blockOwnerDeletion: r.blockOwnerDeletion === true,
  }));
}

function finalizersOf(o: KubeObject): string[] {
  const f = o.metadata.finalizers;
  return Array.isArray(f) ? f.filter((x): x is string => typeof x === 'string') : [];
}

function interesting(o: KubeObject): boolean {
  if (refsOf(o).length > 0) return true;
  const f = finalizersOf(o);
  return f.includes(ORPHAN_FINALIZER) || f.includes(FOREGROUND_FINALIZER);
}

export class GarbageCollector {
  private readonly h: GcHost;
  /** id (`bucket\0key`) of objects with owners or a collector finalizer. */
  private readonly tracked = new Set<string>();
  private scheduled = false;
  private retry: NodeJS.Timeout | undefined;
  private readonly unsubscribe: () => void;

  constructor(host: GcHost) {
    this.h = host;
    for (const t of this.storageTypes())
      for (const o of host.store.list(t.storageKey)) this.track(t.storageKey, o, false);
    this.unsubscribe = host.store.subscribe((ev) => this.onEvent(ev));
    if (this.tracked.size) this.schedule();
  }

  stop(): void {
    this.unsubscribe();
    if (this.retry) clearTimeout(this.retry);
  }

  private storageTypes(): ResourceType[] {
    const seen = new Set<string>();
    return this.h.registry.all().filter((t) => {
      if (t.version !== t.storageVersion || seen.has(t.storageKey) || t.virtual) return false;
      seen.add(t.storageKey);
      return true;
    });
  }

  /** Updates the tracked set; returns whether the object was or is tracked. */
  private track(bucket: string, o: KubeObject, gone: boolean): boolean {
    const id = `${bucket}\0${objectKey(o.metadata.namespace, o.metadata.name ?? '')}`;
    const before = this.tracked.has(id);
    if (!gone && interesting(o)) this.tracked.add(id);
    else this.tracked.delete(id);
    return before || this.tracked.has(id);
  }

  private onEvent(ev: StoreEvent): void {
    const relevant = this.track(ev.bucket, ev.obj, ev.type === 'DELETED');
    // A removal can free dependents; a change to a tracked object can move the graph on.
    if (relevant || (ev.type === 'DELETED' && this.tracked.size > 0)) this.schedule();
  }

  private schedule(delayMs = 0): void {
    if (this.scheduled) return;
    this.scheduled = true;
    const run = () => {
      this.scheduled = false;
      this.retry = undefined;
      this.pass();
    };
    if (delayMs === 0) setImmediate(run);
    else {
      this.retry = setTimeout(run, delayMs);
      this.retry.unref();
    }
  }

  private typeOfBucket(bucket: string): ResourceType | undefined {
    return this.h.registry
      .all()
      .find((t) => t.storageKey === bucket && t.version === t.storageVersion);
  }

  private node(id: string, o: KubeObject): GcNode {
    return {
      id,
      uid: String(o.metadata.uid ?? ''),
      ownerRefs: refsOf(o),
      deleting: Boolean(o.metadata.deletionTimestamp),
      finalizers: finalizersOf(o),
    };
  }

  /** Resolves an owner reference the way the collector's REST mapping and lookups do. */
  private lookup(ref: OwnerRef, dep: GcNode): GcNode | 'absent' | 'unknown' {
    const slash = ref.apiVersion.lastIndexOf('/');
    const group = slash < 0 ? '' : ref.apiVersion.slice(0, slash);
    const version = slash < 0 ? ref.apiVersion : ref.apiVersion.slice(slash + 1);
    const types = this.h.registry
      .all()
      .filter((t) => t.group === group && t.kind === ref.kind && !t.virtual);
    const t = types.find((x) => x.version === version) ?? types[0];
    if (!t) return 'unknown';
    const depNs = dep.id.slice(dep.id.indexOf('\0') + 1).split('/');
    const depNamespace = depNs.length === 2 ? (depNs[0] as string) : '';
    // A cluster-scoped dependent cannot name a namespaced owner (unresolvable).
    if (t.namespaced && depNamespace === '') return 'unknown';
    const key = objectKey(t.namespaced ? depNamespace : undefined, ref.name);
    const o = this.h.store.get(t.storageKey, key);
    if (!o || o.metadata.uid !== ref.uid) return 'absent';
    return this.node(`${t.storageKey}\0${key}`, o);
  }

  private pass(): void {
    const nodes: GcNode[] = [];
    const objects = new Map<string, KubeObject>();
    for (const id of [...this.tracked]) {
      const sep = id.indexOf('\0');
      const o = this.h.store.get(id.slice(0, sep), id.slice(sep + 1));
      if (!o) {
        this.tracked.delete(id);
        continue;
      }
      objects.set(id, o);
      nodes.push(this.node(id, o));
    }
    let acted = false;
    let failed = false;
    for (const a of planGc(nodes, (r, d) => this.lookup(r, d))) {
      try {
        if (this.apply(a, objects)) acted = true;
      } catch (e) {
        failed = true;
        process.emitWarning(`ironlb-test-apiserver: garbage collector: ${(e as Error).message}`);
      }
    }
    if (failed) this.schedule(1000);
    else if (acted) this.schedule();
  }

  private apply(a: GcAction, objects: Map<string, KubeObject>): boolean {
    const sep = a.id.indexOf('\0');
    const bucket = a.id.slice(0, sep);
    const key = a.id.slice(sep + 1);
    const t = this.typeOfBucket(bucket);
    const cur = this.h.store.get(bucket, key);
    if (!t || !cur || cur !== objects.get(a.id)) return false;
    if (a.type === 'delete') {
      this.h.deleteNow(t, cur.metadata.namespace, cur.metadata.name ?? '', {
        propagationPolicy: a.policy,
      });
      return true;
    }
    const next = structuredClone(cur);
    if (a.type === 'removeOwnerRefs') {
      const refs = refsOf(cur).length
        ? (next.metadata.ownerReferences as KubeObject[]).filter(
            (r) => !a.uids.includes(String(r.uid)),
          )
        : [];
      if (refs.length) next.metadata.ownerReferences = refs;
      else delete next.metadata.ownerReferences;
    } else {
      const fins = finalizersOf(cur).filter((f) => f !== a.finalizer);
      if (fins.length) next.metadata.finalizers = fins;
      else delete next.metadata.finalizers;
    }
    this.h.writeInternal(t, key, next);
    return true;
  }
}
