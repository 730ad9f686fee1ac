// The create-only APIs of identity and access (nothing is stored): SelfSubjectAccessReview
// (`kubectl auth can-i`), SelfSubjectRulesReview (`kubectl auth can-i --list`),
// SubjectAccessReview, TokenReview, SelfSubjectReview (`kubectl auth whoami`), and the
// `serviceaccounts/token` subresource (TokenRequest, `kubectl create token`).
import {
  ApiError,
  invalid,
  invalidValue,
  methodNotAllowed,
  notFound,
  required,
  type StatusCause,
} from '../errors.ts';
import { isObject, type Json, type JsonObject } from '../schema/structural.ts';
import type {
  HandlerRequest,
  HandlerReply,
  ResourceType,
  SubresourceHandler,
} from '../registry/types.ts';
import { objectKey, type Store } from '../store.ts';
import { nowTime } from '../util/meta.ts';
import type { AccessControl } from './access.ts';
import { isPrivileged, userInfoJson, type UserInfo } from './identity.ts';
import type { RequestInfo } from './request-info.ts';

function reviewType(
  group: string,
  resource: string,
  kind: string,
  namespaced = false,
): ResourceType {
  return {
    group,
    version: 'v1',
    resource,
    kind,
    listKind: `${kind}List`,
    singular: kind.toLowerCase(),
    namespaced,
    shortNames: [],
    categories: [],
    verbs: ['create'],
    hasStatus: false,
    extraSubresources: [],
    storageKey: `${group}/${resource}`,
    storageVersion: 'v1',
    strategy: {},
  };
}

function str(v: Json | undefined): string {
  return typeof v === 'string' ? v : '';
}

/** SubjectAccessReviewSpec → the attributes the authorizer sees, or 422 causes. */
function attributesOf(spec: JsonObject, causes: StatusCause[]): RequestInfo | undefined {
  const ra = isObject(spec.resourceAttributes) ? spec.resourceAttributes : undefined;
  const nra = isObject(spec.nonResourceAttributes) ? spec.nonResourceAttributes : undefined;
  if (ra && nra) {
    causes.push(
      invalidValue(
        'spec.resourceAttributes',
        ra,
        'cannot be specified in combination with nonResourceAttributes',
      ),
    );
    return undefined;
  }
  if (!ra && !nra) {
    causes.push(
      required(
        'spec.resourceAttributes',
        'exactly one of nonResourceAttributes or resourceAttributes must be specified',
      ),
    );
    return undefined;
  }
  if (nra)
    return {
      isResourceRequest: false,
      path: str(nra.path),
      verb: str(nra.verb),
      apiGroup: '',
      apiVersion: '',
      namespace: '',
      resource: '',
      subresource: '',
      name: '',
    };
  const a = ra as JsonObject;
  return {
    isResourceRequest: true,
    path: '',
    verb: str(a.verb),
    apiGroup: str(a.group),
    apiVersion: str(a.version),
    namespace: str(a.namespace),
    resource: str(a.resource),
    subresource: str(a.subresource),
    name: str(a.name),
  };
}

function accessStatus(access: AccessControl, user: UserInfo, info: RequestInfo): JsonObject {
  const d = access.authorize(user, info);
  const status: JsonObject = { allowed: d.allowed };
  if (d.reason) status.reason = d.reason;
  return status;
}

async function bodyObject(r: HandlerRequest, kind: string): Promise<JsonObject> {
  const b = await r.body();
  const o = isObject(b) ? structuredClone(b) : {};
  o.kind = kind;
  o.metadata = { ...(isObject(o.metadata) ? o.metadata : {}), creationTimestamp: null };
  if (!isObject(o.spec)) o.spec = {};
  return o;
}

export function reviewTypes(access: AccessControl): ResourceType[] {
  const ssar = reviewType(
    'authorization.k8s.io',
    'selfsubjectaccessreviews',
    'SelfSubjectAccessReview',
  );
  ssar.virtual = async (r) => {
    const o = await bodyObject(r, 'SelfSubjectAccessReview');
    const causes: StatusCause[] = [];
    const info = attributesOf(o.spec as JsonObject, causes);
    if (!info) throw invalid('SelfSubjectAccessReview', 'authorization.k8s.io', '', causes);
    o.status = accessStatus(access, r.user, info);
    return { status: 201, body: o };
  };
  const sar = reviewType('authorization.k8s.io', 'subjectaccessreviews', 'SubjectAccessReview');
  sar.virtual = async (r) => {
    const o = await bodyObject(r, 'SubjectAccessReview');
    const spec = o.spec as JsonObject;
    const causes: StatusCause[] = [];
    const info = attributesOf(spec, causes);
    const groups = Array.isArray(spec.groups) ? spec.groups.map(String) : [];
    if (str(spec.user) === '' && groups.length === 0)
      causes.push(invalidValue('spec.user', '', 'at least one of user or group must be specified'));
    if (!info || causes.length)
      throw invalid('SubjectAccessReview', 'authorization.k8s.io', '', causes);
    const user: UserInfo = { username: str(spec.user), groups };
    if (str(spec.uid)) user.uid = str(spec.uid);
    o.status = accessStatus(access, user, info);
    return { status: 201, body: o };
  };
  const ssrr = reviewType(
    'authorization.k8s.io',
    'selfsubjectrulesreviews',
    'SelfSubjectRulesReview',
  );
  ssrr.virtual = async (r) => {
    const o = await bodyObject(r, 'SelfSubjectRulesReview');
    const ns = str((o.spec as JsonObject).namespace);
    let resourceRules: Json[] = [];
    let nonResourceRules: Json[] = [];
    let errors: string[] = [];
    if (isPrivileged(r.user)) {
      resourceRules = [{ verbs: ['*'], apiGroups: ['*'], resources: ['*'] }];
      nonResourceRules = [{ verbs: ['*'], nonResourceURLs: ['*'] }];
    } else {
      const got = access.rulesFor(r.user, ns);
      errors = got.errors;
      for (const rule of got.rules) {
        if (rule.nonResourceURLs?.length)
          nonResourceRules.push({ verbs: rule.verbs, nonResourceURLs: rule.nonResourceURLs });
        if (rule.resources?.length) {
          const rr: JsonObject = {
            verbs: rule.verbs,
            apiGroups: rule.apiGroups ?? [],
            resources: rule.resources,
          };
          if (rule.resourceNames?.length) rr.resourceNames = rule.resourceNames;
          resourceRules.push(rr);
        }
      }
    }
    const status: JsonObject = { resourceRules, nonResourceRules, incomplete: errors.length > 0 };
    if (errors.length) status.evaluationError = errors.join(', ');
    o.status = status;
    return { status: 201, body: o };
  };
  const tr = reviewType('authentication.k8s.io', 'tokenreviews', 'TokenReview');
  tr.virtual = async (r) => {
    const o = await bodyObject(r, 'TokenReview');
    const spec = o.spec as JsonObject;
    const got = access.authenticateToken(str(spec.token));
    o.status =
      'error' in got || got.anonymous
        ? { authenticated: false, user: {}, error: 'error' in got ? got.error : 'no token given' }
        : {
            authenticated: true,
            user: userInfoJson(got.user) as JsonObject,
            audiences: access.audiences,
          };
    return { status: 201, body: o };
  };
  const ssr = reviewType('authentication.k8s.io', 'selfsubjectreviews', 'SelfSubjectReview');
  ssr.virtual = async (r) => {
    const o = await bodyObject(r, 'SelfSubjectReview');
    delete o.spec;
    o.status = { userInfo: userInfoJson(r.user) as JsonObject };
    return { status: 201, body: o };
  };
  return [ssar, sar, ssrr, tr, ssr];
}

const TEN_MINUTES = 600;

/** serviceaccounts/token: TokenRequest (pkg/registry/core/serviceaccount/storage/token.go). */
export function tokenRequestHandler(access: AccessControl, store: Store): SubresourceHandler {
  return {
    kind: { group: 'authentication.k8s.io', version: 'v1', kind: 'TokenRequest' },
    verbs: ['create'],
    async handle(r): Promise<HandlerReply> {
      if (r.method !== 'POST')
        throw methodNotAllowed('the server does not allow this method on the requested resource');
      const ns = r.namespace ?? '';
      const sa = store.get('/serviceaccounts', objectKey(ns, r.name));
      if (!sa) throw notFound({ group: '', resource: 'serviceaccounts' }, r.name);
      const b = await r.body();
      const o: JsonObject = isObject(b) ? structuredClone(b) : {};
      const spec: JsonObject = isObject(o.spec) ? o.spec : {};
      const causes: StatusCause[] = [];
      const exp = spec.expirationSeconds ?? 3600;
      if (typeof exp !== 'number' || exp < TEN_MINUTES)
        causes.push(
          invalidValue(
            'spec.expirationSeconds',
            exp,
            'may not specify a duration less than 10 minutes',
          ),
        );
      else if (exp > 2 ** 32)
        causes.push(
          invalidValue(
            'spec.expirationSeconds',
            exp,
            'may not specify a duration larger than 2^32 seconds',
          ),
        );
      const audiences =
        Array.isArray(spec.audiences) && spec.audiences.length
          ? spec.audiences.map(String)
          : access.audiences;
      let bound: { kind: string; name: string; uid: string } | undefined;
      if (isObject(spec.boundObjectRef)) {
        const ref = spec.boundObjectRef;
        const kind = str(ref.kind);
        const bucket =
          kind === 'Pod'
            ? '/pods'
            : kind === 'Secret'
              ? '/secrets'
              : kind === 'Node'
                ? '/nodes'
                : '';
        if (!bucket)
          causes.push(
            invalidValue('spec.boundObjectRef.kind', kind, 'must be Pod, Secret or Node'),
          );
        else {
          const obj = store.get(
            bucket,
            kind === 'Node' ? str(ref.name) : objectKey(ns, str(ref.name)),
          );
          if (!obj) throw notFound({ group: '', resource: bucket.slice(1) }, str(ref.name));
          if (str(ref.uid) && ref.uid !== obj.metadata.uid)
            throw new ApiError(
              409,
              'Conflict',
              `the UID in the bound object reference (${str(ref.uid)}) does not match the UID in record. The object might have been deleted and then recreated`,
            );
          bound = { kind, name: str(ref.name), uid: String(obj.metadata.uid) };
        }
      }
      if (causes.length) throw invalid('TokenRequest', 'authentication.k8s.io', r.name, causes);
      const { token, claims } = access.signer.issue({
        namespace: ns,
        name: r.name,
        uid: String(sa.metadata.uid),
        audiences,
        expirationSeconds: exp as number,
        bound,
      });
      const out: JsonObject = {
        kind: 'TokenRequest',
        apiVersion: 'authentication.k8s.io/v1',
        metadata: { name: r.name, namespace: ns, creationTimestamp: nowTime() },
        spec: {
          ...spec,
          audiences,
          expirationSeconds: exp as number,
          boundObjectRef: spec.boundObjectRef ?? null,
        },
        status: {
          token,
          expirationTimestamp: new Date(claims.exp * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z'),
        },
      };
      if ((out.spec as JsonObject).boundObjectRef === null)
        delete (out.spec as JsonObject).boundObjectRef;
      return { status: 201, body: out };
    },
  };
}
