// The admission seam: a validated write (PendingWrite) goes through the admission hook, if any,
// before it commits; a delete is admitted with the stored object as oldObject.
import { notFound } from '../errors.ts';
import type { ResourceType } from '../registry/types.ts';
import {
  gr,
  type AdmissionHook,
  type PendingWrite,
  type WriteQuery,
  type WriteResult,
} from './api-types.ts';
import { getStored, toServed, type CoreContext } from './core-context.ts';

/** Runs the admission hook, if any, between validation and commit. */
export async function admitted(cx: CoreContext, w: PendingWrite): Promise<WriteResult> {
  if (cx.admission) await cx.admission(w.attrs);
  return w.commit();
}

/** Runs the admission hook for a DELETE (404 first if the object is not there). */
export async function admitDelete(
  cx: CoreContext,
  hook: AdmissionHook,
  t: ResourceType,
  ns: string | undefined,
  name: string,
  q: WriteQuery,
): Promise<void> {
  const stored = getStored(cx, t, ns, name);
  if (!stored) throw notFound(gr(t), name);
  const oldObject = toServed(t, stored);
  await hook({
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
