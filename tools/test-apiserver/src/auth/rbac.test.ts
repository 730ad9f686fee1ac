// RBAC evaluation against kube-apiserver's rules (plugin/pkg/auth/authorizer/rbac): rule
// matching (verbs, groups, resources/subresources, names, non-resource URLs), which bindings apply
// to which subject, aggregation, the allow/deny reasons and the 403 wording.
import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../registry/types.ts';
import { serviceAccountUser, type UserInfo } from './identity.ts';
import { authorize, forbiddenMessage, ruleAllows, rulesFor, type RbacSource } from './rbac.ts';
import { requestInfo } from './request-info.ts';

const RBAC = 'rbac.authorization.k8s.io';

function source(objs: KubeObject[]): RbacSource {
  const of = (kind: string) => objs.filter((o) => o.kind === kind);
  return {
    clusterRoleBindings: () => of('ClusterRoleBinding'),
    roleBindings: (ns) => of('RoleBinding').filter((o) => o.metadata.namespace === ns),
    clusterRole: (name) => of('ClusterRole').find((o) => o.metadata.name === name),
    clusterRoles: () => of('ClusterRole'),
    role: (ns, name) =>
      of('Role').find((o) => o.metadata.namespace === ns && o.metadata.name === name),
  };
}

const obj = (kind: string, name: string, rest: Record<string, unknown>, namespace?: string) =>
  ({
    apiVersion: `${RBAC}/v1`,
    kind,
    metadata: namespace ? { name, namespace } : { name },
    ...rest,
  }) as KubeObject;

const get = (path: string, method = 'GET', query = '') =>
  requestInfo(method, path, new URLSearchParams(query));

const sa = serviceAccountUser('metallb-system', 'controller');

describe('ruleAllows', () => {
  const info = get('/api/v1/namespaces/ns/pods/p/log');
  it('matches resource/subresource exactly, by `*`, or by `*/subresource`', () => {
    expect(ruleAllows({ verbs: ['get'], apiGroups: [''], resources: ['pods'] }, info)).toBe(false);
    expect(ruleAllows({ verbs: ['get'], apiGroups: [''], resources: ['pods/log'] }, info)).toBe(
      true,
    );
    expect(ruleAllows({ verbs: ['get'], apiGroups: [''], resources: ['*/log'] }, info)).toBe(true);
    expect(ruleAllows({ verbs: ['get'], apiGroups: [''], resources: ['*'] }, info)).toBe(true);
    expect(ruleAllows({ verbs: ['get'], apiGroups: ['apps'], resources: ['*'] }, info)).toBe(false);
    expect(ruleAllows({ verbs: ['list'], apiGroups: ['*'], resources: ['*'] }, info)).toBe(false);
  });
  it('resourceNames restrict named requests and never match a collection', () => {
    const rule = {
      verbs: ['get', 'list'],
      apiGroups: [''],
      resources: ['pods'],
      resourceNames: ['p'],
    };
    expect(ruleAllows(rule, get('/api/v1/namespaces/ns/pods/p'))).toBe(true);
    expect(ruleAllows(rule, get('/api/v1/namespaces/ns/pods/q'))).toBe(false);
    expect(ruleAllows(rule, get('/api/v1/namespaces/ns/pods'))).toBe(false);
  });
  it('non-resource URLs match exactly or by a trailing `*`', () => {
    const rule = { verbs: ['get'], nonResourceURLs: ['/apis/*', '/version'] };
    expect(ruleAllows(rule, get('/version'))).toBe(true);
    expect(ruleAllows(rule, get('/apis/apps'))).toBe(true);
    expect(ruleAllows(rule, get('/healthz'))).toBe(false);
  });
});

describe('authorize', () => {
  const objs = [
    obj('ClusterRole', 'pools-reader', {
      rules: [
        {
          verbs: ['get', 'list', 'watch'],
          apiGroups: ['metallb.io'],
          resources: ['ipaddresspools'],
        },
      ],
    }),
    obj('ClusterRoleBinding', 'metallb-system:controller', {
      roleRef: { apiGroup: RBAC, kind: 'ClusterRole', name: 'pools-reader' },
      subjects: [{ kind: 'ServiceAccount', name: 'controller', namespace: 'metallb-system' }],
    }),
    obj(
      'Role',
      'cm-writer',
      { rules: [{ verbs: ['create', 'update'], apiGroups: [''], resources: ['configmaps'] }] },
      'metallb-system',
    ),
    // A RoleBinding's ServiceAccount subject without namespace means the binding's namespace.
    obj(
      'RoleBinding',
      'controller',
      {
        roleRef: { apiGroup: RBAC, kind: 'Role', name: 'cm-writer' },
        subjects: [{ kind: 'ServiceAccount', name: 'controller' }],
      },
      'metallb-system',
    ),
    obj(
      'RoleBinding',
      'dangling',
      {
        roleRef: { apiGroup: RBAC, kind: 'ClusterRole', name: 'missing' },
        subjects: [{ kind: 'Group', name: 'system:serviceaccounts' }],
      },
      'other',
    ),
  ];
  const src = source(objs);

  it('allows what a ClusterRoleBinding grants anywhere, with kube-apiserver reason', () => {
    const d = authorize(src, sa, get('/apis/metallb.io/v1beta1/namespaces/x/ipaddresspools'));
    expect(d).toEqual({
      allowed: true,
      reason:
        'RBAC: allowed by ClusterRoleBinding "metallb-system:controller" of ClusterRole "pools-reader" to ServiceAccount "controller/metallb-system"',
    });
  });

  it('a RoleBinding grants only in its namespace', () => {
    const cm = (ns: string) => get(`/api/v1/namespaces/${ns}/configmaps`, 'POST');
    expect(authorize(src, sa, cm('metallb-system')).reason).toBe(
      'RBAC: allowed by RoleBinding "controller/metallb-system" of Role "cm-writer" to ServiceAccount "controller/metallb-system"',
    );
    expect(authorize(src, sa, cm('default'))).toEqual({ allowed: false, reason: '' });
    const other = serviceAccountUser('default', 'controller');
    expect(authorize(src, other, cm('metallb-system')).allowed).toBe(false);
  });

  it('names the missing role of an applicable binding in the denial reason', () => {
    const d = authorize(src, sa, get('/api/v1/namespaces/other/secrets'));
    expect(d).toEqual({
      allowed: false,
      reason: 'RBAC: clusterrole.rbac.authorization.k8s.io "missing" not found',
    });
  });

  it('matches User and Group subjects', () => {
    const alice: UserInfo = { username: 'alice', groups: ['devs', 'system:authenticated'] };
    const s = source([
      obj('ClusterRole', 'r', { rules: [{ verbs: ['*'], apiGroups: [''], resources: ['nodes'] }] }),
      obj('ClusterRoleBinding', 'b', {
        roleRef: { apiGroup: RBAC, kind: 'ClusterRole', name: 'r' },
        subjects: [{ kind: 'Group', name: 'devs' }],
      }),
    ]);
    expect(authorize(s, alice, get('/api/v1/nodes')).allowed).toBe(true);
    expect(authorize(s, { username: 'devs', groups: [] }, get('/api/v1/nodes')).allowed).toBe(
      false,
    );
  });

  it('aggregates ClusterRoles by label', () => {
    const s = source([
      obj('ClusterRole', 'agg', {
        aggregationRule: { clusterRoleSelectors: [{ matchLabels: { 'x/aggregate': 'true' } }] },
        rules: [],
      }),
      {
        ...obj('ClusterRole', 'part', {
          rules: [{ verbs: ['get'], apiGroups: [''], resources: ['services'] }],
        }),
        metadata: { name: 'part', labels: { 'x/aggregate': 'true' } },
      } as KubeObject,
      obj('ClusterRoleBinding', 'b', {
        roleRef: { apiGroup: RBAC, kind: 'ClusterRole', name: 'agg' },
        subjects: [{ kind: 'User', name: 'bob' }],
      }),
    ]);
    const bob = { username: 'bob', groups: [] };
    expect(authorize(s, bob, get('/api/v1/namespaces/a/services/s')).allowed).toBe(true);
    expect(rulesFor(s, bob, 'a').rules).toEqual([
      { verbs: ['get'], apiGroups: [''], resources: ['services'] },
    ]);
  });
});

describe('forbiddenMessage', () => {
  it('words namespaced, cluster-scoped and non-resource requests like kube-apiserver', () => {
    const u = 'system:serviceaccount:ns:sa';
    expect(forbiddenMessage(u, get('/api/v1/namespaces/y/configmaps/x'))).toBe(
      'User "system:serviceaccount:ns:sa" cannot get resource "configmaps" in API group "" in the namespace "y"',
    );
    expect(forbiddenMessage(u, get('/apis/apps/v1/deployments'))).toBe(
      'User "system:serviceaccount:ns:sa" cannot list resource "deployments" in API group "apps" at the cluster scope',
    );
    expect(forbiddenMessage(u, get('/api/v1/namespaces/y/pods/p/log'))).toContain(
      'cannot get resource "pods/log"',
    );
    expect(forbiddenMessage(u, get('/metrics'))).toBe(
      'User "system:serviceaccount:ns:sa" cannot get path "/metrics"',
    );
  });
});
