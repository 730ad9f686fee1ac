// Walking objects along a schema: the field set an applied configuration specifies (Apply), the
// fields a write changed (Update), reading and deleting a value by path, and merging an applied
// configuration into the live object (structured-merge-diff's merge rules, simplified).
import { isObject, type Json, type JsonObject } from '../schema/structural.ts';
import { deepEqual } from '../schema/validate.ts';
import { FieldSet, keyElement } from './fieldset.ts';
import type { SchemaNode } from './schema.ts';

/** Metadata and top-level fields that are never owned (system fields, identity). */
const UNTRACKED_META = new Set([
  'managedFields',
  'resourceVersion',
  'uid',
  'creationTimestamp',
  'generation',
  'selfLink',
  'deletionTimestamp',
  'deletionGracePeriodSeconds',
  'name',
  'namespace',
]);

function tracked(o: JsonObject, root: boolean): [string, Json][] {
  const out: [string, Json][] = [];
  for (const [k, v] of Object.entries(o)) {
    if (root && (k === 'apiVersion' || k === 'kind')) continue;
    if (v === undefined) continue;
    out.push([k, v]);
  }
  return out;
}

function meta(k: string, v: Json): Json {
  if (k !== 'metadata' || !isObject(v)) return v;
  const m: JsonObject = {};
  for (const [mk, mv] of Object.entries(v)) if (!UNTRACKED_META.has(mk)) m[mk] = mv;
  return m;
}

function isContainer(v: Json, n: SchemaNode): boolean {
  if (n.atomic) return false;
  if (Array.isArray(v)) return n.listType !== 'atomic' && v.length > 0;
  return isObject(v) && Object.keys(v).length > 0;
}

/** Apply: every leaf, list item and atomic value `v` specifies (ToFieldSet). */
/** An associative-list item with its defaulted key fields filled in. */
function keyed(it: JsonObject, n: SchemaNode): JsonObject {
  let out = it;
  for (const [k, d] of Object.entries(n.keyDefaults))
    if (out[k] === undefined) out = { ...out, [k]: d };
  return out;
}

export function setOf(
  v: Json,
  n: SchemaNode,
  root = true,
  path: string[] = [],
  out = new FieldSet(),
): FieldSet {
  if (isObject(v) && !n.atomic) {
    for (const [k, raw] of tracked(v, root)) {
      const cv = root ? meta(k, raw) : raw;
      const p = [...path, `f:${k}`];
      const cn = n.field(k);
      if (isContainer(cv, cn)) setOf(cv, cn, false, p, out);
      else out.insert(p);
    }
  } else if (Array.isArray(v) && n.listType !== 'atomic') {
    const items = n.items();
    for (const it of v) {
      if (n.listType === 'set' || !isObject(it)) {
        out.insert([...path, `v:${JSON.stringify(it)}`]);
        continue;
      }
      const p = [...path, keyElement(keyed(it, n), n.keys)];
      out.insert(p);
      setOf(it, items, false, p, out);
    }
  } else out.insert(path);
  return out;
}

function itemIndex(list: Json[], item: JsonObject, n: SchemaNode): number {
  const want = keyed(item, n);
  return list.findIndex(
    (x) => isObject(x) && n.keys.every((k) => deepEqual(keyed(x, n)[k], want[k])),
  );
}

/** Update: the paths `next` adds or changes relative to `prev` (added containers are members too). */
export function changedSet(
  prev: Json | undefined,
  next: Json,
  n: SchemaNode,
  root = true,
  path: string[] = [],
  out = new FieldSet(),
): FieldSet {
  if (prev !== undefined && deepEqual(prev, next)) return out;
  if (isObject(next) && isObject(prev) && !n.atomic) {
    for (const [k, raw] of tracked(next, root)) {
      const cv = root ? meta(k, raw) : raw;
      const pv = root ? (prev[k] === undefined ? undefined : meta(k, prev[k] as Json)) : prev[k];
      const cn = n.field(k);
      changedSet(pv, cv, cn, false, [...path, `f:${k}`], out);
    }
    return out;
  }
  if (Array.isArray(next) && Array.isArray(prev) && n.listType !== 'atomic') {
    const items = n.items();
    for (const it of next) {
      if (n.listType === 'set' || !isObject(it)) {
        if (!prev.some((x) => deepEqual(x, it))) out.insert([...path, `v:${JSON.stringify(it)}`]);
        continue;
      }
      const i = itemIndex(prev, it, n);
      const p = [...path, keyElement(keyed(it, n), n.keys)];
      if (i < 0) {
        out.insert(p);
        setOf(it, items, false, p, out);
      } else changedSet(prev[i], it, items, false, p, out);
    }
    return out;
  }
  // Added or replaced: the path itself, and everything under a new container.
  if (path.length) out.insert(path);
  if (isContainer(next, n)) setOf(next, n, root, path, out);
  return out;
}

/** The value at a FieldsV1 path, or undefined. */
export function valueAt(
  o: Json | undefined,
  path: readonly string[],
  n: SchemaNode,
): Json | undefined {
  let cur: Json | undefined = o;
  let node = n;
  for (const pe of path) {
    if (cur === undefined) return undefined;
    if (pe.startsWith('f:')) {
      const k = pe.slice(2);
      cur = isObject(cur) ? cur[k] : undefined;
      node = node.field(k);
    } else if (pe.startsWith('k:')) {
      const key = JSON.parse(pe.slice(2)) as JsonObject;
      cur = Array.isArray(cur)
        ? cur.find((x) => isObject(x) && Object.entries(key).every(([k, v]) => deepEqual(x[k], v)))
        : undefined;
      node = node.items();
    } else if (pe.startsWith('v:')) {
      const want = JSON.parse(pe.slice(2)) as Json;
      cur = Array.isArray(cur) && cur.some((x) => deepEqual(x, want)) ? want : undefined;
    } else return undefined;
  }
  return cur;
}

/** Removes the value at a path (a field, a list item or a set value). */
export function removeAt(o: Json, path: readonly string[]): void {
  if (path.length === 0) return;
  const parent = valueAtLoose(o, path.slice(0, -1));
  const last = path[path.length - 1] as string;
  if (last.startsWith('f:') && isObject(parent)) delete parent[last.slice(2)];
  else if (Array.isArray(parent)) {
    const i = last.startsWith('k:')
      ? parent.findIndex(
          (x) =>
            isObject(x) &&
            Object.entries(JSON.parse(last.slice(2)) as JsonObject).every(([k, v]) =>
              deepEqual(x[k], v),
            ),
        )
      : parent.findIndex((x) => deepEqual(x, JSON.parse(last.slice(2)) as Json));
    if (i >= 0) parent.splice(i, 1);
  }
}

function valueAtLoose(o: Json, path: readonly string[]): Json | undefined {
  let cur: Json | undefined = o;
  for (const pe of path) {
    if (pe.startsWith('f:')) cur = isObject(cur) ? cur[pe.slice(2)] : undefined;
    else if (pe.startsWith('k:')) {
      const key = JSON.parse(pe.slice(2)) as JsonObject;
      cur = Array.isArray(cur)
        ? cur.find((x) => isObject(x) && Object.entries(key).every(([k, v]) => deepEqual(x[k], v)))
        : undefined;
    } else return undefined;
  }
  return cur;
}

/** Merges an applied configuration into the live object (maps and associative lists merge). */
export function mergeApplied(live: Json | undefined, cfg: Json, n: SchemaNode): Json {
  if (isObject(cfg) && isObject(live) && !n.atomic) {
    const out: JsonObject = { ...live };
    for (const [k, v] of Object.entries(cfg)) out[k] = mergeApplied(live[k], v, n.field(k));
    return out;
  }
  if (Array.isArray(cfg) && Array.isArray(live) && n.listType !== 'atomic') {
    const out = [...live];
    const items = n.items();
    for (const it of cfg) {
      if (n.listType === 'set' || !isObject(it)) {
        if (!out.some((x) => deepEqual(x, it))) out.push(it);
        continue;
      }
      const i = itemIndex(out, it, n);
      if (i < 0) out.push(structuredClone(it));
      else out[i] = mergeApplied(out[i], it, items);
    }
    return out;
  }
  return structuredClone(cfg);
}
