// The verbs, independent of HTTP: what pkg/registry/generic/registry.Store does around a strategy.
// ApiCore is the public face; each flow lives in its own module over a shared CoreContext:
// create.ts, update.ts (PUT/PATCH) + status.ts (status subresource), delete.ts (DELETE,
// DELETECOLLECTION, finalizers, final removal), admission.ts (the hook), request-body.ts (body
// and namespace checks), crd-apis.ts (CRD registration), bootstrap.ts (start-up objects),
// lifecycle.ts (namespace and CRD controllers).
import { AccessControl } from '../auth/access.ts';
import { reviewTypes, tokenRequestHandler } from '../auth/reviews.ts';
import { WebhookAdmission } from '../admission/dispatcher.ts';
import { ConversionPending, Conversions } from '../conversion/conversions.ts';
import { ApiError, invalidValue, notFound } from '../errors.ts';
import { GarbageCollector } from '../gc/collector.ts';
import { podLogHandler, type PodLogSource } from '../logs/pod-logs.ts';
import { builtinTypes } from '../registry/builtins.ts';
import { extraBuiltinTypes } from '../registry/builtins-extra.ts';
import { crdStrategy } from '../registry/crd.ts';
import { Registry } from '../registry/registry.ts';
import { ServiceNetwork } from '../registry/service.ts';
import type { KubeObject, ResourceType } from '../registry/types.ts';
import type { JsonObject } from '../schema/structural.ts';
import { Store } from '../store.ts';
import { admitted } from './admission.ts';
import {
  gr,
  type AdmissionAttributes,
  type AdmissionHook,
  type ApiCoreOptions,
  type WriteQuery,
  type WriteResult,
} from './api-types.ts';
import { bootstrap } from './bootstrap.ts';
import { startDefaultServiceAccounts } from './cluster-objects.ts';
import { getStored, toServed, toStorage, type CoreContext } from './core-context.ts';
import { prepareCreate } from './create.ts';
import { deleteCollection, deleteNow, deleteObject, finalRemove, namespaceHeld } from './delete.ts';
import { Lifecycle } from './lifecycle.ts';
import { listObjects } from './list.ts';
import type { ListQuery } from './query.ts';
import { preparePatch, prepareReplace } from './update.ts';

export type { AdmissionAttributes, AdmissionHook, ApiCoreOptions, WriteQuery, WriteResult };

export class ApiCore {
  readonly store: Store;
  readonly registry = new Registry();
  readonly net: ServiceNetwork;
  /** Authentication, impersonation, RBAC and the audit log. */
  readonly access: AccessControl;
  readonly conversions: Conversions;
  readonly gc: GarbageCollector | undefined;
  /** Where `pods/log` reads from (the `podLogs` option; may be set later). */
  podLogs: PodLogSource | undefined;
  private readonly cx: CoreContext;
  private readonly stopSa: () => void;

  constructor(options: ApiCoreOptions = {}) {
    this.net = new ServiceNetwork(options);
    const builtins = [...builtinTypes({ net: this.net }), ...extraBuiltinTypes()];
    this.store = new Store(options);
    this.access = new AccessControl(this.store, options);
    this.conversions = new Conversions(this.store, options);
    this.podLogs = options.podLogs;
    for (const t of builtins) {
      if (t.resource === 'customresourcedefinitions') t.strategy = crdStrategy();
      if (t.resource === 'serviceaccounts' && t.group === '')
        t.subresources = { token: tokenRequestHandler(this.access, this.store) };
      if (t.resource === 'pods' && t.group === '')
        t.subresources = { log: podLogHandler(this.store, () => this.podLogs) };
      this.registry.add(t);
    }
    for (const t of reviewTypes(this.access)) this.registry.add(t);
    const find = (r: string) => builtins.find((b) => b.resource === r) as ResourceType;
    const lifecycle = new Lifecycle({
      store: this.store,
      registry: this.registry,
      nsType: find('namespaces'),
      crdType: find('customresourcedefinitions'),
      deleteNow: (t, ns, name, opts, q) => this.deleteNow(t, ns, name, opts, q),
      finalRemove: (t, key, obj) => this.finalRemove(t, key, obj),
    });
    const conversions = this.conversions;
    this.cx = {
      store: this.store,
      registry: this.registry,
      conversions,
      webhooks: new WebhookAdmission(
        {
          store: this.store,
          registry: this.registry,
          conversions,
          toVersion: (from, o, to) => conversions.run(() => toServed(to, toStorage(from, o))),
        },
        options,
      ),
      admission: options.admissionHook,
      known: options.knownFields,
      lifecycle,
      gcEnabled: options.garbageCollector !== 'off',
      nowMs: options.nowMs ?? Date.now,
    };
    bootstrap(this.cx, this.net, builtins, (t, ns, body) => this.createNow(t, ns, body, {}));
    const saType = find('serviceaccounts');
    this.stopSa = startDefaultServiceAccounts(this.store, (ns) =>
      this.createNow(saType, ns, { metadata: { name: 'default' } }, {}),
    );
    this.gc =
      options.garbageCollector === 'off'
        ? undefined
        : new GarbageCollector({
            store: this.store,
            registry: this.registry,
            deleteNow: (t, ns, name, opts) => this.deleteNow(t, ns, name, opts, {}),
            writeInternal: (t, key, next) => this.writeInternal(t, key, next),
          });
  }

  /** Runs a read or write step, performing the conversion webhook calls it needs first. */
  converting<T>(fn: () => T): Promise<T> {
    return this.conversions.run(fn);
  }

  /**
   * An internal write of a stored object (the garbage collector's): no admission, new
   * resourceVersion, and the final removal when it was deleting and has no finalizers left.
   */
  writeInternal(t: ResourceType, key: string, next: KubeObject): void {
    const fins = Array.isArray(next.metadata.finalizers) ? next.metadata.finalizers : [];
    if (next.metadata.deletionTimestamp && fins.length === 0 && !namespaceHeld(this.cx, t, next)) {
      this.finalRemove(t, key, next);
      return;
    }
    next.metadata.resourceVersion = String(this.store.nextResourceVersion());
    this.store.put(t.storageKey, key, next, 'MODIFIED');
  }

  /** Ends background work (collector, controllers) and closes the audit file. */
  async close(): Promise<void> {
    this.gc?.stop();
    this.stopSa();
    await this.access.audit.close();
  }

  /** Wall-clock milliseconds (the injected clock, Date.now by default). */
  nowMs(): number {
    return this.cx.nowMs();
  }

  /** A stored object as the served version of `t` shows it. */
  output(t: ResourceType, stored: KubeObject): KubeObject {
    return toServed(t, stored);
  }

  getStored(t: ResourceType, ns: string | undefined, name: string): KubeObject | undefined {
    return getStored(this.cx, t, ns, name);
  }

  get(t: ResourceType, ns: string | undefined, name: string): KubeObject {
    const o = this.getStored(t, ns, name);
    if (!o) throw notFound(gr(t), name);
    return this.output(t, o);
  }

  /** A list; throws ConversionPending (all objects at once) when webhook conversions are needed. */
  list(t: ResourceType, ns: string | undefined, q: ListQuery): JsonObject {
    const pending: ConversionPending[] = [];
    const out = listObjects(this.store, t, ns, q, (o) => {
      try {
        return this.output(t, o);
      } catch (e) {
        if (!(e instanceof ConversionPending)) throw e;
        pending.push(e);
        return o;
      }
    });
    if (pending.length) throw new ConversionPending(pending.flatMap((p) => p.requests));
    return out;
  }

  /** Create without admission (start-up objects, in-process use). */
  createNow(t: ResourceType, ns: string | undefined, body: unknown, q: WriteQuery): WriteResult {
    return prepareCreate(this.cx, t, ns, body, q).commit();
  }

  create(
    t: ResourceType,
    ns: string | undefined,
    body: unknown,
    q: WriteQuery,
  ): Promise<WriteResult> {
    return this.converting(() => prepareCreate(this.cx, t, ns, body, q)).then((w) =>
      admitted(this.cx, w),
    );
  }

  /** PUT (main or status). */
  update(
    t: ResourceType,
    ns: string | undefined,
    name: string,
    body: unknown,
    q: WriteQuery,
    sub?: string,
  ): Promise<WriteResult> {
    return this.converting(() => prepareReplace(this.cx, t, ns, name, body, q, sub)).then((w) =>
      admitted(this.cx, w),
    );
  }

  patch(
    t: ResourceType,
    ns: string | undefined,
    name: string,
    contentType: string,
    patch: unknown,
    q: WriteQuery,
    sub?: string,
  ): Promise<WriteResult> {
    return this.converting(() =>
      preparePatch(this.cx, t, ns, name, contentType, patch, q, sub),
    ).then((w) => admitted(this.cx, w));
  }

  /** Removes an object for good (DELETED event, releases, cascades). Internal. */
  finalRemove(t: ResourceType, key: string, obj: KubeObject): void {
    finalRemove(this.cx, t, key, obj);
  }

  delete(
    t: ResourceType,
    ns: string | undefined,
    name: string,
    opts: unknown,
    q: WriteQuery,
  ): Promise<WriteResult> {
    return deleteObject(this.cx, t, ns, name, opts, q);
  }

  /** Delete without admission (the namespace controller, CRD cleanup). */
  deleteNow(
    t: ResourceType,
    ns: string | undefined,
    name: string,
    opts: unknown,
    q: WriteQuery,
  ): WriteResult {
    return deleteNow(this.cx, t, ns, name, opts, q);
  }

  deleteCollection(
    t: ResourceType,
    ns: string | undefined,
    q: ListQuery,
    opts: unknown,
    wq: WriteQuery,
  ): Promise<WriteResult> {
    return deleteCollection(this.cx, t, ns, q, opts, wq);
  }

  /** Errors thrown by strategies that are not ApiErrors become 500s with the cause. */
  static wrap(e: unknown): ApiError {
    if (e instanceof ApiError) return e;
    return new ApiError(500, 'InternalError', `Internal error occurred: ${(e as Error).message}`);
  }
}

export type { ListQuery };
export { invalidValue };
