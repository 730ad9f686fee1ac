// RBAC authorization (plugin/pkg/auth/authorizer/rbac and pkg/registry/rbac/validation/rule.go),
// pure over the Role/ClusterRole/binding objects: which bindings apply to a user, the rules they
// grant, whether one allows a request, and the reasons kube-apiserver gives ("RBAC: allowed by
// ClusterRoleBinding ..." / "RBAC: clusterrole.rbac.authorization.k8s.io "x" not found").
// ClusterRoles with an aggregationRule get the rules of the ClusterRoles their selectors pick,
// as the clusterrole-aggregation controller would have written them.
import { isObject, type Json } from '../schema/structural.ts';
import type { KubeObject } from '../registry/types.ts';
import { selectorMatches } from '../util/label-selector.ts';
import { serviceAccountUsername, type UserInfo } from './identity.ts';
import type { RequestInfo } from './request-info.ts';

export interface PolicyRule {
  verbs: string[];
  apiGroups?: string[];
  resources?: string[];
  resourceNames?: string[];
  nonResourceURLs?: string[];
}

/** Where the RBAC objects come from (the store, or plain arrays in unit tests). */
export interface RbacSource {
  clusterRoleBindings(): readonly KubeObject[];
  roleBindings(namespace: string): readonly KubeObject[];
  clusterRole(name: string): KubeObject | undefined;
  clusterRoles(): readonly KubeObject[];
  role(namespace: string, name: string): KubeObject | undefined;
}

export interface Decision {
  allowed: boolean;
  /** kube-apiserver's reason: the granting binding, or resolution errors on a denial. */
  reason: string;
}

function strings(v: Json | undefined): string[] {
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
}

function toRules(v: Json | undefined): PolicyRule[] {
  if (!Array.isArray(v)) return [];
  return v.filter(isObject).map((r) => {
    const rule: PolicyRule = { verbs: strings(r.verbs) };
    if (r.apiGroups !== undefined) rule.apiGroups = strings(r.apiGroups);
    if (r.resources !== undefined) rule.resources = strings(r.resources);
    if (r.resourceNames !== undefined) rule.resourceNames = strings(r.resourceNames);
    if (r.nonResourceURLs !== undefined) rule.nonResourceURLs = strings(r.nonResourceURLs);
    return rule;
  });
}

function has(list: readonly string[] | undefined, v: string): boolean {
  return (list ?? []).some((x) => x === '*' || x === v);
}

/** ResourceMatches: `*`, the exact `resource/subresource`, or `*\/subresource`. */
function resourceMatches(rule: PolicyRule, combined: string, sub: string): boolean {
  for (const r of rule.resources ?? []) {
    if (r === '*' || r === combined) return true;
    if (sub && r === `*/${sub}`) return true;
  }
  return false;
}

function nonResourceURLMatches(rule: PolicyRule, path: string): boolean {
  for (const u of rule.nonResourceURLs ?? []) {
    if (u === '*' || u === path) return true;
    if (u.endsWith('*') && path.startsWith(u.slice(0, -1))) return true;
  }
  return false;
}

/** RuleAllows of the RBAC authorizer. */
export function ruleAllows(rule: PolicyRule, a: RequestInfo): boolean {
  if (!rule.verbs.some((v) => v === '*' || v === a.verb)) return false;
  if (!a.isResourceRequest) return nonResourceURLMatches(rule, a.path);
  const combined = a.subresource ? `${a.resource}/${a.subresource}` : a.resource;
  if (!has(rule.apiGroups, a.apiGroup)) return false;
  if (!resourceMatches(rule, combined, a.subresource)) return false;
  const names = rule.resourceNames ?? [];
  return names.length === 0 || names.includes(a.name);
}

function appliesToUser(user: UserInfo, s: Json, namespace: string): boolean {
  if (!isObject(s) || typeof s.name !== 'string') return false;
  switch (s.kind) {
    case 'User':
      return user.username === s.name;
    case 'Group':
      return user.groups.includes(s.name);
    case 'ServiceAccount': {
      // A RoleBinding's ServiceAccount subject without a namespace means the binding's namespace.
      const ns = typeof s.namespace === 'string' && s.namespace !== '' ? s.namespace : namespace;
      return ns !== '' && user.username === serviceAccountUsername(ns, s.name);
    }
    default:
      return false;
  }
}

function describeSubject(s: Json, bindingNs: string): string {
  const o = isObject(s) ? s : {};
  const name = String(o.name ?? '');
  if (o.kind === 'ServiceAccount') {
    const ns = typeof o.namespace === 'string' && o.namespace ? o.namespace : bindingNs;
    return `ServiceAccount ${JSON.stringify(`${name}/${ns}`)}`;
  }
  return `${String(o.kind ?? '')} ${JSON.stringify(name)}`;
}

function clusterRoleRules(src: RbacSource, role: KubeObject): PolicyRule[] {
  const agg = isObject(role.aggregationRule) ? role.aggregationRule : undefined;
  const own = toRules(role.rules);
  if (!agg || !Array.isArray(agg.clusterRoleSelectors)) return own;
  const out = [...own];
  for (const other of src.clusterRoles()) {
    if (other.metadata.name === role.metadata.name) continue;
    if (agg.clusterRoleSelectors.some((sel) => selectorMatches(sel, other.metadata.labels)))
      out.push(...toRules(other.rules));
  }
  return out;
}

function roleRefRules(
  src: RbacSource,
  ref: Json | undefined,
  bindingNs: string,
): PolicyRule[] | string {
  const r = isObject(ref) ? ref : {};
  const name = String(r.name ?? '');
  if (r.kind === 'Role') {
    const role = src.role(bindingNs, name);
    return role
      ? toRules(role.rules)
      : `role.rbac.authorization.k8s.io ${JSON.stringify(name)} not found`;
  }
  if (r.kind === 'ClusterRole') {
    const role = src.clusterRole(name);
    return role
      ? clusterRoleRules(src, role)
      : `clusterrole.rbac.authorization.k8s.io ${JSON.stringify(name)} not found`;
  }
  return `unsupported role reference kind: ${JSON.stringify(String(r.kind ?? ''))}`;
}

/**
 * VisitRulesFor: every rule granted to `user` in `namespace` (cluster-wide bindings first, then the
 * namespace's RoleBindings), with where it came from; stops when `visit` returns false.
 */
export function visitRules(
  src: RbacSource,
  user: UserInfo,
  namespace: string,
  visit: (source: string, rule: PolicyRule | undefined, error: string | undefined) => boolean,
): void {
  for (const b of src.clusterRoleBindings()) {
    const subjects = Array.isArray(b.subjects) ? b.subjects : [];
    const subject = subjects.find((s) => appliesToUser(user, s, ''));
    if (subject === undefined) continue;
    const rules = roleRefRules(src, b.roleRef, '');
    if (typeof rules === 'string') {
      if (!visit('', undefined, rules)) return;
      continue;
    }
    const ref = isObject(b.roleRef) ? b.roleRef : {};
    const source = `ClusterRoleBinding ${JSON.stringify(b.metadata.name ?? '')} of ${String(ref.kind)} ${JSON.stringify(String(ref.name ?? ''))} to ${describeSubject(subject, '')}`;
    for (const r of rules) if (!visit(source, r, undefined)) return;
  }
  if (!namespace) return;
  for (const b of src.roleBindings(namespace)) {
    const subjects = Array.isArray(b.subjects) ? b.subjects : [];
    const subject = subjects.find((s) => appliesToUser(user, s, namespace));
    if (subject === undefined) continue;
    const rules = roleRefRules(src, b.roleRef, namespace);
    if (typeof rules === 'string') {
      if (!visit('', undefined, rules)) return;
      continue;
    }
    const ref = isObject(b.roleRef) ? b.roleRef : {};
    const source = `RoleBinding ${JSON.stringify(`${b.metadata.name ?? ''}/${namespace}`)} of ${String(ref.kind)} ${JSON.stringify(String(ref.name ?? ''))} to ${describeSubject(subject, namespace)}`;
    for (const r of rules) if (!visit(source, r, undefined)) return;
  }
}

/** The RBAC authorizer's decision for one request. */
export function authorize(src: RbacSource, user: UserInfo, a: RequestInfo): Decision {
  let allowedBy: string | undefined;
  const errors: string[] = [];
  visitRules(src, user, a.namespace, (source, rule, error) => {
    if (error) errors.push(error);
    if (rule && ruleAllows(rule, a)) {
      allowedBy = source;
      return false;
    }
    return true;
  });
  if (allowedBy !== undefined) return { allowed: true, reason: `RBAC: allowed by ${allowedBy}` };
  if (errors.length === 0) return { allowed: false, reason: '' };
  return {
    allowed: false,
    reason: `RBAC: ${errors.length === 1 ? errors[0] : `[${errors.join(', ')}]`}`,
  };
}

/** RulesFor: every rule that applies to `user` in `namespace`, and the resolution errors. */
export function rulesFor(
  src: RbacSource,
  user: UserInfo,
  namespace: string,
): { rules: PolicyRule[]; errors: string[] } {
  const rules: PolicyRule[] = [];
  const errors: string[] = [];
  visitRules(src, user, namespace, (_s, rule, error) => {
    if (rule) rules.push(rule);
    if (error) errors.push(error);
    return true;
  });
  return { rules, errors };
}

/**
 * The 403 text of responsewriters.Forbidden: `User "u" cannot get resource "pods" in API group ""
 * in the namespace "ns"` (or `at the cluster scope`, or `cannot get path "/x"`).
 */
export function forbiddenMessage(username: string, a: RequestInfo): string {
  if (!a.isResourceRequest)
    return `User ${JSON.stringify(username)} cannot ${a.verb} path ${JSON.stringify(a.path)}`;
  const resource = a.subresource ? `${a.resource}/${a.subresource}` : a.resource;
  const where = a.namespace
    ? `in the namespace ${JSON.stringify(a.namespace)}`
    : 'at the cluster scope';
  return `User ${JSON.stringify(username)} cannot ${a.verb} resource ${JSON.stringify(resource)} in API group ${JSON.stringify(a.apiGroup)} ${where}`;
}
