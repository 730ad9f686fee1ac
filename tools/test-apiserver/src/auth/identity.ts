// Who a request is (k8s.io/apiserver/pkg/authentication/user.Info): the admin of the kubeconfig
// this server writes, ServiceAccounts (system:serviceaccount:<ns>:<name> and their fixed groups,
// k8s.io/apiserver/pkg/authentication/serviceaccount), the anonymous user, and static users.

export interface UserInfo {
  username: string;
  uid?: string;
  groups: string[];
  extra?: Record<string, string[]>;
}

export const ALL_AUTHENTICATED = 'system:authenticated';
export const ALL_UNAUTHENTICATED = 'system:unauthenticated';
export const SYSTEM_MASTERS = 'system:masters';
export const ANONYMOUS_USER = 'system:anonymous';

/** kubeadm's admin user (admin.conf). system:masters is never subject to RBAC. */
export const ADMIN: UserInfo = {
  username: 'kubernetes-admin',
  groups: [SYSTEM_MASTERS, ALL_AUTHENTICATED],
};

export const ANONYMOUS: UserInfo = { username: ANONYMOUS_USER, groups: [ALL_UNAUTHENTICATED] };

const SA_PREFIX = 'system:serviceaccount:';

export function serviceAccountUsername(namespace: string, name: string): string {
  return `${SA_PREFIX}${namespace}:${name}`;
}

/** `system:serviceaccount:ns:name` → { namespace, name }, or undefined for other usernames. */
export function parseServiceAccountUsername(
  username: string,
): { namespace: string; name: string } | undefined {
  if (!username.startsWith(SA_PREFIX)) return undefined;
  const parts = username.slice(SA_PREFIX.length).split(':');
  if (parts.length !== 2 || !parts[0] || !parts[1]) return undefined;
  return { namespace: parts[0], name: parts[1] };
}

/** The groups every ServiceAccount belongs to (serviceaccount.MakeGroupNames). */
export function serviceAccountGroups(namespace: string): string[] {
  return ['system:serviceaccounts', `system:serviceaccounts:${namespace}`];
}

export function serviceAccountUser(namespace: string, name: string, uid?: string): UserInfo {
  const u: UserInfo = {
    username: serviceAccountUsername(namespace, name),
    groups: [...serviceAccountGroups(namespace), ALL_AUTHENTICATED],
  };
  if (uid) u.uid = uid;
  return u;
}

export function isPrivileged(user: UserInfo): boolean {
  return user.groups.includes(SYSTEM_MASTERS);
}

/** user.Info as it appears in AdmissionReview, TokenReview and audit events. */
export function userInfoJson(u: UserInfo): Record<string, unknown> {
  const out: Record<string, unknown> = { username: u.username };
  if (u.uid) out.uid = u.uid;
  out.groups = [...u.groups];
  if (u.extra && Object.keys(u.extra).length) out.extra = structuredClone(u.extra);
  return out;
}
