// The three patch types the real server accepts without server-side apply: JSON merge patch
// (RFC 7386), JSON patch (RFC 6902) and strategic merge patch for built-in kinds
// (k8s.io/apimachinery/pkg/util/strategicpatch, driven by the `patchMergeKey` tags of the Go types;
// the table below lists the merge keys of the fields IronLB's kinds have).
import { ApiError, badRequest } from '../errors.ts';
import { isObject, type Json, type JsonObject } from '../schema/structural.ts';

export function mergePatch(target: Json | undefined, patch: Json): Json {
  if (!isObject(patch)) return structuredClone(patch);
  const out: JsonObject = isObject(target) ? { ...target } : {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else out[k] = mergePatch(out[k], v);
  }
  return out;
}

function unescape(tok: string): string {
  return tok.replace(/~1/g, '/').replace(/~0/g, '~');
}

function parsePointer(p: string): string[] {
  if (p === '') return [];
  if (!p.startsWith('/'))
    throw badRequest(
      `the server rejected our request due to an error in our request: invalid JSON pointer "${p}"`,
    );
  return p.slice(1).split('/').map(unescape);
}

function patchError(msg: string): ApiError {
  return new ApiError(422, 'Invalid', msg);
}

function getAt(doc: Json, path: string[]): Json | undefined {
  let cur: Json | undefined = doc;
  for (const t of path) {
    if (Array.isArray(cur)) cur = cur[Number(t)];
    else if (isObject(cur)) cur = cur[t];
    else return undefined;
  }
  return cur;
}

/** RFC 6902; failures are 422 like the real server's `jsonpatch` errors. */
export function jsonPatch(doc: Json, ops: unknown): Json {
  if (!Array.isArray(ops))
    throw badRequest('json: cannot unmarshal object into Go value of type jsonpatch.Patch');
  let root: Json = structuredClone(doc);
  for (const op of ops) {
    if (!isObject(op) || typeof op.op !== 'string' || typeof op.path !== 'string')
      throw badRequest('the server rejected our request due to an error in our request');
    const path = parsePointer(op.path);
    const apply = (fn: (parent: Json, key: string) => void) => {
      if (path.length === 0)
        throw patchError(`the server rejected our request: cannot ${op.op} the document root`);
      const parent = getAt(root, path.slice(0, -1));
      if (parent === undefined || (!isObject(parent) && !Array.isArray(parent)))
        throw patchError(
          `the server rejected our request due to an error in our request: doc is missing path: "${op.path}": missing value`,
        );
      fn(parent, path[path.length - 1] as string);
    };
    const add = (value: Json) => {
      if (path.length === 0) {
        root = value;
        return;
      }
      apply((parent, key) => {
        if (Array.isArray(parent)) {
          const i = key === '-' ? parent.length : Number(key);
          if (!Number.isInteger(i) || i < 0 || i > parent.length)
            throw patchError(`add operation does not apply: index out of bounds: ${key}`);
          parent.splice(i, 0, value);
        } else (parent as JsonObject)[key] = value;
      });
    };
    const remove = (): Json => {
      let removed: Json = null;
      apply((parent, key) => {
        if (Array.isArray(parent)) {
          const i = Number(key);
          if (!Number.isInteger(i) || i < 0 || i >= parent.length)
            throw patchError(`remove operation does not apply: doc is missing path: "${op.path}"`);
          removed = parent.splice(i, 1)[0] as Json;
        } else {
          const o = parent as JsonObject;
          if (!(key in o))
            throw patchError(
              `remove operation does not apply: doc is missing path: "${op.path}": missing value`,
            );
          removed = o[key] as Json;
          delete o[key];
        }
      });
      return removed;
    };
    switch (op.op) {
      case 'add':
        add(structuredClone(op.value as Json));
        break;
      case 'remove':
        remove();
        break;
      case 'replace':
        if (getAt(root, path) === undefined)
          throw patchError(
            `replace operation does not apply: doc is missing key: ${op.path}: missing value`,
          );
        if (path.length === 0) root = structuredClone(op.value as Json);
        else
          apply((parent, key) => {
            if (Array.isArray(parent)) parent[Number(key)] = structuredClone(op.value as Json);
            else (parent as JsonObject)[key] = structuredClone(op.value as Json);
          });
        break;
      case 'move':
      case 'copy': {
        if (typeof op.from !== 'string') throw badRequest(`${op.op} operation requires "from"`);
        const from = parsePointer(op.from);
        const v = getAt(root, from);
        if (v === undefined)
          throw patchError(
            `${op.op} operation does not apply: doc is missing from path: ${op.from}`,
          );
        if (op.op === 'move') {
          const save = path.splice(0, path.length, ...from);
          remove();
          path.splice(0, path.length, ...save);
        }
        add(structuredClone(v));
        break;
      }
      case 'test': {
        const v = getAt(root, path);
        if (JSON.stringify(v) !== JSON.stringify(op.value))
          throw patchError(`testing value ${op.path} failed: test failed`);
        break;
      }
      default:
        throw badRequest(`Unexpected kind: ${op.op}`);
    }
  }
  return root;
}

/**
 * patchMergeKey of list fields by field name, for the built-in kinds served here. Lists not named
 * here are atomic (replaced whole), as the real strategic merge patch does for lists without the tag.
 * `''` means a merge list of primitives (metadata.finalizers).
 */
const MERGE_KEYS: Record<string, string> = {
  containers: 'name',
  initContainers: 'name',
  ephemeralContainers: 'name',
  env: 'name',
  volumes: 'name',
  volumeMounts: 'mountPath',
  volumeDevices: 'devicePath',
  imagePullSecrets: 'name',
  hostAliases: 'ip',
  conditions: 'type',
  addresses: 'type',
  ownerReferences: 'uid',
  finalizers: '',
  topologySpreadConstraints: 'topologyKey',
  resourceClaims: 'name',
  podIPs: 'ip',
  hostIPs: 'ip',
  taints: 'key',
  // Validating/MutatingWebhookConfiguration.webhooks (admissionregistration/v1 types.go).
  webhooks: 'name',
};

/** Service.spec.ports merge on `port`; container ports on `containerPort`. */
function mergeKeyFor(field: string, parentPath: string): string | undefined {
  if (field === 'ports') return parentPath.endsWith('spec') ? 'port' : 'containerPort';
  if (field === 'addresses' && !parentPath.endsWith('status')) return undefined;
  return MERGE_KEYS[field];
}

export function strategicMergePatch(target: Json | undefined, patch: Json, path = ''): Json {
  if (!isObject(patch)) return structuredClone(patch);
  const base: JsonObject = isObject(target) ? { ...target } : {};
  if (patch.$patch === 'replace') {
    const { $patch: _p, ...rest } = patch;
    return structuredClone(rest) as Json;
  }
  if (patch.$patch === 'delete') return null;
  for (const [k, v] of Object.entries(patch)) {
    if (k === '$patch') {
      if (v !== 'merge') throw badRequest(`Unknown patch type: ${String(v)}`);
      continue;
    }
    if (k.startsWith('$setElementOrder/')) continue; // ordering hint only
    if (k === '$retainKeys') {
      if (!Array.isArray(v)) throw badRequest('$retainKeys must be a list');
      for (const key of Object.keys(base))
        if (!v.includes(key) && !(key in patch)) delete base[key];
      continue;
    }
    if (k.startsWith('$deleteFromPrimitiveList/')) {
      const field = k.slice('$deleteFromPrimitiveList/'.length);
      const cur = base[field];
      if (Array.isArray(cur) && Array.isArray(v)) base[field] = cur.filter((x) => !v.includes(x));
      continue;
    }
    if (k.startsWith('$')) throw badRequest(`unknown patch directive: ${k}`);
    if (v === null) {
      delete base[k];
      continue;
    }
    const key = mergeKeyFor(k, path);
    const cur = base[k];
    if (Array.isArray(v) && key !== undefined) {
      base[k] = mergeList(Array.isArray(cur) ? cur : [], v, key, `${path}.${k}`);
    } else if (isObject(v)) {
      base[k] = strategicMergePatch(cur, v, path ? `${path}.${k}` : k);
    } else {
      base[k] = structuredClone(v);
    }
  }
  return base;
}

function mergeList(cur: Json[], patch: Json[], key: string, path: string): Json[] {
  if (key === '') {
    const out = [...cur];
    for (const p of patch) if (!out.includes(p)) out.push(p);
    return out;
  }
  if (patch.some((p) => isObject(p) && p.$patch === 'replace')) {
    return patch
      .filter((p) => !(isObject(p) && p.$patch === 'replace'))
      .map((p) => structuredClone(p));
  }
  const out = cur.map((x) => structuredClone(x));
  for (const p of patch) {
    if (!isObject(p))
      throw badRequest(`strategic merge patch: list item of ${path} must be an object`);
    const idx = out.findIndex((x) => isObject(x) && x[key] === p[key]);
    if (p.$patch === 'delete') {
      if (idx >= 0) out.splice(idx, 1);
      continue;
    }
    if (idx >= 0) out[idx] = strategicMergePatch(out[idx], p, path);
    else out.push(strategicMergePatch({}, p, path));
  }
  return out;
}
