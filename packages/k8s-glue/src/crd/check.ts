// Checks a value against the CRD schema subset of schema.ts (type, enum, bounds, lengths,
// pattern, known properties), the way the API server's structural schema validation does for
// the fields IronLB reads. Used where data reaches IronLB without the API server having checked
// it — the v1beta2 fields a v1beta1 BGPPeer carries in an annotation (issue 14). CEL rules are
// the API server's business and are not evaluated here.
import type { Schema } from './schema.js';

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** The first problem with `value` at `path` (`spec.localASN: must be ...`), or undefined. */
export function schemaProblem(value: unknown, schema: Schema, path: string): string | undefined {
  const t = schema.type;
  if (t === 'object') {
    if (!isObject(value)) return `${path}: must be an object`;
    for (const k of schema.required ?? []) if (!(k in value)) return `${path}.${k}: required value`;
    for (const [k, v] of Object.entries(value)) {
      const sub = schema.properties?.[k] ?? schema.additionalProperties;
      if (!sub) {
        if (schema['x-kubernetes-preserve-unknown-fields']) continue;
        return `${path}.${k}: unknown field`;
      }
      const p = schemaProblem(v, sub, `${path}.${k}`);
      if (p) return p;
    }
    return undefined;
  }
  if (t === 'array') {
    if (!Array.isArray(value)) return `${path}: must be a list`;
    if (schema.minItems !== undefined && value.length < schema.minItems)
      return `${path}: must have at least ${schema.minItems} items`;
    if (schema.maxItems !== undefined && value.length > schema.maxItems)
      return `${path}: must have at most ${schema.maxItems} items`;
    for (let i = 0; i < value.length; i++) {
      const p = schema.items ? schemaProblem(value[i], schema.items, `${path}[${i}]`) : undefined;
      if (p) return p;
    }
    return undefined;
  }
  if (t === 'string') {
    if (typeof value !== 'string') return `${path}: must be a string`;
    if (schema.enum && !schema.enum.includes(value))
      return `${path}: must be one of ${schema.enum.map((e) => JSON.stringify(e)).join(', ')}`;
    if (schema.minLength !== undefined && value.length < schema.minLength)
      return `${path}: must be at least ${schema.minLength} characters`;
    if (schema.maxLength !== undefined && value.length > schema.maxLength)
      return `${path}: must be at most ${schema.maxLength} characters`;
    if (schema.pattern !== undefined && !new RegExp(schema.pattern).test(value))
      return `${path}: must match ${schema.pattern}`;
    return undefined;
  }
  if (t === 'integer') {
    if (typeof value !== 'number' || !Number.isInteger(value)) return `${path}: must be an integer`;
    if (schema.minimum !== undefined && value < schema.minimum)
      return `${path}: must be at least ${schema.minimum}`;
    if (schema.maximum !== undefined && value > schema.maximum)
      return `${path}: must be at most ${schema.maximum}`;
    return undefined;
  }
  if (t === 'boolean') return typeof value === 'boolean' ? undefined : `${path}: must be a boolean`;
  return undefined;
}
