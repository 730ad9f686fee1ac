// The status subresource: a status write keeps the stored spec (the kind's strategy decides what
// else; the generic one stores the request's metadata and status) and never moves generation.
import type { StatusCause } from '../errors.ts';
import type { KubeObject, ResourceType } from '../registry/types.ts';
import type { Json } from '../schema/structural.ts';
import { validateObjectMeta } from '../util/meta.ts';
import { SYSTEM_META } from './api-types.ts';

/** The object a status write stores, and its validation causes. */
export function prepareStatusWrite(
  t: ResourceType,
  o: KubeObject,
  old: KubeObject,
): { next: KubeObject; causes: StatusCause[] } {
  const next = t.strategy.prepareForStatusUpdate?.(o, old) ?? genericStatus(o, old);
  for (const f of SYSTEM_META) {
    if (old.metadata[f] === undefined) delete next.metadata[f];
    else next.metadata[f] = old.metadata[f] as Json;
  }
  const causes = [
    ...validateObjectMeta(next.metadata, t.namespaced, t.strategy.nameRule ?? 'path'),
    ...(t.strategy.validateStatusUpdate?.(next, old) ?? []),
  ];
  return { next, causes };
}

/** Generic status strategy: request metadata and status, stored spec. */
function genericStatus(o: KubeObject, old: KubeObject): KubeObject {
  const next = { ...o } as KubeObject;
  if (old.spec === undefined) delete next.spec;
  else next.spec = structuredClone(old.spec);
  return next;
}
