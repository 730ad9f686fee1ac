// metadata.managedFields (k8s.io/apiserver/pkg/endpoints/handlers/fieldmanager): who owns which
// field. Every write records its manager's changes (operation Update) and takes them away from
// other managers; server-side apply (operation Apply) owns exactly what the configuration
// specifies, removes what the manager applied before and no longer does, and fails with 409 on
// fields another manager owns with a different value (unless forced).
import { ApiError, badRequest } from '../errors.ts';
import type { KubeObject, ResourceType } from '../registry/types.ts';
import { isObject, type Json, type JsonObject } from '../schema/structural.ts';
import type { CustomResourceDefinition } from '../schema/types.ts';
import { deepEqual } from '../schema/validate.ts';
import { gvString } from '../registry/types.ts';
import { nowTime } from '../util/meta.ts';
import { FieldSet, pathString } from './fieldset.ts';
import { builtinRoot, crdRoot, type SchemaNode } from './schema.ts';
import { changedSet, mergeApplied, removeAt, setOf } from './walk.ts';

export interface ManagedEntry {
  manager: string;
  operation: 'Apply' | 'Update';
  apiVersion: string;
  time?: string;
  fieldsType: 'FieldsV1';
  fieldsV1: JsonObject;
  subresource?: string;
}

interface Owner {
  entry: ManagedEntry;
  set: FieldSet;
}

export function schemaRoot(t: ResourceType, crd: CustomResourceDefinition | undefined): SchemaNode {
  if (t.crdName === undefined || !crd) return builtinRoot();
  const v = crd.spec.versions.find((x) => x.name === t.version);
  return crdRoot(v?.schema?.openAPIV3Schema as Json | undefined);
}

function readEntries(o: KubeObject | undefined): ManagedEntry[] {
  const mf = o?.metadata.managedFields;
  return Array.isArray(mf) ? (mf.filter(isObject) as unknown as ManagedEntry[]) : [];
}

/** Validates managedFields sent by a client (ValidateManagedFields essentials). */
function checkEntries(mf: Json): ManagedEntry[] {
  if (!Array.isArray(mf)) throw badRequest('metadata.managedFields must be a list');
  return mf.map((e, i) => {
    if (!isObject(e)) throw badRequest(`metadata.managedFields[${i}] must be an object`);
    if (e.operation !== 'Apply' && e.operation !== 'Update')
      throw badRequest(
        `metadata.managedFields[${i}].operation: Unsupported value: ${JSON.stringify(e.operation ?? '')}: supported values: "Apply", "Update"`,
      );
    if (e.fieldsType !== undefined && e.fieldsType !== 'FieldsV1')
      throw badRequest(
        `metadata.managedFields[${i}].fieldsType: Unsupported value: ${JSON.stringify(e.fieldsType)}: supported values: "FieldsV1"`,
      );
    return {
      ...(e as unknown as ManagedEntry),
      fieldsType: 'FieldsV1',
      fieldsV1: isObject(e.fieldsV1) ? e.fieldsV1 : {},
    };
  });
}

const same = (
  a: ManagedEntry,
  b: Pick<ManagedEntry, 'manager' | 'operation' | 'apiVersion' | 'subresource'>,
) =>
  a.manager === b.manager &&
  a.operation === b.operation &&
  (a.subresource ?? '') === (b.subresource ?? '') &&
  (a.operation === 'Apply' || a.apiVersion === b.apiVersion);

function finish(owners: Owner[]): ManagedEntry[] {
  return owners
    .filter((o) => !o.set.empty)
    .map((o) => ({ ...o.entry, fieldsV1: o.set.toFieldsV1() }));
}

/**
 * The managedFields after a non-apply write. `requested` is what the request body carried in
 * metadata.managedFields (undefined: keep the stored ones; [] resets ownership).
 */
export function trackUpdate(
  t: ResourceType,
  node: SchemaNode,
  old: KubeObject | undefined,
  next: KubeObject,
  requested: Json | undefined,
  manager: string,
  sub: string | undefined,
  nowMs: number,
): ManagedEntry[] {
  const oldEntries = readEntries(old);
  let base = oldEntries;
  if (
    requested !== undefined &&
    requested !== null &&
    !deepEqual(requested, oldEntries as unknown as Json)
  ) {
    base = checkEntries(requested);
    if (base.length === 0) return []; // an explicit [] resets managedFields
  }
  const changed = changedSet(old ?? {}, next, node);
  if (changed.empty) return base;
  const apiVersion = gvString(t.group, t.version);
  const id = {
    manager,
    operation: 'Update' as const,
    apiVersion,
    ...(sub ? { subresource: sub } : {}),
  };
  const owners: Owner[] = base.map((e) => ({ entry: e, set: FieldSet.fromFieldsV1(e.fieldsV1) }));
  for (const o of owners) if (!same(o.entry, id)) o.set = o.set.minus(changed);
  let mine = owners.find((o) => same(o.entry, id));
  if (!mine)
    owners.push(
      (mine = { entry: { ...id, fieldsType: 'FieldsV1', fieldsV1: {} }, set: new FieldSet() }),
    );
  mine.set = mine.set.union(changed);
  mine.entry = { ...mine.entry, time: nowTime(nowMs) };
  return finish(owners);
}

/** Manager as conflict messages print it (fieldmanager printManager). */
function printManager(e: ManagedEntry): string {
  let s = JSON.stringify(e.manager);
  if (e.subresource) s += ` with subresource ${JSON.stringify(e.subresource)}`;
  if (e.operation === 'Update') s += ` using ${e.apiVersion}`;
  return s;
}

function conflictError(conflicts: { owner: ManagedEntry; path: string[] }[]): ApiError {
  const causes = conflicts.map((c) => ({
    reason: 'FieldManagerConflict' as const,
    message: `conflict with ${printManager(c.owner)}`,
    field: pathString(c.path),
  }));
  let message: string;
  if (conflicts.length === 1) {
    const c = conflicts[0] as { owner: ManagedEntry; path: string[] };
    message = `Apply failed with 1 conflict: conflict with ${printManager(c.owner)}: ${pathString(c.path)}`;
  } else {
    const by = new Map<string, string[]>();
    for (const c of conflicts) {
      const m = printManager(c.owner);
      by.set(m, [...(by.get(m) ?? []), pathString(c.path)]);
    }
    const lines: string[] = [];
    for (const m of [...by.keys()].sort()) {
      lines.push(`conflicts with ${m}:`);
      for (const p of by.get(m) ?? []) lines.push(`- ${p}`);
    }
    message = `Apply failed with ${conflicts.length} conflicts: ${lines.join('\n')}`;
  }
  return new ApiError(409, 'Conflict', message, { causes: causes as never });
}

export interface ApplyResult {
  object: KubeObject;
  managedFields: ManagedEntry[];
}

/** Server-side apply of `cfg` by `manager` onto `live` (undefined: the object is created). */
export function applyConfig(
  t: ResourceType,
  node: SchemaNode,
  live: KubeObject | undefined,
  cfg: KubeObject,
  manager: string,
  force: boolean,
  sub: string | undefined,
  nowMs: number,
): ApplyResult {
  const applied = setOf(cfg, node);
  const id: ManagedEntry = {
    manager,
    operation: 'Apply',
    apiVersion: gvString(t.group, t.version),
    time: nowTime(nowMs),
    fieldsType: 'FieldsV1',
    fieldsV1: {},
    ...(sub ? { subresource: sub } : {}),
  };
  const owners: Owner[] = readEntries(live).map((e) => ({
    entry: e,
    set: FieldSet.fromFieldsV1(e.fieldsV1),
  }));
  const mine = owners.find((o) => same(o.entry, id));
  const previous = mine?.set ?? new FieldSet();
  const others = owners.filter((o) => o !== mine);
  let object = structuredClone(live ?? ({ metadata: {} } as KubeObject));
  // Fields this manager applied before and no longer does go, unless someone else owns them.
  for (const p of previous.minus(applied).members()) {
    if (others.some((o) => o.set.hasPrefix(p))) continue;
    if (applied.hasPrefix(p)) continue;
    removeAt(object, p);
  }
  object = mergeApplied(object, cfg, node) as KubeObject;
  // Conflicts: what the apply changes that another manager owns (structured-merge-diff compares
  // the live object with the merged one; equal values are shared ownership, not conflicts).
  if (live) {
    const changed = changedSet(live, object, node);
    const conflicts: { owner: ManagedEntry; path: string[]; o: Owner }[] = [];
    for (const p of changed.members())
      for (const o of others) if (o.set.has(p)) conflicts.push({ owner: o.entry, path: p, o });
    if (conflicts.length && !force) throw conflictError(conflicts);
    for (const c of conflicts) c.o.set = c.o.set.minus(changed);
  }
  const rest = owners.filter((o) => o !== mine);
  rest.push({ entry: id, set: applied });
  const managedFields = finish(rest).sort((a, b) =>
    a.operation === b.operation ? 0 : a.operation === 'Apply' ? -1 : 1,
  );
  return { object, managedFields };
}
