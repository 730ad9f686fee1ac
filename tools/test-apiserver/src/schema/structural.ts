// Pruning and defaulting of structural schemas, in the order the apiextensions-apiserver applies
// them on every write: decode → prune unknown fields → drop non-nullable nulls → apply defaults
// (k8s.io/apiextensions-apiserver/pkg/apiserver/schema/{pruning,defaulting}).
import type { JSONSchemaProps } from './types.ts';

export type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
export type JsonObject = { [k: string]: Json };

export function isObject(v: unknown): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function childPath(path: string, name: string): string {
  return path ? `${path}.${name}` : name;
}

export function indexPath(path: string, i: number | string): string {
  return `${path}[${i}]`;
}

/** Fields kept at the root and in embedded resources whatever the schema says. */
const ROOT_META = new Set(['apiVersion', 'kind', 'metadata']);

/**
 * Removes fields the schema does not know (unless x-kubernetes-preserve-unknown-fields), returning
 * the paths removed — the real server drops them silently and, with `fieldValidation=Strict`,
 * refuses the request naming them instead.
 */
export function prune(
  value: Json,
  schema: JSONSchemaProps | undefined,
  path: string,
  isRoot: boolean,
  removed: string[],
): void {
  if (!schema) return;
  if (Array.isArray(value)) {
    if (schema.items)
      value.forEach((v, i) => prune(v, schema.items, indexPath(path, i), false, removed));
    return;
  }
  if (!isObject(value)) return;
  const embedded = isRoot || schema['x-kubernetes-embedded-resource'] === true;
  const preserve = schema['x-kubernetes-preserve-unknown-fields'] === true;
  const props = schema.properties;
  const addl = schema.additionalProperties;
  for (const key of Object.keys(value)) {
    const child = value[key] as Json;
    if (embedded && ROOT_META.has(key)) {
      // metadata is ObjectMeta, handled by the generic registry; apiVersion/kind are kept.
      continue;
    }
    const propSchema = props?.[key];
    if (propSchema) {
      prune(child, propSchema, childPath(path, key), false, removed);
    } else if (typeof addl === 'object') {
      prune(child, addl, indexPath(path, key), false, removed);
    } else if (addl === true || preserve) {
      // kept as is
    } else {
      delete value[key];
      removed.push(childPath(path, key));
    }
  }
}

/** Drops nulls of non-nullable fields and applies `default` where a field is absent. */
export function applyDefaults(value: Json, schema: JSONSchemaProps | undefined): void {
  if (!schema) return;
  if (Array.isArray(value)) {
    const items = schema.items;
    if (items) for (const v of value) applyDefaults(v, items);
    return;
  }
  if (!isObject(value)) return;
  if (schema.properties) {
    for (const [key, propSchema] of Object.entries(schema.properties)) {
      const cur = value[key];
      if (cur === null && propSchema.nullable !== true) {
        // PruneNonNullableNullsWithoutDefaults / defaulting of nulls: a null in a non-nullable
        // field means "unset" to the apiextensions-apiserver.
        delete value[key];
      }
      if (value[key] === undefined && propSchema.default !== undefined) {
        value[key] = structuredClone(propSchema.default) as Json;
      }
      const next = value[key];
      if (next !== undefined) applyDefaults(next, propSchema);
    }
  }
  const addl = schema.additionalProperties;
  if (typeof addl === 'object') {
    for (const key of Object.keys(value)) {
      if (schema.properties?.[key]) continue;
      const child = value[key];
      if (child !== undefined) applyDefaults(child, addl);
    }
  }
}
