// Which fields a built-in kind has, taken from @kubernetes/client-node's generated models (the
// same OpenAPI the real server publishes). Used like the real decoder: unknown fields are dropped,
// with a `Warning` (fieldValidation=Warn, the default), an error (Strict — kubectl's default) or
// silently (Ignore).
import { badRequest } from '../errors.ts';
import { isObject, type Json } from '../schema/structural.ts';
import type { WriteContext } from './types.ts';

interface Attr {
  baseName: string;
  type: string;
}

/** Model name → its fields (baseName → type string of the model). */
export type KnownFields = Map<string, Map<string, string> | undefined>;

/** The model of each built-in kind, by `group/kind`. */
export const KIND_MODELS: Record<string, string> = {
  '/Namespace': 'V1Namespace',
  '/Node': 'V1Node',
  '/Service': 'V1Service',
  '/Pod': 'V1Pod',
  '/Secret': 'V1Secret',
  '/ConfigMap': 'V1ConfigMap',
  '/ServiceAccount': 'V1ServiceAccount',
  '/Event': 'CoreV1Event',
  'events.k8s.io/Event': 'EventsV1Event',
  'coordination.k8s.io/Lease': 'V1Lease',
  'discovery.k8s.io/EndpointSlice': 'V1EndpointSlice',
  'apps/Deployment': 'V1Deployment',
  'apps/DaemonSet': 'V1DaemonSet',
  'apps/ReplicaSet': 'V1ReplicaSet',
  'batch/Job': 'V1Job',
  'policy/PodDisruptionBudget': 'V1PodDisruptionBudget',
  'networking.k8s.io/NetworkPolicy': 'V1NetworkPolicy',
  'scheduling.k8s.io/PriorityClass': 'V1PriorityClass',
  'rbac.authorization.k8s.io/Role': 'V1Role',
  'rbac.authorization.k8s.io/ClusterRole': 'V1ClusterRole',
  'rbac.authorization.k8s.io/RoleBinding': 'V1RoleBinding',
  'rbac.authorization.k8s.io/ClusterRoleBinding': 'V1ClusterRoleBinding',
  'admissionregistration.k8s.io/ValidatingWebhookConfiguration': 'V1ValidatingWebhookConfiguration',
  'admissionregistration.k8s.io/MutatingWebhookConfiguration': 'V1MutatingWebhookConfiguration',
  'apiextensions.k8s.io/CustomResourceDefinition': 'V1CustomResourceDefinition',
};

const MODEL_NAME = /^[A-Z][A-Za-z0-9]*$/;

function elementType(t: string): { kind: 'model' | 'array' | 'map' | 'leaf'; inner: string } {
  const arr = /^Array<(.+)>$/.exec(t);
  if (arr) return { kind: 'array', inner: arr[1] as string };
  const map = /^\{ \[key: string\]: (.+); \}$/.exec(t);
  if (map) return { kind: 'map', inner: map[1] as string };
  if (MODEL_NAME.test(t) && t !== 'Date' && t !== 'IntOrString') return { kind: 'model', inner: t };
  return { kind: 'leaf', inner: t };
}

/** Loads the models of every built-in kind and the models they reference. */
export async function loadKnownFields(): Promise<KnownFields> {
  const out: KnownFields = new Map();
  const queue = Object.values(KIND_MODELS);
  while (queue.length) {
    const name = queue.pop() as string;
    if (out.has(name)) continue;
    let mod: Record<string, { getAttributeTypeMap?(): Attr[] } | undefined>;
    try {
      mod = (await import(`@kubernetes/client-node/dist/gen/models/${name}.js`)) as typeof mod;
    } catch {
      // Scalar aliases (V1MicroTime, ...) have no model file: their values are not walked.
      out.set(name, undefined);
      continue;
    }
    const cls = mod[name];
    if (!cls?.getAttributeTypeMap) {
      out.set(name, undefined);
      continue;
    }
    const fields = new Map<string, string>();
    for (const a of cls.getAttributeTypeMap()) {
      fields.set(a.baseName, a.type);
      let t = elementType(a.type);
      while (t.kind === 'array' || t.kind === 'map') t = elementType(t.inner);
      if (t.kind === 'model' && !out.has(t.inner)) queue.push(t.inner);
    }
    out.set(name, fields);
  }
  return out;
}

function pruneTyped(
  known: KnownFields,
  type: string,
  v: Json,
  path: string,
  removed: string[],
): void {
  const t = elementType(type);
  if (t.kind === 'leaf') return;
  if (t.kind === 'array') {
    if (Array.isArray(v))
      v.forEach((x, i) => pruneTyped(known, t.inner, x, `${path}[${i}]`, removed));
    return;
  }
  if (t.kind === 'map') {
    if (isObject(v))
      for (const [k, x] of Object.entries(v))
        pruneTyped(known, t.inner, x, `${path}[${k}]`, removed);
    return;
  }
  const fields = known.get(t.inner);
  if (!fields || !isObject(v)) return;
  for (const k of Object.keys(v)) {
    const ft = fields.get(k);
    const p = path ? `${path}.${k}` : k;
    if (ft === undefined) {
      delete v[k];
      removed.push(p);
    } else pruneTyped(known, ft, v[k] as Json, p, removed);
  }
}

/**
 * Drops the fields of `obj` its kind does not have and applies `fieldValidation`: Strict → 400
 * `strict decoding error: unknown field "spec.x"`, Warn → Warning headers, Ignore → nothing.
 * Kinds without a model are left alone.
 */
export function pruneBuiltin(
  known: KnownFields | undefined,
  group: string,
  kind: string,
  obj: Json,
  ctx: WriteContext,
): void {
  const model = KIND_MODELS[`${group}/${kind}`];
  if (!known || !model) return;
  const removed: string[] = [];
  pruneTyped(known, model, obj, '', removed);
  if (removed.length === 0) return;
  if (ctx.fieldValidation === 'Strict')
    throw badRequest(
      `strict decoding error: ${removed.map((r) => `unknown field "${r}"`).join(', ')}`,
    );
  if (ctx.fieldValidation === 'Warn')
    for (const r of removed) ctx.warnings.push(`unknown field "${r}"`);
}
