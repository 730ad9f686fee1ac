// Lists as the generic registry serves them: key order, selectors, `limit`/`continue` with
// `remainingItemCount`, and 410 Expired for a continue token older than the watch cache.
import { ApiError, badRequest } from '../errors.ts';
import type { JsonObject } from '../schema/structural.ts';
import { gvString, type KubeObject, type ResourceType } from '../registry/types.ts';
import { objectKey, type Store } from '../store.ts';
import { selectFilter, type ListQuery } from './query.ts';

export function listObjects(
  store: Store,
  t: ResourceType,
  ns: string | undefined,
  q: ListQuery,
  output: (o: KubeObject) => KubeObject,
): JsonObject {
  const filter = selectFilter(t, q, ns);
  let start: string | undefined;
  let rv = store.resourceVersion;
  // There are no snapshots here: a list at an exact older resourceVersion cannot be served, and
  // a future one times out — both answered the way the real server does, never with "now".
  const asked = q.resourceVersion ? Number(q.resourceVersion) : 0;
  if (asked > rv)
    throw new ApiError(504, 'Timeout', `Too large resource version: ${asked}, current: ${rv}`, {
      causes: [
        { reason: 'ResourceVersionTooLarge', message: 'Too large resource version', field: '' },
      ],
      retryAfterSeconds: 1,
    });
  if (q.resourceVersionMatch === 'Exact' && asked !== rv && !q.continueToken)
    throw new ApiError(410, 'Expired', `too old resource version: ${asked} (${rv})`);
  if (q.continueToken) {
    let tok: { rv: number; start: string };
    try {
      tok = JSON.parse(Buffer.from(q.continueToken, 'base64url').toString('utf8')) as {
        rv: number;
        start: string;
      };
    } catch {
      throw badRequest('continue key is not valid: illegal base64 data');
    }
    if (tok.rv < store.oldestResourceVersion)
      throw new ApiError(
        410,
        'Expired',
        'The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter, or use the continue token in this response to retrieve the remainder of the results. Continuing with the provided token results in an inconsistent list - objects that were created, modified, or deleted between the time the first chunk was returned and now may show up in the list.',
      );
    start = tok.start;
    rv = tok.rv;
  }
  const all = store.list(t.storageKey, t.namespaced ? ns : undefined);
  const items: KubeObject[] = [];
  let remaining = 0;
  let cont: string | undefined;
  let lastKey = '';
  for (const o of all) {
    const k = objectKey(o.metadata.namespace, o.metadata.name ?? '');
    if (start !== undefined && k <= start) continue;
    if (!filter(o)) continue;
    if (q.limit && items.length >= q.limit) {
      remaining++;
      continue;
    }
    items.push(output(o));
    lastKey = k;
  }
  const metadata: JsonObject = { resourceVersion: String(rv) };
  if (remaining > 0) {
    cont = Buffer.from(JSON.stringify({ rv, start: lastKey })).toString('base64url');
    metadata.continue = cont;
    if (!q.labelSelector && !q.fieldSelector) metadata.remainingItemCount = remaining;
  }
  return { kind: t.listKind, apiVersion: gvString(t.group, t.version), metadata, items };
}
