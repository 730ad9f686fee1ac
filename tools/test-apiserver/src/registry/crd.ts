// CustomResourceDefinitions registered at runtime (k8s.io/apiextensions-apiserver): validation of
// the CRD itself, the resource types its served versions add, and the strategy of its objects —
// prune → default → OpenAPI v3 → CEL, status subresource semantics and generation.
import { ApiError, badRequest, invalidValue, required, type StatusCause } from '../errors.ts';
import { validateCel } from '../schema/cel.ts';
import { checkStructuralSchema, versionSchema } from '../schema/custom-resource.ts';
import { applyDefaults, isObject, prune, type Json } from '../schema/structural.ts';
import type { CustomResourceDefinition } from '../schema/types.ts';
import { validateValue } from '../schema/validate.ts';
import { dns1123LabelErrors, dns1123SubdomainErrors, nowTime } from '../util/meta.ts';
import {
  ALL_VERBS,
  type KubeObject,
  type ResourceType,
  type Strategy,
  type WriteContext,
} from './types.ts';

/**
 * Converts a custom resource to another version of its CRD when the CRD's conversion strategy is
 * `Webhook` (src/conversion/conversions.ts: cached result, or it throws ConversionPending).
 */
export type CrConvert = (
  crd: CustomResourceDefinition,
  o: KubeObject,
  desiredAPIVersion: string,
) => KubeObject;

function apiVersionOf(crd: CustomResourceDefinition, version: string): string {
  return `${crd.spec.group}/${version}`;
}

function convert(
  crd: CustomResourceDefinition,
  o: KubeObject,
  version: string,
  webhook: CrConvert,
): KubeObject {
  const want = apiVersionOf(crd, version);
  if (o.apiVersion === want) return o;
  if (crd.spec.conversion?.strategy === 'Webhook') return webhook(crd, o, want);
  // strategy None: only apiVersion changes.
  return { ...o, apiVersion: want } as KubeObject;
}

function checkPruned(removed: string[], ctx: WriteContext): void {
  if (removed.length === 0) return;
  if (ctx.fieldValidation === 'Strict')
    throw badRequest(
      `strict decoding error: ${removed.map((r) => `unknown field "${r}"`).join(', ')}`,
    );
  if (ctx.fieldValidation === 'Warn')
    for (const r of removed) ctx.warnings.push(`unknown field "${r}"`);
}

function stripForGeneration(o: KubeObject): Json {
  const { metadata: _m, status: _s, ...rest } = o;
  return rest as Json;
}

export function customResourceStrategy(
  crd: CustomResourceDefinition,
  version: string,
  hasStatus: boolean,
): Strategy {
  const schema = versionSchema(crd, version);
  const prepare = (o: KubeObject, ctx: WriteContext) => {
    const removed: string[] = [];
    prune(o, schema, '', true, removed);
    checkPruned(removed, ctx);
    applyDefaults(o, schema);
  };
  const validate = (o: KubeObject, old: KubeObject | undefined): StatusCause[] => {
    if (!schema) return [];
    const causes: StatusCause[] = [];
    validateValue(o, schema, '', causes, true);
    validateCel(o, old, schema, '', causes);
    return causes;
  };
  return {
    hasGeneration: true,
    allowUnconditionalUpdate: false,
    prepareForCreate(o, ctx) {
      if (hasStatus) delete o.status;
      prepare(o, ctx);
    },
    validate: (o) => validate(o, undefined),
    prepareForUpdate(o, old, ctx) {
      if (hasStatus) {
        if (old.status === undefined) delete o.status;
        else o.status = structuredClone(old.status);
      }
      prepare(o, ctx);
    },
    validateUpdate: (o, old) => validate(o, old),
    prepareForStatusUpdate(o, old) {
      // customResourceStatusStrategy: the whole old object, with only the new status.
      const next = structuredClone(old);
      if (o.status === undefined) delete next.status;
      else next.status = structuredClone(o.status);
      applyDefaults(next, schema);
      return next;
    },
    validateStatusUpdate: (o, old) => validate(o, old),
    generationChanged: (o, old) =>
      JSON.stringify(stripForGeneration(o)) !== JSON.stringify(stripForGeneration(old)),
  };
}

/** Resource types a CRD adds (one per served version). */
export function crdResourceTypes(
  crd: CustomResourceDefinition,
  webhook: CrConvert,
): ResourceType[] {
  const storage = crd.spec.versions.find((v) => v.storage)?.name ?? '';
  const n = crd.spec.names;
  return crd.spec.versions
    .filter((v) => v.served)
    .map((v) => ({
      group: crd.spec.group,
      version: v.name,
      resource: n.plural,
      kind: n.kind,
      listKind: n.listKind ?? `${n.kind}List`,
      singular: n.singular ?? n.kind.toLowerCase(),
      namespaced: crd.spec.scope === 'Namespaced',
      shortNames: n.shortNames ?? [],
      categories: n.categories ?? [],
      verbs: ALL_VERBS,
      hasStatus: v.subresources?.status !== undefined,
      extraSubresources: [],
      ...(v.subresources?.scale
        ? {
            scale: {
              specReplicasPath: v.subresources.scale.specReplicasPath,
              statusReplicasPath: v.subresources.scale.statusReplicasPath,
              ...(v.subresources.scale.labelSelectorPath
                ? { labelSelectorPath: v.subresources.scale.labelSelectorPath }
                : {}),
            },
          }
        : {}),
      storageKey: `${crd.spec.group}/${n.plural}`,
      storageVersion: storage,
      strategy: customResourceStrategy(crd, v.name, v.subresources?.status !== undefined),
      fromStorage: (o: KubeObject) => convert(crd, o, v.name, webhook),
      toStorage: (o: KubeObject) => convert(crd, o, storage, webhook),
      crdName: crd.metadata.name ?? '',
    }));
}

/** ValidateCustomResourceDefinition essentials, with the real field paths. */
export function validateCrd(o: KubeObject): StatusCause[] {
  const out: StatusCause[] = [];
  const crd = o as unknown as CustomResourceDefinition;
  const spec = isObject(o.spec) ? o.spec : undefined;
  if (!spec) return [required('spec')];
  const group = typeof spec.group === 'string' ? spec.group : '';
  if (!group) out.push(required('spec.group'));
  else {
    for (const e of dns1123SubdomainErrors(group)) out.push(invalidValue('spec.group', group, e));
    if (group.split('.').length < 2)
      out.push(invalidValue('spec.group', group, 'should be a domain with at least one dot'));
  }
  const names = isObject(spec.names) ? spec.names : undefined;
  if (!names) out.push(required('spec.names'));
  else {
    if (typeof names.plural !== 'string' || !names.plural) out.push(required('spec.names.plural'));
    else
      for (const e of dns1123LabelErrors(names.plural))
        out.push(invalidValue('spec.names.plural', names.plural, e));
    if (typeof names.kind !== 'string' || !names.kind) out.push(required('spec.names.kind'));
    if (o.metadata.name !== `${String(names.plural)}.${group}`)
      out.push(
        invalidValue(
          'metadata.name',
          o.metadata.name ?? '',
          'must be spec.names.plural+"."+spec.group',
        ),
      );
  }
  if (spec.scope !== 'Namespaced' && spec.scope !== 'Cluster')
    out.push(
      spec.scope === undefined
        ? required('spec.scope')
        : invalidValue('spec.scope', spec.scope, 'must be either Namespaced or Cluster'),
    );
  const versions = Array.isArray(spec.versions) ? spec.versions : [];
  if (versions.length === 0)
    out.push(required('spec.versions', 'must have exactly one version marked as storage version'));
  const storageCount = versions.filter((v) => isObject(v) && v.storage === true).length;
  if (versions.length && storageCount !== 1)
    out.push(
      invalidValue(
        'spec.versions',
        versions.map((v) => (isObject(v) ? v.name : v)) as Json,
        'must have exactly one version marked as storage version',
      ),
    );
  const seen = new Set<string>();
  versions.forEach((v, i) => {
    const f = `spec.versions[${i}]`;
    if (!isObject(v)) return;
    if (typeof v.name !== 'string' || !v.name) out.push(required(`${f}.name`));
    else {
      if (seen.has(v.name))
        out.push({
          reason: 'FieldValueDuplicate',
          message: `Duplicate value: "${v.name}"`,
          field: `${f}.name`,
        });
      seen.add(v.name);
      for (const e of dns1123LabelErrors(v.name)) out.push(invalidValue(`${f}.name`, v.name, e));
    }
    const schema = isObject(v.schema) ? v.schema.openAPIV3Schema : undefined;
    if (!isObject(schema))
      out.push(required(`${f}.schema.openAPIV3Schema`, 'schemas are required'));
    else out.push(...checkStructuralSchema(schema as never, `${f}.schema.openAPIV3Schema`));
  });
  if (versions.length && !versions.some((v) => isObject(v) && v.served === true))
    out.push(
      invalidValue('spec.versions', null, 'must have at least one version marked as served'),
    );
  const conv = isObject(spec.conversion) ? spec.conversion : undefined;
  if (conv && conv.strategy !== 'None' && conv.strategy !== 'Webhook')
    out.push(
      invalidValue(
        'spec.conversion.strategy',
        conv.strategy ?? null,
        'must be either "None" or "Webhook"',
      ),
    );
  void crd;
  return out;
}

export const CRD_CLEANUP_FINALIZER = 'customresourcecleanup.apiextensions.k8s.io';

export function crdStrategy(): Strategy {
  const setStatus = (o: KubeObject, old: KubeObject | undefined) => {
    const spec = o.spec as unknown as CustomResourceDefinition['spec'];
    const storage = spec.versions?.find((v) => v.storage)?.name;
    const prev =
      old && isObject(old.status) && Array.isArray(old.status.storedVersions)
        ? (old.status.storedVersions as string[])
        : [];
    const stored = [...prev];
    if (storage && !stored.includes(storage)) stored.push(storage);
    const now = nowTime();
    o.status = {
      conditions: [
        {
          type: 'NamesAccepted',
          status: 'True',
          reason: 'NoConflicts',
          message: 'no conflicts found',
          lastTransitionTime: now,
        },
        {
          type: 'Established',
          status: 'True',
          reason: 'InitialNamesAccepted',
          message: 'the initial names have been accepted',
          lastTransitionTime: now,
        },
      ],
      acceptedNames: structuredClone(spec.names) as unknown as Json,
      storedVersions: stored,
    };
  };
  const defaults = (o: KubeObject) => {
    const spec = isObject(o.spec) ? o.spec : undefined;
    if (!spec) return;
    if (isObject(spec.names)) {
      const n = spec.names;
      if (typeof n.kind === 'string') {
        n.singular ??= n.kind.toLowerCase();
        n.listKind ??= `${n.kind}List`;
      }
    }
    spec.conversion ??= { strategy: 'None' };
  };
  return {
    allowUnconditionalUpdate: true,
    hasGeneration: true,
    prepareForCreate(o) {
      defaults(o);
      setStatus(o, undefined);
      // The apiextensions-apiserver holds every CRD with this finalizer until its objects are gone.
      const fins = Array.isArray(o.metadata.finalizers) ? o.metadata.finalizers : [];
      if (!fins.includes(CRD_CLEANUP_FINALIZER))
        o.metadata.finalizers = [...fins, CRD_CLEANUP_FINALIZER];
    },
    validate: validateCrd,
    prepareForUpdate(o, old) {
      defaults(o);
      setStatus(o, old);
    },
    validateUpdate(o, old) {
      const out = validateCrd(o);
      const s = o.spec as unknown as CustomResourceDefinition['spec'];
      const os = old.spec as unknown as CustomResourceDefinition['spec'];
      if (s.group !== os.group) out.push(invalidValue('spec.group', s.group, 'field is immutable'));
      if (s.names?.plural !== os.names?.plural)
        out.push(invalidValue('spec.names.plural', s.names?.plural ?? '', 'field is immutable'));
      if (s.scope !== os.scope) out.push(invalidValue('spec.scope', s.scope, 'field is immutable'));
      return out;
    },
    prepareForStatusUpdate(o, old) {
      return { ...o, spec: structuredClone(old.spec) } as KubeObject;
    },
  };
}

export { ApiError };
