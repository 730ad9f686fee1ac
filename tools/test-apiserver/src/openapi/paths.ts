// The `paths` of an OpenAPI v3 group-version document: for each resource, the collection and
// item paths with their operations, GVK extensions and query parameters — enough for clients
// that look up what an operation supports (kubectl: `fieldValidation`, `dryRun` on PATCH).
import type { ResourceType } from '../registry/types.ts';
import type { JsonObject } from '../schema/structural.ts';

const param = (name: string, description: string): JsonObject => ({
  name,
  in: 'query',
  description,
  schema: { type: 'string', uniqueItems: true },
});

const WRITE_PARAMS = [
  param('dryRun', 'When present, indicates that modifications should not be persisted.'),
  param(
    'fieldManager',
    'fieldManager is a name associated with the actor or entity that is making these changes.',
  ),
  param(
    'fieldValidation',
    'fieldValidation instructs the server on how to handle objects in the request (POST/PUT/PATCH) containing unknown or duplicate fields. Valid values are: Ignore, Warn, Strict.',
  ),
];

function op(t: ResourceType, action: string, id: string, extra: JsonObject[] = []): JsonObject {
  return {
    operationId: id,
    parameters: extra,
    'x-kubernetes-action': action,
    'x-kubernetes-group-version-kind': { group: t.group, version: t.version, kind: t.kind },
  };
}

export function pathsFor(types: ResourceType[]): JsonObject {
  const paths: JsonObject = {};
  for (const t of types) {
    const base = t.group ? `/apis/${t.group}/${t.version}` : `/api/${t.version}`;
    const coll = t.namespaced
      ? `${base}/namespaces/{namespace}/${t.resource}`
      : `${base}/${t.resource}`;
    const id = `${t.kind}${t.group.replace(/\W/g, '')}${t.version}`;
    paths[coll] = {
      get: op(t, 'list', `list${id}`),
      post: op(t, 'post', `create${id}`, WRITE_PARAMS),
      delete: op(t, 'deletecollection', `deletecollection${id}`),
    };
    const item: JsonObject = {
      get: op(t, 'get', `read${id}`),
      put: op(t, 'put', `replace${id}`, WRITE_PARAMS),
      patch: op(t, 'patch', `patch${id}`, [
        ...WRITE_PARAMS,
        param('force', 'Force is going to "force" Apply requests.'),
      ]),
      delete: op(t, 'delete', `delete${id}`),
    };
    paths[`${coll}/{name}`] = item;
    for (const sub of [...(t.hasStatus ? ['status'] : []), ...(t.scale ? ['scale'] : [])])
      paths[`${coll}/{name}/${sub}`] = {
        get: op(t, 'get', `read${id}${sub}`),
        put: op(t, 'put', `replace${id}${sub}`, WRITE_PARAMS),
        patch: op(t, 'patch', `patch${id}${sub}`, WRITE_PARAMS),
      };
  }
  return paths;
}
