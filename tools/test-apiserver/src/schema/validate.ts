// OpenAPI v3 value validation of custom resources, worded like kube-openapi's validator as the
// apiextensions-apiserver reports it (`spec.x in body must be of type integer: "string"`), with
// the field.ErrorType reasons the real server puts in 422 causes.
import ipaddr from 'ipaddr.js';
import {
  duplicate,
  invalidValue,
  notSupported,
  renderValue,
  required,
  tooMany,
  typeInvalid,
  type StatusCause,
} from '../errors.ts';
import { childPath, indexPath, isObject, type Json } from './structural.ts';
import type { JSONSchemaProps } from './types.ts';

function jsonType(v: Json): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'number') return Number.isInteger(v) ? 'integer' : 'number';
  return typeof v;
}

function typeMatches(schema: JSONSchemaProps, v: Json): boolean {
  if (v === null) return schema.nullable === true;
  if (schema['x-kubernetes-int-or-string']) {
    return typeof v === 'string' || (typeof v === 'number' && Number.isInteger(v));
  }
  switch (schema.type) {
    case undefined:
      return true;
    case 'object':
      return isObject(v);
    case 'array':
      return Array.isArray(v);
    case 'string':
      return typeof v === 'string';
    case 'boolean':
      return typeof v === 'boolean';
    case 'integer':
      return typeof v === 'number' && Number.isInteger(v);
    case 'number':
      return typeof v === 'number';
  }
}

const DATE_TIME = /^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/;
const DATE = /^\d{4}-\d{2}-\d{2}$/;
const UUID = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;
const MAC = /^([0-9a-fA-F]{2}[:-]){5}[0-9a-fA-F]{2}$/;
const HOSTNAME =
  /^(?=.{1,253}$)[a-zA-Z0-9]([-a-zA-Z0-9]{0,61}[a-zA-Z0-9])?(\.[a-zA-Z0-9]([-a-zA-Z0-9]{0,61}[a-zA-Z0-9])?)*$/;
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/** Formats the apiextensions-apiserver checks; unknown formats are ignored, as there. */
function formatOk(format: string, v: Json): boolean {
  if (typeof v === 'number') {
    if (format === 'int32') return v >= -2147483648 && v <= 2147483647;
    return true;
  }
  if (typeof v !== 'string') return true;
  switch (format) {
    case 'date-time':
      return DATE_TIME.test(v) && !Number.isNaN(Date.parse(v));
    case 'date':
      return DATE.test(v);
    case 'uuid':
      return UUID.test(v);
    case 'mac':
      return MAC.test(v);
    case 'hostname':
      return HOSTNAME.test(v);
    case 'byte':
      return v.length % 4 === 0 && BASE64.test(v);
    case 'ipv4':
      return ipaddr.IPv4.isValidFourPartDecimal(v);
    case 'ipv6':
      return v.includes(':') && ipaddr.IPv6.isValid(v);
    case 'cidr':
      try {
        ipaddr.parseCIDR(v);
        return true;
      } catch {
        return false;
      }
    default:
      return true;
  }
}

function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== typeof b || a === null || b === null) return false;
  if (Array.isArray(a)) {
    return Array.isArray(b) && a.length === b.length && a.every((x, i) => deepEqual(x, b[i]));
  }
  if (typeof a === 'object') {
    if (Array.isArray(b)) return false;
    const ao = a as Record<string, unknown>;
    const bo = b as Record<string, unknown>;
    const ak = Object.keys(ao);
    return ak.length === Object.keys(bo).length && ak.every((k) => deepEqual(ao[k], bo[k]));
  }
  return false;
}

export { deepEqual };

/**
 * Validates `value` against `schema` at `path`, appending causes. Root metadata/apiVersion/kind are
 * validated by the registry, not here (the apiextensions-apiserver does the same split).
 */
export function validateValue(
  value: Json,
  schema: JSONSchemaProps,
  path: string,
  causes: StatusCause[],
  isRoot = false,
): void {
  const where = path || '<root>';
  if (!typeMatches(schema, value)) {
    const expected = schema['x-kubernetes-int-or-string'] ? 'integer,string' : schema.type;
    causes.push(
      typeInvalid(
        path,
        jsonType(value),
        `${where} in body must be of type ${expected}: ${renderValue(jsonType(value))}`,
      ),
    );
    return;
  }
  if (value === null) return;

  if (schema.enum && !schema.enum.some((e) => deepEqual(e, value))) {
    causes.push(
      notSupported(
        path,
        value,
        schema.enum.map((e) => (typeof e === 'string' ? e : JSON.stringify(e))),
      ),
    );
  }

  if (typeof value === 'number') {
    if (schema.maximum !== undefined) {
      const bad = schema.exclusiveMaximum ? value >= schema.maximum : value > schema.maximum;
      if (bad)
        causes.push(
          invalidValue(
            path,
            value,
            `${where} in body should be less than ${schema.exclusiveMaximum ? '' : 'or equal to '}${schema.maximum}`,
          ),
        );
    }
    if (schema.minimum !== undefined) {
      const bad = schema.exclusiveMinimum ? value <= schema.minimum : value < schema.minimum;
      if (bad)
        causes.push(
          invalidValue(
            path,
            value,
            `${where} in body should be greater than ${schema.exclusiveMinimum ? '' : 'or equal to '}${schema.minimum}`,
          ),
        );
    }
    if (schema.multipleOf !== undefined && value % schema.multipleOf !== 0) {
      causes.push(
        invalidValue(path, value, `${where} in body should be a multiple of ${schema.multipleOf}`),
      );
    }
  }

  if (typeof value === 'string') {
    const len = [...value].length;
    if (schema.maxLength !== undefined && len > schema.maxLength) {
      causes.push({
        reason: 'FieldValueTooLong',
        message: `Too long: may not be more than ${schema.maxLength} bytes`,
        field: path,
      });
    }
    if (schema.minLength !== undefined && len < schema.minLength) {
      causes.push(
        invalidValue(
          path,
          value,
          `${where} in body should be at least ${schema.minLength} chars long`,
        ),
      );
    }
    if (schema.pattern !== undefined && !new RegExp(schema.pattern, 'u').test(value)) {
      causes.push(invalidValue(path, value, `${where} in body should match '${schema.pattern}'`));
    }
  }

  if (schema.format && !formatOk(schema.format, value)) {
    causes.push(
      invalidValue(
        path,
        value,
        `${where} in body must be of type ${schema.format}: ${renderValue(value)}`,
      ),
    );
  }

  if (Array.isArray(value)) {
    if (schema.maxItems !== undefined && value.length > schema.maxItems) {
      causes.push(tooMany(path, value.length, schema.maxItems));
    }
    if (schema.minItems !== undefined && value.length < schema.minItems) {
      causes.push(
        invalidValue(path, value, `${where} in body should have at least ${schema.minItems} items`),
      );
    }
    const listType = schema['x-kubernetes-list-type'];
    if (listType === 'set' || schema.uniqueItems) {
      value.forEach((v, i) => {
        if (value.findIndex((w) => deepEqual(v, w)) < i)
          causes.push(duplicate(indexPath(path, i), v));
      });
    } else if (listType === 'map') {
      const keys = schema['x-kubernetes-list-map-keys'] ?? [];
      const seen: Json[] = [];
      value.forEach((v, i) => {
        if (!isObject(v)) return;
        const key: Record<string, Json> = {};
        for (const k of keys) {
          const kv = v[k];
          if (kv === undefined) {
            const itemDefault = schema.items?.properties?.[k]?.default;
            if (itemDefault === undefined) causes.push(required(childPath(indexPath(path, i), k)));
          } else key[k] = kv;
        }
        if (seen.some((s) => deepEqual(s, key))) causes.push(duplicate(indexPath(path, i), key));
        seen.push(key);
      });
    }
    if (schema.items) {
      const items = schema.items;
      value.forEach((v, i) => validateValue(v, items, indexPath(path, i), causes));
    }
  }

  if (isObject(value)) {
    const keys = Object.keys(value).filter(
      (k) => !(isRoot && (k === 'apiVersion' || k === 'kind' || k === 'metadata')),
    );
    if (schema.maxProperties !== undefined && keys.length > schema.maxProperties) {
      causes.push(tooMany(path, keys.length, schema.maxProperties));
    }
    if (schema.minProperties !== undefined && keys.length < schema.minProperties) {
      causes.push(
        invalidValue(
          path,
          value,
          `${where} in body should have at least ${schema.minProperties} properties`,
        ),
      );
    }
    for (const r of schema.required ?? []) {
      if (value[r] === undefined) causes.push(required(childPath(path, r)));
    }
    const addl = schema.additionalProperties;
    for (const k of keys) {
      const child = value[k] as Json;
      const ps = schema.properties?.[k];
      if (ps) validateValue(child, ps, childPath(path, k), causes);
      else if (typeof addl === 'object') validateValue(child, addl, indexPath(path, k), causes);
    }
  }

  // Logical junctors: structural schemas allow them for value validation only.
  if (schema.allOf) for (const s of schema.allOf) validateValue(value, s, path, causes, isRoot);
  if (schema.anyOf) {
    const ok = schema.anyOf.some((s) => {
      const c: StatusCause[] = [];
      validateValue(value, s, path, c, isRoot);
      return c.length === 0;
    });
    if (!ok)
      causes.push(
        invalidValue(path, value, `${where} in body must match at least one schema in anyOf`),
      );
  }
  if (schema.oneOf) {
    const n = schema.oneOf.filter((s) => {
      const c: StatusCause[] = [];
      validateValue(value, s, path, c, isRoot);
      return c.length === 0;
    }).length;
    if (n !== 1)
      causes.push(
        invalidValue(path, value, `${where} in body must match exactly one schema in oneOf`),
      );
  }
  if (schema.not) {
    const c: StatusCause[] = [];
    validateValue(value, schema.not, path, c, isRoot);
    if (c.length === 0)
      causes.push(invalidValue(path, value, `${where} in body should not match schema in not`));
  }
}
