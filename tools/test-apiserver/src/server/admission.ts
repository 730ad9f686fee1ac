// Admission of a prepared write, in kube-apiserver's order: mutating webhooks (the write is
// prepared again from the object they return), then the strategy's validation result, then
// validating webhooks and the in-process admission hook, then the commit (with the conversions it
// needs). A DELETE is admitted with the stored object as oldObject.
import { notFound } from '../errors.ts';
import type { ResourceType } from '../registry/types.ts';
import { isObject, type JsonObject } from '../schema/structural.ts';
import { gr, type PendingWrite, type WriteQuery, type WriteResult } from './api-types.ts';
import { getStored, toServed, type CoreContext } from './core-context.ts';

function options(kind: string, q: WriteQuery, extra: JsonObject = {}): JsonObject {
  const o: JsonObject = { kind, apiVersion: 'meta.k8s.io/v1', ...extra };
  if (q.dryRun) o.dryRun = ['All'];
  if (q.fieldManager) o.fieldManager = q.fieldManager;
  return o;
}

/** Admission (webhooks and the hook) between preparation and commit. */
export async function admitted(cx: CoreContext, w: PendingWrite): Promise<WriteResult> {
  if (!cx.webhooks.active()) {
    // No webhook configured: validation, the in-process hook, commit.
    if (w.invalid) throw w.invalid;
    if (cx.admission) await cx.admission(w.attrs);
    return cx.conversions.run(() => w.commit());
  }
  let write = w;
  const warnings: string[] = [];
  const q: WriteQuery = {
    dryRun: w.attrs.dryRun,
    user: w.attrs.user,
    fieldManager: w.attrs.fieldManager,
  };
  const kind = w.attrs.operation === 'CREATE' ? 'CreateOptions' : 'UpdateOptions';
  const m = await cx.webhooks.mutate({ ...w.attrs, options: options(kind, q) });
  warnings.push(...m.warnings);
  if (m.changed && m.object && w.redo) {
    const redo = w.redo;
    const mutated = m.object;
    write = await cx.conversions.run(() => redo(mutated));
  }
  if (write.invalid) throw write.invalid;
  warnings.push(...(await cx.webhooks.validate({ ...write.attrs, options: options(kind, q) })));
  if (cx.admission) await cx.admission(write.attrs);
  const r = await cx.conversions.run(() => write.commit());
  return warnings.length ? { ...r, warnings: [...r.warnings, ...warnings] } : r;
}

/** Admission of a DELETE (404 first if the object is not there); returns webhook warnings. */
export async function admitDelete(
  cx: CoreContext,
  t: ResourceType,
  ns: string | undefined,
  name: string,
  opts: unknown,
  q: WriteQuery,
): Promise<string[]> {
  const stored = getStored(cx, t, ns, name);
  if (!stored) throw notFound(gr(t), name);
  const oldObject = await cx.conversions.run(() => toServed(t, stored));
  const attrs = {
    operation: 'DELETE' as const,
    resource: t,
    subresource: undefined,
    namespace: ns,
    name,
    object: undefined,
    oldObject,
    dryRun: q.dryRun === true,
    user: q.user,
  };
  const delOpts = options('DeleteOptions', q, isObject(opts) ? { ...opts } : {});
  delOpts.kind = 'DeleteOptions';
  delOpts.apiVersion = 'meta.k8s.io/v1';
  const m = await cx.webhooks.mutate({ ...attrs, options: delOpts });
  const v = await cx.webhooks.validate({ ...attrs, options: delOpts });
  if (cx.admission) await cx.admission(attrs);
  return [...m.warnings, ...v];
}
