// The verbs, independent of HTTP: what pkg/registry/generic/registry.Store does around a strategy
// (create/update/delete flows, optimistic concurrency, finalizers and deletionTimestamp, generation,
// no-op updates that write nothing) plus the namespace lifecycle and CRD registration.
import { randomUUID } from 'node:crypto';
import {
  ApiError,
  MODIFIED_CONFLICT,
  alreadyExists,
  badRequest,
  conflict,
  forbidden,
  invalid,
  invalidValue,
  methodNotAllowed,
  notFound,
  type StatusCause,
} from '../errors.ts';
import { isObject, type Json, type JsonObject } from '../schema/structural.ts';
import type { CustomResourceDefinition } from '../schema/types.ts';
import { objectKey, Store } from '../store.ts';
import { builtinTypes } from '../registry/builtins.ts';
import { crdResourceTypes, crdStrategy, type ConversionHook } from '../registry/crd.ts';
import { Registry } from '../registry/registry.ts';
import { pruneBuiltin, type KnownFields } from '../registry/known-fields.ts';
import { ServiceNetwork } from '../registry/service.ts';
import {
  gvString,
  type KubeObject,
  type ResourceType,
  type WriteContext,
} from '../registry/types.ts';
import { generateName, nowTime, validateObjectMeta } from '../util/meta.ts';
import { deepEqual } from '../schema/validate.ts';
import type { ListQuery } from './query.ts';
import { applyPatch } from './patching.ts';
import { listObjects } from './list.ts';
import { Lifecycle } from './lifecycle.ts';
import {
  SYSTEM_META,
  gr,
  type AdmissionAttributes,
  type AdmissionHook,
  type ApiCoreOptions,
  type PendingWrite,
  type WriteQuery,
  type WriteResult,
} from './api-types.ts';

export type { AdmissionAttributes, AdmissionHook, ApiCoreOptions, WriteQuery, WriteResult };

export class ApiCore {
  readonly store: Store;
  readonly registry = new Registry();
  readonly net: ServiceNetwork;
  private readonly hook: ConversionHook | undefined;
  private readonly admission: AdmissionHook | undefined;
  private readonly known: KnownFields | undefined;
  private readonly builtins: ResourceType[];
  private readonly lifecycle: Lifecycle;

  constructor(options: ApiCoreOptions = {}) {
    this.net = new ServiceNetwork(options);
    this.hook = options.conversionHook;
    this.admission = options.admissionHook;
    this.known = options.knownFields;
    this.builtins = builtinTypes({ net: this.net });
    for (const t of this.builtins) {
      if (t.resource === 'customresourcedefinitions') t.strategy = crdStrategy();
      this.registry.add(t);
    }
    this.store = new Store(options);
    const find = (r: string) => this.builtins.find((b) => b.resource === r) as ResourceType;
    this.lifecycle = new Lifecycle({
      store: this.store,
      registry: this.registry,
      nsType: find('namespaces'),
      crdType: find('customresourcedefinitions'),
      deleteNow: (t, ns, name, opts, q) => this.deleteNow(t, ns, name, opts, q),
      finalRemove: (t, key, obj) => this.finalRemove(t, key, obj),
    });
    this.restore();
  }

  /** After loading --data: re-register CRDs and re-claim Service IPs and ports. */
  private restore(): void {
    for (const crd of this.store.list('apiextensions.k8s.io/customresourcedefinitions'))
      this.registerCrd(crd);
    for (const svc of this.store.list('/services')) this.net.restore(svc);
    const boot = (type: string, body: KubeObject) => {
      const t = this.builtins.find((b) => b.resource === type) as ResourceType;
      const ns = body.metadata.namespace;
      if (this.store.get(t.storageKey, objectKey(ns, body.metadata.name ?? ''))) return;
      this.createNow(t, ns, body, {});
    };
    for (const ns of ['default', 'kube-system', 'kube-public', 'kube-node-lease'])
      boot('namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } });
    // The `kubernetes` Service takes the first address of the range, as on a real cluster.
    const first = this.net.ranges[0];
    const kubeIP = first
      ? first.cidr.replace(/\.0\/\d+$/, '.1').replace(/::\/\d+$/, '::1')
      : undefined;
    boot('services', {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: {
        name: 'kubernetes',
        namespace: 'default',
        labels: { component: 'apiserver', provider: 'kubernetes' },
      },
      spec: {
        type: 'ClusterIP',
        ports: [{ name: 'https', port: 443, protocol: 'TCP', targetPort: 6443 }],
        ...(kubeIP ? { clusterIP: kubeIP } : {}),
      },
    });
  }

  private registerCrd(crd: KubeObject): void {
    const c = crd as unknown as CustomResourceDefinition;
    this.registry.removeWhere((t) => t.crdName === c.metadata.name);
    for (const t of crdResourceTypes(c, this.hook)) this.registry.add(t);
  }

  /** A stored object as the served version of `t` shows it. */
  output(t: ResourceType, stored: KubeObject): KubeObject {
    if (t.fromStorage) return t.fromStorage(stored);
    const { apiVersion: _a, kind: _k, ...rest } = stored;
    return { apiVersion: gvString(t.group, t.version), kind: t.kind, ...rest } as KubeObject;
  }

  private toStorage(t: ResourceType, o: KubeObject): KubeObject {
    if (t.toStorage) return t.toStorage(o);
    return { ...o, apiVersion: gvString(t.group, t.storageVersion), kind: t.kind } as KubeObject;
  }

  private key(t: ResourceType, ns: string | undefined, name: string): string {
    return objectKey(t.namespaced ? ns : undefined, name);
  }

  getStored(t: ResourceType, ns: string | undefined, name: string): KubeObject | undefined {
    return this.store.get(t.storageKey, this.key(t, ns, name));
  }

  get(t: ResourceType, ns: string | undefined, name: string): KubeObject {
    const o = this.getStored(t, ns, name);
    if (!o) throw notFound(gr(t), name);
    return this.output(t, o);
  }

  list(t: ResourceType, ns: string | undefined, q: ListQuery): JsonObject {
    return listObjects(this.store, t, ns, q, (o) => this.output(t, o));
  }

  private ctx(q: WriteQuery): WriteContext {
    return {
      warnings: [],
      fieldValidation: q.fieldValidation ?? 'Warn',
      dryRun: q.dryRun === true,
    };
  }

  private checkBody(t: ResourceType, body: unknown): KubeObject {
    if (!isObject(body)) throw badRequest('the body of the request was in an unknown format');
    const gv = gvString(t.group, t.version);
    if (body.apiVersion !== undefined && body.apiVersion !== gv)
      throw badRequest(
        `the API version in the data (${String(body.apiVersion)}) does not match the expected API version (${gv})`,
      );
    if (body.kind !== undefined && body.kind !== t.kind)
      throw badRequest(
        `the kind in the data (${String(body.kind)}) does not match the expected kind (${t.kind})`,
      );
    const o = structuredClone(body) as KubeObject;
    o.apiVersion = gv;
    o.kind = t.kind;
    if (o.metadata === undefined || o.metadata === null) o.metadata = {};
    if (!isObject(o.metadata)) throw badRequest('metadata must be an object');
    delete o.metadata.managedFields;
    delete o.metadata.selfLink;
    return o;
  }

  private checkNamespace(
    t: ResourceType,
    ns: string | undefined,
    o: KubeObject,
    creating: boolean,
  ): void {
    if (!t.namespaced) {
      delete o.metadata.namespace;
      return;
    }
    if (!ns)
      throw badRequest(
        'the namespace of the object must be set on the request path for namespaced resources',
      );
    if (
      o.metadata.namespace !== undefined &&
      o.metadata.namespace !== '' &&
      o.metadata.namespace !== ns
    )
      throw badRequest(
        'the namespace of the provided object does not match the namespace sent on the request',
      );
    o.metadata.namespace = ns;
    if (!creating) return;
    const nsObj = this.store.get('/namespaces', ns);
    if (!nsObj) throw notFound({ group: '', resource: 'namespaces' }, ns);
    if (nsObj.metadata.deletionTimestamp)
      throw new ApiError(
        403,
        'Forbidden',
        `${t.group ? `${t.resource}.${t.group}` : t.resource} "${o.metadata.name ?? ''}" is forbidden: unable to create new content in namespace ${ns} because it is being terminated`,
        {
          name: o.metadata.name ?? '',
          kind: t.resource,
        },
      );
  }

  /** Create without admission (start-up objects, in-process use). */
  createNow(t: ResourceType, ns: string | undefined, body: unknown, q: WriteQuery): WriteResult {
    return this.prepareCreate(t, ns, body, q).commit();
  }

  /** Runs the admission hook, if any, between validation and commit. */
  private async admitted(w: PendingWrite): Promise<WriteResult> {
    if (this.admission) await this.admission(w.attrs);
    return w.commit();
  }

  create(
    t: ResourceType,
    ns: string | undefined,
    body: unknown,
    q: WriteQuery,
  ): Promise<WriteResult> {
    return this.admitted(this.prepareCreate(t, ns, body, q));
  }

  private prepareCreate(
    t: ResourceType,
    ns: string | undefined,
    body: unknown,
    q: WriteQuery,
  ): PendingWrite {
    const ctx = this.ctx(q);
    const o = this.checkBody(t, body);
    if (t.crdName === undefined) pruneBuiltin(this.known, t.group, t.kind, o, ctx);
    else if (
      this.store.get('apiextensions.k8s.io/customresourcedefinitions', t.crdName)?.metadata
        .deletionTimestamp
    )
      throw methodNotAllowed('create not allowed while custom resource definition is terminating');
    const meta = o.metadata;
    if (meta.resourceVersion !== undefined && meta.resourceVersion !== '')
      throw badRequest('resourceVersion should not be set on objects to be created');
    if (
      (meta.name === undefined || meta.name === '') &&
      typeof meta.generateName === 'string' &&
      meta.generateName !== ''
    )
      meta.name = generateName(meta.generateName);
    this.checkNamespace(t, ns, o, true);
    for (const f of SYSTEM_META) delete meta[f];
    t.strategy.prepareForCreate?.(o, ctx);
    const causes = [
      ...validateObjectMeta(meta, t.namespaced, t.strategy.nameRule ?? 'subdomain'),
      ...(t.strategy.validate?.(o, ctx) ?? []),
    ];
    if (causes.length) throw invalid(t.kind, t.group, String(meta.name ?? ''), causes);
    const name = meta.name as string;
    const key = this.key(t, ns, name);
    if (this.store.get(t.storageKey, key)) throw alreadyExists(gr(t), name);
    const attrs: AdmissionAttributes = {
      operation: 'CREATE',
      resource: t,
      subresource: undefined,
      namespace: ns,
      name,
      object: o,
      oldObject: undefined,
      dryRun: ctx.dryRun,
    };
    return { attrs, commit: () => this.commitCreate(t, key, o, ctx) };
  }

  private commitCreate(
    t: ResourceType,
    key: string,
    o: KubeObject,
    ctx: WriteContext,
  ): WriteResult {
    const meta = o.metadata;
    const name = meta.name as string;
    if (this.store.get(t.storageKey, key)) throw alreadyExists(gr(t), name);
    const alloc = t.strategy.beforeCommit?.(o, undefined) ?? [];
    if (alloc.length) throw invalid(t.kind, t.group, name, alloc);
    meta.uid = randomUUID();
    meta.creationTimestamp = nowTime();
    if (t.strategy.hasGeneration) meta.generation = 1;
    if (ctx.dryRun) {
      t.strategy.rollback?.(o, undefined);
      return { status: 201, body: o, warnings: ctx.warnings };
    }
    meta.resourceVersion = String(this.store.nextResourceVersion());
    const stored = this.toStorage(t, o);
    this.store.put(t.storageKey, key, stored, 'ADDED');
    if (t.resource === 'customresourcedefinitions') this.registerCrd(stored);
    return { status: 201, body: this.output(t, stored), warnings: ctx.warnings };
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
    const o = this.checkBody(t, body);
    if (o.metadata.name !== undefined && o.metadata.name !== name)
      throw badRequest(
        `the name of the object (${String(o.metadata.name)}) does not match the name on the URL (${name})`,
      );
    o.metadata.name = name;
    this.checkNamespace(t, ns, o, false);
    const stored = this.getStored(t, ns, name);
    if (!stored) throw notFound(gr(t), name);
    const rv = o.metadata.resourceVersion;
    if (rv === undefined || rv === '') {
      if (!t.strategy.allowUnconditionalUpdate)
        throw invalid(t.kind, t.group, name, [
          invalidValue('metadata.resourceVersion', '0x0', 'must be specified for an update'),
        ]);
    } else if (rv !== stored.metadata.resourceVersion) {
      throw conflict(gr(t), name, MODIFIED_CONFLICT);
    }
    return this.admitted(this.prepareUpdate(t, ns, name, o, stored, q, sub));
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
    const stored = this.getStored(t, ns, name);
    if (!stored) throw notFound(gr(t), name);
    const cur = this.output(t, stored) as Json;
    const next = applyPatch(cur, contentType, patch, t.crdName !== undefined);
    if (!isObject(next)) throw badRequest('the patched object is not an object');
    const o = this.checkBody(t, next);
    if (o.metadata.name !== name)
      throw badRequest(
        `the name of the object (${String(o.metadata.name)}) does not match the name on the URL (${name})`,
      );
    if (
      o.metadata.resourceVersion !== undefined &&
      o.metadata.resourceVersion !== stored.metadata.resourceVersion
    )
      throw conflict(gr(t), name, MODIFIED_CONFLICT);
    this.checkNamespace(t, ns, o, false);
    return this.admitted(this.prepareUpdate(t, ns, name, o, stored, q, sub));
  }

  private prepareUpdate(
    t: ResourceType,
    ns: string | undefined,
    name: string,
    o: KubeObject,
    stored: KubeObject,
    q: WriteQuery,
    sub?: string,
  ): PendingWrite {
    const ctx = this.ctx(q);
    if (t.crdName === undefined) pruneBuiltin(this.known, t.group, t.kind, o, ctx);
    const old = this.output(t, stored);
    const meta = o.metadata;
    for (const f of SYSTEM_META) {
      if (old.metadata[f] === undefined) delete meta[f];
      else meta[f] = old.metadata[f] as Json;
    }
    let next: KubeObject;
    let causes: StatusCause[];
    if (sub === 'status') {
      next = t.strategy.prepareForStatusUpdate?.(o, old) ?? this.genericStatus(o, old);
      for (const f of SYSTEM_META) {
        if (old.metadata[f] === undefined) delete next.metadata[f];
        else next.metadata[f] = old.metadata[f] as Json;
      }
      causes = [
        ...validateObjectMeta(next.metadata, t.namespaced, t.strategy.nameRule ?? 'path'),
        ...(t.strategy.validateStatusUpdate?.(next, old) ?? []),
      ];
    } else {
      next = o;
      if (t.hasStatus && !t.strategy.prepareForUpdate) {
        if (old.status === undefined) delete next.status;
        else next.status = structuredClone(old.status);
      }
      t.strategy.prepareForUpdate?.(next, old, ctx);
      causes = [
        ...validateObjectMeta(next.metadata, t.namespaced, 'path'),
        ...(t.strategy.validateUpdate
          ? t.strategy.validateUpdate(next, old, ctx)
          : (t.strategy.validate?.(next, ctx) ?? [])),
      ];
      if (t.strategy.hasGeneration) {
        const changed = t.strategy.generationChanged
          ? t.strategy.generationChanged(next, old)
          : !deepEqual(next.spec, old.spec);
        if (changed)
          next.metadata.generation =
            (typeof old.metadata.generation === 'number' ? old.metadata.generation : 0) + 1;
      }
    }
    // ValidateObjectMetaUpdate: finalizers may not be added to an object that is being deleted.
    const oldFin = Array.isArray(old.metadata.finalizers) ? old.metadata.finalizers : [];
    const newFin = Array.isArray(next.metadata.finalizers) ? next.metadata.finalizers : [];
    if (old.metadata.deletionTimestamp && newFin.some((f) => !oldFin.includes(f)))
      causes.push(
        forbidden(
          'metadata.finalizers',
          'no new finalizers can be added if the object is being deleted',
        ),
      );
    if (causes.length) throw invalid(t.kind, t.group, name, causes);
    next.metadata.resourceVersion = old.metadata.resourceVersion as string;
    const attrs: AdmissionAttributes = {
      operation: 'UPDATE',
      resource: t,
      subresource: sub,
      namespace: ns,
      name,
      object: next,
      oldObject: old,
      dryRun: ctx.dryRun,
    };
    return { attrs, commit: () => this.commitUpdate(t, ns, name, next, old, stored, newFin, ctx) };
  }

  private commitUpdate(
    t: ResourceType,
    ns: string | undefined,
    name: string,
    next: KubeObject,
    old: KubeObject,
    stored: KubeObject,
    newFin: Json[],
    ctx: WriteContext,
  ): WriteResult {
    // Admission may have been asynchronous: the stored object must still be the one validated.
    if (this.getStored(t, ns, name) !== stored) throw conflict(gr(t), name, MODIFIED_CONFLICT);
    if (deepEqual(next, old)) return { status: 200, body: old, warnings: ctx.warnings }; // no-op: nothing written
    const alloc = t.strategy.beforeCommit?.(next, old) ?? [];
    if (alloc.length) throw invalid(t.kind, t.group, name, alloc);
    if (ctx.dryRun) {
      t.strategy.rollback?.(next, old);
      return { status: 200, body: next, warnings: ctx.warnings };
    }
    t.strategy.afterUpdate?.(next, old);
    next.metadata.resourceVersion = String(this.store.nextResourceVersion());
    const key = this.key(t, ns, name);
    const toStore = this.toStorage(t, next);
    if (next.metadata.deletionTimestamp && newFin.length === 0 && !this.namespaceHeld(t, next)) {
      this.finalRemove(t, key, toStore);
      return { status: 200, body: this.output(t, toStore), warnings: ctx.warnings };
    }
    this.store.put(t.storageKey, key, toStore, 'MODIFIED');
    if (t.resource === 'customresourcedefinitions') this.registerCrd(toStore);
    return { status: 200, body: this.output(t, toStore), warnings: ctx.warnings };
  }

  /** Generic status strategy: request metadata and status, stored spec. */
  private genericStatus(o: KubeObject, old: KubeObject): KubeObject {
    const next = { ...o } as KubeObject;
    if (old.spec === undefined) delete next.spec;
    else next.spec = structuredClone(old.spec);
    return next;
  }

  /** Namespaces wait for their content (spec.finalizers "kubernetes") even without metadata finalizers. */
  private namespaceHeld(t: ResourceType, o: KubeObject): boolean {
    return (
      t.resource === 'namespaces' &&
      t.group === '' &&
      this.lifecycle.namespaceHasContent(o.metadata.name ?? '')
    );
  }

  /** Removes an object for good (DELETED event, releases, cascades). Internal. */
  finalRemove(t: ResourceType, key: string, obj: KubeObject): void {
    const final = structuredClone(obj);
    final.metadata.resourceVersion = String(this.store.nextResourceVersion());
    this.store.remove(t.storageKey, key, final);
    t.strategy.afterDelete?.(final);
    if (t.resource === 'customresourcedefinitions') this.unregisterCrd(final);
    if (t.namespaced && obj.metadata.namespace)
      this.lifecycle.scheduleNamespaceCleanup(obj.metadata.namespace);
    if (t.crdName) this.lifecycle.scheduleCrdCleanup(t.crdName);
  }

  async delete(
    t: ResourceType,
    ns: string | undefined,
    name: string,
    opts: unknown,
    q: WriteQuery,
  ): Promise<WriteResult> {
    if (this.admission) {
      const stored = this.getStored(t, ns, name);
      if (!stored) throw notFound(gr(t), name);
      const oldObject = this.output(t, stored);
      await this.admission({
        operation: 'DELETE',
        resource: t,
        subresource: undefined,
        namespace: ns,
        name,
        object: undefined,
        oldObject,
        dryRun: q.dryRun === true,
      });
    }
    return this.deleteNow(t, ns, name, opts, q);
  }

  /** Delete without admission (the namespace controller, CRD cleanup). */
  deleteNow(
    t: ResourceType,
    ns: string | undefined,
    name: string,
    opts: unknown,
    q: WriteQuery,
  ): WriteResult {
    const stored = this.getStored(t, ns, name);
    if (!stored) throw notFound(gr(t), name);
    const pre = isObject(opts) && isObject(opts.preconditions) ? opts.preconditions : undefined;
    if (pre?.uid !== undefined && pre.uid !== stored.metadata.uid)
      throw conflict(
        gr(t),
        name,
        `Precondition failed: UID in precondition: ${String(pre.uid)}, UID in object meta: ${String(stored.metadata.uid)}`,
      );
    if (
      pre?.resourceVersion !== undefined &&
      pre.resourceVersion !== stored.metadata.resourceVersion
    )
      throw conflict(
        gr(t),
        name,
        `Precondition failed: ResourceVersion in precondition: ${String(pre.resourceVersion)}, ResourceVersion in object meta: ${String(stored.metadata.resourceVersion)}`,
      );
    const key = this.key(t, ns, name);
    const fins = Array.isArray(stored.metadata.finalizers) ? stored.metadata.finalizers : [];
    const isNamespace = t.resource === 'namespaces' && t.group === '';
    if (fins.length > 0 || isNamespace) {
      if (stored.metadata.deletionTimestamp)
        return { status: 200, body: this.output(t, stored), warnings: [] };
      if (q.dryRun) return { status: 200, body: this.output(t, stored), warnings: [] };
      const next = structuredClone(stored);
      next.metadata.deletionTimestamp = nowTime();
      next.metadata.deletionGracePeriodSeconds = 0;
      if (isNamespace)
        next.status = { ...(isObject(next.status) ? next.status : {}), phase: 'Terminating' };
      next.metadata.resourceVersion = String(this.store.nextResourceVersion());
      this.store.put(t.storageKey, key, next, 'MODIFIED');
      if (isNamespace) this.lifecycle.scheduleNamespaceCleanup(name);
      if (t.resource === 'customresourcedefinitions') this.lifecycle.scheduleCrdCleanup(name);
      return { status: 202, body: this.output(t, next), warnings: [] };
    }
    if (q.dryRun) return { status: 200, body: this.output(t, stored), warnings: [] };
    this.finalRemove(t, key, stored);
    const gone = this.output(t, stored);
    // The generic registry answers a Status for most kinds and the object for pods and CRs.
    if (t.resource === 'pods' || t.crdName !== undefined)
      return { status: 200, body: gone, warnings: [] };
    const details: JsonObject = { name, kind: t.resource, uid: String(stored.metadata.uid) };
    if (t.group) details.group = t.group;
    return {
      status: 200,
      body: { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', details },
      warnings: [],
    };
  }

  async deleteCollection(
    t: ResourceType,
    ns: string | undefined,
    q: ListQuery,
    opts: unknown,
    wq: WriteQuery,
  ): Promise<WriteResult> {
    const list = this.list(t, ns, { ...q, limit: 0, continueToken: undefined });
    const items: Json[] = [];
    for (const o of list.items as KubeObject[]) {
      // Objects deleted meanwhile (e.g. during an asynchronous admission) are skipped.
      if (!this.getStored(t, ns, o.metadata.name ?? '')) continue;
      items.push((await this.delete(t, ns, o.metadata.name ?? '', opts, wq)).body);
    }
    return {
      status: 200,
      body: { ...list, items: items.filter((i) => isObject(i) && i.kind !== 'Status') },
      warnings: [],
    };
  }

  private unregisterCrd(crd: KubeObject): void {
    const name = crd.metadata.name;
    const types = this.registry.all().filter((t) => t.crdName === name);
    const first = types[0];
    if (first) {
      // Instances go with their CRD (the apiextensions finalizer deletes them first).
      for (const o of this.store.list(first.storageKey)) {
        const final = structuredClone(o);
        final.metadata.resourceVersion = String(this.store.nextResourceVersion());
        this.store.remove(
          first.storageKey,
          objectKey(o.metadata.namespace, o.metadata.name ?? ''),
          final,
        );
      }
    }
    this.registry.removeWhere((t) => t.crdName === name);
  }

  /** Errors thrown by strategies that are not ApiErrors become 500s with the cause. */
  static wrap(e: unknown): ApiError {
    if (e instanceof ApiError) return e;
    return new ApiError(500, 'InternalError', `Internal error occurred: ${(e as Error).message}`);
  }
}

export type { ListQuery };
export { invalidValue };
