// Which webhooks a request calls (k8s.io/apiserver/pkg/admission/plugin/webhook/predicates and
// generic.ShouldCallHook), pure: rules (operations, apiGroups, apiVersions, resources with
// `res/sub`, `*`, `*\/sub`, scope), namespaceSelector (the namespace's labels; a Namespace
// create/update uses its own), objectSelector (object or old object), matchPolicy Equivalent
// (another version of the same resource matches, and the object is then sent in that version),
// and the exemption of the admission configuration kinds themselves.
import { isObject, type Json, type JsonObject } from '../schema/structural.ts';
import { selectorEmpty, selectorMatches } from '../util/label-selector.ts';

export interface GVR {
  group: string;
  version: string;
  resource: string;
}

export interface GVK {
  group: string;
  version: string;
  kind: string;
}

export interface MatchAttributes {
  operation: 'CREATE' | 'UPDATE' | 'DELETE' | 'CONNECT';
  resource: GVR;
  kind: GVK;
  subresource: string;
  /** '' for cluster-scoped resources (a Namespace's own requests carry its name). */
  namespace: string;
  object: JsonObject | undefined;
  oldObject: JsonObject | undefined;
}

/** Another served version of the same resource, for matchPolicy Equivalent. */
export interface Equivalent {
  resource: GVR;
  kind: GVK;
}

export interface Invocation {
  /** The version the webhook gets the object in. */
  resource: GVR;
  kind: GVK;
  subresource: string;
}

const NAMESPACES: GVR = { group: '', version: 'v1', resource: 'namespaces' };

function strings(v: Json | undefined): string[] {
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
}

function exactOrWildcard(items: string[], v: string): boolean {
  return items.some((i) => i === '*' || i === v);
}

function sameGVR(a: GVR, b: GVR): boolean {
  return a.group === b.group && a.version === b.version && a.resource === b.resource;
}

/** rules.Matcher.Matches for one RuleWithOperations. */
export function ruleMatches(rule: Json, a: MatchAttributes, resource: GVR = a.resource): boolean {
  if (!isObject(rule)) return false;
  const scope = typeof rule.scope === 'string' ? rule.scope : '*';
  if (scope === 'Namespaced' && (sameGVR(resource, NAMESPACES) || a.namespace === '')) return false;
  if (scope === 'Cluster' && !(sameGVR(resource, NAMESPACES) || a.namespace === '')) return false;
  if (scope !== '*' && scope !== 'Namespaced' && scope !== 'Cluster') return false;
  if (!exactOrWildcard(strings(rule.operations), a.operation)) return false;
  if (!exactOrWildcard(strings(rule.apiGroups), resource.group)) return false;
  if (!exactOrWildcard(strings(rule.apiVersions), resource.version)) return false;
  return strings(rule.resources).some((r) => {
    const i = r.indexOf('/');
    const res = i < 0 ? r : r.slice(0, i);
    const sub = i < 0 ? '' : r.slice(i + 1);
    return (res === '*' || res === resource.resource) && (sub === '*' || sub === a.subresource);
  });
}

/** namespace.Matcher: undefined labels = the namespace does not exist (the request gets its 404). */
export function namespaceSelectorMatches(
  hook: JsonObject,
  a: MatchAttributes,
  namespaceLabels: (name: string) => JsonObject | undefined,
): boolean | 'namespace-not-found' {
  if (a.namespace === '' && a.resource.resource !== 'namespaces') return true;
  if (selectorEmpty(hook.namespaceSelector)) return true;
  let labels: Json | undefined;
  if (
    a.resource.resource === 'namespaces' &&
    a.subresource === '' &&
    (a.operation === 'CREATE' || a.operation === 'UPDATE')
  )
    labels = isObject(a.object?.metadata) ? a.object.metadata.labels : undefined;
  else {
    const l = namespaceLabels(a.namespace);
    if (l === undefined) return 'namespace-not-found';
    labels = l;
  }
  return selectorMatches(hook.namespaceSelector, labels ?? {});
}

/** object.Matcher: the object or the old object must match (absent objects never do). */
export function objectSelectorMatches(hook: JsonObject, a: MatchAttributes): boolean {
  if (selectorEmpty(hook.objectSelector)) return true;
  const labelsOf = (o: JsonObject | undefined) =>
    o && isObject(o.metadata) ? (o.metadata.labels ?? {}) : undefined;
  const now = labelsOf(a.object);
  const old = labelsOf(a.oldObject);
  return (
    (now !== undefined && selectorMatches(hook.objectSelector, now)) ||
    (old !== undefined && selectorMatches(hook.objectSelector, old))
  );
}

/** The admission configuration kinds are never sent to webhooks (IsExemptAdmissionConfigurationResource). */
export function isExempt(kind: GVK): boolean {
  return (
    kind.group === 'admissionregistration.k8s.io' &&
    [
      'ValidatingWebhookConfiguration',
      'MutatingWebhookConfiguration',
      'ValidatingAdmissionPolicy',
      'ValidatingAdmissionPolicyBinding',
      'MutatingAdmissionPolicy',
      'MutatingAdmissionPolicyBinding',
    ].includes(kind.kind)
  );
}

/**
 * ShouldCallHook: the invocation (in which version the webhook gets the object), undefined when
 * the webhook does not apply, or 'namespace-not-found'.
 */
export function shouldCall(
  hook: JsonObject,
  a: MatchAttributes,
  namespaceLabels: (name: string) => JsonObject | undefined,
  equivalents: readonly Equivalent[],
): Invocation | undefined | 'namespace-not-found' {
  const ns = namespaceSelectorMatches(hook, a, namespaceLabels);
  if (ns === false) return undefined;
  if (!objectSelectorMatches(hook, a)) return undefined;
  const rules = Array.isArray(hook.rules) ? hook.rules : [];
  let inv: Invocation | undefined;
  if (rules.some((r) => ruleMatches(r, a)))
    inv = { resource: a.resource, kind: a.kind, subresource: a.subresource };
  if (!inv && (hook.matchPolicy ?? 'Equivalent') === 'Equivalent') {
    outer: for (const r of rules)
      for (const eq of equivalents) {
        if (sameGVR(eq.resource, a.resource)) continue;
        if (ruleMatches(r, a, eq.resource)) {
          inv = { resource: eq.resource, kind: eq.kind, subresource: a.subresource };
          break outer;
        }
      }
  }
  if (!inv) return undefined;
  if (ns === 'namespace-not-found') return ns;
  return inv;
}

/** Whether a webhook may be called for a dry-run request (sideEffects None or NoneOnDryRun). */
export function dryRunAllowed(hook: JsonObject): boolean {
  return hook.sideEffects === 'None' || hook.sideEffects === 'NoneOnDryRun';
}
