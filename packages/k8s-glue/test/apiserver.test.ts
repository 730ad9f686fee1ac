// Against the workspace's test Kubernetes API server, through the real @kubernetes/client-node:
//  - the generated CRDs install, accept the seeds' YAML and reject broken variants (OpenAPI
//    bounds and CEL rules) with MetalLB's messages;
//  - BGPPeer v1beta1 ⇄ v1beta2 goes through IronLB's conversion (plugged in as the server's
//    conversion hook), absent timers stay absent;
//  - the certificate manager's patching path: Secret created, caBundle patched into the
//    ValidatingWebhookConfiguration and the BGPPeer CRD.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import {
  AdmissionregistrationV1Api,
  loadAllYaml,
  ApiextensionsV1Api,
  CoreV1Api,
  CustomObjectsApi,
  KubeConfig,
  type V1CustomResourceDefinition,
  type V1ValidatingWebhookConfiguration,
} from '@kubernetes/client-node';
import { startTestApiServer, type TestApiServer } from '@ironlb/test-apiserver';
import { KINDS } from '../src/crd/definitions.js';
import { handleConversionReview } from '../src/webhook/conversion.js';
import { CertManager } from '../src/webhook/cert-manager.js';
import { webhookKubeClientFromConfig } from '../src/webhook/kube-client.js';
import { listClusterResources } from '../src/kube/list.js';
import { parseConfig } from '../src/config/parse.js';
import { decideAdmission } from '../src/webhook/admission.js';
import { fixture, yamlDocs } from './helpers.js';

let api: TestApiServer;
let custom: CustomObjectsApi;

function kubeConfig(): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromString(api.kubeconfigText);
  return kc;
}

beforeAll(async () => {
  api = await startTestApiServer({
    // The committed webhook configuration is applied below, but no webhook server runs in this
    // test: store it without calling it (the test API server calls webhooks by default; the
    // webhook over HTTPS is proven in tools/test-apiserver/test/webhooks.int.test.ts).
    admissionWebhooks: 'off',
    conversionHook: (_crd, objects, desiredAPIVersion) => {
      const r = handleConversionReview({
        apiVersion: 'apiextensions.k8s.io/v1',
        kind: 'ConversionReview',
        request: {
          uid: 'hook',
          desiredAPIVersion,
          objects: objects as unknown as Record<string, unknown>[],
        },
      });
      if (r.response?.result.status !== 'Success') throw new Error(r.response?.result.message);
      return r.response.convertedObjects as unknown as typeof objects;
    },
  });
  const kc = kubeConfig();
  const ext = kc.makeApiClient(ApiextensionsV1Api);
  // The committed manifests, loaded the way kubectl-like clients load them (client-node's
  // loadAllYaml gives its typed models, which its typed clients serialise back to wire names).
  const manifest = (rel: string) =>
    readFileSync(new URL(`../../../deploy/${rel}`, import.meta.url), 'utf8');
  const crds = loadAllYaml(manifest('crds/all.yaml')) as V1CustomResourceDefinition[];
  expect(crds).toHaveLength(KINDS.length);
  for (const crd of crds) await ext.createCustomResourceDefinition({ body: crd });
  const [vwc] = loadAllYaml(
    manifest('webhooks/validatingwebhookconfiguration.yaml'),
  ) as V1ValidatingWebhookConfiguration[];
  await kc
    .makeApiClient(AdmissionregistrationV1Api)
    .createValidatingWebhookConfiguration({ body: vwc as V1ValidatingWebhookConfiguration });
  await kc
    .makeApiClient(CoreV1Api)
    .createNamespace({ body: { metadata: { name: 'metallb-system' } } });
  custom = kc.makeApiClient(CustomObjectsApi);
}, 60_000);

afterAll(async () => {
  await api?.stop();
});

const plural = (kind: string) => KINDS.find((k) => k.kind === kind)?.plural as string;

function create(obj: Record<string, unknown>) {
  const [group, version] = String(obj.apiVersion).split('/') as [string, string];
  return custom.createNamespacedCustomObject({
    group,
    version,
    namespace: 'metallb-system',
    plural: plural(String(obj.kind)),
    body: { ...obj, metadata: { ...(obj.metadata as object), namespace: 'metallb-system' } },
  });
}

async function rejection(obj: Record<string, unknown>): Promise<string> {
  try {
    await create(obj);
  } catch (e) {
    const body = (e as { body?: unknown }).body;
    return typeof body === 'string' ? body : JSON.stringify(body);
  }
  throw new Error('expected the API server to refuse the object');
}

describe('generated CRDs on the test API server', () => {
  it('accept the seeds’ custom resources unchanged, with MetalLB defaults applied', async () => {
    const docs = [
      ...yamlDocs(fixture('seeds/001-crs.yaml')),
      ...yamlDocs(fixture('seeds/003-crs.yaml')),
    ];
    for (const d of docs) await create(d);
    const pool = (await custom.getNamespacedCustomObject({
      group: 'metallb.io',
      version: 'v1beta1',
      namespace: 'metallb-system',
      plural: 'ipaddresspools',
      name: 'ip-pool',
    })) as { spec: Record<string, unknown> };
    expect(pool.spec).toEqual({
      addresses: ['172.25.1.1-172.25.1.100'],
      autoAssign: true,
      avoidBuggyIPs: false,
    });
  });

  it('reject broken variants with MetalLB’s messages', async () => {
    const ad = await rejection({
      apiVersion: 'metallb.io/v1beta1',
      kind: 'BGPAdvertisement',
      metadata: { name: 'bad-ad' },
      spec: { aggregationLength: 24, serviceSelectors: [{ matchLabels: { a: 'b' } }] },
    });
    expect(ad).toContain('serviceSelectors and aggregationLength are mutually exclusive');
    const peer = await rejection({
      apiVersion: 'metallb.io/v1beta2',
      kind: 'BGPPeer',
      metadata: { name: 'bad-peer' },
      spec: { myASN: 64512, peerASN: 64513, peerAddress: '192.0.2.1', connectTime: '1500ms' },
    });
    expect(peer).toContain('connect time should contain a whole number of seconds');
    const bfd = await rejection({
      apiVersion: 'metallb.io/v1beta1',
      kind: 'BFDProfile',
      metadata: { name: 'b' },
      spec: { detectMultiplier: 300 },
    });
    expect(bfd).toContain('spec.detectMultiplier');
  });

  it('serves BGPPeer v1beta1 through IronLB’s conversion, keeping absent timers absent', async () => {
    await create({
      apiVersion: 'metallb.io/v1beta1',
      kind: 'BGPPeer',
      metadata: { name: 'legacy' },
      spec: { myASN: 64512, peerASN: 64513, peerAddress: '192.0.2.1' },
    });
    const v2 = (await custom.getNamespacedCustomObject({
      group: 'metallb.io',
      version: 'v1beta2',
      namespace: 'metallb-system',
      plural: 'bgppeers',
      name: 'legacy',
    })) as { apiVersion: string; spec: Record<string, unknown> };
    expect(v2.apiVersion).toBe('metallb.io/v1beta2');
    expect(v2.spec).toMatchObject({ myASN: 64512, peerASN: 64513, peerAddress: '192.0.2.1' });
    expect(v2.spec).not.toHaveProperty('holdTime');
    expect(v2.spec).not.toHaveProperty('keepaliveTime');
  });
});

describe('certificate manager against the test API server', () => {
  it('stores the certificate Secret and patches the caBundle into the webhook configuration and the BGPPeer CRD', async () => {
    const kc = kubeConfig();
    const manager = new CertManager({
      client: webhookKubeClientFromConfig(kc),
    });
    const first = await manager.ensure();
    expect(first.rotated).toBe(true);
    const caBundle = Buffer.from(first.bundle.caBundlePem).toString('base64');

    const secret = await kc
      .makeApiClient(CoreV1Api)
      .readNamespacedSecret({ name: 'metallb-webhook-cert', namespace: 'metallb-system' });
    expect(Object.keys(secret.data ?? {}).sort()).toEqual([
      'ca.crt',
      'ca.key',
      'tls.crt',
      'tls.key',
    ]);
    const vwc = await kc
      .makeApiClient(AdmissionregistrationV1Api)
      .readValidatingWebhookConfiguration({ name: 'metallb-webhook-configuration' });
    expect(vwc.webhooks?.map((w) => w.clientConfig.caBundle)).toEqual(Array(9).fill(caBundle));
    const crd = await kc
      .makeApiClient(ApiextensionsV1Api)
      .readCustomResourceDefinition({ name: 'bgppeers.metallb.io' });
    expect(crd.spec.conversion?.webhook?.clientConfig?.caBundle).toBe(caBundle);

    // A second manager (a controller restart) reuses what is stored.
    const again = await new CertManager({
      client: webhookKubeClientFromConfig(kc),
    }).ensure();
    expect(again.rotated).toBe(false);
    expect(again.bundle.serving.certPem).toBe(first.bundle.serving.certPem);
  });
});

describe('reading the cluster', () => {
  it('lists every kind parseConfig needs, and the webhook decides against what is stored', async () => {
    const kc = kubeConfig();
    await kc
      .makeApiClient(CoreV1Api)
      .createNode({ body: { metadata: { name: 'node-1', labels: { zone: 'a' } } } });
    const res = await listClusterResources(kc);
    expect(res.pools?.map((p) => p.metadata.name).sort()).toEqual(['ip-pool', 'pool']);
    expect(res.l2Advertisements?.map((p) => p.metadata.name).sort()).toEqual([
      'example',
      'l2advertise',
    ]);
    expect(res.peers?.map((p) => p.metadata.name)).toEqual(['legacy']);
    expect(res.nodes?.map((n) => n.metadata.name)).toContain('node-1');
    expect(res.namespaces?.map((n) => n.metadata.name)).toContain('metallb-system');
    expect(res.secrets?.map((s) => s.metadata.name)).toContain('metallb-webhook-cert');
    const parsed = parseConfig(res);
    expect(parsed.ok ? [] : parsed.problems).toEqual([]);
    const overlap = decideAdmission(
      {
        uid: 'u',
        kind: { group: 'metallb.io', version: 'v1beta1', kind: 'IPAddressPool' },
        operation: 'CREATE',
        namespace: 'metallb-system',
        object: {
          metadata: { name: 'clash', namespace: 'metallb-system' },
          spec: { addresses: ['172.25.1.50/32'] },
        },
      },
      res,
    );
    expect(overlap).toMatchObject({
      allowed: false,
      message:
        'CIDR "172.25.1.50/32" in pool "clash" overlaps with already defined CIDR "172.25.1.32/27"',
    });
  });
});
