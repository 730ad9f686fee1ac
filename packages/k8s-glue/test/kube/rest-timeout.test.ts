// A request to an API server that never answers times out with a typed error — over TLS too.
// Found by the lab: the timeout reset the connection with socket.resetAndDestroy(), which only TCP
// sockets support; on a TLS socket it threw ERR_INVALID_HANDLE_TYPE from a timer and killed the
// controller.
import { createServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { KubeConfig } from '@kubernetes/client-node';
import { ManualClock } from '@ironlb/clock/testing';
import { createKubeRest } from '../../src/kube/rest.js';
import { generateCa, issueServingCert } from '../../src/webhook/certs.js';

let server: ReturnType<typeof createServer>;
let url = '';
let caPem = '';
let received: () => void = () => {};

beforeAll(async () => {
  const now = Date.now();
  const ca = await generateCa('test-ca', now, 3600_000);
  const leaf = await issueServingCert(ca, ['localhost'], now, 3600_000);
  caPem = ca.certPem;
  // Takes every request and never answers.
  server = createServer({ cert: leaf.certPem, key: leaf.keyPem }, () => received());
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  url = `https://localhost:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((r) => server.close(() => r()));
});

it('times out with a typed error on a TLS connection, without throwing from the timer', async () => {
  const kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [{ name: 'c', server: url, caData: Buffer.from(caPem).toString('base64') }],
    users: [{ name: 'u', token: 't' }],
    contexts: [{ name: 'x', cluster: 'c', user: 'u' }],
    currentContext: 'x',
  });
  const clock = new ManualClock();
  const rest = createKubeRest(kc, { clock }, { timeoutMs: 1000 });
  const arrived = new Promise<void>((r) => (received = r));
  const pending = rest.request({ method: 'GET', path: '/api/v1/namespaces' });
  const outcome = pending.then(
    () => 'answered',
    (e: Error & { reason?: string }) => `${e.name}:${e.reason}:${e.message}`,
  );
  await arrived;
  // The timer fires inside advance(): a throw from it would fail this line.
  expect(() => clock.advance(1000)).not.toThrow();
  expect(await outcome).toBe(
    'KubeApiError:Timeout:GET /api/v1/namespaces: timed out after 1000 ms',
  );
});
