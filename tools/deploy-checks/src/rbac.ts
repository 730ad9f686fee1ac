// Kubernetes RBAC's authorizer, small: which rule of a ServiceAccount's Roles and ClusterRoles
// allows an API call (k8s.io/kubernetes plugin/pkg/auth/authorizer/rbac: verbs, API groups,
// resources with subresources, resourceNames, '*'; a RoleBinding grants in its namespace only, a
// ClusterRoleBinding everywhere; a resourceNames rule never matches list, watch or create).
import type { K8sObject } from './manifests.ts';

export interface ApiCall {
  readonly verb: string;
  readonly group: string;
  /** `services`, or with a subresource `services/status`. */
  readonly resource: string;
  /** The namespace of a namespaced request; undefined = cluster-scoped or across namespaces. */
  readonly namespace?: string;
  readonly name?: string;
  /** What the process does with it (for the failure message and the README). */
  readonly why: string;
}

interface Rule {
  apiGroups?: string[];
  resources?: string[];
  verbs?: string[];
  resourceNames?: string[];
}

export interface Grant {
  /** 'cluster' (ClusterRoleBinding) or the RoleBinding's namespace. */
  readonly scope: string;
  /** `Role/ns/name` or `ClusterRole/name`. */
  readonly from: string;
  readonly rule: Rule;
}

interface Binding {
  metadata: { name: string; namespace?: string };
  roleRef: { kind: string; name: string };
  subjects?: { kind: string; name: string; namespace?: string }[];
}

/** The rules bound to a ServiceAccount by the objects of a manifest. */
export function grantsOf(
  objs: readonly K8sObject[],
  sa: { name: string; namespace: string },
): Grant[] {
  const out: Grant[] = [];
  const role = (kind: string, name: string, ns?: string) =>
    objs.find(
      (o) =>
        o.kind === kind &&
        o.metadata.name === name &&
        (kind === 'ClusterRole' || o.metadata.namespace === ns),
    ) as (K8sObject & { rules?: Rule[] }) | undefined;
  for (const o of objs) {
    if (o.kind !== 'RoleBinding' && o.kind !== 'ClusterRoleBinding') continue;
    const b = o as unknown as Binding;
    const bindingNs = b.metadata.namespace;
    const subject = (b.subjects ?? []).some(
      (s) =>
        s.kind === 'ServiceAccount' &&
        s.name === sa.name &&
        (s.namespace ?? bindingNs) === sa.namespace,
    );
    if (!subject) continue;
    const r = role(b.roleRef.kind, b.roleRef.name, bindingNs);
    if (!r)
      throw new Error(
        `${o.kind} ${b.metadata.name} refers to a missing ${b.roleRef.kind} ${b.roleRef.name}`,
      );
    const scope = o.kind === 'ClusterRoleBinding' ? 'cluster' : (bindingNs as string);
    const from =
      b.roleRef.kind === 'Role'
        ? `Role/${bindingNs}/${b.roleRef.name}`
        : `ClusterRole/${b.roleRef.name}`;
    for (const rule of r.rules ?? []) out.push({ scope, from, rule });
  }
  return out;
}

const has = (list: readonly string[] | undefined, v: string) =>
  (list ?? []).includes('*') || (list ?? []).includes(v);

function ruleAllows(rule: Rule, call: ApiCall): boolean {
  if (!has(rule.verbs, call.verb) || !has(rule.apiGroups, call.group)) return false;
  const [res, sub] = call.resource.split('/');
  const rs = rule.resources ?? [];
  const resOk =
    rs.includes('*') ||
    rs.includes(call.resource) ||
    (sub !== undefined && (rs.includes(`${res}/*`) || rs.includes(`*/${sub}`)));
  if (!resOk) return false;
  if (rule.resourceNames && rule.resourceNames.length > 0) {
    return call.name !== undefined && rule.resourceNames.includes(call.name);
  }
  return true;
}

/** The first grant that allows the call, or undefined (denied). */
export function allowed(grants: readonly Grant[], call: ApiCall): Grant | undefined {
  return grants.find(
    (g) =>
      (g.scope === 'cluster' || (call.namespace !== undefined && g.scope === call.namespace)) &&
      ruleAllows(g.rule, call),
  );
}

/** Every (grant, verb, resource, name) a set of grants gives, for the "nothing more" check. */
export function expandGrants(
  grants: readonly Grant[],
): { grant: Grant; verb: string; group: string; resource: string; name?: string }[] {
  const out: { grant: Grant; verb: string; group: string; resource: string; name?: string }[] = [];
  for (const g of grants) {
    for (const verb of g.rule.verbs ?? [])
      for (const group of g.rule.apiGroups ?? [])
        for (const resource of g.rule.resources ?? []) {
          const names = g.rule.resourceNames?.length ? g.rule.resourceNames : [undefined];
          for (const name of names)
            out.push({ grant: g, verb, group, resource, ...(name ? { name } : {}) });
        }
  }
  return out;
}
