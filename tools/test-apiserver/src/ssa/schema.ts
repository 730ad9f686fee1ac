// How server-side apply merges each part of an object: associative lists (`listType: map` with
// keys), sets, atomic lists, atomic structs/maps. Custom resources take it from their CRD schema
// (x-kubernetes-list-type, x-kubernetes-list-map-keys, x-kubernetes-map-type). Built-in kinds
// take it from the markers of the Go types (+listType/+listMapKey/+structType=atomic), for the
// fields of the kinds served here, listed below by field name.
import { isObject, type Json, type JsonObject } from '../schema/structural.ts';

export interface SchemaNode {
  /** For arrays: how items merge. */
  readonly listType: 'atomic' | 'set' | 'map';
  readonly keys: readonly string[];
  /** Defaults of key fields (an item without `protocol` is the `TCP` item). */
  readonly keyDefaults: Readonly<Record<string, Json>>;
  /** An atomic struct or map: owned and replaced as a whole. */
  readonly atomic: boolean;
  field(name: string): SchemaNode;
  items(): SchemaNode;
}

const BUILTIN_LIST_KEYS: Record<string, string[]> = {
  containers: ['name'],
  initContainers: ['name'],
  ephemeralContainers: ['name'],
  env: ['name'],
  volumes: ['name'],
  imagePullSecrets: ['name'],
  resourceClaims: ['name'],
  volumeMounts: ['mountPath'],
  volumeDevices: ['devicePath'],
  conditions: ['type'],
  ownerReferences: ['uid'],
  taints: ['key', 'effect'],
  hostAliases: ['ip'],
  topologySpreadConstraints: ['topologyKey', 'whenUnsatisfiable'],
  // admissionregistration/v1 Validating/MutatingWebhookConfiguration: +listType=map +listMapKey=name.
  webhooks: ['name'],
};

/** LabelSelector is +structType=atomic; Service.spec.selector and nodeSelector are +mapType=atomic. */
const BUILTIN_ATOMIC = new Set([
  'selector',
  'podSelector',
  'namespaceSelector',
  'nodeSelector',
  'labelSelector',
]);

class BuiltinNode implements SchemaNode {
  readonly listType: 'atomic' | 'set' | 'map';
  readonly keys: readonly string[];
  readonly keyDefaults: Readonly<Record<string, Json>>;
  readonly atomic: boolean;
  private readonly path: readonly string[];

  constructor(path: readonly string[]) {
    this.path = path;
    const name = path[path.length - 1] ?? '';
    const parent = path[path.length - 2];
    let keys = BUILTIN_LIST_KEYS[name];
    if (name === 'ports')
      keys =
        parent === 'containers' || parent === 'initContainers' || parent === 'ephemeralContainers'
          ? ['containerPort', 'protocol']
          : path.length === 2 && parent === 'spec'
            ? ['port', 'protocol']
            : undefined;
    if (name === 'addresses' && parent === 'status') keys = ['type'];
    if (name === 'finalizers') {
      this.listType = 'set';
      this.keys = [];
    } else {
      this.listType = keys ? 'map' : 'atomic';
      this.keys = keys ?? [];
    }
    this.atomic = BUILTIN_ATOMIC.has(name);
    this.keyDefaults = this.keys.includes('protocol') ? { protocol: 'TCP' } : {};
  }

  field(name: string): SchemaNode {
    return new BuiltinNode([...this.path, name]);
  }

  items(): SchemaNode {
    // Items keep the list's name as context (container ports know they are in a container).
    return new BuiltinNode([...this.path]);
  }
}

export function builtinRoot(): SchemaNode {
  return new BuiltinNode([]);
}

class CrdNode implements SchemaNode {
  readonly listType: 'atomic' | 'set' | 'map';
  readonly keys: readonly string[];
  readonly keyDefaults: Readonly<Record<string, Json>>;
  readonly atomic: boolean;
  private readonly s: JsonObject;

  constructor(s: Json | undefined) {
    this.s = isObject(s) ? s : {};
    const lt = this.s['x-kubernetes-list-type'];
    this.listType = lt === 'set' ? 'set' : lt === 'map' ? 'map' : 'atomic';
    const keys = this.s['x-kubernetes-list-map-keys'];
    this.keys = Array.isArray(keys) ? keys.map(String) : [];
    this.atomic = this.s['x-kubernetes-map-type'] === 'atomic';
    const itemProps =
      isObject(this.s.items) && isObject(this.s.items.properties) ? this.s.items.properties : {};
    const defaults: Record<string, Json> = {};
    for (const k of this.keys) {
      const p = itemProps[k];
      if (isObject(p) && p.default !== undefined) defaults[k] = p.default as Json;
    }
    this.keyDefaults = defaults;
  }

  field(name: string): SchemaNode {
    if (
      name === 'metadata' &&
      this.s.type === 'object' &&
      isObject(this.s.properties) &&
      'apiVersion' in this.s.properties
    )
      return builtinRoot().field('metadata');
    const props = isObject(this.s.properties) ? this.s.properties : undefined;
    if (props && props[name] !== undefined) return new CrdNode(props[name]);
    if (isObject(this.s.additionalProperties)) return new CrdNode(this.s.additionalProperties);
    if (name === 'metadata') return builtinRoot().field('metadata');
    return new CrdNode({});
  }

  items(): SchemaNode {
    return new CrdNode(this.s.items);
  }
}

export function crdRoot(schema: Json | undefined): SchemaNode {
  const s = isObject(schema) ? { ...schema } : {};
  // Root objects always have apiVersion/kind/metadata (marked so `metadata` uses ObjectMeta rules).
  s.properties = {
    apiVersion: { type: 'string' },
    ...(isObject(s.properties) ? s.properties : {}),
  };
  s.type = 'object';
  return new CrdNode(s);
}
