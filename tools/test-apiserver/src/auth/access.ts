// The request pipeline's access steps, in kube-apiserver's filter order: authentication (401),
// audit (the event carries the authenticated user and, when impersonating, the impersonated one),
// impersonation (Impersonate-User/-Group/-Uid/-Extra-*, itself authorized with the `impersonate`
// verb), then authorization: system:masters always, anonymous requests by `anonymousAccess`,
// everyone else by RBAC — with the 403 Status kube-apiserver sends (responsewriters.Forbidden).
import type { IncomingMessage, ServerResponse } from 'node:http';
import { ApiError, badRequest } from '../errors.ts';
import { objectKey, type Store } from '../store.ts';
import { AuditLog, type AuditOptions } from './audit.ts';
import { Authenticator, type StaticToken } from './authenticator.ts';
import {
  ALL_AUTHENTICATED,
  ALL_UNAUTHENTICATED,
  ANONYMOUS_USER,
  isPrivileged,
  parseServiceAccountUsername,
  serviceAccountGroups,
  type UserInfo,
} from './identity.ts';
import { authorize, forbiddenMessage, rulesFor, type Decision, type RbacSource } from './rbac.ts';
import { requestInfo, type RequestInfo } from './request-info.ts';
import { DEFAULT_ISSUER, TokenSigner } from './tokens.ts';

export interface AccessOptions extends AuditOptions {
  /** More bearer tokens and their users (like --token-auth-file). Default none. */
  staticTokens?: StaticToken[];
  /**
   * What a request without credentials may do. 'full' (default): everything — plain `fetch` in
   * tests keeps working; the audit log still names it system:anonymous. 'rbac': as kube-apiserver
   * with --anonymous-auth=true, RBAC decides (health and version only, by the bootstrap policy).
   */
  anonymousAccess?: 'full' | 'rbac';
  /** Audiences of the ServiceAccount tokens this server issues and accepts (--api-audiences). */
  apiAudiences?: string[];
  /** Where the token signing key is kept across restarts; undefined = a new key per start. */
  serviceAccountKeyFile?: string;
}

export interface RequestIdentity {
  /** Who is acting (the impersonated user when impersonating). */
  user: UserInfo;
  /** Who authenticated. */
  authenticated: UserInfo;
  info: RequestInfo;
}

function storeRbac(store: Store): RbacSource {
  const g = 'rbac.authorization.k8s.io';
  return {
    clusterRoleBindings: () => store.list(`${g}/clusterrolebindings`),
    roleBindings: (ns) => store.list(`${g}/rolebindings`, ns),
    clusterRole: (name) => store.get(`${g}/clusterroles`, name),
    clusterRoles: () => store.list(`${g}/clusterroles`),
    role: (ns, name) => store.get(`${g}/roles`, objectKey(ns, name)),
  };
}

/** apierrors.NewForbidden for a request the authorizer refused. */
export function forbiddenError(info: RequestInfo, username: string, reason: string): ApiError {
  const msg = forbiddenMessage(username, info) + (reason ? `: ${reason}` : '');
  if (!info.isResourceRequest) return new ApiError(403, 'Forbidden', `forbidden: ${msg}`, {});
  const gr = info.apiGroup ? `${info.resource}.${info.apiGroup}` : info.resource;
  const details: { name?: string; group?: string; kind: string } = { kind: info.resource };
  if (info.name) details.name = info.name;
  if (info.apiGroup) details.group = info.apiGroup;
  const head = info.name ? `${gr} ${JSON.stringify(info.name)}` : gr;
  return new ApiError(403, 'Forbidden', `${head} is forbidden: ${msg}`, details);
}

export class AccessControl {
  readonly audit: AuditLog;
  readonly signer: TokenSigner;
  readonly audiences: string[];
  private readonly authn: Authenticator;
  private readonly rbac: RbacSource;
  private readonly anonymousAccess: 'full' | 'rbac';

  constructor(store: Store, options: AccessOptions = {}) {
    this.signer = new TokenSigner({ keyFile: options.serviceAccountKeyFile });
    this.audiences = options.apiAudiences ?? [DEFAULT_ISSUER];
    this.authn = new Authenticator(store, this.signer, this.audiences, options.staticTokens);
    this.audit = new AuditLog(options);
    this.rbac = storeRbac(store);
    this.anonymousAccess = options.anonymousAccess ?? 'full';
  }

  /** The authorizer chain: privileged groups, then (for anonymous in 'full' mode) allow, then RBAC. */
  authorize(user: UserInfo, info: RequestInfo): Decision {
    if (isPrivileged(user)) return { allowed: true, reason: '' };
    if (user.username === ANONYMOUS_USER && this.anonymousAccess === 'full')
      return { allowed: true, reason: 'anonymous access is allowed by this test API server' };
    return authorize(this.rbac, user, info);
  }

  /** TokenReview: what a bearer token authenticates as. */
  authenticateToken(token: string) {
    return this.authn.authenticate(token ? `Bearer ${token}` : undefined);
  }

  rulesFor(user: UserInfo, namespace: string) {
    return rulesFor(this.rbac, user, namespace);
  }

  /**
   * Authenticates, impersonates and authorizes one HTTP request; throws the ApiError to send
   * (401, 403, 400 for bad impersonation headers). Arranges the audit event for when the
   * response starts.
   */
  check(
    req: IncomingMessage,
    res: ServerResponse,
    path: string,
    query: URLSearchParams,
  ): RequestIdentity {
    const received = new Date();
    const info = requestInfo(req.method ?? 'GET', path, query);
    // What the audit event says, filled in as the request gets through the steps below. A
    // request that fails authentication is audited too (with an empty user), as kube-apiserver's
    // failed-authentication audit does.
    const seen: { user: UserInfo; impersonated?: UserInfo; decision?: Decision } = {
      user: { username: '', groups: [] },
    };
    const streaming =
      info.verb === 'watch' || (info.subresource === 'log' && query.get('follow') === 'true');
    // The audit event: when the response is complete, with its status code; for a watch or a
    // followed log, when the response starts (its headers go out).
    let audited = false;
    const audit = (code: number) => {
      if (audited) return;
      audited = true;
      this.audit.record({
        info,
        requestURI: req.url ?? path,
        user: seen.user,
        impersonatedUser: seen.impersonated,
        sourceIP: req.socket.remoteAddress ?? '',
        userAgent: req.headers['user-agent'],
        code,
        received,
        streaming,
        decision: seen.decision,
      });
    };
    if (streaming) {
      const writeHead = res.writeHead.bind(res) as (...a: unknown[]) => ServerResponse;
      res.writeHead = ((...args: unknown[]) => {
        audit(Number(args[0]));
        return writeHead(...args);
      }) as typeof res.writeHead;
    } else res.once('finish', () => audit(res.statusCode));
    const result = this.authn.authenticate(req.headers.authorization);
    if ('error' in result) throw new ApiError(401, 'Unauthorized', 'Unauthorized');
    const authenticated = result.user;
    seen.user = authenticated;
    const impersonated = this.impersonate(req, authenticated);
    if (impersonated) seen.impersonated = impersonated;
    const user = impersonated ?? authenticated;
    const decision = this.authorize(user, info);
    seen.decision = decision;
    if (!decision.allowed) throw forbiddenError(info, user.username, decision.reason);
    return { user, authenticated, info };
  }

  private impersonate(req: IncomingMessage, requester: UserInfo): UserInfo | undefined {
    // Most requests impersonate no one: look at the (already parsed) header names first.
    let any = false;
    for (const k in req.headers)
      if (k.startsWith('impersonate-')) {
        any = true;
        break;
      }
    if (!any) return undefined;
    const h = req.headersDistinct;
    const username = h['impersonate-user']?.[0];
    const groups = h['impersonate-group'] ?? [];
    const uid = h['impersonate-uid']?.[0];
    const extra: Record<string, string[]> = {};
    for (const [k, v] of Object.entries(h))
      if (k.startsWith('impersonate-extra-') && v)
        extra[decodeURIComponent(k.slice('impersonate-extra-'.length))] = v;
    if (username === undefined) {
      if (groups.length || uid !== undefined || Object.keys(extra).length)
        throw badRequest(
          'requested impersonation of groups, uid or extra without impersonating a user',
        );
      return undefined;
    }
    const check = (attrs: Partial<RequestInfo>) => {
      const info: RequestInfo = {
        isResourceRequest: true,
        path: '',
        verb: 'impersonate',
        apiGroup: '',
        apiVersion: '',
        namespace: '',
        resource: '',
        subresource: '',
        name: '',
        ...attrs,
      };
      const d = this.authorize(requester, info);
      if (!d.allowed) throw forbiddenError(info, requester.username, d.reason);
    };
    const sa = parseServiceAccountUsername(username);
    let outGroups = [...groups];
    if (sa) {
      check({ resource: 'serviceaccounts', namespace: sa.namespace, name: sa.name });
      if (groups.length === 0) outGroups = serviceAccountGroups(sa.namespace);
    } else check({ resource: 'users', name: username });
    for (const g of groups) check({ resource: 'groups', name: g });
    if (uid !== undefined) check({ resource: 'uids', name: uid });
    for (const [k, vs] of Object.entries(extra))
      for (const v of vs)
        check({
          apiGroup: 'authentication.k8s.io',
          resource: 'userextras',
          subresource: k,
          name: v,
        });
    if (username !== ANONYMOUS_USER) {
      if (!outGroups.includes(ALL_AUTHENTICATED) && !outGroups.includes(ALL_UNAUTHENTICATED))
        outGroups.push(ALL_AUTHENTICATED);
    } else if (!outGroups.includes(ALL_UNAUTHENTICATED)) outGroups.push(ALL_UNAUTHENTICATED);
    const u: UserInfo = { username, groups: outGroups };
    if (uid !== undefined) u.uid = uid;
    if (Object.keys(extra).length) u.extra = extra;
    return u;
  }
}
