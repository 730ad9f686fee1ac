// Component schemas of custom resources for OpenAPI v3 documents, built the way
// apiextensions-apiserver's builder does (pkg/controller/openapi/builder): the version's
// openAPIV3Schema with the GVK extension, apiVersion/kind described, `metadata` pointing at
// ObjectMeta (included here in a short form, so `kubectl explain <cr>.metadata` resolves).
import type { ApiCore } from '../server/api.ts';
import type { ResourceType } from '../registry/types.ts';
import { isObject, type Json, type JsonObject } from '../schema/structural.ts';
import type { CustomResourceDefinition } from '../schema/types.ts';

const OBJECT_META = 'io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta';

const s = (type: string, description: string): JsonObject => ({ type, description });

const OBJECT_META_SCHEMA: JsonObject = {
  description:
    'ObjectMeta is metadata that all persisted resources must have, which includes all objects users must create.',
  type: 'object',
  properties: {
    annotations: {
      ...s('object', 'Annotations is an unstructured key value map stored with a resource.'),
      additionalProperties: { type: 'string', default: '' },
    },
    creationTimestamp: {
      ...s(
        'string',
        'CreationTimestamp is a timestamp representing the server time when this object was created.',
      ),
      format: 'date-time',
    },
    deletionTimestamp: {
      ...s(
        'string',
        'DeletionTimestamp is RFC 3339 date and time at which this resource will be deleted.',
      ),
      format: 'date-time',
    },
    finalizers: {
      ...s('array', 'Must be empty before the object is deleted from the registry.'),
      items: { type: 'string', default: '' },
      'x-kubernetes-list-type': 'set',
      'x-kubernetes-patch-strategy': 'merge',
    },
    generateName: s(
      'string',
      'GenerateName is an optional prefix, used by the server, to generate a unique name ONLY IF the Name field has not been provided.',
    ),
    generation: {
      ...s('integer', 'A sequence number representing a specific generation of the desired state.'),
      format: 'int64',
    },
    labels: {
      ...s(
        'object',
        'Map of string keys and values that can be used to organize and categorize (scope and select) objects.',
      ),
      additionalProperties: { type: 'string', default: '' },
    },
    name: s('string', 'Name must be unique within a namespace.'),
    namespace: s('string', 'Namespace defines the space within which each name must be unique.'),
    resourceVersion: s(
      'string',
      'An opaque value that represents the internal version of this object.',
    ),
    uid: s('string', 'UID is the unique in time and space value for this object.'),
  },
};

function reversedGroup(group: string): string {
  return group.split('.').reverse().join('.');
}

export function crdSchemaName(t: ResourceType): string {
  return `${reversedGroup(t.group)}.${t.version}.${t.kind}`;
}

export function crdComponents(core: ApiCore, types: ResourceType[]): JsonObject {
  const out: JsonObject = {};
  for (const t of types) {
    if (t.crdName === undefined) continue;
    const crd = core.store.get(
      'apiextensions.k8s.io/customresourcedefinitions',
      t.crdName,
    ) as unknown as CustomResourceDefinition | undefined;
    const v = crd?.spec.versions.find((x) => x.name === t.version);
    const schema = structuredClone(
      (v?.schema?.openAPIV3Schema ?? { type: 'object' }) as unknown as JsonObject,
    );
    const props: JsonObject = isObject(schema.properties) ? schema.properties : {};
    props.apiVersion = s(
      'string',
      'APIVersion defines the versioned schema of this representation of an object. Servers should convert recognized schemas to the latest internal value, and may reject unrecognized values. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#resources',
    );
    props.kind = s(
      'string',
      'Kind is a string value representing the REST resource this object represents. Servers may infer this from the endpoint the client submits requests to. Cannot be updated. In CamelCase. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#types-kinds',
    );
    props.metadata = {
      description:
        "Standard object's metadata. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata",
      allOf: [{ $ref: `#/components/schemas/${OBJECT_META}` }],
    };
    schema.properties = props;
    schema['x-kubernetes-group-version-kind'] = [
      { group: t.group, kind: t.kind, version: t.version },
    ] as Json;
    out[crdSchemaName(t)] = schema;
    out[OBJECT_META] = OBJECT_META_SCHEMA;
  }
  return out;
}
