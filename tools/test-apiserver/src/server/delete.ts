// DELETE and DELETECOLLECTION: preconditions, finalizers (deletionTimestamp and 202; namespaces
// always wait for their content), dry run, the generic registry's answer, and the final removal
// (DELETED event, releases, namespace and CRD cleanup).
import { conflict, invalid, notFound } from '../errors.ts';
import { propagate } from '../gc/propagation.ts';
import type { KubeObject, ResourceType } from '../registry/types.ts';
import { isObject, type Json, type JsonObject } from '../schema/structural.ts';
import { nowTime } from '../util/meta.ts';
import { admitDelete } from './admission.ts';
import { gr, type WriteQuery, type WriteResult } from './api-types.ts';
import { unregisterCrd } from './crd-apis.ts';
import { getStored, storeKey, toServed, type CoreContext } from './core-context.ts';
import { listObjects } from './list.ts';
import type { ListQuery } from './query.ts';

/** DELETE through admission. */
export async function deleteObject(
  cx: CoreContext,
  t: ResourceType,
  ns: string | undefined,
  name: string,
  opts: unknown,
  q: WriteQuery,
): Promise<WriteResult> {
  const warnings = await admitDelete(cx, t, ns, name, opts, q);
  const r = await cx.conversions.run(() => deleteNow(cx, t, ns, name, opts, q));
  return warnings.length ? { ...r, warnings: [...r.warnings, ...warnings] } : r;
}

/** Delete without admission (the namespace controller, CRD cleanup). */
export function deleteNow(
  cx: CoreContext,
  t: ResourceType,
  ns: string | undefined,
  name: string,
  opts: unknown,
  q: WriteQuery,
): WriteResult {
  const stored = getStored(cx, t, ns, name);
  if (!stored) throw notFound(gr(t), name);
  // Conversion first (it may need a webhook call: ConversionPending), before any side effect.
  toServed(t, stored);
  const pre = isObject(opts) && isObject(opts.preconditions) ? opts.preconditions : undefined;
  if (pre?.uid !== undefined && pre.uid !== stored.metadata.uid)
    throw conflict(
      gr(t),
      name,
      `Precondition failed: UID in precondition: ${String(pre.uid)}, UID in object meta: ${String(stored.metadata.uid)}`,
    );
  if (pre?.resourceVersion !== undefined && pre.resourceVersion !== stored.metadata.resourceVersion)
    throw conflict(
      gr(t),
      name,
      `Precondition failed: ResourceVersion in precondition: ${String(pre.resourceVersion)}, ResourceVersion in object meta: ${String(stored.metadata.resourceVersion)}`,
    );
  const key = storeKey(t, ns, name);
  const current = (Array.isArray(stored.metadata.finalizers) ? stored.metadata.finalizers : []).map(
    String,
  );
  // propagationPolicy becomes the collector's finalizers (gc/propagation.ts).
  const gc = propagate(current, opts, t.strategy.defaultGcPolicy === 'orphan');
  if (gc.causes.length) throw invalid('DeleteOptions', 'meta.k8s.io', '', gc.causes);
  const fins = cx.gcEnabled ? gc.finalizers : current;
  const changed = fins.length !== current.length || fins.some((f, i) => f !== current[i]);
  // kube-apiserver answers 202 only when orphanDependents=false was given (handlers/delete.go).
  const pendingCode = gc.orphanDependentsFalse ? 202 : 200;
  const isNamespace = t.resource === 'namespaces' && t.group === '';
  if (fins.length > 0 || isNamespace) {
    if (stored.metadata.deletionTimestamp && !changed)
      return { status: pendingCode, body: toServed(t, stored), warnings: [] };
    if (q.dryRun) return { status: 200, body: toServed(t, stored), warnings: [] };
    const next = structuredClone(stored);
    if (!next.metadata.deletionTimestamp) {
      next.metadata.deletionTimestamp = nowTime(cx.nowMs());
      next.metadata.deletionGracePeriodSeconds = 0;
    }
    if (fins.length) next.metadata.finalizers = fins;
    else delete next.metadata.finalizers;
    if (isNamespace)
      next.status = { ...(isObject(next.status) ? next.status : {}), phase: 'Terminating' };
    next.metadata.resourceVersion = String(cx.store.nextResourceVersion());
    cx.store.put(t.storageKey, key, next, 'MODIFIED');
    if (isNamespace) cx.lifecycle.scheduleNamespaceCleanup(name);
    if (t.resource === 'customresourcedefinitions') cx.lifecycle.scheduleCrdCleanup(name);
    return { status: pendingCode, body: toServed(t, next), warnings: [] };
  }
  if (q.dryRun) return { status: 200, body: toServed(t, stored), warnings: [] };
  finalRemove(cx, t, key, stored);
  const gone = toServed(t, stored);
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

/** DELETECOLLECTION: each listed object through DELETE (and admission), one by one. */
export async function deleteCollection(
  cx: CoreContext,
  t: ResourceType,
  ns: string | undefined,
  q: ListQuery,
  opts: unknown,
  wq: WriteQuery,
): Promise<WriteResult> {
  // Names only: no conversion needed to pick the objects.
  const list = listObjects(cx.store, t, ns, { ...q, limit: 0, continueToken: undefined }, (o) => o);
  const items: Json[] = [];
  for (const o of list.items as KubeObject[]) {
    // Objects deleted meanwhile (e.g. during an asynchronous admission) are skipped.
    if (!getStored(cx, t, ns, o.metadata.name ?? '')) continue;
    items.push((await deleteObject(cx, t, ns, o.metadata.name ?? '', opts, wq)).body);
  }
  return {
    status: 200,
    body: { ...list, items: items.filter((i) => isObject(i) && i.kind !== 'Status') },
    warnings: [],
  };
}

/** Removes an object for good (DELETED event, releases, cascades). */
export function finalRemove(cx: CoreContext, t: ResourceType, key: string, obj: KubeObject): void {
  const final = structuredClone(obj);
  final.metadata.resourceVersion = String(cx.store.nextResourceVersion());
  cx.store.remove(t.storageKey, key, final);
  t.strategy.afterDelete?.(final);
  if (t.resource === 'customresourcedefinitions') unregisterCrd(cx, final);
  if (t.namespaced && obj.metadata.namespace)
    cx.lifecycle.scheduleNamespaceCleanup(obj.metadata.namespace);
  if (t.crdName) cx.lifecycle.scheduleCrdCleanup(t.crdName);
}

/** Namespaces wait for their content (spec.finalizers "kubernetes") even without metadata finalizers. */
export function namespaceHeld(cx: CoreContext, t: ResourceType, o: KubeObject): boolean {
  return (
    t.resource === 'namespaces' &&
    t.group === '' &&
    cx.lifecycle.namespaceHasContent(o.metadata.name ?? '')
  );
}
