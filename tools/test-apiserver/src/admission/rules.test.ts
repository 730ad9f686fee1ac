// Webhook matching as kube-apiserver's predicates do it (rules, scope, selectors, Equivalent
// match policy) and the AdmissionReview response checks and error wording.
import { describe, expect, it } from 'vitest';
import type { JsonObject } from '../schema/structural.ts';
import {
  denialError,
  internalCallError,
  callingErrorText,
  verifyResponse,
  admissionReview,
} from './review.ts';
import {
  dryRunAllowed,
  isExempt,
  namespaceSelectorMatches,
  objectSelectorMatches,
  ruleMatches,
  shouldCall,
  type MatchAttributes,
} from './rules.ts';

const pools: MatchAttributes = {
  operation: 'CREATE',
  resource: { group: 'metallb.io', version: 'v1beta1', resource: 'ipaddresspools' },
  kind: { group: 'metallb.io', version: 'v1beta1', kind: 'IPAddressPool' },
  subresource: '',
  namespace: 'metallb-system',
  object: { metadata: { name: 'p', labels: { team: 'net' } } },
  oldObject: undefined,
};

const rule = (r: JsonObject) => ({
  operations: ['CREATE', 'UPDATE'],
  apiGroups: ['metallb.io'],
  apiVersions: ['v1beta1'],
  resources: ['ipaddresspools'],
  ...r,
});

describe('ruleMatches', () => {
  it('matches operations, groups, versions and resources, with wildcards', () => {
    expect(ruleMatches(rule({}), pools)).toBe(true);
    expect(ruleMatches(rule({ operations: ['DELETE'] }), pools)).toBe(false);
    expect(ruleMatches(rule({ operations: ['*'] }), pools)).toBe(true);
    expect(ruleMatches(rule({ apiGroups: ['*'], apiVersions: ['*'] }), pools)).toBe(true);
    expect(ruleMatches(rule({ apiVersions: ['v1beta2'] }), pools)).toBe(false);
  });

  it('`*` is every resource but no subresource; `*/*` and `x/status` reach subresources', () => {
    const status = { ...pools, operation: 'UPDATE' as const, subresource: 'status' };
    expect(ruleMatches(rule({}), status)).toBe(false);
    expect(ruleMatches(rule({ resources: ['*'] }), status)).toBe(false);
    expect(ruleMatches(rule({ resources: ['*/*'] }), status)).toBe(true);
    expect(ruleMatches(rule({ resources: ['ipaddresspools/status'] }), status)).toBe(true);
    expect(ruleMatches(rule({ resources: ['*/status'] }), status)).toBe(true);
    expect(ruleMatches(rule({ resources: ['*/status'] }), pools)).toBe(false);
  });

  it('scope: Namespaced excludes cluster-scoped requests and Namespaces themselves', () => {
    expect(ruleMatches(rule({ scope: 'Namespaced' }), pools)).toBe(true);
    expect(ruleMatches(rule({ scope: 'Cluster' }), pools)).toBe(false);
    const ns: MatchAttributes = {
      ...pools,
      resource: { group: '', version: 'v1', resource: 'namespaces' },
      kind: { group: '', version: 'v1', kind: 'Namespace' },
      namespace: 'foo',
    };
    const any = { apiGroups: [''], apiVersions: ['v1'], resources: ['namespaces'] };
    expect(ruleMatches(rule({ ...any, scope: 'Namespaced' }), ns)).toBe(false);
    expect(ruleMatches(rule({ ...any, scope: 'Cluster' }), ns)).toBe(true);
  });
});

describe('selectors', () => {
  const labels = (ns: string) => (ns === 'metallb-system' ? { env: 'prod' } : undefined);

  it('namespaceSelector reads the namespace labels; a Namespace write uses its own', () => {
    const hook = { namespaceSelector: { matchLabels: { env: 'prod' } } };
    expect(namespaceSelectorMatches(hook, pools, labels)).toBe(true);
    expect(namespaceSelectorMatches(hook, { ...pools, namespace: 'gone' }, labels)).toBe(
      'namespace-not-found',
    );
    const nsCreate: MatchAttributes = {
      ...pools,
      resource: { group: '', version: 'v1', resource: 'namespaces' },
      namespace: '',
      object: { metadata: { name: 'x', labels: { env: 'dev' } } },
    };
    expect(namespaceSelectorMatches(hook, nsCreate, labels)).toBe(false);
    // A cluster-scoped request that is not about a namespace is never exempted.
    expect(
      namespaceSelectorMatches(hook, { ...pools, namespace: '' }, () => ({ env: 'dev' })),
    ).toBe(true);
  });

  it('objectSelector matches the object or the old object', () => {
    const hook = {
      objectSelector: { matchExpressions: [{ key: 'team', operator: 'In', values: ['net'] }] },
    };
    expect(objectSelectorMatches(hook, pools)).toBe(true);
    const del = { ...pools, object: undefined, oldObject: { metadata: { labels: { team: 'x' } } } };
    expect(objectSelectorMatches(hook, del)).toBe(false);
    expect(
      objectSelectorMatches(hook, { ...del, oldObject: { metadata: { labels: { team: 'net' } } } }),
    ).toBe(true);
  });
});

describe('shouldCall', () => {
  const v2 = {
    resource: { group: 'metallb.io', version: 'v1beta2', resource: 'bgppeers' },
    kind: { group: 'metallb.io', version: 'v1beta2', kind: 'BGPPeer' },
  };
  const peerV1: MatchAttributes = {
    ...pools,
    resource: { group: 'metallb.io', version: 'v1beta1', resource: 'bgppeers' },
    kind: { group: 'metallb.io', version: 'v1beta1', kind: 'BGPPeer' },
  };
  const hook = {
    rules: [rule({ apiVersions: ['v1beta2'], resources: ['bgppeers'] })],
  };

  it('matchPolicy Equivalent calls the webhook in the version its rule names', () => {
    expect(shouldCall(hook, peerV1, () => ({}), [v2])).toEqual({ ...v2, subresource: '' });
    expect(shouldCall({ ...hook, matchPolicy: 'Exact' }, peerV1, () => ({}), [v2])).toBe(undefined);
  });

  it('a namespace that is missing fails only when a rule matches', () => {
    const sel = { ...hook, namespaceSelector: { matchLabels: { a: 'b' } } };
    expect(shouldCall(sel, peerV1, () => undefined, [v2])).toBe('namespace-not-found');
    expect(shouldCall(sel, pools, () => undefined, [])).toBe(undefined);
  });

  it('exempts the admission configuration kinds and knows which side effects allow dry run', () => {
    expect(
      isExempt({
        group: 'admissionregistration.k8s.io',
        version: 'v1',
        kind: 'ValidatingWebhookConfiguration',
      }),
    ).toBe(true);
    expect(isExempt(pools.kind)).toBe(false);
    expect(dryRunAllowed({ sideEffects: 'None' })).toBe(true);
    expect(dryRunAllowed({ sideEffects: 'NoneOnDryRun' })).toBe(true);
    expect(dryRunAllowed({ sideEffects: 'Some' })).toBe(false);
    expect(dryRunAllowed({ sideEffects: 'Unknown' })).toBe(false);
  });
});

describe('AdmissionReview', () => {
  const review = admissionReview({
    uid: 'u1',
    invocation: { resource: pools.resource, kind: pools.kind, subresource: '' },
    requestKind: pools.kind,
    requestResource: pools.resource,
    requestSubResource: '',
    name: 'p',
    namespace: 'metallb-system',
    operation: 'CREATE',
    user: { username: 'alice', groups: ['system:authenticated'] },
    object: { metadata: { name: 'p' } },
    oldObject: undefined,
    dryRun: false,
    options: { kind: 'CreateOptions', apiVersion: 'meta.k8s.io/v1' },
  });

  it('carries what a webhook needs', () => {
    expect(review).toMatchObject({
      apiVersion: 'admission.k8s.io/v1',
      kind: 'AdmissionReview',
      request: {
        uid: 'u1',
        operation: 'CREATE',
        userInfo: { username: 'alice' },
        oldObject: null,
        dryRun: false,
      },
    });
  });

  const resp = (r: JsonObject) => ({
    apiVersion: 'admission.k8s.io/v1',
    kind: 'AdmissionReview',
    response: { uid: 'u1', ...r },
  });

  it('checks the uid, the kind and the patch rules', () => {
    expect(verifyResponse('u2', false, resp({ allowed: true }))).toBe(
      'expected response.uid="u2", got "u1"',
    );
    expect(verifyResponse('u1', false, { ...resp({}), kind: 'X' })).toMatch(/^expected webhook/);
    expect(verifyResponse('u1', false, resp({ allowed: true, patch: 'W10=' }))).toBe(
      'validating webhook may not return response.patch',
    );
    expect(verifyResponse('u1', true, resp({ allowed: true, patch: 'W10=' }))).toBe(
      'webhook returned response.patch but not response.patchType',
    );
    const ops = Buffer.from(JSON.stringify([{ op: 'add', path: '/x', value: 1 }])).toString(
      'base64',
    );
    expect(
      verifyResponse('u1', true, resp({ allowed: true, patch: ops, patchType: 'JSONPatch' })),
    ).toMatchObject({ allowed: true, patch: [{ op: 'add', path: '/x', value: 1 }] });
  });

  it('words a denial as ToStatusErr does, keeping the webhook code (at least 400)', () => {
    const e = denialError('pool.metallb.io', { code: 403, reason: 'Forbidden', message: 'bad' });
    expect(e.toStatus()).toMatchObject({
      code: 403,
      reason: 'Forbidden',
      message: 'admission webhook "pool.metallb.io" denied the request: bad',
    });
    expect(denialError('w', { code: 200 }).toStatus()).toMatchObject({
      code: 400,
      message: 'admission webhook "w" denied the request without explanation',
    });
    expect(denialError('w', undefined).toStatus().reason).toBeUndefined();
    const failed = internalCallError(callingErrorText('w', 'failed to call webhook: boom'));
    expect(failed.toStatus()).toMatchObject({
      code: 500,
      reason: 'InternalError',
      message: 'Internal error occurred: failed calling webhook "w": failed to call webhook: boom',
    });
  });
});
