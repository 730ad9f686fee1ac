// The seam between the verbs and server-side apply (src/ssa): the field manager of a write, the
// schema used for field ownership, managedFields recorded on create/update, and apply requests
// (PATCH application/apply-patch+yaml), which become a create or an update of the merged object.
import { badRequest } from '../errors.ts';
import type { KubeObject, ResourceType } from '../registry/types.ts';
import { isObject, type Json } from '../schema/structural.ts';
import type { CustomResourceDefinition } from '../schema/types.ts';
import { applyConfig, schemaRoot, trackUpdate, type ManagedEntry } from '../ssa/managed.ts';
import type { SchemaNode } from '../ssa/schema.ts';
import type { WriteQuery } from './api-types.ts';
import { gvString } from '../registry/types.ts';
import type { CoreContext } from './core-context.ts';

export const APPLY_PATCH = 'application/apply-patch+yaml';

export function managerOf(q: WriteQuery): string {
  return q.fieldManager ?? q.defaultFieldManager ?? 'unknown';
}

function nodeFor(cx: CoreContext, t: ResourceType): SchemaNode {
  const crd =
    t.crdName === undefined
      ? undefined
      : (cx.store.get('apiextensions.k8s.io/customresourcedefinitions', t.crdName) as unknown as
          CustomResourceDefinition | undefined);
  return schemaRoot(t, crd);
}

/** Takes the client's metadata.managedFields off the object (undefined when it sent none). */
export function takeRequestedManagedFields(o: KubeObject): Json | undefined {
  const mf = o.metadata.managedFields;
  delete o.metadata.managedFields;
  return mf;
}

/** Sets next.metadata.managedFields for a create (old undefined) or an update. */
export function recordManagedFields(
  cx: CoreContext,
  t: ResourceType,
  old: KubeObject | undefined,
  next: KubeObject,
  requested: Json | undefined,
  q: WriteQuery,
  sub: string | undefined,
): void {
  const entries = trackUpdate(
    t,
    nodeFor(cx, t),
    old,
    next,
    requested,
    managerOf(q),
    sub,
    cx.nowMs(),
  );
  if (entries.length) next.metadata.managedFields = entries as unknown as Json;
  else delete next.metadata.managedFields;
}

/** Checks an apply body: an object of the URL's kind, with apiVersion, kind and the URL's name. */
export function checkApplyBody(t: ResourceType, name: string, body: unknown): KubeObject {
  if (!isObject(body))
    throw badRequest(
      'the body of the request was in an unknown format: apply configurations must be objects',
    );
  const gv = gvString(t.group, t.version);
  if (body.apiVersion === undefined || body.kind === undefined)
    throw badRequest('apiVersion and kind must be set in an apply configuration');
  if (body.apiVersion !== gv || body.kind !== t.kind)
    throw badRequest(
      `the API version in the data (${String(body.apiVersion)}) does not match the expected API version (${gv})`,
    );
  const o = structuredClone(body) as KubeObject;
  if (!isObject(o.metadata)) o.metadata = {};
  if (o.metadata.name !== undefined && o.metadata.name !== name)
    throw badRequest(
      `the name of the object (${String(o.metadata.name)}) does not match the name on the URL (${name})`,
    );
  o.metadata.name = name;
  if (o.metadata.managedFields !== undefined && o.metadata.managedFields !== null)
    throw badRequest('metadata.managedFields must be nil in an apply configuration');
  return o;
}

/** The object an apply produces and its managedFields (the live object may be undefined). */
export function applyRequest(
  cx: CoreContext,
  t: ResourceType,
  live: KubeObject | undefined,
  cfg: KubeObject,
  q: WriteQuery,
  sub: string | undefined,
): { object: KubeObject; managedFields: ManagedEntry[] } {
  if (q.fieldManager === undefined || q.fieldManager === '')
    throw badRequest(
      'PATCH, application/apply-patch+yaml: fieldManager is required for apply requests',
    );
  const c = structuredClone(cfg);
  // Fields the endpoint resets are not applied: status on the main resource, the rest on status.
  if (t.hasStatus && sub === undefined) delete c.status;
  if (sub === 'status')
    for (const k of Object.keys(c))
      if (!['apiVersion', 'kind', 'metadata', 'status'].includes(k)) delete c[k];
  return applyConfig(t, nodeFor(cx, t), live, c, q.fieldManager, q.force === true, sub, cx.nowMs());
}
