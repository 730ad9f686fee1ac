// Checks of a write's body against the request: apiVersion/kind of the URL, metadata an object,
// selfLink dropped (managedFields are taken by managed-fields.ts), the namespace of the path (and, on create, a live namespace).
import { ApiError, badRequest, notFound } from '../errors.ts';
import { gvString, type KubeObject, type ResourceType } from '../registry/types.ts';
import { isObject } from '../schema/structural.ts';
import type { Store } from '../store.ts';

/** A copy of the body with the URL's apiVersion and kind, or 400. */
export function checkBody(t: ResourceType, body: unknown): KubeObject {
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
  delete o.metadata.selfLink;
  return o;
}

/** Sets the path's namespace on `o`; on create the namespace must exist and not be terminating. */
export function checkNamespace(
  store: Store,
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
  const nsObj = store.get('/namespaces', ns);
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
