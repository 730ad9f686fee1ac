// UPDATE (PUT) and PATCH of the main resource or its status: optimistic concurrency, the
// strategy's prepare/validate, generation, no new finalizers on a deleting object (then
// admission), and the commit: stale check, no-op writes nothing, allocation, dry run, and the
// final removal when the last finalizer goes.
import {
  MODIFIED_CONFLICT,
  badRequest,
  conflict,
  forbidden,
  invalid,
  invalidValue,
  notFound,
  type StatusCause,
} from '../errors.ts';
import { pruneBuiltin } from '../registry/known-fields.ts';
import type { KubeObject, ResourceType, WriteContext } from '../registry/types.ts';
import { isObject, type Json } from '../schema/structural.ts';
import { deepEqual } from '../schema/validate.ts';
import { validateObjectMeta } from '../util/meta.ts';
import {
  SYSTEM_META,
  gr,
  type AdmissionAttributes,
  type PendingWrite,
  type WriteQuery,
  type WriteResult,
} from './api-types.ts';
import { registerCrd } from './crd-apis.ts';
import {
  getStored,
  storeKey,
  toServed,
  toStorage,
  writeContext,
  type CoreContext,
} from './core-context.ts';
import { finalRemove, namespaceHeld } from './delete.ts';
import { applyPatch } from './patching.ts';
import { checkBody, checkNamespace } from './request-body.ts';
import { prepareCreate } from './create.ts';
import {
  APPLY_PATCH,
  applyRequest,
  checkApplyBody,
  recordManagedFields,
  takeRequestedManagedFields,
} from './managed-fields.ts';
import type { ManagedEntry } from '../ssa/managed.ts';
import { prepareStatusWrite } from './status.ts';

/** PUT (main or status) up to admission. */
export function prepareReplace(
  cx: CoreContext,
  t: ResourceType,
  ns: string | undefined,
  name: string,
  body: unknown,
  q: WriteQuery,
  sub?: string,
): PendingWrite {
  const o = checkBody(t, body);
  const requested = takeRequestedManagedFields(o);
  if (o.metadata.name !== undefined && o.metadata.name !== name)
    throw badRequest(
      `the name of the object (${String(o.metadata.name)}) does not match the name on the URL (${name})`,
    );
  o.metadata.name = name;
  checkNamespace(cx.store, t, ns, o, false);
  const stored = getStored(cx, t, ns, name);
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
  return prepareUpdate(cx, t, ns, name, o, stored, q, sub, requested);
}

/** PATCH (main or status) up to admission; server-side apply may create. */
export function preparePatch(
  cx: CoreContext,
  t: ResourceType,
  ns: string | undefined,
  name: string,
  contentType: string,
  patch: unknown,
  q: WriteQuery,
  sub?: string,
): PendingWrite {
  const stored = getStored(cx, t, ns, name);
  if (contentType === APPLY_PATCH) return prepareApply(cx, t, ns, name, patch, q, sub, stored);
  if (!stored) throw notFound(gr(t), name);
  const cur = toServed(t, stored) as Json;
  const next = applyPatch(cur, contentType, patch, t.crdName !== undefined);
  if (!isObject(next)) throw badRequest('the patched object is not an object');
  const o = checkBody(t, next);
  const requested = takeRequestedManagedFields(o);
  if (o.metadata.name !== name)
    throw badRequest(
      `the name of the object (${String(o.metadata.name)}) does not match the name on the URL (${name})`,
    );
  if (
    o.metadata.resourceVersion !== undefined &&
    o.metadata.resourceVersion !== stored.metadata.resourceVersion
  )
    throw conflict(gr(t), name, MODIFIED_CONFLICT);
  checkNamespace(cx.store, t, ns, o, false);
  return prepareUpdate(cx, t, ns, name, o, stored, q, sub, requested);
}

/** Server-side apply: the merged object through create (new) or update, ownership preset. */
function prepareApply(
  cx: CoreContext,
  t: ResourceType,
  ns: string | undefined,
  name: string,
  patch: unknown,
  q: WriteQuery,
  sub: string | undefined,
  stored: KubeObject | undefined,
): PendingWrite {
  const cfg = checkApplyBody(t, name, patch);
  if (!stored) {
    if (sub !== undefined) throw notFound(gr(t), name);
    const { object, managedFields } = applyRequest(cx, t, undefined, cfg, q, sub);
    delete object.metadata.resourceVersion;
    return prepareCreate(cx, t, ns, object, q, managedFields);
  }
  const rv = cfg.metadata.resourceVersion;
  if (rv !== undefined && rv !== '' && rv !== stored.metadata.resourceVersion)
    throw conflict(gr(t), name, MODIFIED_CONFLICT);
  const { object, managedFields } = applyRequest(cx, t, toServed(t, stored), cfg, q, sub);
  const o = checkBody(t, object);
  delete o.metadata.managedFields;
  checkNamespace(cx.store, t, ns, o, false);
  return prepareUpdate(cx, t, ns, name, o, stored, q, sub, undefined, managedFields);
}

function prepareUpdate(
  cx: CoreContext,
  t: ResourceType,
  ns: string | undefined,
  name: string,
  o: KubeObject,
  stored: KubeObject,
  q: WriteQuery,
  sub: string | undefined,
  requested: Json | undefined,
  presetManagedFields?: ManagedEntry[],
  carriedWarnings: readonly string[] = [],
): PendingWrite {
  const ctx = writeContext(q);
  ctx.warnings.push(...carriedWarnings);
  if (t.crdName === undefined) pruneBuiltin(cx.known, t.group, t.kind, o, ctx);
  const old = toServed(t, stored);
  const meta = o.metadata;
  for (const f of SYSTEM_META) {
    if (old.metadata[f] === undefined) delete meta[f];
    else meta[f] = old.metadata[f] as Json;
  }
  const { next, causes } =
    sub === 'status' ? prepareStatusWrite(t, o, old) : prepareMainWrite(t, o, old, ctx);
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
  // Validation failures wait for mutating admission (which may fix the object).
  const failed = causes.length ? invalid(t.kind, t.group, name, causes) : undefined;
  delete next.metadata.managedFields;
  if (presetManagedFields) {
    if (presetManagedFields.length)
      next.metadata.managedFields = presetManagedFields as unknown as Json;
  } else recordManagedFields(cx, t, old, next, requested, q, sub);
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
    user: q.user,
    fieldManager: q.fieldManager,
  };
  return {
    attrs,
    invalid: failed,
    redo: (mutated) =>
      prepareUpdate(
        cx,
        t,
        ns,
        name,
        mutated,
        stored,
        q,
        sub,
        requested,
        presetManagedFields,
        ctx.warnings,
      ),
    commit: () => {
      if (failed) throw failed;
      return commitUpdate(cx, t, ns, name, next, old, stored, newFin, ctx);
    },
  };
}

/** A main-resource write: stored status kept (unless the strategy decides), generation moved. */
function prepareMainWrite(
  t: ResourceType,
  next: KubeObject,
  old: KubeObject,
  ctx: WriteContext,
): { next: KubeObject; causes: StatusCause[] } {
  if (t.hasStatus && !t.strategy.prepareForUpdate) {
    if (old.status === undefined) delete next.status;
    else next.status = structuredClone(old.status);
  }
  t.strategy.prepareForUpdate?.(next, old, ctx);
  const causes = [
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
  return { next, causes };
}

function commitUpdate(
  cx: CoreContext,
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
  if (getStored(cx, t, ns, name) !== stored) throw conflict(gr(t), name, MODIFIED_CONFLICT);
  // Conversions first (they may need a webhook call: ConversionPending), before any side effect.
  toServed(t, toStorage(t, next));
  if (deepEqual(next, old)) return { status: 200, body: old, warnings: ctx.warnings }; // no-op: nothing written
  const alloc = t.strategy.beforeCommit?.(next, old) ?? [];
  if (alloc.length) throw invalid(t.kind, t.group, name, alloc);
  if (ctx.dryRun) {
    t.strategy.rollback?.(next, old);
    return { status: 200, body: next, warnings: ctx.warnings };
  }
  t.strategy.afterUpdate?.(next, old);
  next.metadata.resourceVersion = String(cx.store.nextResourceVersion());
  const key = storeKey(t, ns, name);
  const toStore = toStorage(t, next);
  if (next.metadata.deletionTimestamp && newFin.length === 0 && !namespaceHeld(cx, t, next)) {
    finalRemove(cx, t, key, toStore);
    return { status: 200, body: toServed(t, toStore), warnings: ctx.warnings };
  }
  cx.store.put(t.storageKey, key, toStore, 'MODIFIED');
  if (t.resource === 'customresourcedefinitions') registerCrd(cx, toStore);
  return { status: 200, body: toServed(t, toStore), warnings: ctx.warnings };
}
