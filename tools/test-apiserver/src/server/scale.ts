// The scale subresource (autoscaling/v1 Scale) of Deployments, ReplicaSets, StatefulSets and
// custom resources that declare `subresources.scale`: what `kubectl scale` reads and writes
// (pkg/registry/apps/deployment/storage ScaleREST; apiextensions' scale subresource).
import {
  badRequest,
  conflict,
  invalid,
  invalidValue,
  MODIFIED_CONFLICT,
  notFound,
} from '../errors.ts';
import type { KubeObject, ResourceType } from '../registry/types.ts';
import { isObject, type Json, type JsonObject } from '../schema/structural.ts';
import { formatSelector } from '../printers/format.ts';
import type { ApiCore, WriteQuery, WriteResult } from './api.ts';
import { gr } from './api-types.ts';
import { applyPatch } from './patching.ts';

function at(o: Json | undefined, path: string): Json | undefined {
  let cur: Json | undefined = o;
  for (const k of path.replace(/^\./, '').split('.')) {
    if (!isObject(cur)) return undefined;
    cur = cur[k];
  }
  return cur;
}

function nested(path: string, v: Json): JsonObject {
  const keys = path.replace(/^\./, '').split('.');
  let out: Json = v;
  for (let i = keys.length - 1; i >= 0; i--) out = { [keys[i] as string]: out };
  return out as JsonObject;
}

export function scaleOf(t: ResourceType, o: KubeObject): JsonObject {
  const s = t.scale;
  if (!s) throw notFound(gr(t), o.metadata.name ?? '');
  const specReplicas = at(o, s.specReplicasPath);
  const statusReplicas = at(o, s.statusReplicasPath);
  let selector: string | undefined;
  if (s.labelSelectorPath) {
    const v = at(o, s.labelSelectorPath);
    selector = typeof v === 'string' ? v : undefined;
  } else if (isObject(o.spec) && isObject(o.spec.selector))
    selector = formatSelector(o.spec.selector);
  const metadata: JsonObject = {};
  for (const k of ['name', 'namespace', 'uid', 'resourceVersion', 'creationTimestamp'] as const)
    if (o.metadata[k] !== undefined) metadata[k] = o.metadata[k] as Json;
  const status: JsonObject = { replicas: typeof statusReplicas === 'number' ? statusReplicas : 0 };
  if (selector) status.selector = selector;
  return {
    kind: 'Scale',
    apiVersion: 'autoscaling/v1',
    metadata,
    spec: typeof specReplicas === 'number' ? { replicas: specReplicas } : {},
    status,
  };
}

export function getScale(
  core: ApiCore,
  t: ResourceType,
  ns: string | undefined,
  name: string,
): JsonObject {
  return scaleOf(t, core.get(t, ns, name));
}

export async function updateScale(
  core: ApiCore,
  t: ResourceType,
  ns: string | undefined,
  name: string,
  body: unknown,
  q: WriteQuery,
): Promise<WriteResult> {
  if (!isObject(body)) throw badRequest('the body of the request was in an unknown format');
  if (body.kind !== undefined && body.kind !== 'Scale')
    throw badRequest(
      `the kind in the data (${String(body.kind)}) does not match the expected kind (Scale)`,
    );
  // (a CR whose CRD converts by webhook may need a call first: core.converting)
  const cur = await core.converting(() => core.get(t, ns, name));
  const meta = isObject(body.metadata) ? body.metadata : {};
  if (
    meta.resourceVersion !== undefined &&
    meta.resourceVersion !== '' &&
    meta.resourceVersion !== cur.metadata.resourceVersion
  )
    throw conflict(gr(t), name, MODIFIED_CONFLICT);
  const replicas = isObject(body.spec) ? body.spec.replicas : undefined;
  if (
    replicas !== undefined &&
    (typeof replicas !== 'number' || !Number.isInteger(replicas) || replicas < 0)
  )
    throw invalid('Scale', 'autoscaling', name, [
      invalidValue('spec.replicas', replicas, 'must be greater than or equal to 0'),
    ]);
  const s = t.scale as NonNullable<ResourceType['scale']>;
  const patch = nested(s.specReplicasPath, typeof replicas === 'number' ? replicas : 0);
  const w = await core.patch(t, ns, name, 'application/merge-patch+json', patch, q, 'scale');
  return { ...w, body: scaleOf(t, w.body as KubeObject) };
}

export async function patchScale(
  core: ApiCore,
  t: ResourceType,
  ns: string | undefined,
  name: string,
  contentType: string,
  patch: unknown,
  q: WriteQuery,
): Promise<WriteResult> {
  const cur = await core.converting(() => getScale(core, t, ns, name));
  const next = applyPatch(cur, contentType, patch, false);
  return updateScale(core, t, ns, name, next, q);
}
