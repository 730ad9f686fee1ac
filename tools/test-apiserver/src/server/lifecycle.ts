// The two controllers the API server itself runs: the namespace controller (a terminating
// namespace's content is deleted, then the namespace) and the CRD finalizer controller (a
// terminating CRD's objects are deleted, then the CRD). Both respect objects' finalizers, work in
// storage versions, and run in the background without ever throwing into the event loop.
import { CRD_CLEANUP_FINALIZER } from '../registry/crd.ts';
import type { Registry } from '../registry/registry.ts';
import type { KubeObject, ResourceType } from '../registry/types.ts';
import type { Store } from '../store.ts';
import type { WriteQuery, WriteResult } from './api-types.ts';

export interface LifecycleHost {
  store: Store;
  registry: Registry;
  nsType: ResourceType;
  crdType: ResourceType;
  deleteNow(
    t: ResourceType,
    ns: string | undefined,
    name: string,
    opts: unknown,
    q: WriteQuery,
  ): WriteResult;
  finalRemove(t: ResourceType, key: string, obj: KubeObject): void;
}

export class Lifecycle {
  private readonly host: LifecycleHost;

  constructor(host: LifecycleHost) {
    this.host = host;
  }

  private readonly pendingCrds = new Set<string>();

  /**
   * The CRD finalizer controller: a terminating CRD's objects are deleted (their own finalizers
   * respected); when none is left the cleanup finalizer is removed and the CRD goes.
   */
  scheduleCrdCleanup(crdName: string): void {
    const crdType = this.host.crdType;
    const crd = this.host.store.get(crdType.storageKey, crdName);
    if (!crd?.metadata.deletionTimestamp || this.pendingCrds.has(crdName)) return;
    this.pendingCrds.add(crdName);
    setImmediate(() =>
      this.background(() => {
        this.pendingCrds.delete(crdName);
        const t = this.host.registry
          .all()
          .find((x) => x.crdName === crdName && x.version === x.storageVersion);
        if (t) {
          for (const o of this.host.store.list(t.storageKey))
            if (!o.metadata.deletionTimestamp)
              this.host.deleteNow(t, o.metadata.namespace, o.metadata.name ?? '', undefined, {});
          if (this.host.store.list(t.storageKey).length > 0) return;
        }
        const cur = this.host.store.get(crdType.storageKey, crdName);
        if (!cur) return;
        const next = structuredClone(cur);
        const fins = (
          Array.isArray(next.metadata.finalizers) ? next.metadata.finalizers : []
        ).filter((f) => f !== CRD_CLEANUP_FINALIZER);
        if (fins.length > 0) {
          next.metadata.finalizers = fins;
          next.metadata.resourceVersion = String(this.host.store.nextResourceVersion());
          this.host.store.put(crdType.storageKey, crdName, next, 'MODIFIED');
        } else {
          delete next.metadata.finalizers;
          this.host.finalRemove(crdType, crdName, next);
        }
      }),
    );
  }

  namespaceHasContent(ns: string): boolean {
    for (const t of this.host.registry.all()) {
      if (!t.namespaced) continue;
      if (this.host.store.list(t.storageKey, ns).length > 0) return true;
    }
    return false;
  }

  private readonly pendingNamespaces = new Set<string>();

  /** The namespace controller: deletes a terminating namespace's content, then the namespace. */
  scheduleNamespaceCleanup(ns: string): void {
    const nsObj = this.host.store.get('/namespaces', ns);
    if (!nsObj?.metadata.deletionTimestamp || this.pendingNamespaces.has(ns)) return;
    this.pendingNamespaces.add(ns);
    setImmediate(() =>
      this.background(() => {
        this.pendingNamespaces.delete(ns);
        const seen = new Set<string>();
        for (const t of this.host.registry.all()) {
          // Work in each resource's storage version: no conversion (or webhook) is needed.
          if (!t.namespaced || seen.has(t.storageKey) || t.version !== t.storageVersion) continue;
          seen.add(t.storageKey);
          for (const o of this.host.store.list(t.storageKey, ns)) {
            if (!o.metadata.deletionTimestamp)
              this.host.deleteNow(t, ns, o.metadata.name ?? '', undefined, {});
          }
        }
        const cur = this.host.store.get('/namespaces', ns);
        if (!cur || this.namespaceHasContent(ns)) return;
        const fins = Array.isArray(cur.metadata.finalizers) ? cur.metadata.finalizers : [];
        if (fins.length > 0) return;
        const nsType = this.host.nsType;
        this.host.finalRemove(nsType, ns, cur);
      }),
    );
  }

  /** Runs a background controller step; a failure is reported, never thrown into the event loop. */
  private background(fn: () => void): void {
    try {
      fn();
    } catch (e) {
      process.emitWarning(
        `ironlb-test-apiserver: background cleanup failed: ${(e as Error).message}`,
      );
    }
  }
}
