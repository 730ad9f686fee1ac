// The verbs, independent of HTTP: what pkg/registry/generic/registry.Store does around a strategy.
// ApiCore is the public face; each flow lives in its own module over a shared CoreContext:
// create.ts, update.ts (PUT/PATCH) + status.ts (status subresource), delete.ts (DELETE,
// DELETECOLLECTION, finalizers, final removal), admission.ts (the hook), request-body.ts (body
// and namespace checks), crd-apis.ts (CRD registration), bootstrap.ts (start-up objects),
// lifecycle.ts (namespace and CRD controllers).
import { ApiError, invalidValue, notFound } from '../errors.ts';
import { builtinTypes } from '../registry/builtins.ts';
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
import { getStored, toServed, type CoreContext } from './core-context.ts';
import { prepareCreate } from './create.ts';
import { deleteCollection, deleteNow, deleteObject, finalRemove } from './delete.ts';
import { Lifecycle } from './lifecycle.ts';
import { listObjects } from './list.ts';
import type { ListQuery } from './query.ts';
import { preparePatch, prepareReplace } from './update.ts';

export type { AdmissionAttributes, AdmissionHook, ApiCoreOptions, WriteQuery, WriteResult };

export class ApiCore {
  readonly store: Store;
  readonly registry = new Registry();
  readonly net: ServiceNetwork;
  private readonly cx: CoreContext;

  constructor(options: ApiCoreOptions = {}) {
    this.net = new ServiceNetwork(options);
    const builtins = builtinTypes({ net: this.net });
    for (const t of builtins) {
      if (t.resource === 'customresourcedefinitions') t.strategy = crdStrategy();
      this.registry.add(t);
    }
    this.store = new Store(options);
    const find = (r: string) => builtins.find((b) => b.resource === r) as ResourceType;
    const lifecycle = new Lifecycle({
      store: this.store,
      registry: this.registry,
      nsType: find('namespaces'),
      crdType: find('customresourcedefinitions'),
      deleteNow: (t, ns, name, opts, q) => this.deleteNow(t, ns, name, opts, q),
      finalRemove: (t, key, obj) => this.finalRemove(t, key, obj),
    });
    this.cx = {
      store: this.store,
      registry: this.registry,
      conversionHook: options.conversionHook,
      admission: options.admissionHook,
      known: options.knownFields,
      lifecycle,
      nowMs: options.nowMs ?? Date.now,
    };
    bootstrap(this.cx, this.net, builtins, (t, ns, body) => this.createNow(t, ns, body, {}));
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

  list(t: ResourceType, ns: string | undefined, q: ListQuery): JsonObject {
    return listObjects(this.store, t, ns, q, (o) => this.output(t, o));
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
    return admitted(this.cx, prepareCreate(this.cx, t, ns, body, q));
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
    return admitted(this.cx, prepareReplace(this.cx, t, ns, name, body, q, sub));
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
    return admitted(this.cx, preparePatch(this.cx, t, ns, name, contentType, patch, q, sub));
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
