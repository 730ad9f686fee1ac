// The one entry point other packages use to check a custom resource against its CRD exactly as this
// server does on create/update: prune → default → OpenAPI validation → CEL (x-kubernetes-validations).
import type { StatusCause } from '../errors.ts';
import { checkRules, validateCel } from './cel.ts';
import { applyDefaults, isObject, prune, type Json, type JsonObject } from './structural.ts';
import type { CRDVersion, CustomResourceDefinition, JSONSchemaProps } from './types.ts';
import { validateValue } from './validate.ts';

export interface ValidateCustomResourceResult {
  /** A defaulted, pruned deep copy of the input (the input is never modified). */
  object: JsonObject;
  /** Every problem found, as 422 causes: `{ field: 'spec.addresses', reason, message }`. */
  causes: StatusCause[];
  /** Paths of unknown fields that were pruned (the real server drops them silently). */
  prunedFields: string[];
}

export function findVersion(
  crd: CustomResourceDefinition,
  version: string,
): CRDVersion | undefined {
  return crd.spec.versions.find((v) => v.name === version);
}

/** The schema of one version, or undefined when the version does not exist. */
export function versionSchema(
  crd: CustomResourceDefinition,
  version: string,
): JSONSchemaProps | undefined {
  return findVersion(crd, version)?.schema?.openAPIV3Schema;
}

/**
 * Validates `obj` as version `version` of `crd`. With `oldObj` it is an update, and CEL transition
 * rules (those using `oldSelf`) run against the correlated old values.
 *
 * Use it in tests to check sample YAML against real CRDs without a server:
 * `validateCustomResource(crd, 'v1beta1', yaml.parse(sample)).causes` is empty when the server would accept it.
 */
export function validateCustomResource(
  crd: CustomResourceDefinition,
  version: string,
  obj: unknown,
  oldObj?: unknown,
): ValidateCustomResourceResult {
  const causes: StatusCause[] = [];
  const prunedFields: string[] = [];
  if (!isObject(obj)) {
    return {
      object: {},
      causes: [
        { reason: 'FieldValueTypeInvalid', message: 'Invalid value: "object expected"', field: '' },
      ],
      prunedFields,
    };
  }
  const object = structuredClone(obj) as JsonObject;
  const schema = versionSchema(crd, version);
  if (!schema) {
    causes.push({
      reason: 'FieldValueNotSupported',
      message: `Unsupported value: ${JSON.stringify(version)}: version not defined in CRD ${crd.metadata.name ?? ''}`,
      field: 'apiVersion',
    });
    return { object, causes, prunedFields };
  }
  prune(object, schema, '', true, prunedFields);
  applyDefaults(object, schema);
  validateValue(object, schema, '', causes, true);
  const old = oldObj === undefined ? undefined : (prepareOld(oldObj, schema) as Json);
  validateCel(object, old, schema, '', causes);
  return { object, causes, prunedFields };
}

function prepareOld(old: unknown, schema: JSONSchemaProps): Json | undefined {
  if (!isObject(old)) return undefined;
  const copy = structuredClone(old) as JsonObject;
  prune(copy, schema, '', true, []);
  applyDefaults(copy, schema);
  return copy;
}

/**
 * Checks that a schema is structural (every node says its type, or is int-or-string /
 * preserve-unknown-fields) and that every CEL rule compiles. Returns 422 causes with paths like
 * `spec.versions[0].schema.openAPIV3Schema.properties[spec].type`.
 */
export function checkStructuralSchema(schema: JSONSchemaProps, path: string): StatusCause[] {
  const out: StatusCause[] = [];
  walkStructural(schema, path, out, true);
  checkRules(schema, path, out);
  return out;
}

function walkStructural(
  s: JSONSchemaProps,
  path: string,
  out: StatusCause[],
  isRoot: boolean,
): void {
  if (
    s.type === undefined &&
    s['x-kubernetes-int-or-string'] !== true &&
    s['x-kubernetes-preserve-unknown-fields'] !== true
  ) {
    out.push({
      reason: 'FieldValueRequired',
      message: 'Required value: must not be empty for specified object fields',
      field: `${path}.type`,
    });
  }
  if (isRoot && s.type !== undefined && s.type !== 'object') {
    out.push({
      reason: 'FieldValueInvalid',
      message: `Invalid value: ${JSON.stringify(s.type)}: must be object at the root`,
      field: `${path}.type`,
    });
  }
  if (s.properties && typeof s.additionalProperties === 'object') {
    out.push({
      reason: 'FieldValueForbidden',
      message: 'Forbidden: additionalProperties and properties are mutual exclusive',
      field: `${path}.additionalProperties`,
    });
  }
  if (s.pattern !== undefined) {
    try {
      new RegExp(s.pattern, 'u');
    } catch (e) {
      out.push({
        reason: 'FieldValueInvalid',
        message: `Invalid value: ${JSON.stringify(s.pattern)}: ${(e as Error).message}`,
        field: `${path}.pattern`,
      });
    }
  }
  if (s.type === 'array' && !s.items) {
    out.push({
      reason: 'FieldValueRequired',
      message: 'Required value: must be specified',
      field: `${path}.items`,
    });
  }
  for (const [k, c] of Object.entries(s.properties ?? {})) {
    if (isRoot && k === 'metadata') continue;
    walkStructural(c, `${path}.properties[${k}]`, out, false);
  }
  if (s.items) walkStructural(s.items, `${path}.items`, out, false);
  if (typeof s.additionalProperties === 'object') {
    walkStructural(s.additionalProperties, `${path}.additionalProperties`, out, false);
  }
}
