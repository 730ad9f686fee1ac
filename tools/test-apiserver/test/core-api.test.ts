// CRUD, errors, concurrency, patches, selectors and finalizers — all through @kubernetes/client-node.
import { PatchStrategy, setHeaderOptions, type V1Service } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, startWithClients, statusOf, type Clients } from './helpers.ts';

let c: Clients;
beforeAll(async () => {
  c = await startWithClients({ tls: true });
});
afterAll(async () => {
  await c.server.stop();
});

const ns = 'metallb-system';
const lbService = (name: string, extra: Partial<V1Service['spec']> = {}): V1Service => ({
  metadata: { name, labels: { app: name } },
  spec: {
    type: 'LoadBalancer',
    ports: [{ name: 'http', port: 80 }],
    selector: { app: name },
    ...extra,
  },
});

describe('basic verbs over HTTPS', () => {
  it('serves /version and discovery that KubernetesObjectApi understands', async () => {
    // Node's own fetch does not trust the server's fresh CA; client-node (kubeconfig CA) does.
    const res = await fetch(`${c.server.url}/version`).catch(() => undefined);
    expect(res).toBeUndefined();
    await c.core.createNamespace({ body: { metadata: { name: ns } } });
    const created = await c.objects.create({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'cfg', namespace: ns },
      data: { a: 'b' },
    });
    expect((created.metadata as { resourceVersion?: string }).resourceVersion).toMatch(/^\d+$/);
    const read = await c.objects.read({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'cfg', namespace: ns },
    });
    expect((read as { data?: Record<string, string> }).data).toEqual({ a: 'b' });
  });

  it('creates a LoadBalancer Service with defaults, a cluster IP and NodePorts', async () => {
    const svc = await c.core.createNamespacedService({ namespace: ns, body: lbService('web') });
    expect(svc.spec?.clusterIP).toMatch(/^198\.18\./);
    expect(svc.spec?.clusterIPs).toEqual([svc.spec?.clusterIP]);
    expect(svc.spec?.ipFamilies).toEqual(['IPv4']);
    expect(svc.spec?.ipFamilyPolicy).toBe('SingleStack');
    expect(svc.spec?.externalTrafficPolicy).toBe('Cluster');
    expect(svc.spec?.ports?.[0]?.nodePort).toBeGreaterThanOrEqual(30000);
    expect(svc.spec?.ports?.[0]?.targetPort).toBe(80);
    expect(svc.status?.loadBalancer).toEqual({});
  });

  it('allocates both families for RequireDualStack and honours ipFamilies order', async () => {
    const svc = await c.core.createNamespacedService({
      namespace: ns,
      body: lbService('dual', { ipFamilyPolicy: 'RequireDualStack', ipFamilies: ['IPv6', 'IPv4'] }),
    });
    expect(svc.spec?.ipFamilies).toEqual(['IPv6', 'IPv4']);
    expect(svc.spec?.clusterIPs?.[0]).toMatch(/^2001:db8:1::/);
    expect(svc.spec?.clusterIPs?.[1]).toMatch(/^198\.18\./);
  });

  it('refuses a taken cluster IP and an out-of-range NodePort with 422 causes', async () => {
    const taken = (await c.core.readNamespacedService({ name: 'web', namespace: ns })).spec
      ?.clusterIP;
    const st = await statusOf(() =>
      c.core.createNamespacedService({
        namespace: ns,
        body: lbService('clash', { clusterIP: taken, ports: [{ port: 80, nodePort: 80 }] }),
      }),
    );
    expect(st.code).toBe(422);
    expect(st.reason).toBe('Invalid');
    expect(st.details?.causes?.map((x) => x.field)).toEqual(['spec.clusterIPs[0]']);
    expect(st.details?.causes?.[0]?.message).toContain('provided IP is already allocated');
  });

  it('answers 404, 409 AlreadyExists and 422 with Kubernetes Status bodies', async () => {
    const nf = await statusOf(() => c.core.readNamespacedService({ name: 'nope', namespace: ns }));
    expect(nf).toMatchObject({
      kind: 'Status',
      status: 'Failure',
      reason: 'NotFound',
      code: 404,
      message: 'services "nope" not found',
    });
    expect(nf.details).toMatchObject({ name: 'nope', kind: 'services' });
    const dup = await statusOf(() =>
      c.core.createNamespacedService({ namespace: ns, body: lbService('web') }),
    );
    expect(dup).toMatchObject({ reason: 'AlreadyExists', code: 409 });
    const bad = await statusOf(() =>
      c.core.createNamespacedService({
        namespace: ns,
        body: { metadata: { name: 'x' }, spec: { type: 'Balanced', ports: [{ port: 0 }] } },
      }),
    );
    expect(bad.code).toBe(422);
    expect(bad.details?.causes).toEqual([
      {
        reason: 'FieldValueNotSupported',
        message:
          'Unsupported value: "Balanced": supported values: "ClusterIP", "NodePort", "LoadBalancer", "ExternalName"',
        field: 'spec.type',
      },
      {
        reason: 'FieldValueInvalid',
        message: 'Invalid value: 0: must be between 1 and 65535, inclusive',
        field: 'spec.ports[0].port',
      },
      // targetPort defaults to port, so it is invalid too (as on a real cluster).
      {
        reason: 'FieldValueInvalid',
        message: 'Invalid value: 0: must be between 1 and 65535, inclusive',
        field: 'spec.ports[0].targetPort',
      },
    ]);
    const missingNs = await statusOf(() =>
      c.core.createNamespacedConfigMap({ namespace: 'ghost', body: { metadata: { name: 'a' } } }),
    );
    expect(missingNs).toMatchObject({
      code: 404,
      reason: 'NotFound',
      message: 'namespaces "ghost" not found',
    });
  });

  it('rejects a stale resourceVersion with 409 Conflict and keeps the cluster IP on update', async () => {
    const svc = await c.core.readNamespacedService({ name: 'web', namespace: ns });
    const first = structuredClone(svc);
    first.metadata!.labels = { ...first.metadata!.labels, tier: 'front' };
    const updated = await c.core.replaceNamespacedService({
      name: 'web',
      namespace: ns,
      body: first,
    });
    expect(Number(updated.metadata?.resourceVersion)).toBeGreaterThan(
      Number(svc.metadata?.resourceVersion),
    );
    const stale = structuredClone(svc);
    stale.metadata!.labels = { other: 'x' };
    const st = await statusOf(() =>
      c.core.replaceNamespacedService({ name: 'web', namespace: ns, body: stale }),
    );
    expect(st).toMatchObject({ code: 409, reason: 'Conflict' });
    expect(st.message).toBe(
      'Operation cannot be fulfilled on services "web": the object has been modified; please apply your changes to the latest version and try again',
    );
    // A client that PUTs without the allocated fields keeps them (patchAllocatedValues).
    const bare = structuredClone(updated);
    delete bare.spec!.clusterIP;
    delete bare.spec!.clusterIPs;
    delete bare.spec!.ports![0]!.nodePort;
    const kept = await c.core.replaceNamespacedService({ name: 'web', namespace: ns, body: bare });
    expect(kept.spec?.clusterIP).toBe(svc.spec?.clusterIP);
    expect(kept.spec?.ports?.[0]?.nodePort).toBe(svc.spec?.ports?.[0]?.nodePort);
    const changeIP = structuredClone(kept);
    changeIP.spec!.clusterIP = '198.18.9.9';
    changeIP.spec!.clusterIPs = ['198.18.9.9'];
    const imm = await statusOf(() =>
      c.core.replaceNamespacedService({ name: 'web', namespace: ns, body: changeIP }),
    );
    expect(imm.details?.causes?.[0]).toMatchObject({
      field: 'spec.clusterIPs[0]',
      reason: 'FieldValueInvalid',
    });
  });

  it('an update that changes nothing writes nothing', async () => {
    const svc = await c.core.readNamespacedService({ name: 'web', namespace: ns });
    const again = await c.core.replaceNamespacedService({ name: 'web', namespace: ns, body: svc });
    expect(again.metadata?.resourceVersion).toBe(svc.metadata?.resourceVersion);
  });

  it('applies merge, JSON and strategic merge patches', async () => {
    const merged = await c.core.patchNamespacedService(
      {
        name: 'web',
        namespace: ns,
        body: { metadata: { annotations: { 'metallb.io/address-pool': 'blue' } } },
      },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    );
    expect(merged.metadata?.annotations).toEqual({ 'metallb.io/address-pool': 'blue' });
    const jp = await c.core.patchNamespacedService({
      name: 'web',
      namespace: ns,
      body: [
        { op: 'replace', path: '/metadata/annotations/metallb.io~1address-pool', value: 'green' },
      ],
    });
    expect(jp.metadata?.annotations?.['metallb.io/address-pool']).toBe('green');
    const smp = await c.core.patchNamespacedService(
      { name: 'web', namespace: ns, body: { spec: { ports: [{ name: 'https', port: 443 }] } } },
      setHeaderOptions('Content-Type', PatchStrategy.StrategicMergePatch),
    );
    // Strategic merge patch merges Service ports by `port`; a merge patch would have replaced the list.
    expect(smp.spec?.ports?.map((p) => p.port)).toEqual([80, 443]);
    expect(smp.spec?.ports?.[1]?.nodePort).toBeGreaterThanOrEqual(30000);
    const failed = await statusOf(() =>
      c.core.patchNamespacedService({
        name: 'web',
        namespace: ns,
        body: [{ op: 'test', path: '/spec/type', value: 'ClusterIP' }],
      }),
    );
    expect(failed.code).toBe(422);
    const ssa = await statusOf(() =>
      c.core.patchNamespacedService(
        { name: 'web', namespace: ns, body: { spec: {} } },
        setHeaderOptions('Content-Type', PatchStrategy.ServerSideApply),
      ),
    );
    // Server-side apply is served now: an apply without fieldManager (and without apiVersion
    // and kind) is a 400 Status, never a silent success.
    expect(ssa).toMatchObject({ code: 400, reason: 'BadRequest' });
  });

  it('generateName makes unique names', async () => {
    const a = await c.core.createNamespacedConfigMap({
      namespace: ns,
      body: { metadata: { generateName: 'l2-' } },
    });
    const b = await c.core.createNamespacedConfigMap({
      namespace: ns,
      body: { metadata: { generateName: 'l2-' } },
    });
    expect(a.metadata?.name).toMatch(/^l2-[a-z0-9]{5}$/);
    expect(a.metadata?.name).not.toBe(b.metadata?.name);
  });

  it('folds Secret stringData into base64 data and validates types', async () => {
    const s = await c.core.createNamespacedSecret({
      namespace: ns,
      body: { metadata: { name: 'memberlist' }, stringData: { secretkey: 'abc' } },
    });
    expect(s.type).toBe('Opaque');
    expect(s.data).toEqual({ secretkey: Buffer.from('abc').toString('base64') });
    expect(s.stringData).toBeUndefined();
    const tls = await statusOf(() =>
      c.core.createNamespacedSecret({
        namespace: ns,
        body: { metadata: { name: 't' }, type: 'kubernetes.io/tls', data: {} },
      }),
    );
    expect(tls.details?.causes?.map((x) => x.field)).toEqual(['data[tls.crt]', 'data[tls.key]']);
  });
});

describe('status subresource semantics', () => {
  it('a Service status write stores status and metadata changes but not spec', async () => {
    const svc = await c.core.readNamespacedService({ name: 'web', namespace: ns });
    const body = structuredClone(svc);
    body.metadata!.annotations = {
      ...body.metadata!.annotations,
      'metallb.io/ip-allocated-from-pool': 'blue',
    };
    body.status = { loadBalancer: { ingress: [{ ip: '192.0.2.10' }] } };
    body.spec!.type = 'ClusterIP';
    const out = await c.core.replaceNamespacedServiceStatus({ name: 'web', namespace: ns, body });
    expect(out.metadata?.annotations?.['metallb.io/ip-allocated-from-pool']).toBe('blue');
    expect(out.status?.loadBalancer?.ingress).toEqual([{ ip: '192.0.2.10', ipMode: 'VIP' }]);
    expect(out.spec?.type).toBe('LoadBalancer');
  });

  it('a main Service write never changes status', async () => {
    const svc = await c.core.readNamespacedService({ name: 'web', namespace: ns });
    const body = structuredClone(svc);
    body.status = { loadBalancer: { ingress: [{ ip: '192.0.2.99' }] } };
    body.metadata!.labels = { ...body.metadata!.labels, touched: 'yes' };
    const out = await c.core.replaceNamespacedService({ name: 'web', namespace: ns, body });
    expect(out.status?.loadBalancer?.ingress?.[0]?.ip).toBe('192.0.2.10');
    expect(out.metadata?.labels?.touched).toBe('yes');
  });

  it('validates status writes', async () => {
    const st = await statusOf(() =>
      c.core.patchNamespacedServiceStatus(
        {
          name: 'web',
          namespace: ns,
          body: { status: { loadBalancer: { ingress: [{ ip: 'not-an-ip' }] } } },
        },
        setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
      ),
    );
    expect(st.details?.causes?.[0]).toMatchObject({
      field: 'status.loadBalancer.ingress[0].ip',
      reason: 'FieldValueInvalid',
    });
  });

  it('Deployments bump generation on spec changes only; status stays on main writes', async () => {
    const d = await c.apps.createNamespacedDeployment({
      namespace: ns,
      body: {
        metadata: { name: 'controller' },
        spec: {
          selector: { matchLabels: { app: 'c' } },
          template: {
            metadata: { labels: { app: 'c' } },
            spec: { containers: [{ name: 'c', image: 'ironlb/controller:v1' }] },
          },
        },
      },
    });
    expect(d.metadata?.generation).toBe(1);
    expect(d.spec?.replicas).toBe(1);
    const st = structuredClone(d);
    st.status = { replicas: 1, readyReplicas: 1 };
    const afterStatus = await c.apps.replaceNamespacedDeploymentStatus({
      name: 'controller',
      namespace: ns,
      body: st,
    });
    expect(afterStatus.metadata?.generation).toBe(1);
    const upd = structuredClone(afterStatus);
    upd.spec!.replicas = 2;
    upd.status = {};
    const afterSpec = await c.apps.replaceNamespacedDeployment({
      name: 'controller',
      namespace: ns,
      body: upd,
    });
    expect(afterSpec.metadata?.generation).toBe(2);
    expect(afterSpec.status?.readyReplicas).toBe(1);
  });
});

describe('selectors, paging and collections', () => {
  it('filters by label and field selectors, and refuses unknown field labels', async () => {
    for (const [name, node] of [
      ['p1', 'node-a'],
      ['p2', 'node-b'],
      ['p3', 'node-a'],
    ] as const) {
      await c.core.createNamespacedPod({
        namespace: ns,
        body: {
          metadata: { name, labels: { app: 'speaker', idx: name } },
          spec: { nodeName: node, containers: [{ name: 's', image: 'ironlb/speaker' }] },
        },
      });
    }
    const onA = await c.core.listNamespacedPod({
      namespace: ns,
      fieldSelector: 'spec.nodeName=node-a',
    });
    expect(onA.items.map((p) => p.metadata?.name)).toEqual(['p1', 'p3']);
    const setBased = await c.core.listNamespacedPod({
      namespace: ns,
      labelSelector: 'app=speaker,idx notin (p1)',
    });
    expect(setBased.items.map((p) => p.metadata?.name)).toEqual(['p2', 'p3']);
    const byName = await c.core.listPodForAllNamespaces({
      fieldSelector: 'metadata.name=p2,metadata.namespace=metallb-system',
    });
    expect(byName.items).toHaveLength(1);
    const bad = await statusOf(() =>
      c.core.listNamespacedPod({ namespace: ns, fieldSelector: 'spec.color=red' }),
    );
    expect(bad).toMatchObject({
      code: 400,
      reason: 'BadRequest',
      message: 'field label not supported: spec.color',
    });
    const badLabel = await statusOf(() =>
      c.core.listNamespacedPod({ namespace: ns, labelSelector: 'a in (' }),
    );
    expect(badLabel.code).toBe(400);
  });

  it('selects events by involvedObject fields, written through core/v1 or events.k8s.io/v1', async () => {
    await c.core.createNamespacedEvent({
      namespace: ns,
      body: {
        metadata: { name: 'web.1' },
        involvedObject: { kind: 'Service', name: 'web', namespace: ns },
        reason: 'IPAllocated',
        message: 'Assigned IP ["192.0.2.10"]',
        type: 'Normal',
      },
    });
    await c.events.createNamespacedEvent({
      namespace: ns,
      body: {
        metadata: { name: 'web.2' },
        eventTime: new Date() as never,
        reportingController: 'metallb.io/controller',
        reportingInstance: 'controller-0',
        action: 'Allocate',
        regarding: { kind: 'Service', name: 'web', namespace: ns },
        reason: 'IPAllocated',
        note: 'again',
        type: 'Normal',
      },
    });
    const evs = await c.core.listNamespacedEvent({
      namespace: ns,
      fieldSelector: 'involvedObject.kind=Service,involvedObject.name=web',
    });
    expect(evs.items.map((e) => [e.reason, e.message])).toEqual([
      ['IPAllocated', 'Assigned IP ["192.0.2.10"]'],
      ['IPAllocated', 'again'],
    ]);
    const asV1 = await c.events.readNamespacedEvent({ name: 'web.1', namespace: ns });
    expect(asV1.note).toBe('Assigned IP ["192.0.2.10"]');
    expect(asV1.regarding?.name).toBe('web');
    const invalid = await statusOf(() =>
      c.events.createNamespacedEvent({
        namespace: ns,
        body: {
          metadata: { name: 'bad' },
          eventTime: new Date() as never,
          reason: 'x',
          type: 'Normal',
        },
      }),
    );
    expect(invalid.details?.causes?.map((x) => x.field)).toEqual([
      'reportingController',
      'reportingInstance',
      'action',
    ]);
  });

  it('pages with limit/continue and reports remainingItemCount', async () => {
    for (let i = 0; i < 5; i++)
      await c.core.createNamespacedConfigMap({
        namespace: 'default',
        body: { metadata: { name: `page-${i}` } },
      });
    const first = await c.core.listNamespacedConfigMap({ namespace: 'default', limit: 2 });
    expect(first.items.map((x) => x.metadata?.name)).toEqual(['page-0', 'page-1']);
    expect(first.metadata?.remainingItemCount).toBe(3);
    const second = await c.core.listNamespacedConfigMap({
      namespace: 'default',
      limit: 2,
      _continue: first.metadata?._continue,
    });
    expect(second.items.map((x) => x.metadata?.name)).toEqual(['page-2', 'page-3']);
    const third = await c.core.listNamespacedConfigMap({
      namespace: 'default',
      limit: 2,
      _continue: second.metadata?._continue,
    });
    expect(third.items.map((x) => x.metadata?.name)).toEqual(['page-4']);
    expect(third.metadata?._continue).toBeUndefined();
    expect(third.metadata?.resourceVersion).toBe(first.metadata?.resourceVersion);
  });

  it('deletecollection removes what the selector matches', async () => {
    await c.core.deleteCollectionNamespacedConfigMap({ namespace: 'default', labelSelector: '' });
    const left = await c.core.listNamespacedConfigMap({ namespace: 'default' });
    expect(left.items).toEqual([]);
  });
});

describe('finalizers and deletion', () => {
  it('keeps an object with finalizers until the last one is removed', async () => {
    await c.core.createNamespacedConfigMap({
      namespace: ns,
      body: { metadata: { name: 'held', finalizers: ['metallb.io/cleanup'] } },
    });
    await c.core.deleteNamespacedConfigMap({ name: 'held', namespace: ns });
    const marked = await c.core.readNamespacedConfigMap({ name: 'held', namespace: ns });
    expect(marked.metadata?.deletionTimestamp).toBeDefined();
    const add = structuredClone(marked);
    add.metadata!.finalizers = ['metallb.io/cleanup', 'metallb.io/more'];
    const refused = await statusOf(() =>
      c.core.replaceNamespacedConfigMap({ name: 'held', namespace: ns, body: add }),
    );
    expect(refused.details?.causes?.[0]).toMatchObject({
      field: 'metadata.finalizers',
      reason: 'FieldValueForbidden',
    });
    await c.core.patchNamespacedConfigMap(
      { name: 'held', namespace: ns, body: { metadata: { finalizers: null } } },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    );
    const gone = await statusOf(() =>
      c.core.readNamespacedConfigMap({ name: 'held', namespace: ns }),
    );
    expect(gone.code).toBe(404);
  });

  it('deleting a Service frees its cluster IP and node ports', async () => {
    const svc = await c.core.readNamespacedService({ name: 'dual', namespace: ns });
    const ip = svc.spec?.clusterIPs?.[1];
    await c.core.deleteNamespacedService({ name: 'dual', namespace: ns });
    const again = await c.core.createNamespacedService({
      namespace: ns,
      body: lbService('reuse', { clusterIP: ip }),
    });
    expect(again.spec?.clusterIP).toBe(ip);
  });

  it('a namespace deletion removes its content, then the namespace', async () => {
    await c.core.createNamespace({ body: { metadata: { name: 'doomed' } } });
    await c.core.createNamespacedConfigMap({
      namespace: 'doomed',
      body: { metadata: { name: 'a' } },
    });
    await c.core.deleteNamespace({ name: 'doomed' });
    const refused = await statusOf(() =>
      c.core
        .createNamespacedConfigMap({ namespace: 'doomed', body: { metadata: { name: 'b' } } })
        .then(async (r) => {
          // The namespace may already be gone: then creating is a 404 instead of a 403.
          return r;
        }),
    );
    expect([403, 404]).toContain(refused.code);
    await eventually(() => (c.server.core.store.get('/namespaces', 'doomed') ? undefined : true));
    const st = await statusOf(() => c.core.readNamespace({ name: 'doomed' }));
    expect(st.code).toBe(404);
  });
});

describe('Service type changes', () => {
  it('LoadBalancer → ClusterIP by patch drops node ports and LB fields, keeps the cluster IP', async () => {
    const lb = await c.core.createNamespacedService({
      namespace: ns,
      body: lbService('flip', {
        externalTrafficPolicy: 'Local',
        loadBalancerClass: 'metallb.io/metallb',
      }),
    });
    expect(lb.spec?.healthCheckNodePort).toBeGreaterThanOrEqual(30000);
    const cip = await c.core.patchNamespacedService(
      { name: 'flip', namespace: ns, body: { spec: { type: 'ClusterIP' } } },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    );
    expect(cip.spec?.type).toBe('ClusterIP');
    expect(cip.spec?.ports?.[0]?.nodePort).toBeUndefined();
    expect(cip.spec?.healthCheckNodePort).toBeUndefined();
    expect(cip.spec?.loadBalancerClass).toBeUndefined();
    expect(cip.spec?.externalTrafficPolicy).toBeUndefined();
    expect(cip.spec?.clusterIP).toBe(lb.spec?.clusterIP);
    // The freed node port can be claimed again.
    const again = await c.core.createNamespacedService({
      namespace: ns,
      body: lbService('claim', {
        ports: [{ name: 'http', port: 80, nodePort: lb.spec?.ports?.[0]?.nodePort }],
      }),
    });
    expect(again.spec?.ports?.[0]?.nodePort).toBe(lb.spec?.ports?.[0]?.nodePort);
    // Back to LoadBalancer: node ports are allocated again.
    const back = await c.core.patchNamespacedService(
      { name: 'flip', namespace: ns, body: { spec: { type: 'LoadBalancer' } } },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    );
    expect(back.spec?.ports?.[0]?.nodePort).toBeGreaterThanOrEqual(30000);
    expect(back.spec?.externalTrafficPolicy).toBe('Cluster');
  });
});
