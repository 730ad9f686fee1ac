// Admission webhooks called over HTTPS as kube-apiserver calls them, seen from
// @kubernetes/client-node: a Service → EndpointSlice → webhook process, the caBundle checked for
// `hooks.webhooks.svc`, AdmissionReview v1 (uid, userInfo, options), denials and warnings as a
// client sees them, mutation by JSONPatch with reinvocation, selectors, and every way a call can
// fail decided by failurePolicy. The webhook is a local HTTPS server in this process.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startWithClients, statusOf, type Clients } from './helpers.ts';
import {
  allow,
  deny,
  hook,
  patch,
  publishHookService,
  startHookServer,
  type HookServer,
} from './webhook-fixture.ts';

let c: Clients;
let hooks: HookServer;
const ADMIN = { Authorization: 'Bearer ironlb-test-token' };

beforeAll(async () => {
  c = await startWithClients({ tls: false });
  hooks = await startHookServer();
  await publishHookService(c, '127.0.0.1', hooks.port);
});
afterAll(async () => {
  await hooks.close();
  await c.server.stop();
});

async function configure(kind: 'Validating' | 'Mutating', name: string, webhooks: unknown[]) {
  await c.objects.create({
    apiVersion: 'admissionregistration.k8s.io/v1',
    kind: `${kind}WebhookConfiguration`,
    metadata: { name },
    webhooks,
  } as never);
}

async function unconfigure(kind: 'Validating' | 'Mutating', name: string) {
  await c.objects.delete({
    apiVersion: 'admissionregistration.k8s.io/v1',
    kind: `${kind}WebhookConfiguration`,
    metadata: { name },
  } as never);
}

const cm = (name: string, labels: Record<string, string> = {}, namespace = 'default') =>
  c.core.createNamespacedConfigMap({ namespace, body: { metadata: { name, labels } } });

describe('validating webhooks', () => {
  beforeAll(async () => {
    hooks.on('/validate', (r) =>
      r.request.object?.metadata.labels?.deny === 'yes'
        ? deny(r, { code: 403, reason: 'Forbidden', message: 'label deny=yes is not allowed' })
        : allow(r, { warnings: ['configmaps are watched by a test webhook'] }),
    );
    await configure('Validating', 'validate', [
      hook('validate.hooks.test', '/validate', hooks.caBundle, {
        namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'default' } },
      }),
    ]);
  });
  afterAll(() => unconfigure('Validating', 'validate'));

  it('denies with the webhook code and kube-apiserver wording, having sent a full review', async () => {
    const st = await statusOf(() => cm('no', { deny: 'yes' }));
    expect(st).toMatchObject({
      code: 403,
      reason: 'Forbidden',
      message:
        'admission webhook "validate.hooks.test" denied the request: label deny=yes is not allowed',
    });
    const review = hooks.seen.get('/validate')?.at(-1);
    expect(review?.request).toMatchObject({
      operation: 'CREATE',
      name: 'no',
      namespace: 'default',
      dryRun: false,
      kind: { group: '', version: 'v1', kind: 'ConfigMap' },
      userInfo: {
        username: 'kubernetes-admin',
        groups: ['system:masters', 'system:authenticated'],
      },
      oldObject: null,
      options: { kind: 'CreateOptions' },
    });
    await expect(
      c.core.readNamespacedConfigMap({ name: 'no', namespace: 'default' }),
    ).rejects.toThrow();
  });

  it("passes the webhook's warnings on as Warning headers", async () => {
    const r = await fetch(`${c.server.url}/api/v1/namespaces/default/configmaps`, {
      method: 'POST',
      headers: { ...ADMIN, 'Content-Type': 'application/json' },
      body: JSON.stringify({ metadata: { name: 'warned' } }),
    });
    expect(r.status).toBe(201);
    expect(r.headers.get('warning')).toBe('299 - "configmaps are watched by a test webhook"');
  });

  it('namespaceSelector keeps other namespaces out; dry runs reach None webhooks flagged', async () => {
    const before = hooks.seen.get('/validate')?.length ?? 0;
    await cm('elsewhere', { deny: 'yes' }, 'kube-public');
    expect(hooks.seen.get('/validate')?.length ?? 0).toBe(before);
    const r = await fetch(`${c.server.url}/api/v1/namespaces/default/configmaps?dryRun=All`, {
      method: 'POST',
      headers: { ...ADMIN, 'Content-Type': 'application/json' },
      body: JSON.stringify({ metadata: { name: 'dry' } }),
    });
    expect(r.status).toBe(201);
    expect(hooks.seen.get('/validate')?.at(-1)?.request).toMatchObject({
      name: 'dry',
      dryRun: true,
    });
  });

  it('refuses a dry run when a matching webhook has side effects (stored by an older server)', async () => {
    // admissionregistration/v1 only accepts None/NoneOnDryRun; Some/Unknown can only be stored
    // data from before, which is what this writes directly into storage.
    await configure('Validating', 'effects', [
      hook('effects.hooks.test', '/validate', hooks.caBundle, {
        objectSelector: { matchLabels: { fx: 'y' } },
      }),
    ]);
    const key = 'admissionregistration.k8s.io/validatingwebhookconfigurations';
    const stored = structuredClone(c.server.core.store.get(key, 'effects')!);
    (stored.webhooks as { sideEffects: string }[])[0]!.sideEffects = 'Some';
    stored.metadata.resourceVersion = String(c.server.core.store.nextResourceVersion());
    c.server.core.store.put(key, 'effects', stored, 'MODIFIED');
    const st = await statusOf(() =>
      c.core.createNamespacedConfigMap({
        namespace: 'default',
        body: { metadata: { name: 'fx', labels: { fx: 'y' } } },
        dryRun: 'All',
      }),
    );
    expect(st).toMatchObject({
      code: 400,
      reason: 'BadRequest',
      message: 'admission webhook "effects.hooks.test" does not support dry run',
    });
    await unconfigure('Validating', 'effects');
  });

  it('sees DELETE with the old object and can refuse it', async () => {
    hooks.on('/no-delete', (r) =>
      deny(r, { message: `keep ${r.request.oldObject?.metadata.name}` }),
    );
    await cm('keep');
    await configure('Validating', 'no-delete', [
      hook('nodelete.hooks.test', '/no-delete', hooks.caBundle, {
        rules: [
          {
            apiGroups: [''],
            apiVersions: ['v1'],
            operations: ['DELETE'],
            resources: ['configmaps'],
          },
        ],
      }),
    ]);
    const st = await statusOf(() =>
      c.core.deleteNamespacedConfigMap({ name: 'keep', namespace: 'default' }),
    );
    expect(st).toMatchObject({
      code: 400,
      message: 'admission webhook "nodelete.hooks.test" denied the request: keep keep',
    });
    expect(hooks.seen.get('/no-delete')?.at(-1)?.request).toMatchObject({
      operation: 'DELETE',
      object: null,
      options: { kind: 'DeleteOptions' },
    });
    await unconfigure('Validating', 'no-delete');
    await c.core.deleteNamespacedConfigMap({ name: 'keep', namespace: 'default' });
  });
});

describe('mutating webhooks', () => {
  afterAll(() => unconfigure('Mutating', 'mutate'));

  it('patch in order, are reinvoked when a later one changes the object, then validation sees it', async () => {
    // a (IfNeeded) stamps the labels it sees into an annotation; b adds a label.
    hooks.on('/a', (r) =>
      patch(r, [
        {
          op: 'add',
          path: '/metadata/annotations',
          value: {
            seen: Object.keys(r.request.object?.metadata.labels ?? {})
              .sort()
              .join(','),
          },
        },
      ]),
    );
    hooks.on('/b', (r) => patch(r, [{ op: 'add', path: '/metadata/labels/b', value: 'yes' }]));
    await configure('Mutating', 'mutate', [
      hook('a.hooks.test', '/a', hooks.caBundle, { reinvocationPolicy: 'IfNeeded' }),
      hook('b.hooks.test', '/b', hooks.caBundle),
    ]);
    const out = await cm('mutated', { orig: 'x' });
    expect(out.metadata?.labels).toEqual({ orig: 'x', b: 'yes' });
    expect(out.metadata?.annotations).toEqual({ seen: 'b,orig' });
    expect(hooks.seen.get('/a')?.filter((r) => r.request.name === 'mutated')).toHaveLength(2);
    expect(hooks.seen.get('/b')?.filter((r) => r.request.name === 'mutated')).toHaveLength(1);
    // The validating webhook (and storage) got the mutated object.
    const stored = await c.core.readNamespacedConfigMap({ name: 'mutated', namespace: 'default' });
    expect(stored.metadata?.labels?.b).toBe('yes');
  });
});

describe('failed calls and failurePolicy', () => {
  const tryCreate = (name: string) => statusOf(() => cm(name, { probe: 'yes' }));
  const probe = { objectSelector: { matchLabels: { probe: 'yes' } } };

  async function withHook(extra: Record<string, unknown>, fn: () => Promise<void>) {
    await configure('Validating', 'probe', [
      hook('probe.hooks.test', '/probe', hooks.caBundle, { ...probe, ...extra }),
    ]);
    try {
      await fn();
    } finally {
      await unconfigure('Validating', 'probe');
    }
  }

  it('a wrong caBundle fails verification: Fail refuses with the x509 error, Ignore admits', async () => {
    hooks.on('/probe', (r) => allow(r));
    const other = (await (await import('../src/tls.ts')).makeServingCert()).caPem;
    const wrong = {
      clientConfig: {
        caBundle: Buffer.from(other).toString('base64'),
        service: { namespace: 'webhooks', name: 'hooks', path: '/probe' },
      },
    };
    await withHook(wrong, async () => {
      expect(await tryCreate('ca1')).toMatchObject({
        code: 500,
        reason: 'InternalError',
        message:
          'Internal error occurred: failed calling webhook "probe.hooks.test": failed to call webhook: Post "https://hooks.webhooks.svc:443/probe?timeout=10s": tls: failed to verify certificate: x509: certificate signed by unknown authority',
      });
    });
    await withHook({ ...wrong, failurePolicy: 'Ignore' }, async () => {
      await cm('ca2', { probe: 'yes' });
    });
  });

  it('a webhook without ready endpoints, a timeout and a wrong uid are failed calls', async () => {
    await withHook(
      {
        clientConfig: {
          caBundle: hooks.caBundle,
          service: { namespace: 'webhooks', name: 'nowhere', path: '/probe' },
        },
      },
      async () => {
        expect((await tryCreate('svc')).message).toBe(
          'Internal error occurred: failed calling webhook "probe.hooks.test": failed to call webhook: Post "https://nowhere.webhooks.svc:443/probe?timeout=10s": services "nowhere" not found',
        );
      },
    );
    // A Service whose only endpoint is not ready: kube-apiserver's endpoint resolver skips it.
    await c.core.createNamespacedService({
      namespace: 'webhooks',
      body: { metadata: { name: 'idle' }, spec: { ports: [{ name: 'https', port: 443 }] } },
    });
    await c.discovery.createNamespacedEndpointSlice({
      namespace: 'webhooks',
      body: {
        metadata: { name: 'idle-1', labels: { 'kubernetes.io/service-name': 'idle' } },
        addressType: 'IPv4',
        endpoints: [{ addresses: ['127.0.0.1'], conditions: { ready: false } }],
        ports: [{ name: 'https', port: hooks.port }],
      },
    });
    await withHook(
      {
        clientConfig: {
          caBundle: hooks.caBundle,
          service: { namespace: 'webhooks', name: 'idle', path: '/probe' },
        },
      },
      async () => {
        expect((await tryCreate('idle')).message).toMatch(
          /Post "https:\/\/idle\.webhooks\.svc:443\/probe\?timeout=10s": no endpoints available for service "idle"$/,
        );
      },
    );
    hooks.on('/probe', (r) => new Promise((res) => setTimeout(() => res(allow(r)), 2500)));
    await withHook({ timeoutSeconds: 1 }, async () => {
      expect((await tryCreate('slow')).message).toMatch(
        /failed to call webhook: Post "https:\/\/hooks\.webhooks\.svc:443\/probe\?timeout=1s": context deadline exceeded$/,
      );
    });
    hooks.on('/probe', (r) => ({ ...allow(r), response: { uid: 'not-mine', allowed: true } }));
    await withHook({}, async () => {
      expect((await tryCreate('uid')).message).toContain(
        `received invalid webhook response: expected response.uid=`,
      );
    });
    await withHook({ failurePolicy: 'Ignore' }, async () => {
      await cm('uid-ignored', { probe: 'yes' });
    });
  });

  it('clientConfig.url reaches the webhook directly (the certificate names 127.0.0.1)', async () => {
    hooks.on('/probe', (r) => deny(r, { message: 'by url' }));
    await withHook(
      { clientConfig: { caBundle: hooks.caBundle, url: `https://127.0.0.1:${hooks.port}/probe` } },
      async () => {
        expect((await tryCreate('url')).message).toBe(
          'admission webhook "probe.hooks.test" denied the request: by url',
        );
      },
    );
  });
});
