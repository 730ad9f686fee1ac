// ConversionReview v1, pure (k8s.io/apiextensions-apiserver/pkg/apiserver/conversion/
// webhook_converter.go): the request, the checks on the response (kind, uid, Success, one object
// per object sent, apiVersion/kind/name/namespace/uid unchanged) and restoreObjectMeta — a
// conversion may change only labels and annotations of metadata; everything else is put back.
import { isObject, type Json, type JsonObject } from '../schema/structural.ts';
import type { KubeObject } from '../registry/types.ts';

export function conversionReview(
  uid: string,
  desiredAPIVersion: string,
  objects: KubeObject[],
): JsonObject {
  return {
    kind: 'ConversionReview',
    apiVersion: 'apiextensions.k8s.io/v1',
    request: { uid, desiredAPIVersion, objects },
  };
}

/** The convertedObjects of a valid response, or why it is not valid. */
export function convertedObjects(uid: string, body: unknown): Json[] | string {
  if (!isObject(body)) return 'the webhook response is not a JSON object';
  if (body.apiVersion !== 'apiextensions.k8s.io/v1' || body.kind !== 'ConversionReview')
    return `expected webhook response of apiextensions.k8s.io/v1, Kind=ConversionReview, got ${String(body.apiVersion ?? '')}, Kind=${String(body.kind ?? '')}`;
  const r = body.response;
  if (!isObject(r)) return 'no response provided';
  if (r.uid !== uid)
    return `expected response.uid=${JSON.stringify(uid)}, got ${JSON.stringify(r.uid ?? '')}`;
  const result = isObject(r.result) ? r.result : {};
  if (result.status !== 'Success') {
    if (typeof result.message === 'string' && result.message) return result.message;
    return `response.result.status was '${String(result.status ?? '')}', not 'Success'`;
  }
  return Array.isArray(r.convertedObjects) ? r.convertedObjects : [];
}

function strMap(v: Json | undefined, what: string): Record<string, string> | string | undefined {
  if (v === undefined || v === null) return undefined;
  if (!isObject(v)) return `invalid metadata.${what} of type ${typeof v} in converted object`;
  for (const [k, x] of Object.entries(v))
    if (typeof x !== 'string')
      return `metadata.${what}[${k}] must be a string, but is ${typeof x} in converted object`;
  return v as Record<string, string>;
}

/**
 * One converted object checked against its original and with the original's metadata restored
 * (labels and annotations from the webhook); a string says what is wrong.
 */
export function acceptConverted(
  original: KubeObject,
  converted: Json,
  desiredAPIVersion: string,
): KubeObject | string {
  if (!isObject(converted)) return 'the converted object is not an object';
  if (converted.apiVersion !== desiredAPIVersion)
    return `invalid groupVersion (expected ${desiredAPIVersion}, received ${String(converted.apiVersion ?? '')})`;
  if (converted.kind !== original.kind)
    return `invalid kind (expected ${String(original.kind)}, received ${String(converted.kind ?? '')})`;
  const meta = converted.metadata;
  if (meta === undefined) return 'missing metadata in converted object';
  if (!isObject(meta)) return `invalid metadata of type ${typeof meta} in converted object`;
  for (const f of ['name', 'namespace', 'uid'] as const)
    if ((meta[f] ?? '') !== (original.metadata[f] ?? ''))
      return `must have the same ${f}: ${String(original.metadata[f] ?? '')} != ${String(meta[f] ?? '')}`;
  const out = structuredClone(converted) as KubeObject;
  out.metadata = structuredClone(original.metadata);
  for (const f of ['labels', 'annotations'] as const) {
    const m = strMap(meta[f], f);
    if (typeof m === 'string') return m;
    if (m === undefined) delete out.metadata[f];
    else out.metadata[f] = m;
  }
  return out;
}
