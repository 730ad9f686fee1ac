// IronLB's own webhook (k8s-glue's webhook server and certificate manager, run as a separate
// process like the controller in a cluster) behind `metallb-webhook-service`'s EndpointSlice on
// 127.0.0.2, with the committed deploy/ manifests: MetalLB's admission messages as
// @kubernetes/client-node and kubectl see them, BGPPeer v1beta1 ⇄ v1beta2 through the conversion
// webhook on write, read, list and watch, and a wrong caBundle left to failurePolicy.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import {
  CustomObjectsApi,
  KubernetesObjectApi,
  PatchStrategy,
  Watch,
  loadAllYaml,
  setHeaderOptions,
} from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeServingCert } from '../src/tls.ts';
import { REPO_ROOT, skipReason, startCliServer, type CliServer } from './cli/harness.ts';
import { statusOf } from './helpers.ts';

const GLUE_DIST = join(REPO_ROOT, 'packages', 'k8s-glue', 'dist', 'index.js');
const skip =
  skipReason() ??
  (existsSync(GLUE_DIST) ? undefined : `${GLUE_DIST} missing (npm run build builds it)`);
const NS = 'metallb-system';
const WEBHOOK_HOST = '127.0.0.2';

const pool = (name: string, addresses: string[]) => ({
  apiVersion: 'metallb.io/v1beta1',
  kind: 'IPAddressPool',
  metadata: { name, namespace: NS },
  spec: { addresses },
});

describe.skipIf(skip !== undefined)(
  `IronLB's webhook process behind an EndpointSlice${skip ? ` — SKIPPED: ${skip}` : ''}`,
  () => {
    let c: CliServer;
    let glue: ChildProcess;
    let objects: KubernetesObjectApi;
    let custom: CustomObjectsApi;

    beforeAll(async () => {
      c = await startCliServer();
      const kc = c.server.kubeConfig();
      objects = KubernetesObjectApi.makeApiClient(kc);
      custom = kc.makeApiClient(CustomObjectsApi);
      const manifest = (rel: string) => readFileSync(join(REPO_ROOT, 'deploy', rel), 'utf8');
      for (const o of loadAllYaml(manifest('crds/all.yaml'))) await objects.create(o as never);
      for (const o of loadAllYaml(manifest('webhooks/validatingwebhookconfiguration.yaml')))
        await objects.create(o as never);
      await objects.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: NS } });
      await objects.create({
        apiVersion: 'v1',
        kind: 'Service',
        metadata: { name: 'metallb-webhook-service', namespace: NS },
        spec: { ports: [{ port: 443, targetPort: 9443 }] },
      } as never);
      glue = spawn(
        process.execPath,
        [
          join(import.meta.dirname, 'fixtures', 'glue-webhook.ts'),
          GLUE_DIST,
          c.kubeconfig,
          WEBHOOK_HOST,
        ],
        { stdio: ['ignore', 'pipe', 'inherit'] },
      );
      const port = await new Promise<number>((resolve, reject) => {
        const rl = createInterface({ input: glue.stdout as NodeJS.ReadableStream });
        rl.once('line', (l) => resolve(Number(l)));
        glue.once('exit', (code) => reject(new Error(`webhook process exited (${code})`)));
      });
      // What the EndpointSlice controller would publish for the webhook pod (unnamed port).
      await objects.create({
        apiVersion: 'discovery.k8s.io/v1',
        kind: 'EndpointSlice',
        metadata: {
          name: 'metallb-webhook-service-x7k2p',
          namespace: NS,
          labels: { 'kubernetes.io/service-name': 'metallb-webhook-service' },
        },
        addressType: 'IPv4',
        endpoints: [{ addresses: [WEBHOOK_HOST], conditions: { ready: true } }],
        ports: [{ name: '', port, protocol: 'TCP' }],
      } as never);
    }, 60_000);

    afterAll(async () => {
      glue?.kill('SIGTERM');
      await c?.stop();
    });

    it('rejects an overlapping IPAddressPool with MetalLB’s message, for client-node and kubectl', async () => {
      await objects.create(pool('first', ['192.0.2.0/24']) as never);
      const st = await statusOf(() => objects.create(pool('second', ['192.0.2.128/25']) as never));
      const message =
        'admission webhook "ipaddresspoolvalidationwebhook.metallb.io" denied the request: CIDR "192.0.2.128/25" in pool "second" overlaps with already defined CIDR "192.0.2.0/24"';
      expect(st).toMatchObject({ code: 403, reason: 'Forbidden', message });
      const yaml = `apiVersion: metallb.io/v1beta1
kind: IPAddressPool
metadata:
  name: second
  namespace: ${NS}
spec:
  addresses:
  - 192.0.2.128/25
`;
      const r = await c.kubectl(['apply', '-f', '-'], { stdin: yaml });
      expect(r.code).toBe(1);
      expect(r.stderr.trim()).toBe(
        `Error from server (Forbidden): error when creating "STDIN": ${message}`,
      );
    });

    it('converts BGPPeer v1beta1 ⇄ v1beta2 through the webhook on write, read, list and watch', async () => {
      const events: {
        type: string;
        obj: {
          apiVersion: string;
          metadata: { name: string; annotations?: Record<string, string> };
        };
      }[] = [];
      const w = await new Watch(c.server.kubeConfig()).watch(
        `/apis/metallb.io/v1beta1/namespaces/${NS}/bgppeers`,
        {},
        (type, obj) => events.push({ type, obj }),
        () => {},
      );
      // Applied as v1beta1 (kubectl), stored as v1beta2 (the storage version).
      const r = await c.kubectl(['apply', '-f', '-'], {
        stdin: `apiVersion: metallb.io/v1beta1
kind: BGPPeer
metadata:
  name: router
  namespace: ${NS}
spec:
  myASN: 64500
  peerASN: 64501
  peerAddress: 192.0.2.1
  peerPort: 0
`,
      });
      expect(r.stderr).toBe('');
      const v2 = (await custom.getNamespacedCustomObject({
        group: 'metallb.io',
        version: 'v1beta2',
        namespace: NS,
        plural: 'bgppeers',
        name: 'router',
      })) as { apiVersion: string; spec: Record<string, unknown> };
      // IronLB's conversion drops v1beta1's port 0 ("default") — a None conversion would keep it.
      expect(v2.apiVersion).toBe('metallb.io/v1beta2');
      expect(v2.spec).toEqual({ myASN: 64500, peerASN: 64501, peerAddress: '192.0.2.1' });
      // A v1beta2-only field survives a v1beta1 read in IronLB's annotation.
      await custom.patchNamespacedCustomObject(
        {
          group: 'metallb.io',
          version: 'v1beta2',
          namespace: NS,
          plural: 'bgppeers',
          name: 'router',
          body: { spec: { enableGracefulRestart: true } },
        },
        setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
      );
      const list = (await custom.listNamespacedCustomObject({
        group: 'metallb.io',
        version: 'v1beta1',
        namespace: NS,
        plural: 'bgppeers',
      })) as {
        items: { apiVersion: string; metadata: { annotations?: Record<string, string> } }[];
      };
      expect(list.items[0]?.apiVersion).toBe('metallb.io/v1beta1');
      expect(list.items[0]?.metadata.annotations?.['ironlb.io/bgppeer-v1beta2-fields']).toBe(
        '{"enableGracefulRestart":true,"disableMP":false,"dualStackAddressFamily":false}',
      );
      const deadline = Date.now() + 10_000;
      while (events.length < 2 && Date.now() < deadline)
        await new Promise((x) => setTimeout(x, 20));
      w.abort();
      expect(events.map((e) => [e.type, e.obj.apiVersion])).toEqual([
        ['ADDED', 'metallb.io/v1beta1'],
        ['MODIFIED', 'metallb.io/v1beta1'],
      ]);
      expect(events[1]?.obj.metadata.annotations?.['ironlb.io/bgppeer-v1beta2-fields']).toBe(
        '{"enableGracefulRestart":true,"disableMP":false,"dualStackAddressFamily":false}',
      );
    });

    it('a wrong caBundle fails the calls: failurePolicy Fail refuses, Ignore admits; conversion fails reads', async () => {
      const other = Buffer.from((await makeServingCert()).caPem).toString('base64');
      const vwc = (await objects.read({
        apiVersion: 'admissionregistration.k8s.io/v1',
        kind: 'ValidatingWebhookConfiguration',
        metadata: { name: 'metallb-webhook-configuration' },
      })) as unknown as {
        webhooks: { name: string; failurePolicy: string; clientConfig: { caBundle: string } }[];
      };
      const good = vwc.webhooks[0]!.clientConfig.caBundle;
      const setPool = async (caBundle: string, failurePolicy: string) => {
        vwc.webhooks[0]!.clientConfig.caBundle = caBundle;
        vwc.webhooks[0]!.failurePolicy = failurePolicy;
        Object.assign(vwc, await objects.replace(vwc as never));
      };
      await setPool(other, 'Fail');
      const st = await statusOf(() => objects.create(pool('third', ['198.51.100.0/24']) as never));
      expect(st).toMatchObject({
        code: 500,
        message:
          'Internal error occurred: failed calling webhook "ipaddresspoolvalidationwebhook.metallb.io": failed to call webhook: Post "https://metallb-webhook-service.metallb-system.svc:443/validate-metallb-io-v1beta1-ipaddresspool?timeout=10s": tls: failed to verify certificate: x509: certificate signed by unknown authority',
      });
      await setPool(other, 'Ignore');
      await objects.create(pool('third', ['198.51.100.0/24']) as never);
      await setPool(good, 'Fail');
      // The conversion webhook has no failurePolicy: a read that needs it fails.
      const crdRef = {
        apiVersion: 'apiextensions.k8s.io/v1',
        kind: 'CustomResourceDefinition',
        metadata: { name: 'bgppeers.metallb.io' },
      };
      const crd = (await objects.read(crdRef)) as unknown as {
        spec: { conversion: { webhook: { clientConfig: { caBundle: string } } } };
      };
      const convGood = crd.spec.conversion.webhook.clientConfig.caBundle;
      crd.spec.conversion.webhook.clientConfig.caBundle = other;
      await objects.replace(crd as never);
      const read = await statusOf(() =>
        custom.getNamespacedCustomObject({
          group: 'metallb.io',
          version: 'v1beta1',
          namespace: NS,
          plural: 'bgppeers',
          name: 'router',
        }),
      );
      expect(read).toMatchObject({ code: 500, reason: 'InternalError' });
      expect(read.message).toBe(
        'Internal error occurred: conversion webhook for metallb.io/v1beta2, Kind=BGPPeer failed: Post "https://metallb-webhook-service.metallb-system.svc:443/convert?timeout=30s": tls: failed to verify certificate: x509: certificate signed by unknown authority',
      );
      const fresh = (await objects.read(crdRef)) as typeof crd;
      fresh.spec.conversion.webhook.clientConfig.caBundle = convGood;
      await objects.replace(fresh as never);
    });
  },
);
