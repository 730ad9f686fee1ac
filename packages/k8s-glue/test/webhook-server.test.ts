// The webhook over real HTTPS (loopback): certificates from CertManager (in-memory Kubernetes
// client, manual clock), a test client that trusts only the generated CA, AdmissionReviews and
// ConversionReviews, and certificate rotation while the server keeps serving.
import { request } from 'node:https';
import { X509Certificate } from 'node:crypto';
import type { TLSSocket } from 'node:tls';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { buildCrd, buildValidatingWebhookConfiguration } from '../src/crd/render.js';
import { KINDS } from '../src/crd/definitions.js';
import { CertManager } from '../src/webhook/cert-manager.js';
import { createWebhookServer, type WebhookServer } from '../src/webhook/server.js';
import { startCertRotation } from '../src/webhook/rotation.js';
import type { ClusterResources } from '../src/config/resources.js';
import type { CrdObject, WebhookConfigurationObject } from '../src/webhook/kube-client.js';
import { ManualClock, ManualWallClock, MemoryLogger } from '@ironlb/clock/testing';
import { InMemoryWebhookKubeClient } from '../src/testing/index.js';
import { pool } from './cases/config-cases.js';

const DAY = 86_400_000;
const SNI = 'metallb-webhook-service.metallb-system.svc';

function setup() {
  const client = new InMemoryWebhookKubeClient();
  client.seedWebhookConfiguration(
    buildValidatingWebhookConfiguration() as unknown as WebhookConfigurationObject,
  );
  client.seedCrd(
    buildCrd(
      KINDS.find((k) => k.kind === 'BGPPeer') as (typeof KINDS)[number],
    ) as unknown as CrdObject,
  );
  const clock = new ManualWallClock(Date.UTC(2026, 0, 1));
  const manager = new CertManager({ client, wallClock: clock });
  return { client, clock, manager };
}

interface Reply {
  status: number;
  body: unknown;
  serial: string;
}

function post(port: number, ca: string, path: string, body: unknown): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port,
        path,
        method: 'POST',
        ca,
        servername: SNI,
        agent: false,
        headers: { 'content-type': 'application/json' },
      },
      (res) => {
        const serial = (res.socket as TLSSocket).getPeerCertificate().serialNumber;
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let parsed: unknown = text;
          try {
            parsed = JSON.parse(text);
          } catch {
            // plain-text answers (errors) stay strings
          }
          resolve({ status: res.statusCode ?? 0, body: parsed, serial });
        });
      },
    );
    req.on('error', reject);
    req.end(JSON.stringify(body));
  });
}

const review = (uid: string, kind: string, object: unknown, version = 'v1beta1') => ({
  apiVersion: 'admission.k8s.io/v1',
  kind: 'AdmissionReview',
  request: {
    uid,
    kind: { group: 'metallb.io', version, kind },
    operation: 'CREATE',
    namespace: 'metallb-system',
    object,
  },
});

let server: WebhookServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

describe('certificate manager', () => {
  it('stores a CA and serving certificate and patches the caBundle everywhere', async () => {
    const { client, manager } = setup();
    const { bundle, rotated } = await manager.ensure();
    expect(rotated).toBe(true);
    const secret = client.secrets.get('metallb-system/metallb-webhook-cert');
    expect(Object.keys(secret?.data ?? {}).sort()).toEqual([
      'ca.crt',
      'ca.key',
      'tls.crt',
      'tls.key',
    ]);
    const leaf = new X509Certificate(bundle.serving.certPem);
    expect(leaf.checkHost(SNI)).toBe(SNI);
    expect(leaf.verify(new X509Certificate(bundle.ca.certPem).publicKey)).toBe(true);
    const caBundle = Buffer.from(bundle.caBundlePem).toString('base64');
    const vwc = client.webhookConfigurations.get('metallb-webhook-configuration');
    expect(vwc?.webhooks?.length).toBe(9);
    for (const h of vwc?.webhooks ?? []) expect(h.clientConfig.caBundle).toBe(caBundle);
    expect(
      client.crds.get('bgppeers.metallb.io')?.spec.conversion?.webhook?.clientConfig?.caBundle,
    ).toBe(caBundle);
  });

  it('is idempotent while the material is fresh, renews the serving cert before expiry, and the CA before its expiry', async () => {
    const { client, clock, manager } = setup();
    const first = await manager.ensure();
    const writes = client.writes.length;
    const again = await manager.ensure();
    expect(again.rotated).toBe(false);
    expect(client.writes.length).toBe(writes);

    clock.advance(365 * DAY - 89 * DAY); // serving cert within the 90-day window
    const renewed = await manager.ensure();
    expect(renewed.rotated).toBe(true);
    expect(renewed.bundle.ca.certPem).toBe(first.bundle.ca.certPem);
    expect(renewed.bundle.serving.certPem).not.toBe(first.bundle.serving.certPem);

    clock.advance(3650 * DAY - 365 * DAY); // CA within its window
    const newCa = await manager.ensure();
    expect(newCa.bundle.ca.certPem).not.toBe(first.bundle.ca.certPem);
    // The previous CA is still trusted during the switch.
    expect(newCa.bundle.caBundlePem).toContain(first.bundle.ca.certPem.trim());
  });

  it('starts over from the stored secret when another writer won the race', async () => {
    const { client, manager } = setup();
    const other = new CertManager({ client, wallClock: new ManualWallClock(Date.UTC(2026, 0, 1)) });
    await other.ensure();
    const stored = client.secrets.get('metallb-system/metallb-webhook-cert');
    const r = await manager.ensure();
    expect(r.rotated).toBe(false);
    expect(Buffer.from(r.bundle.ca.certPem).toString('base64')).toBe(stored?.data?.['ca.crt']);
  });
});

describe('webhook server over HTTPS', () => {
  async function start(resources: ClusterResources = {}) {
    const ctx = setup();
    const { bundle } = await new CertManager({
      client: ctx.client,
    }).ensure();
    server = createWebhookServer(
      { resources: async () => resources },
      { cert: bundle.serving.certPem, key: bundle.serving.keyPem, port: 0, host: '127.0.0.1' },
    );
    const { port } = await server.listen();
    return { ...ctx, bundle, port };
  }

  it('admits a valid pool and denies an overlapping one with MetalLB’s message', async () => {
    const { port, bundle } = await start({ pools: [pool('existing', ['192.0.2.0/24'])] });
    const ok = await post(
      port,
      bundle.caBundlePem,
      '/validate-metallb-io-v1beta1-ipaddresspool',
      review('a', 'IPAddressPool', pool('new', ['198.51.100.0/24'])),
    );
    expect(ok.status).toBe(200);
    expect(ok.body).toMatchObject({
      kind: 'AdmissionReview',
      response: { uid: 'a', allowed: true },
    });
    const denied = await post(
      port,
      bundle.caBundlePem,
      '/validate-metallb-io-v1beta1-ipaddresspool',
      review('b', 'IPAddressPool', pool('new', ['192.0.2.128/25'])),
    );
    expect(denied.body).toMatchObject({
      response: {
        uid: 'b',
        allowed: false,
        result: {
          code: 403,
          message:
            'CIDR "192.0.2.128/25" in pool "new" overlaps with already defined CIDR "192.0.2.0/24"',
        },
      },
    });
  });

  it('converts BGPPeers on /convert', async () => {
    const { port, bundle } = await start();
    const r = await post(port, bundle.caBundlePem, '/convert', {
      apiVersion: 'apiextensions.k8s.io/v1',
      kind: 'ConversionReview',
      request: {
        uid: 'c',
        desiredAPIVersion: 'metallb.io/v1beta2',
        objects: [
          {
            apiVersion: 'metallb.io/v1beta1',
            kind: 'BGPPeer',
            metadata: { name: 'r' },
            spec: { myASN: 1, peerASN: 2, peerAddress: '192.0.2.1' },
          },
        ],
      },
    });
    expect(r.body).toMatchObject({
      response: {
        uid: 'c',
        result: { status: 'Success' },
        convertedObjects: [{ apiVersion: 'metallb.io/v1beta2', spec: { myASN: 1 } }],
      },
    });
  });

  it('answers hostile ConversionReviews with a Failure review, not a 500 (issue 14)', async () => {
    const { port, bundle } = await start();
    for (const [body, message] of [
      [null, 'conversion review has no request'],
      [
        { request: { uid: 'n', desiredAPIVersion: 'metallb.io/v1beta2', objects: [null] } },
        'object 0 is not an object',
      ],
      [
        {
          request: {
            uid: 'm',
            desiredAPIVersion: 'metallb.io/v1beta2',
            objects: [{ apiVersion: 'metallb.io/v1beta1', kind: 'BGPPeer', spec: {} }],
          },
        },
        'object 0 (BGPPeer) has no metadata',
      ],
    ] as const) {
      const r = await post(port, bundle.caBundlePem, '/convert', body);
      expect(r.status).toBe(200);
      expect(r.body).toMatchObject({ response: { result: { status: 'Failure', message } } });
    }
  });

  it('denies with the reason when the existing objects cannot be read', async () => {
    const ctx = setup();
    const { bundle } = await new CertManager({
      client: ctx.client,
    }).ensure();
    server = createWebhookServer(
      {
        resources: async () => {
          throw new Error('apiserver unreachable');
        },
      },
      { cert: bundle.serving.certPem, key: bundle.serving.keyPem, port: 0, host: '127.0.0.1' },
    );
    const { port } = await server.listen();
    const r = await post(
      port,
      bundle.caBundlePem,
      '/validate-metallb-io-v1beta1-ipaddresspool',
      review('e', 'IPAddressPool', pool('p', ['192.0.2.0/24'])),
    );
    expect(r.body).toMatchObject({
      response: {
        uid: 'e',
        allowed: false,
        result: { code: 403, message: 'failed to get existing objects: apiserver unreachable' },
      },
    });
  });

  it('survives and logs a server error after it started listening (e.g. EMFILE on accept)', async () => {
    const ctx = setup();
    const { bundle } = await new CertManager({
      client: ctx.client,
    }).ensure();
    const logger = new MemoryLogger();
    server = createWebhookServer(
      { resources: async () => ({}), logger },
      { cert: bundle.serving.certPem, key: bundle.serving.keyPem, port: 0, host: '127.0.0.1' },
    );
    const { port } = await server.listen();
    const emfile = Object.assign(new Error('accept EMFILE'), { code: 'EMFILE' });
    // Without a permanent listener, emit('error') throws (and would crash the process).
    expect(() => server?.server.emit('error', emfile)).not.toThrow();
    expect(logger.entries.filter((e) => e.level === 'error')).toEqual([
      {
        level: 'error',
        fields: { op: 'server', error: 'Error: accept EMFILE' },
        msg: 'webhook server error',
      },
    ]);
    const r = await post(
      port,
      bundle.caBundlePem,
      '/validate-metallb-io-v1beta1-ipaddresspool',
      review('s', 'IPAddressPool', pool('p', ['192.0.2.0/24'])),
    );
    expect(r.body).toMatchObject({ response: { uid: 's', allowed: true } });
  });

  it('denies a malformed object with a message about the object, and keeps serving', async () => {
    const { port, bundle } = await start({ pools: [pool('existing', ['192.0.2.0/24'])] });
    const bad = { ...pool('bad', []), spec: { addresses: '198.51.100.0/24' } };
    const r = await post(
      port,
      bundle.caBundlePem,
      '/validate-metallb-io-v1beta1-ipaddresspool',
      review('m', 'IPAddressPool', bad),
    );
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ response: { uid: 'm', allowed: false, result: { code: 403 } } });
    const message = (r.body as { response: { result: { message: string } } }).response.result
      .message;
    expect(message).toMatch(/^IPAddressPool bad is malformed: /);
    expect(message).not.toContain('failed to get existing objects');
    const ok = await post(
      port,
      bundle.caBundlePem,
      '/validate-metallb-io-v1beta1-ipaddresspool',
      review('n', 'IPAddressPool', pool('good', ['198.51.100.0/24'])),
    );
    expect(ok.body).toMatchObject({ response: { uid: 'n', allowed: true } });
  });

  it('denies, naming the object, when the decision itself fails (not "failed to get existing objects")', async () => {
    const ctx = setup();
    const { bundle } = await new CertManager({
      client: ctx.client,
    }).ensure();
    const logger = new MemoryLogger();
    server = createWebhookServer(
      {
        // Listed fine, but not the shape decideAdmission expects: it throws on it.
        resources: async () => ({ pools: 5 }) as unknown as ClusterResources,
        logger,
      },
      { cert: bundle.serving.certPem, key: bundle.serving.keyPem, port: 0, host: '127.0.0.1' },
    );
    const { port } = await server.listen();
    const r = await post(
      port,
      bundle.caBundlePem,
      '/validate-metallb-io-v1beta1-ipaddresspool',
      review('d', 'IPAddressPool', pool('p', ['192.0.2.0/24'])),
    );
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ response: { uid: 'd', allowed: false, result: { code: 403 } } });
    const message = (r.body as { response: { result: { message: string } } }).response.result
      .message;
    expect(message).toMatch(/^cannot validate IPAddressPool p: /);
    expect(logger.entries.filter((e) => e.level === 'error').map((e) => e.msg)).toEqual([
      'admission decision failed',
    ]);
  });

  it('refuses request bodies over the limit with 413', async () => {
    const ctx = setup();
    const { bundle } = await new CertManager({
      client: ctx.client,
    }).ensure();
    server = createWebhookServer(
      { resources: async () => ({}) },
      {
        cert: bundle.serving.certPem,
        key: bundle.serving.keyPem,
        port: 0,
        host: '127.0.0.1',
        maxBodyBytes: 1024,
      },
    );
    const { port } = await server.listen();
    const big = review(
      'b',
      'IPAddressPool',
      pool(
        'p',
        Array.from({ length: 200 }, (_, i) => `10.${i}.0.0/24`),
      ),
    );
    const r = await post(
      port,
      bundle.caBundlePem,
      '/validate-metallb-io-v1beta1-ipaddresspool',
      big,
    ).catch((e: Error) => ({ status: -1, body: e.message, serial: '' }));
    expect(r.status).toBe(413);
  });

  it('refuses malformed requests and unknown paths', async () => {
    const { port, bundle } = await start();
    expect(
      (
        await post(port, bundle.caBundlePem, '/validate-metallb-io-v1beta1-ipaddresspool', {
          nope: true,
        })
      ).status,
    ).toBe(400);
    expect((await post(port, bundle.caBundlePem, '/elsewhere', {})).status).toBe(404);
  });

  it('is not trusted by a client with another CA', async () => {
    const { port } = await start();
    const other = await setup().manager.ensure();
    await expect(post(port, other.bundle.caBundlePem, '/convert', {})).rejects.toThrow();
  });

  it('rotates its certificate while serving: new connections get the new one, trusted through the CA bundle', async () => {
    // TLS checks validity against the real time, so this clock ends at "now": it starts 300
    // days ago with a CA that lives 400 days and serving certificates that live 365 days.
    const ctx = setup();
    const clock = new ManualWallClock(Date.now() - 300 * DAY);
    const manager = new CertManager(
      { client: ctx.client, wallClock: clock },
      { caValidityMs: 400 * DAY },
    );
    const { bundle } = await manager.ensure();
    server = createWebhookServer(
      { resources: async () => ({}) },
      { cert: bundle.serving.certPem, key: bundle.serving.keyPem, port: 0, host: '127.0.0.1' },
    );
    const { port } = await server.listen();
    const convert = (uid: string) => ({
      request: { uid, desiredAPIVersion: 'metallb.io/v1beta2', objects: [] },
    });
    const before = await post(port, bundle.caBundlePem, '/convert', convert('x'));
    expect(before.serial).toBe(new X509Certificate(bundle.serving.certPem).serialNumber);

    clock.advance(300 * DAY); // 65 days left on the serving cert, 100 on the CA
    const renewed = await manager.ensure();
    expect(renewed.rotated).toBe(true);
    expect(renewed.bundle.ca.certPem).toBe(bundle.ca.certPem);
    server.updateCertificate(renewed.bundle.serving.certPem, renewed.bundle.serving.keyPem);
    const after = await post(port, renewed.bundle.caBundlePem, '/convert', convert('y'));
    expect(after.status).toBe(200);
    expect(after.serial).toBe(new X509Certificate(renewed.bundle.serving.certPem).serialNumber);
    expect(after.serial).not.toBe(before.serial);

    // A CA rotation (forced here by a wider refresh window): the API server gets a bundle with
    // both CAs, so it trusts the old leaf until the switch and the new one after it.
    const caRotator = new CertManager(
      { client: ctx.client, wallClock: clock },
      { caValidityMs: 400 * DAY, refreshBeforeMs: 200 * DAY },
    );
    const newCa = await caRotator.ensure();
    expect(newCa.bundle.ca.certPem).not.toBe(bundle.ca.certPem);
    const stillOld = await post(port, newCa.bundle.caBundlePem, '/convert', convert('z1'));
    expect(stillOld.serial).toBe(after.serial);
    server.updateCertificate(newCa.bundle.serving.certPem, newCa.bundle.serving.keyPem);
    const afterCa = await post(port, newCa.bundle.caBundlePem, '/convert', convert('z2'));
    expect(afterCa.serial).toBe(new X509Certificate(newCa.bundle.serving.certPem).serialNumber);
    const vwc = ctx.client.webhookConfigurations.get('metallb-webhook-configuration');
    expect(vwc?.webhooks?.[0]?.clientConfig.caBundle).toBe(
      Buffer.from(newCa.bundle.caBundlePem).toString('base64'),
    );
  });
});

describe('certificate rotation loop', () => {
  it('checks on its interval and hands over a new certificate only when it changed', async () => {
    const { client } = setup();
    const wallClock = new ManualWallClock(Date.now());
    const manager = new CertManager({ client, wallClock });
    const timers = new ManualClock();
    const served: string[] = [];
    const rotation = startCertRotation(
      { manager, clock: timers, onCertificate: (b) => served.push(b.serving.certPem) },
      { checkIntervalMs: 60_000 },
    );
    expect(timers.pending()).toBe(1);
    timers.advance(59_999);
    expect(served).toHaveLength(0);
    timers.advance(1); // the timer's check
    await vi.waitFor(() => expect(served).toHaveLength(1));
    await vi.waitFor(() => expect(timers.pending()).toBe(1)); // re-armed after the check
    await rotation.check();
    expect(served).toHaveLength(1);
    await rotation.check(); // nothing changed
    expect(served).toHaveLength(1);
    wallClock.advance(300 * DAY); // inside the renewal window
    await rotation.check();
    expect(served).toHaveLength(2);
    expect(served[1]).not.toBe(served[0]);
    rotation.stop();
    expect(timers.pending()).toBe(0);
  });
});
