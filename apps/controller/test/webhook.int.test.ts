// The webhook server inside the controller process, called by the test API server exactly as
// kube-apiserver calls it: through the ValidatingWebhookConfiguration IronLB ships, the Service
// `metallb-webhook-service` and its endpoints, over TLS verified with the CA bundle the
// controller's certificate manager generated and patched in. An invalid pool is refused with
// MetalLB's message; a valid one is admitted; --webhook-mode onlywebhook allocates nothing.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ControllerProcess,
  NS,
  ROOT,
  applyYaml,
  createService,
  eventually,
  freePort,
  killAll,
  poolObject,
  sleep,
  startCluster,
  type Cluster,
} from './harness.js';

let c: Cluster;
let webhookPort: number;

async function publishWebhookService(port: number): Promise<void> {
  await c.core.createNamespacedService({
    namespace: NS,
    body: {
      metadata: { name: 'metallb-webhook-service' },
      spec: {
        ports: [{ name: 'webhook', port: 443, targetPort: 9443 as never }],
        selector: { component: 'controller' },
      },
    },
  });
  await c.objects.create({
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: {
      name: 'metallb-webhook-service-x',
      namespace: NS,
      labels: { 'kubernetes.io/service-name': 'metallb-webhook-service' },
    },
    addressType: 'IPv4',
    endpoints: [{ addresses: ['127.0.0.1'], conditions: { ready: true } }],
    ports: [{ name: 'webhook', port, protocol: 'TCP' }],
  } as never);
}

async function createError(obj: object): Promise<string> {
  try {
    await c.objects.create(obj as never);
    return '';
  } catch (e) {
    const body = (e as { body?: unknown }).body;
    const parsed =
      typeof body === 'string'
        ? (JSON.parse(body) as { message?: string })
        : (body as { message?: string });
    return parsed?.message ?? String(e);
  }
}

beforeAll(async () => {
  c = await startCluster();
  await applyYaml(
    c,
    readFileSync(join(ROOT, 'deploy/webhooks/validatingwebhookconfiguration.yaml'), 'utf8'),
  );
  webhookPort = await freePort();
  await publishWebhookService(webhookPort);
}, 60_000);

afterAll(async () => {
  await killAll();
  await c?.close();
});

describe('validating webhooks, called by the API server', () => {
  it('the controller publishes its CA bundle, admits a valid pool and refuses an overlapping one with MetalLB message', async () => {
    // A memberlist Secret the user made is used as is.
    await c.core.createNamespacedSecret({
      namespace: NS,
      body: {
        metadata: { name: 'user-ml' },
        data: { secretkey: Buffer.from('mine').toString('base64') },
      },
    });
    const ctl = ControllerProcess.start(c, 'controller-0', [
      '--webhook-port',
      String(webhookPort),
      '--ml-secret-name',
      'user-ml',
    ]);
    await ctl.started();
    const vwc = await eventually(async () => {
      const list = await c.objects.list(
        'admissionregistration.k8s.io/v1',
        'ValidatingWebhookConfiguration',
      );
      const v = list.items.find((i) => i.metadata?.name === 'metallb-webhook-configuration') as
        { webhooks?: { clientConfig: { caBundle?: string } }[] } | undefined;
      return v?.webhooks?.every((h) => h.clientConfig.caBundle) ? v : undefined;
    });
    expect(vwc.webhooks!.length).toBeGreaterThan(0);
    expect(await createError(poolObject('lan', ['192.0.2.0/26']))).toBe('');
    const denied = await createError(poolObject('overlap', ['192.0.2.32/27']));
    expect(denied).toBe(
      'admission webhook "ipaddresspoolvalidationwebhook.metallb.io" denied the request: CIDR "192.0.2.32/27" in pool "overlap" overlaps with already defined CIDR "192.0.2.0/26"',
    );
    // The pool that was admitted is used; the refused one never existed.
    await createService(c, { name: 'web' });
    await eventually(async () => {
      const s = await c.core.readNamespacedService({ name: 'web', namespace: 'default' });
      return s.status?.loadBalancer?.ingress?.[0]?.ip === '192.0.2.0';
    });
    const secret = await c.core.readNamespacedSecret({ name: 'user-ml', namespace: NS });
    expect(secret.data).toEqual({ secretkey: Buffer.from('mine').toString('base64') });
    expect(secret.metadata?.ownerReferences).toBeUndefined();
    await ctl.kill('SIGTERM');
  });

  it('--webhook-mode onlywebhook serves the webhooks and allocates nothing', async () => {
    const ctl = ControllerProcess.start(c, 'webhook-only', [
      '--webhook-port',
      String(webhookPort),
      '--webhook-mode',
      'onlywebhook',
    ]);
    await ctl.started();
    const denied = await createError(poolObject('bad', ['192.0.2.0-192.0.1.0']));
    expect(denied).toMatch(
      /^admission webhook "ipaddresspoolvalidationwebhook.metallb.io" denied the request: /,
    );
    await createService(c, { name: 'ignored' });
    await sleep(1500);
    const s = await c.core.readNamespacedService({ name: 'ignored', namespace: 'default' });
    expect(s.status?.loadBalancer?.ingress ?? []).toEqual([]);
    expect(ctl.find((l) => l.msg === 'became leader')).toBeUndefined();
    await ctl.kill('SIGTERM');
  });
});
