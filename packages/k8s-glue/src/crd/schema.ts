// A small builder for the OpenAPI v3 subset that CustomResourceDefinitions use
// (apiextensions.k8s.io/v1 JSONSchemaProps). The CRD YAML in deploy/crds and the TypeScript
// types in src/api/types.generated.ts are both rendered from schemas built here, so the two
// cannot drift (issue 5: "one typed source of truth").

export interface CelRule {
  readonly rule: string;
  readonly message: string;
}

export interface Schema {
  type?: 'object' | 'array' | 'string' | 'integer' | 'boolean';
  description?: string;
  format?: string;
  properties?: Record<string, Schema>;
  required?: string[];
  items?: Schema;
  additionalProperties?: Schema;
  minimum?: number;
  maximum?: number;
  minItems?: number;
  maxItems?: number;
  minLength?: number;
  maxLength?: number;
  pattern?: string;
  enum?: readonly string[];
  default?: unknown;
  'x-kubernetes-validations'?: CelRule[];
  'x-kubernetes-map-type'?: 'atomic' | 'granular';
  'x-kubernetes-list-type'?: 'atomic' | 'set' | 'map';
  'x-kubernetes-list-map-keys'?: string[];
  'x-kubernetes-preserve-unknown-fields'?: boolean;
}

type Extra = Omit<Schema, 'type' | 'properties' | 'items' | 'required'>;

export function str(description: string, extra: Extra = {}): Schema {
  return { type: 'string', description, ...extra };
}

export function int(description: string, extra: Extra = {}): Schema {
  return { type: 'integer', description, ...extra };
}

export function int32(description: string, extra: Extra = {}): Schema {
  return { type: 'integer', format: 'int32', description, ...extra };
}

export function int64(description: string, extra: Extra = {}): Schema {
  return { type: 'integer', format: 'int64', description, ...extra };
}

export function bool(description: string, extra: Extra = {}): Schema {
  return { type: 'boolean', description, ...extra };
}

export function arr(description: string, items: Schema, extra: Extra = {}): Schema {
  return { type: 'array', description, items, ...extra };
}

export function obj(
  description: string,
  properties: Record<string, Schema>,
  required: string[] = [],
  extra: Extra = {},
): Schema {
  const s: Schema = { type: 'object', description, properties, ...extra };
  if (required.length > 0) s.required = required;
  return s;
}

/** metav1.Duration: a Go duration string such as "90s" or "1m30s". */
export function duration(description: string, extra: Extra = {}): Schema {
  return { type: 'string', description, ...extra };
}

/** metav1.LabelSelector exactly as controller-gen renders it. */
export function labelSelector(description: string): Schema {
  return obj(
    description,
    {
      matchExpressions: arr(
        'matchExpressions is a list of label selector requirements. The requirements are ANDed.',
        obj(
          'A label selector requirement is a selector that contains values, a key, and an operator that relates the key and values.',
          {
            key: str('key is the label key that the selector applies to.'),
            operator: str(
              "operator represents a key's relationship to a set of values. Valid operators are In, NotIn, Exists and DoesNotExist.",
            ),
            values: arr(
              'values is an array of string values. If the operator is In or NotIn, the values array must be non-empty. If the operator is Exists or DoesNotExist, the values array must be empty.',
              { type: 'string' },
              { 'x-kubernetes-list-type': 'atomic' },
            ),
          },
          ['key', 'operator'],
        ),
        { 'x-kubernetes-list-type': 'atomic' },
      ),
      matchLabels: {
        type: 'object',
        description:
          'matchLabels is a map of {key,value} pairs. A single {key,value} in the matchLabels map is equivalent to an element of matchExpressions, whose key field is "key", the operator is "In", and the values array contains only "value". The requirements are ANDed.',
        additionalProperties: { type: 'string' },
      },
    },
    [],
    { 'x-kubernetes-map-type': 'atomic' },
  );
}
