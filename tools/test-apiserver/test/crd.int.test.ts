// Integration layer (issue 13): CRD cleanup and establishment run in the background and are
// observed by polling on real time, so this file runs with the *.int.test.ts layer.
// CustomResourceDefinitions through @kubernetes/client-node: registration and discovery, schema
// defaults and pruning, schema and CEL rejections (with transition rules), status subresource,
// several served versions with conversion None, and refusal of what is not supported.
import { readFileSync } from 'node:fs';
import {
  PatchStrategy,
  loadAllYaml,
  setHeaderOptions,
  type V1CustomResourceDefinition,
} from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startWithClients, statusOf, type Clients, type StatusLike } from './helpers.ts';

/** Repeats `fn` until it fails (bounded: 5 s), returning the Status it failed with. */
async function pollStatus(fn: () => Promise<unknown>): Promise<StatusLike> {
  const end = Date.now() + 5000;
  for (;;) {
    try {
      await fn();
    } catch {
      return statusOf(fn);
    }
    if (Date.now() > end) throw new Error('still succeeding');
    await new Promise((r) => setTimeout(r, 10));
  }
}

// loadAllYaml gives client-node's typed models (`_default`, `x_kubernetes_validations`, ...), which
// is what its typed API clients serialise back to the wire names.
const crds = loadAllYaml(
  readFileSync(new URL('./fixtures/metallb-like-crds.yaml', import.meta.url), 'utf8'),
) as V1CustomResourceDefinition[];
const poolsCrd = crds[0] as V1CustomResourceDefinition;
const peersCrd = crds[1] as V1CustomResourceDefinition;

let c: Clients;
const ns = 'metallb-system';
const group = 'metallb.io';

type Obj = {
  metadata: {
    name: string;
    resourceVersion?: string;
    generation?: number;
    annotations?: Record<string, string>;
  };
  spec?: Record<string, unknown>;
  status?: Record<string, unknown>;
  apiVersion?: string;
};

beforeAll(async () => {
  c = await startWithClients();
  await c.core.createNamespace({ body: { metadata: { name: ns } } });
  for (const crd of crds) await c.ext.createCustomResourceDefinition({ body: crd });
});
afterAll(async () => {
  await c.server.stop();
});

const createPool = (
  name: string,
  spec: Record<string, unknown>,
  extra: Record<string, string> = {},
) =>
  c.custom.createNamespacedCustomObject({
    group,
    version: 'v1beta1',
    namespace: ns,
    plural: 'ipaddresspools',
    body: { apiVersion: 'metallb.io/v1beta1', kind: 'IPAddressPool', metadata: { name }, spec },
    ...extra,
  }) as Promise<Obj>;

describe('CRD registration', () => {
  it('marks the CRD Established and serves its versions in discovery', async () => {
    const crd = await c.ext.readCustomResourceDefinition({ name: 'bgppeers.metallb.io' });
    expect(crd.status?.conditions?.find((x) => x.type === 'Established')?.status).toBe('True');
    expect(crd.status?.storedVersions).toEqual(['v1beta2']);
    const res = await fetchJson(`/apis/metallb.io`);
    expect(res).toMatchObject({
      kind: 'APIGroup',
      name: 'metallb.io',
      preferredVersion: { version: 'v1beta2' },
    });
    const v1beta1 = (await fetchJson('/apis/metallb.io/v1beta1')) as {
      resources: { name: string; kind: string; namespaced: boolean }[];
    };
    expect(v1beta1.resources.map((r) => r.name).sort()).toEqual([
      'bgppeers',
      'ipaddresspools',
      'ipaddresspools/status',
    ]);
    // KubernetesObjectApi resolves kinds through discovery.
    const made = await c.objects.create({
      apiVersion: 'metallb.io/v1beta2',
      kind: 'BGPPeer',
      metadata: { name: 'via-discovery', namespace: ns },
      spec: { myASN: 64500, peerASN: 64501, peerAddress: '192.0.2.1' },
    } as never);
    expect((made as unknown as Obj).spec?.peerPort).toBe(179);
  });

  it('refuses an invalid CRD with field paths (non-structural schema, bad CEL, no storage version)', async () => {
    const bad = structuredClone(poolsCrd);
    bad.metadata = { name: 'widgets.example.com' };
    bad.spec.group = 'example.com';
    bad.spec.names = { kind: 'Widget', plural: 'widgets' };
    const v = bad.spec.versions[0]!;
    v.storage = false;
    v.schema!.openAPIV3Schema!.properties!.spec!.x_kubernetes_validations = [
      { rule: 'self.addresses.size( >' },
    ];
    delete (v.schema!.openAPIV3Schema!.properties!.status as Record<string, unknown>).type;
    const st = await statusOf(() => c.ext.createCustomResourceDefinition({ body: bad }));
    expect(st.code).toBe(422);
    expect(st.details?.causes?.map((x) => x.field)).toEqual([
      'spec.versions',
      'spec.versions[0].schema.openAPIV3Schema.properties[status].type',
      'spec.versions[0].schema.openAPIV3Schema.properties[spec].x-kubernetes-validations[0].rule',
    ]);
  });
});

describe('custom resources', () => {
  it('applies schema defaults and prunes unknown fields', async () => {
    const pool = await createPool('default-pool', {
      addresses: ['192.0.2.0/24'],
      autoAsign: false,
    });
    expect(pool.spec).toEqual({
      addresses: ['192.0.2.0/24'],
      autoAssign: true,
      avoidBuggyIPs: false,
    });
    expect(pool.metadata.generation).toBe(1);
  });

  it('refuses unknown fields with fieldValidation=Strict', async () => {
    const st = await statusOf(() =>
      createPool('strict', { addresses: [], autoAsign: false }, { fieldValidation: 'Strict' }),
    );
    expect(st).toMatchObject({
      code: 400,
      reason: 'BadRequest',
      message: 'strict decoding error: unknown field "spec.autoAsign"',
    });
  });

  it('rejects schema violations with 422 causes naming the fields', async () => {
    const st = await statusOf(() => createPool('bad', { autoAssign: 'yes' }));
    expect(st.code).toBe(422);
    expect(st.message).toBe(
      'IPAddressPool.metallb.io "bad" is invalid: [spec.addresses: Required value, spec.autoAssign: Invalid value: "string": spec.autoAssign in body must be of type boolean: "string"]',
    );
    expect(st.details).toMatchObject({ name: 'bad', group: 'metallb.io', kind: 'IPAddressPool' });
  });

  it('rejects CEL violations with the rule message, and enforces transition rules on update', async () => {
    const peer = (spec: Record<string, unknown>) => ({
      apiVersion: 'metallb.io/v1beta2',
      kind: 'BGPPeer',
      metadata: { name: 'r1' },
      spec,
    });
    const cel = await statusOf(() =>
      c.custom.createNamespacedCustomObject({
        group,
        version: 'v1beta2',
        namespace: ns,
        plural: 'bgppeers',
        body: peer({ myASN: 64500, peerASN: 64501, connectTime: '1500ms' }),
      }),
    );
    expect(cel.details?.causes).toEqual([
      {
        reason: 'FieldValueInvalid',
        message: 'Invalid value: "string": connect time should contain a whole number of seconds',
        field: 'spec.connectTime',
      },
    ]);
    const created = (await c.custom.createNamespacedCustomObject({
      group,
      version: 'v1beta2',
      namespace: ns,
      plural: 'bgppeers',
      body: peer({ myASN: 64500, peerASN: 64501, enableGracefulRestart: true }),
    })) as Obj;
    const changed = await statusOf(() =>
      c.custom.patchNamespacedCustomObject(
        {
          group,
          version: 'v1beta2',
          namespace: ns,
          plural: 'bgppeers',
          name: 'r1',
          body: { spec: { enableGracefulRestart: false } },
        },
        setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
      ),
    );
    expect(changed.details?.causes?.[0]).toMatchObject({
      field: 'spec.enableGracefulRestart',
      message: 'Invalid value: "boolean": EnableGracefulRestart cannot be changed after creation',
    });
    const ok = (await c.custom.patchNamespacedCustomObject(
      {
        group,
        version: 'v1beta2',
        namespace: ns,
        plural: 'bgppeers',
        name: 'r1',
        body: { spec: { peerASN: 64502 } },
      },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    )) as Obj;
    expect(ok.metadata.generation).toBe(2);
    expect(Number(ok.metadata.resourceVersion)).toBeGreaterThan(
      Number(created.metadata.resourceVersion),
    );
  });

  it('serves every version from one storage version (conversion None)', async () => {
    const asV1beta1 = (await c.custom.getNamespacedCustomObject({
      group,
      version: 'v1beta1',
      namespace: ns,
      plural: 'bgppeers',
      name: 'r1',
    })) as Obj;
    expect(asV1beta1.apiVersion).toBe('metallb.io/v1beta1');
    expect(asV1beta1.spec?.peerASN).toBe(64502);
    const list = (await c.custom.listNamespacedCustomObject({
      group,
      version: 'v1beta1',
      namespace: ns,
      plural: 'bgppeers',
    })) as { items: Obj[] };
    expect(list.items.map((i) => i.apiVersion)).toEqual([
      'metallb.io/v1beta1',
      'metallb.io/v1beta1',
    ]);
  });

  it('a CR status write changes only status; a main write never changes status', async () => {
    const pool = (await c.custom.getNamespacedCustomObject({
      group,
      version: 'v1beta1',
      namespace: ns,
      plural: 'ipaddresspools',
      name: 'default-pool',
    })) as Obj;
    const body = structuredClone(pool);
    body.status = { assignedIPv4: 3, availableIPv4: 253 };
    body.metadata.annotations = { sneaky: 'yes' };
    body.spec = { ...body.spec, autoAssign: false };
    const afterStatus = (await c.custom.replaceNamespacedCustomObjectStatus({
      group,
      version: 'v1beta1',
      namespace: ns,
      plural: 'ipaddresspools',
      name: 'default-pool',
      body,
    })) as Obj;
    expect(afterStatus.status).toEqual({ assignedIPv4: 3, availableIPv4: 253 });
    expect(afterStatus.metadata.annotations).toBeUndefined();
    expect(afterStatus.spec?.autoAssign).toBe(true);
    expect(afterStatus.metadata.generation).toBe(1);
    const main = structuredClone(afterStatus);
    main.status = { assignedIPv4: 99 };
    main.spec = { ...main.spec, autoAssign: false };
    const afterMain = (await c.custom.replaceNamespacedCustomObject({
      group,
      version: 'v1beta1',
      namespace: ns,
      plural: 'ipaddresspools',
      name: 'default-pool',
      body: main,
    })) as Obj;
    expect(afterMain.status).toEqual({ assignedIPv4: 3, availableIPv4: 253 });
    expect(afterMain.spec?.autoAssign).toBe(false);
    expect(afterMain.metadata.generation).toBe(2);
    // A custom resource update must name the resourceVersion it replaces.
    const noRv = structuredClone(afterMain);
    delete noRv.metadata.resourceVersion;
    const st = await statusOf(() =>
      c.custom.replaceNamespacedCustomObject({
        group,
        version: 'v1beta1',
        namespace: ns,
        plural: 'ipaddresspools',
        name: 'default-pool',
        body: noRv,
      }),
    );
    expect(st.details?.causes?.[0]).toMatchObject({ field: 'metadata.resourceVersion' });
  });

  it('refuses strategic merge patch on custom resources (415), as the real server does', async () => {
    const st = await statusOf(() =>
      c.custom.patchNamespacedCustomObject(
        {
          group,
          version: 'v1beta1',
          namespace: ns,
          plural: 'ipaddresspools',
          name: 'default-pool',
          body: { spec: {} },
        },
        setHeaderOptions('Content-Type', PatchStrategy.StrategicMergePatch),
      ),
    );
    expect(st).toMatchObject({ code: 415, reason: 'UnsupportedMediaType' });
  });

  it('fails conversions that need a webhook when no webhook client is configured', async () => {
    const hooked = structuredClone(peersCrd);
    hooked.metadata = { name: 'hooks.example.com' };
    hooked.spec.group = 'example.com';
    hooked.spec.names = { kind: 'Hook', plural: 'hooks' };
    hooked.spec.conversion = {
      strategy: 'Webhook',
      webhook: {
        conversionReviewVersions: ['v1'],
        clientConfig: { url: 'https://127.0.0.1:1/convert' },
      },
    };
    await c.ext.createCustomResourceDefinition({ body: hooked });
    await c.custom.createNamespacedCustomObject({
      group: 'example.com',
      version: 'v1beta2',
      namespace: ns,
      plural: 'hooks',
      body: {
        apiVersion: 'example.com/v1beta2',
        kind: 'Hook',
        metadata: { name: 'h' },
        spec: { myASN: 1, peerASN: 2 },
      },
    });
    const st = await statusOf(() =>
      c.custom.getNamespacedCustomObject({
        group: 'example.com',
        version: 'v1beta1',
        namespace: ns,
        plural: 'hooks',
        name: 'h',
      }),
    );
    expect(st).toMatchObject({ code: 500, reason: 'InternalError' });
  });

  it('deleting a CRD waits for its objects (and their finalizers), then removes its API', async () => {
    const crd = await c.ext.readCustomResourceDefinition({ name: 'hooks.example.com' });
    expect(crd.metadata?.finalizers).toEqual(['customresourcecleanup.apiextensions.k8s.io']);
    await c.custom.createNamespacedCustomObject({
      group: 'example.com',
      version: 'v1beta2',
      namespace: ns,
      plural: 'hooks',
      body: {
        apiVersion: 'example.com/v1beta2',
        kind: 'Hook',
        metadata: { name: 'held', finalizers: ['example.com/hold'] },
        spec: { myASN: 1, peerASN: 2 },
      },
    });
    await c.ext.deleteCustomResourceDefinition({ name: 'hooks.example.com' });
    // 'h' goes at once; 'held' waits for its finalizer, and so does the CRD.
    await new Promise((r) => setTimeout(r, 50));
    const terminating = await c.ext.readCustomResourceDefinition({ name: 'hooks.example.com' });
    expect(terminating.metadata?.deletionTimestamp).toBeDefined();
    const refused = await statusOf(() =>
      c.custom.createNamespacedCustomObject({
        group: 'example.com',
        version: 'v1beta2',
        namespace: ns,
        plural: 'hooks',
        body: {
          apiVersion: 'example.com/v1beta2',
          kind: 'Hook',
          metadata: { name: 'late' },
          spec: { myASN: 1, peerASN: 2 },
        },
      }),
    );
    expect(refused).toMatchObject({ code: 405, reason: 'MethodNotAllowed' });
    const held = (await c.custom.getNamespacedCustomObject({
      group: 'example.com',
      version: 'v1beta2',
      namespace: ns,
      plural: 'hooks',
      name: 'held',
    })) as Obj & { metadata: { deletionTimestamp?: string } };
    expect(held.metadata.deletionTimestamp).toBeDefined();
    await c.custom.patchNamespacedCustomObject(
      {
        group: 'example.com',
        version: 'v1beta2',
        namespace: ns,
        plural: 'hooks',
        name: 'held',
        body: [{ op: 'remove', path: '/metadata/finalizers' }],
      },
      setHeaderOptions('Content-Type', PatchStrategy.JsonPatch),
    );
    const gone = await pollStatus(() =>
      c.ext.readCustomResourceDefinition({ name: 'hooks.example.com' }),
    );
    expect(gone.code).toBe(404);
    const st = await statusOf(() =>
      c.custom.listNamespacedCustomObject({
        group: 'example.com',
        version: 'v1beta2',
        namespace: ns,
        plural: 'hooks',
      }),
    );
    expect(st.code).toBe(404);
  });
});

async function fetchJson(path: string): Promise<unknown> {
  const { request } = await import('node:https');
  return new Promise((resolve, reject) => {
    const req = request(`${c.server.url}${path}`, { ca: c.server.caPem }, (res) => {
      let data = '';
      res.on('data', (d: Buffer) => (data += d.toString()));
      res.on('end', () => resolve(JSON.parse(data)));
    });
    req.on('error', reject);
    req.end();
  });
}
