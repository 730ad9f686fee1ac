// A programmable HTTPS webhook for the admission tests: each path answers with a function of the
// AdmissionReview it got (and records it), served with a certificate for `hooks.webhooks.svc`
// from its own CA, behind a Service and an EndpointSlice in the test API server — the way a
// webhook pod is reached in a cluster.
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { makeServingCert } from '../src/tls.ts';
import type { Clients } from './helpers.ts';

export type Review = {
  request: {
    uid: string;
    operation: string;
    name?: string;
    namespace?: string;
    dryRun: boolean;
    userInfo: { username: string; groups: string[] };
    kind: { group: string; version: string; kind: string };
    requestKind: { group: string; version: string; kind: string };
    object: { metadata: { name?: string; labels?: Record<string, string> } } | null;
    oldObject: { metadata: { name?: string } } | null;
    options: { kind: string } | null;
  };
};

export type Answer = (r: Review) => Record<string, unknown> | Promise<Record<string, unknown>>;

export interface HookServer {
  port: number;
  caBundle: string;
  /** Reviews received per path, oldest first. */
  seen: Map<string, Review[]>;
  on(path: string, answer: Answer): void;
  close(): Promise<void>;
}

export const allow = (r: Review, extra: Record<string, unknown> = {}) => ({
  apiVersion: 'admission.k8s.io/v1',
  kind: 'AdmissionReview',
  response: { uid: r.request.uid, allowed: true, ...extra },
});

export const deny = (r: Review, result: Record<string, unknown>) => ({
  apiVersion: 'admission.k8s.io/v1',
  kind: 'AdmissionReview',
  response: { uid: r.request.uid, allowed: false, result },
});

export const patch = (r: Review, ops: unknown[]) =>
  allow(r, {
    patchType: 'JSONPatch',
    patch: Buffer.from(JSON.stringify(ops)).toString('base64'),
  });

export async function startHookServer(host = '127.0.0.1'): Promise<HookServer> {
  const cert = await makeServingCert(['hooks.webhooks.svc']);
  const answers = new Map<string, Answer>();
  const seen = new Map<string, Review[]>();
  const server: Server = createServer(
    { cert: cert.certPem + cert.caPem, key: cert.keyPem },
    (req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const path = (req.url ?? '').split('?')[0] as string;
        const review = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Review;
        seen.set(path, [...(seen.get(path) ?? []), review]);
        const answer = answers.get(path);
        if (!answer) {
          res.writeHead(404).end('no such hook');
          return;
        }
        Promise.resolve(answer(review)).then(
          (body) => {
            if (!res.destroyed) res.writeHead(200, { 'content-type': 'application/json' });
            res.end(JSON.stringify(body));
          },
          () => res.destroy(),
        );
      });
    },
  );
  await new Promise<void>((r) => server.listen(0, host, r));
  return {
    port: (server.address() as AddressInfo).port,
    caBundle: Buffer.from(cert.caPem).toString('base64'),
    seen,
    on: (path, answer) => answers.set(path, answer),
    close: () =>
      new Promise((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

/**
 * The namespace `webhooks` (label webhooks=on), the Service `hooks` (port 443 → targetPort
 * `https`) and an EndpointSlice that puts `host:port` behind it.
 */
export async function publishHookService(c: Clients, host: string, port: number): Promise<void> {
  await c.core.createNamespace({
    body: { metadata: { name: 'webhooks', labels: { webhooks: 'on' } } },
  });
  await c.core.createNamespacedService({
    namespace: 'webhooks',
    body: {
      metadata: { name: 'hooks' },
      spec: { ports: [{ name: 'https', port: 443, targetPort: 'https' as never }] },
    },
  });
  await c.discovery.createNamespacedEndpointSlice({
    namespace: 'webhooks',
    body: {
      metadata: { name: 'hooks-abcde', labels: { 'kubernetes.io/service-name': 'hooks' } },
      addressType: 'IPv4',
      endpoints: [{ addresses: [host], conditions: { ready: true } }],
      ports: [{ name: 'https', port, protocol: 'TCP' }],
    },
  });
}

/** One webhook entry for a configuration, reached through the `hooks` Service. */
export function hook(
  name: string,
  path: string,
  caBundle: string,
  extra: Record<string, unknown> = {},
) {
  return {
    name,
    admissionReviewVersions: ['v1'],
    sideEffects: 'None',
    clientConfig: { caBundle, service: { namespace: 'webhooks', name: 'hooks', path } },
    rules: [
      {
        apiGroups: [''],
        apiVersions: ['v1'],
        operations: ['CREATE', 'UPDATE'],
        resources: ['configmaps'],
      },
    ],
    ...extra,
  };
}
