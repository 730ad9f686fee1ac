// The other built-in kinds' essentials, discovery (legacy and aggregated), health endpoints and
// the refusals — through @kubernetes/client-node where it has an API, over HTTP otherwise.
import {
  CoordinationV1Api,
  RbacAuthorizationV1Api,
  AdmissionregistrationV1Api,
} from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startWithClients, statusOf, type Clients } from './helpers.ts';

let c: Clients;
beforeAll(async () => {
  c = await startWithClients({ tls: false });
});
afterAll(async () => {
  await c.server.stop();
});

async function get(
  path: string,
  accept?: string,
): Promise<{ status: number; type: string; body: string; warning: string | null }> {
  const r = await fetch(`${c.server.url}${path}`, { headers: accept ? { Accept: accept } : {} });
  return {
    status: r.status,
    type: r.headers.get('content-type') ?? '',
    body: await r.text(),
    warning: r.headers.get('warning'),
  };
}

describe('non-resource endpoints and discovery', () => {
  it('serves health checks and the version', async () => {
    expect(await get('/healthz')).toMatchObject({ status: 200, body: 'ok' });
    expect(await get('/readyz')).toMatchObject({ status: 200, body: 'ok' });
    expect(JSON.parse((await get('/version')).body)).toMatchObject({ major: '1', minor: '35' });
  });

  it('lists groups with preferred versions and resources with their verbs', async () => {
    const apis = JSON.parse((await get('/apis')).body) as { groups: { name: string }[] };
    expect(apis.groups.map((g) => g.name)).toEqual(
      expect.arrayContaining([
        'apps',
        'coordination.k8s.io',
        'discovery.k8s.io',
        'events.k8s.io',
        'rbac.authorization.k8s.io',
        'apiextensions.k8s.io',
      ]),
    );
    const v1 = JSON.parse((await get('/api/v1')).body) as {
      resources: { name: string; namespaced: boolean; verbs: string[]; shortNames?: string[] }[];
    };
    const svc = v1.resources.find((r) => r.name === 'services');
    expect(svc).toMatchObject({ namespaced: true, shortNames: ['svc'] });
    expect(svc?.verbs).toContain('watch');
    expect(v1.resources.find((r) => r.name === 'services/status')?.verbs).toEqual([
      'get',
      'patch',
      'update',
    ]);
    expect(v1.resources.find((r) => r.name === 'configmaps/status')).toBeUndefined();
  });

  it('answers aggregated discovery when the client asks for it (kubectl 1.30+)', async () => {
    const accept =
      'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json';
    const r = await get('/apis', accept);
    expect(r.type).toBe('application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList');
    const doc = JSON.parse(r.body) as {
      kind: string;
      items: {
        metadata: { name: string };
        versions: { version: string; resources: { resource: string; scope: string }[] }[];
      }[];
    };
    expect(doc.kind).toBe('APIGroupDiscoveryList');
    const apps = doc.items.find((i) => i.metadata.name === 'apps');
    expect(apps?.versions[0]?.resources.map((x) => [x.resource, x.scope])).toEqual([
      // kube-apiserver lists a group-version's resources in name order.
      ['daemonsets', 'Namespaced'],
      ['deployments', 'Namespaced'],
      ['replicasets', 'Namespaced'],
    ]);
    const core = JSON.parse((await get('/api', accept)).body) as {
      items: { versions: { resources: { resource: string }[] }[] }[];
    };
    expect(core.items[0]?.versions[0]?.resources.map((x) => x.resource)).toContain('services');
  });

  it('refuses what it does not serve with Status bodies', async () => {
    // /openapi/v2 (protobuf-only for client-go) is not served; /openapi/v3 is (openapi.test.ts).
    const v2 = await get('/openapi/v2');
    expect(JSON.parse(v2.body)).toMatchObject({ kind: 'Status', code: 404, reason: 'NotFound' });
    const unknown = await get('/apis/example.com/v1/widgets');
    expect(unknown.status).toBe(404);
    const proto = await get('/api/v1/namespaces', 'application/vnd.kubernetes.protobuf');
    expect(JSON.parse(proto.body)).toMatchObject({ code: 406, reason: 'NotAcceptable' });
    // kubectl's usual Accept (Table first, then plain JSON) gets a Table.
    const table = await get(
      '/api/v1/namespaces',
      'application/json;as=Table;v=v1;g=meta.k8s.io,application/json',
    );
    expect(JSON.parse(table.body).kind).toBe('Table');
    const scale = await get('/apis/apps/v1/namespaces/default/deployments/x/scale');
    expect(JSON.parse(scale.body)).toMatchObject({ code: 404, reason: 'NotFound' });
    const exec = await get('/api/v1/namespaces/default/pods/x/exec');
    expect(JSON.parse(exec.body)).toMatchObject({ code: 404, reason: 'NotFound' });
  });
});

describe('built-in kinds', () => {
  it('Namespaces get their name label and phase; names are DNS labels', async () => {
    const n = await c.core.createNamespace({ body: { metadata: { name: 'metallb-system' } } });
    expect(n.metadata?.labels?.['kubernetes.io/metadata.name']).toBe('metallb-system');
    expect(n.status?.phase).toBe('Active');
    expect(n.spec?.finalizers).toEqual(['kubernetes']);
    const bad = await statusOf(() =>
      c.core.createNamespace({ body: { metadata: { name: 'a.b' } } }),
    );
    expect(bad.details?.causes?.[0]).toMatchObject({
      field: 'metadata.name',
      reason: 'FieldValueInvalid',
    });
  });

  it('Nodes keep status given on create, and main writes keep it', async () => {
    const node = await c.core.createNode({
      body: {
        metadata: { name: 'node-a', labels: { 'kubernetes.io/hostname': 'node-a' } },
        status: {
          addresses: [{ type: 'InternalIP', address: '192.0.2.11' }],
          conditions: [{ type: 'Ready', status: 'True' }],
        },
      },
    });
    expect(node.status?.addresses?.[0]?.address).toBe('192.0.2.11');
    const upd = structuredClone(node);
    upd.status = {};
    upd.spec = { unschedulable: true };
    const after = await c.core.replaceNode({ name: 'node-a', body: upd });
    expect(after.status?.conditions?.[0]?.type).toBe('Ready');
    const cordoned = await c.core.listNode({ fieldSelector: 'spec.unschedulable=true' });
    expect(cordoned.items.map((x) => x.metadata?.name)).toEqual(['node-a']);
  });

  it('EndpointSlices validate addresses against addressType, which is immutable', async () => {
    const es = await c.discovery.createNamespacedEndpointSlice({
      namespace: 'metallb-system',
      body: {
        metadata: { name: 'web-abc', labels: { 'kubernetes.io/service-name': 'web' } },
        addressType: 'IPv4',
        endpoints: [{ addresses: ['198.18.1.5'], conditions: { ready: true }, nodeName: 'node-a' }],
        ports: [{ name: 'http', port: 8080 }],
      },
    });
    expect(es.ports?.[0]?.protocol).toBe('TCP');
    const bad = await statusOf(() =>
      c.discovery.createNamespacedEndpointSlice({
        namespace: 'metallb-system',
        body: {
          metadata: { name: 'bad' },
          addressType: 'IPv6',
          endpoints: [{ addresses: ['198.18.1.5'] }],
        },
      }),
    );
    expect(bad.details?.causes?.map((x) => x.field)).toEqual(['endpoints[0].addresses[0]']);
    const change = structuredClone(es);
    change.addressType = 'IPv6';
    change.endpoints = [{ addresses: ['2001:db8::5'] }];
    const imm = await statusOf(() =>
      c.discovery.replaceNamespacedEndpointSlice({
        name: 'web-abc',
        namespace: 'metallb-system',
        body: change,
      }),
    );
    expect(imm.details?.causes?.map((x) => x.field)).toEqual(['addressType']);
  });

  it('Leases validate durations; RBAC bindings need a valid, immutable roleRef', async () => {
    const coord = c.kc.makeApiClient(CoordinationV1Api);
    const lease = await coord.createNamespacedLease({
      namespace: 'metallb-system',
      body: { metadata: { name: 'l' }, spec: { holderIdentity: 'a', leaseDurationSeconds: 15 } },
    });
    expect(lease.spec?.holderIdentity).toBe('a');
    const badLease = await statusOf(() =>
      coord.createNamespacedLease({
        namespace: 'metallb-system',
        body: { metadata: { name: 'm' }, spec: { leaseDurationSeconds: 0 } },
      }),
    );
    expect(badLease.details?.causes?.map((x) => x.field)).toEqual(['spec.leaseDurationSeconds']);
    const rbac = c.kc.makeApiClient(RbacAuthorizationV1Api);
    await rbac.createClusterRole({
      body: {
        metadata: { name: 'metallb-system:controller' },
        rules: [{ apiGroups: [''], resources: ['services'], verbs: ['get', 'list'] }],
      },
    });
    const b = await rbac.createClusterRoleBinding({
      body: {
        metadata: { name: 'metallb-system:controller' },
        roleRef: {
          apiGroup: 'rbac.authorization.k8s.io',
          kind: 'ClusterRole',
          name: 'metallb-system:controller',
        },
        subjects: [{ kind: 'ServiceAccount', name: 'controller', namespace: 'metallb-system' }],
      },
    });
    const moved = structuredClone(b);
    moved.roleRef.name = 'other';
    const st = await statusOf(() =>
      rbac.replaceClusterRoleBinding({ name: 'metallb-system:controller', body: moved }),
    );
    expect(st.details?.causes?.map((x) => x.field)).toEqual(['roleRef']);
    const noVerbs = await statusOf(() =>
      rbac.createNamespacedRole({
        namespace: 'metallb-system',
        body: {
          metadata: { name: 'r' },
          rules: [{ apiGroups: [''], resources: ['pods'], verbs: [] }],
        },
      }),
    );
    expect(noVerbs.details?.causes?.map((x) => x.field)).toEqual(['rules[0].verbs']);
  });

  it('stores webhook configurations with their defaults', async () => {
    const adm = c.kc.makeApiClient(AdmissionregistrationV1Api);
    const body = {
      apiVersion: 'admissionregistration.k8s.io/v1',
      kind: 'ValidatingWebhookConfiguration',
      metadata: { name: 'metallb-webhook-configuration' },
      webhooks: [
        {
          name: 'ipaddresspoolvalidationwebhook.metallb.io',
          admissionReviewVersions: ['v1'],
          sideEffects: 'None',
          clientConfig: {
            service: {
              name: 'metallb-webhook-service',
              namespace: 'metallb-system',
              path: '/validate-metallb-io-v1beta1-ipaddresspool',
            },
          },
          rules: [
            {
              apiGroups: ['metallb.io'],
              apiVersions: ['v1beta1'],
              operations: ['CREATE', 'UPDATE'],
              resources: ['ipaddresspools'],
            },
          ],
        },
      ],
    };
    const r = await fetch(
      `${c.server.url}/apis/admissionregistration.k8s.io/v1/validatingwebhookconfigurations`,
      {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify(body),
      },
    );
    expect(r.status).toBe(201);
    // The webhooks are called now (test/webhooks.int.test.ts): no "not called" warning any more.
    expect(r.headers.get('warning')).toBeNull();
    const stored = await adm.readValidatingWebhookConfiguration({
      name: 'metallb-webhook-configuration',
    });
    expect(stored.webhooks?.[0]).toMatchObject({
      failurePolicy: 'Fail',
      timeoutSeconds: 10,
      matchPolicy: 'Equivalent',
      clientConfig: { service: { port: 443 } },
    });
    // SetDefaults_Rule stores scope '*' (what a missing scope also matches).
    expect(stored.webhooks?.[0]?.rules?.[0]?.scope).toBe('*');
    const bad = await statusOf(() =>
      adm.createValidatingWebhookConfiguration({
        body: {
          metadata: { name: 'x' },
          webhooks: [
            {
              name: 'short',
              admissionReviewVersions: [],
              sideEffects: 'Some',
              clientConfig: {},
              rules: [{ operations: ['CREATE'], scope: 'Global' }],
            },
          ],
        },
      }),
    );
    expect(bad.details?.causes?.map((x) => x.field)).toEqual([
      'webhooks[0].name',
      'webhooks[0].clientConfig',
      'webhooks[0].admissionReviewVersions',
      'webhooks[0].sideEffects',
      'webhooks[0].rules[0].scope',
    ]);
    expect(bad.details?.causes?.[4]?.message).toBe(
      'Unsupported value: "Global": supported values: "*", "Cluster", "Namespaced"',
    );
  });

  it('dryRun validates and allocates nothing', async () => {
    const dry = await c.core.createNamespacedService({
      namespace: 'metallb-system',
      dryRun: 'All',
      body: { metadata: { name: 'dry' }, spec: { type: 'LoadBalancer', ports: [{ port: 80 }] } },
    });
    expect(dry.spec?.clusterIP).toMatch(/^198\.18\./);
    const st = await statusOf(() =>
      c.core.readNamespacedService({ name: 'dry', namespace: 'metallb-system' }),
    );
    expect(st.code).toBe(404);
    // The dry run's address and NodePort were released: a real create may claim them.
    const real = await c.core.createNamespacedService({
      namespace: 'metallb-system',
      body: {
        metadata: { name: 'real' },
        spec: {
          type: 'LoadBalancer',
          clusterIP: dry.spec?.clusterIP,
          ports: [{ port: 80, nodePort: dry.spec?.ports?.[0]?.nodePort }],
        },
      },
    });
    expect(real.spec?.clusterIP).toBe(dry.spec?.clusterIP);
  });
});

describe('unknown fields of built-in kinds', () => {
  const post = (query: string, body: unknown) =>
    fetch(`${c.server.url}/api/v1/namespaces/metallb-system/services${query}`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(body),
    });
  const typo = (name: string) => ({
    metadata: { name },
    spec: { type: 'LoadBalancer', loadBalancerIp: '192.0.2.5', ports: [{ port: 80, nodeport: 1 }] },
  });

  it('drops them with a Warning by default', async () => {
    const r = await post('', typo('typo-warn'));
    expect(r.status).toBe(201);
    expect(r.headers.get('warning')).toBe(
      '299 - "unknown field \\"spec.loadBalancerIp\\"", 299 - "unknown field \\"spec.ports[0].nodeport\\""',
    );
    const svc = await c.core.readNamespacedService({
      name: 'typo-warn',
      namespace: 'metallb-system',
    });
    expect(svc.spec?.loadBalancerIP).toBeUndefined();
    expect(JSON.stringify(svc.spec)).not.toContain('loadBalancerIp');
  });

  it('refuses them with fieldValidation=Strict (what kubectl sends)', async () => {
    const r = await post('?fieldValidation=Strict', typo('typo-strict'));
    expect(r.status).toBe(400);
    expect(await r.json()).toMatchObject({
      reason: 'BadRequest',
      message:
        'strict decoding error: unknown field "spec.loadBalancerIp", unknown field "spec.ports[0].nodeport"',
    });
  });
});
