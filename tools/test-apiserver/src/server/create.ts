// CREATE: body checks, generateName, system metadata cleared, the strategy's prepare/validate
// (then admission), and the commit: uid, creationTimestamp, generation, allocation, dry run.
import { randomUUID } from 'node:crypto';
import { alreadyExists, badRequest, invalid, methodNotAllowed } from '../errors.ts';
import { pruneBuiltin } from '../registry/known-fields.ts';
import type { KubeObject, ResourceType, WriteContext } from '../registry/types.ts';
import { generateName, nowTime, validateObjectMeta } from '../util/meta.ts';
import {
  SYSTEM_META,
  gr,
  type AdmissionAttributes,
  type PendingWrite,
  type WriteQuery,
  type WriteResult,
} from './api-types.ts';
import { registerCrd } from './crd-apis.ts';
import { storeKey, toServed, toStorage, writeContext, type CoreContext } from './core-context.ts';
import { checkBody, checkNamespace } from './request-body.ts';
import { recordManagedFields, takeRequestedManagedFields } from './managed-fields.ts';
import type { ManagedEntry } from '../ssa/managed.ts';
import type { Json } from '../schema/structural.ts';

export function prepareCreate(
  cx: CoreContext,
  t: ResourceType,
  ns: string | undefined,
  body: unknown,
  q: WriteQuery,
  presetManagedFields?: ManagedEntry[],
  carriedWarnings: readonly string[] = [],
  uid: string = randomUUID(),
): PendingWrite {
  const ctx = writeContext(q);
  ctx.warnings.push(...carriedWarnings);
  const o = checkBody(t, body);
  const requested = takeRequestedManagedFields(o);
  if (t.crdName === undefined) pruneBuiltin(cx.known, t.group, t.kind, o, ctx);
  else if (
    cx.store.get('apiextensions.k8s.io/customresourcedefinitions', t.crdName)?.metadata
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
  checkNamespace(cx.store, t, ns, o, true);
  for (const f of SYSTEM_META) delete meta[f];
  // The uid exists before PrepareForCreate (FillObjectMetaSystemFields; a Job's generated
  // selector names it) but not in what admission webhooks see, as in kube-apiserver, where
  // mutating admission runs before the registry's create.
  meta.uid = uid;
  t.strategy.prepareForCreate?.(o, ctx);
  // What managers own: the request as decoded and defaulted, without the registry's additions.
  const owned = t.strategy.generateOnCreate ? structuredClone(o) : o;
  t.strategy.generateOnCreate?.(o);
  const causes = [
    ...validateObjectMeta(meta, t.namespaced, t.strategy.nameRule ?? 'subdomain'),
    ...(t.strategy.validate?.(o, ctx) ?? []),
  ];
  delete meta.uid;
  // A missing name is an error now; other validation failures wait for mutating admission.
  if (typeof meta.name !== 'string' || meta.name === '')
    throw invalid(t.kind, t.group, String(meta.name ?? ''), causes);
  const failed = causes.length ? invalid(t.kind, t.group, meta.name, causes) : undefined;
  if (presetManagedFields) meta.managedFields = presetManagedFields as unknown as Json;
  else {
    delete owned.metadata.uid;
    recordManagedFields(cx, t, undefined, owned, requested, q, undefined);
    if (owned !== o) {
      if (owned.metadata.managedFields === undefined) delete meta.managedFields;
      else meta.managedFields = owned.metadata.managedFields;
    }
  }
  const name = meta.name;
  const key = storeKey(t, ns, name);
  if (cx.store.get(t.storageKey, key)) throw alreadyExists(gr(t), name);
  const attrs: AdmissionAttributes = {
    operation: 'CREATE',
    resource: t,
    subresource: undefined,
    namespace: ns,
    name,
    object: o,
    oldObject: undefined,
    dryRun: ctx.dryRun,
    user: q.user,
    fieldManager: q.fieldManager,
  };
  return {
    attrs,
    invalid: failed,
    redo: (mutated) => prepareCreate(cx, t, ns, mutated, q, presetManagedFields, ctx.warnings, uid),
    commit: () => {
      if (failed) throw failed;
      return commitCreate(cx, t, key, o, ctx, uid);
    },
  };
}

function commitCreate(
  cx: CoreContext,
  t: ResourceType,
  key: string,
  o: KubeObject,
  ctx: WriteContext,
  uid: string,
): WriteResult {
  const meta = o.metadata;
  const name = meta.name as string;
  if (cx.store.get(t.storageKey, key)) throw alreadyExists(gr(t), name);
  // Conversions first (they may need a webhook call: ConversionPending), before any side effect.
  toServed(t, toStorage(t, o));
  const alloc = t.strategy.beforeCommit?.(o, undefined) ?? [];
  if (alloc.length) throw invalid(t.kind, t.group, name, alloc);
  meta.uid = uid;
  meta.creationTimestamp = nowTime(cx.nowMs());
  if (t.strategy.hasGeneration) meta.generation = 1;
  if (ctx.dryRun) {
    t.strategy.rollback?.(o, undefined);
    return { status: 201, body: o, warnings: ctx.warnings };
  }
  meta.resourceVersion = String(cx.store.nextResourceVersion());
  const stored = toStorage(t, o);
  cx.store.put(t.storageKey, key, stored, 'ADDED');
  if (t.resource === 'customresourcedefinitions') registerCrd(cx, stored);
  return { status: 201, body: toServed(t, stored), warnings: ctx.warnings };
}
