// List/watch query parameters (metav1.ListOptions) and the object filter they define.
import { badRequest } from '../errors.ts';
import { isObject } from '../schema/structural.ts';
import type { KubeObject, ResourceType } from '../registry/types.ts';
import {
  checkFieldLabels,
  matchesFields,
  matchesLabels,
  parseFieldSelector,
  parseLabelSelector,
} from '../util/selectors.ts';

export interface ListQuery {
  labelSelector?: string | undefined;
  fieldSelector?: string | undefined;
  limit?: number | undefined;
  continueToken?: string | undefined;
  resourceVersion?: string | undefined;
  resourceVersionMatch?: string | undefined;
  allowWatchBookmarks?: boolean | undefined;
  sendInitialEvents?: boolean | undefined;
  timeoutSeconds?: number | undefined;
}

function bool(v: string | null): boolean | undefined {
  if (v === null) return undefined;
  if (v === 'true' || v === '1') return true;
  if (v === 'false' || v === '0' || v === '') return false;
  throw badRequest(`invalid boolean value "${v}"`);
}

function int(name: string, v: string | null): number | undefined {
  if (v === null || v === '') return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0) throw badRequest(`invalid ${name}: "${v}"`);
  return n;
}

export function parseListQuery(p: URLSearchParams): ListQuery {
  const q: ListQuery = {
    labelSelector: p.get('labelSelector') ?? undefined,
    fieldSelector: p.get('fieldSelector') ?? undefined,
    limit: int('limit', p.get('limit')),
    continueToken: p.get('continue') || undefined,
    resourceVersion: p.get('resourceVersion') ?? undefined,
    resourceVersionMatch: p.get('resourceVersionMatch') || undefined,
    allowWatchBookmarks: bool(p.get('allowWatchBookmarks')),
    sendInitialEvents: bool(p.get('sendInitialEvents')),
    timeoutSeconds: int('timeoutSeconds', p.get('timeoutSeconds')),
  };
  if (q.resourceVersionMatch && !['NotOlderThan', 'Exact'].includes(q.resourceVersionMatch))
    throw badRequest(
      `resourceVersionMatch: Unsupported value: "${q.resourceVersionMatch}": supported values: "Exact", "NotOlderThan"`,
    );
  if (
    q.resourceVersion !== undefined &&
    q.resourceVersion !== '' &&
    !/^\d+$/.test(q.resourceVersion)
  )
    throw badRequest(
      `resourceVersion: Invalid value: "${q.resourceVersion}": must be a non-negative integer`,
    );
  return q;
}

/** The fields every kind's field selector supports, plus the strategy's own. */
function fieldsOf(t: ResourceType, o: KubeObject): Record<string, string> {
  const f: Record<string, string> = {
    'metadata.name': o.metadata.name ?? '',
  };
  if (t.namespaced) f['metadata.namespace'] = o.metadata.namespace ?? '';
  return { ...f, ...(t.strategy.selectableFields?.(o) ?? {}) };
}

/** Builds the filter for a list/watch; unknown field labels are refused with 400. */
export function selectFilter(
  t: ResourceType,
  q: ListQuery,
  ns: string | undefined,
): (o: KubeObject) => boolean {
  const labels = parseLabelSelector(q.labelSelector ?? '');
  const fields = parseFieldSelector(q.fieldSelector ?? '');
  if (fields.length) {
    const supported = new Set(['metadata.name', ...(t.namespaced ? ['metadata.namespace'] : [])]);
    const probe: KubeObject = { metadata: {} };
    for (const k of Object.keys(t.strategy.selectableFields?.(probe) ?? {})) supported.add(k);
    checkFieldLabels(fields, supported, t.kind, t.version);
  }
  return (o) => {
    if (ns && t.namespaced && o.metadata.namespace !== ns) return false;
    if (
      labels.length &&
      !matchesLabels(labels, isObject(o.metadata.labels) ? o.metadata.labels : undefined)
    )
      return false;
    if (fields.length && !matchesFields(fields, fieldsOf(t, o))) return false;
    return true;
  };
}
