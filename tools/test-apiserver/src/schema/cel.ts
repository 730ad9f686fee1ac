// x-kubernetes-validations: CEL rules on schema nodes, evaluated with @bufbuild/cel the way the
// apiextensions-apiserver does (k8s.io/apiextensions-apiserver/pkg/apiserver/schema/cel):
// `self` is the node's value, `oldSelf` the correlated old value on updates. Rules that mention
// oldSelf are transition rules and only run when an old value correlates (objects by property,
// maps by key, listType=map lists by their keys; atomic/set lists do not correlate).
import { celEnv, isCelError, parse, plan, type CelEnv } from '@bufbuild/cel';
import { strings } from '@bufbuild/cel/ext';
import type { CauseReason, StatusCause } from '../errors.ts';
import { childPath, indexPath, isObject, type Json } from './structural.ts';
import type { JSONSchemaProps, ValidationRule } from './types.ts';

type Program = (ctx: Record<string, unknown>) => unknown;

let env: CelEnv | undefined;
function getEnv(): CelEnv {
  env ??= celEnv({ funcs: strings });
  return env;
}

const programs = new Map<string, Program>();

/** Thrown by compileRule for a rule that does not parse; the CRD write is refused with it. */
export class CelCompileError extends Error {
  readonly rule: string;
  constructor(rule: string, message: string) {
    super(message);
    this.name = 'CelCompileError';
    this.rule = rule;
  }
}

export function compileRule(expr: string): Program {
  let p = programs.get(expr);
  if (p) return p;
  try {
    const parsed = parse(expr);
    p = plan(getEnv(), parsed) as unknown as Program;
  } catch (e) {
    throw new CelCompileError(expr, (e as Error).message);
  }
  programs.set(expr, p);
  return p;
}

const OLD_SELF = /\boldSelf\b/;
export function isTransitionRule(rule: string): boolean {
  return OLD_SELF.test(rule);
}

/** JSON → CEL input following the schema: integers become CEL int (bigint), as the real typing does. */
export function toCel(v: Json | undefined, schema: JSONSchemaProps | undefined): unknown {
  if (v === null || v === undefined) return null;
  if (typeof v === 'number') {
    const isInt =
      schema?.type === 'integer' ||
      schema?.['x-kubernetes-int-or-string'] === true ||
      (schema?.type === undefined && Number.isInteger(v));
    return isInt && Number.isInteger(v) ? BigInt(v) : v;
  }
  if (Array.isArray(v)) return v.map((x) => toCel(x, schema?.items));
  if (isObject(v)) {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) {
      const addl = schema?.additionalProperties;
      const s = schema?.properties?.[k] ?? (typeof addl === 'object' ? addl : undefined);
      out[k] = toCel(x, s);
    }
    return out;
  }
  return v;
}

function causeFor(
  rule: ValidationRule,
  path: string,
  typeName: string,
  message: string,
): StatusCause {
  const fp = rule.fieldPath;
  const field = !fp
    ? path
    : path
      ? path + (fp.startsWith('.') || fp.startsWith('[') ? fp : `.${fp}`)
      : fp.replace(/^\./, '');
  const reason = (rule.reason ?? 'FieldValueInvalid') as CauseReason;
  switch (reason) {
    case 'FieldValueForbidden':
      return { reason, message: `Forbidden: ${message}`, field };
    case 'FieldValueRequired':
      return { reason, message: `Required value: ${message}`, field };
    case 'FieldValueDuplicate':
      return { reason, message: `Duplicate value: ${message}`, field };
    default:
      return {
        reason: 'FieldValueInvalid',
        message: `Invalid value: "${typeName}": ${message}`,
        field,
      };
  }
}

function evalRules(
  value: Json,
  old: Json | undefined,
  schema: JSONSchemaProps,
  path: string,
  causes: StatusCause[],
): void {
  const rules = schema['x-kubernetes-validations'];
  if (!rules?.length) return;
  const self = toCel(value, schema);
  const oldSelf = old === undefined ? undefined : toCel(old, schema);
  const typeName = schema.type ?? (schema['x-kubernetes-int-or-string'] ? 'string' : 'object');
  for (const rule of rules) {
    const transition = isTransitionRule(rule.rule);
    if (transition && oldSelf === undefined) continue;
    const ctx: Record<string, unknown> = { self };
    if (transition) ctx.oldSelf = oldSelf;
    const result = compileRule(rule.rule)(ctx);
    if (isCelError(result)) {
      causes.push(
        causeFor(rule, path, typeName, `${result.message} evaluating rule: ${rule.rule}`),
      );
      continue;
    }
    if (result === true) continue;
    if (result !== false) {
      causes.push(causeFor(rule, path, typeName, `rule did not evaluate to a bool: ${rule.rule}`));
      continue;
    }
    let message = rule.message ?? `failed rule: ${rule.rule}`;
    if (rule.messageExpression) {
      const m = compileRule(rule.messageExpression)(ctx);
      // The real server falls back to `message` when messageExpression fails or is empty.
      if (typeof m === 'string' && m.trim() !== '') message = m;
    }
    causes.push(causeFor(rule, path, typeName, message));
  }
}

function listMapKey(item: Json, keys: readonly string[]): string | undefined {
  if (!isObject(item)) return undefined;
  return JSON.stringify(keys.map((k) => item[k] ?? null));
}

/** Runs every x-kubernetes-validations rule in the tree, children first-come order like the server. */
export function validateCel(
  value: Json,
  old: Json | undefined,
  schema: JSONSchemaProps,
  path: string,
  causes: StatusCause[],
): void {
  if (value === null) return;
  evalRules(value, old, schema, path, causes);
  if (Array.isArray(value)) {
    const items = schema.items;
    if (!items) return;
    let oldByKey: Map<string, Json> | undefined;
    const keys = schema['x-kubernetes-list-map-keys'];
    if (schema['x-kubernetes-list-type'] === 'map' && keys && Array.isArray(old)) {
      oldByKey = new Map();
      for (const o of old) {
        const k = listMapKey(o, keys);
        if (k !== undefined) oldByKey.set(k, o);
      }
    }
    value.forEach((v, i) => {
      const k = keys ? listMapKey(v, keys) : undefined;
      const o = oldByKey && k !== undefined ? oldByKey.get(k) : undefined;
      validateCel(v, o, items, indexPath(path, i), causes);
    });
    return;
  }
  if (!isObject(value)) return;
  const oldObj = isObject(old) ? old : undefined;
  const addl = schema.additionalProperties;
  for (const [k, v] of Object.entries(value)) {
    const ps = schema.properties?.[k];
    if (ps) validateCel(v, oldObj?.[k], ps, childPath(path, k), causes);
    else if (typeof addl === 'object')
      validateCel(v, oldObj?.[k], addl, indexPath(path, k), causes);
  }
}

/** Compiles every rule of a schema, returning problems as `{field, message}` for the CRD's 422. */
export function checkRules(schema: JSONSchemaProps, path: string, out: StatusCause[]): void {
  (schema['x-kubernetes-validations'] ?? []).forEach((r, i) => {
    const p = `${path}.x-kubernetes-validations[${i}]`;
    if (typeof r.rule !== 'string' || r.rule === '') {
      out.push({ reason: 'FieldValueRequired', message: 'Required value', field: `${p}.rule` });
      return;
    }
    if (r.optionalOldSelf) {
      out.push({
        reason: 'FieldValueForbidden',
        message:
          'Forbidden: optionalOldSelf is not supported by this test API server (no CEL optionals)',
        field: `${p}.optionalOldSelf`,
      });
    }
    for (const [expr, field] of [
      [r.rule, 'rule'],
      [r.messageExpression, 'messageExpression'],
    ] as const) {
      if (expr === undefined) continue;
      try {
        compileRule(expr);
      } catch (e) {
        out.push({
          reason: 'FieldValueInvalid',
          message: `Invalid value: ${JSON.stringify(expr)}: compilation failed: ${(e as Error).message}`,
          field: `${p}.${field}`,
        });
      }
    }
  });
  for (const [k, s] of Object.entries(schema.properties ?? {}))
    checkRules(s, `${path}.properties[${k}]`, out);
  if (schema.items) checkRules(schema.items, `${path}.items`, out);
  if (typeof schema.additionalProperties === 'object') {
    checkRules(schema.additionalProperties, `${path}.additionalProperties`, out);
  }
}
