// The operational endpoints MetalLB's binaries serve: /healthz and /readyz on the health-probe
// port (plain HTTP, for the kubelet), and Prometheus /metrics over HTTPS on --port (MetalLB uses
// controller-runtime's secure serving: its own certificate from --metrics-cert-dir, else a
// self-signed one). Difference: MetalLB also authenticates and authorizes scrapers through
// TokenReview/SubjectAccessReview; IronLB serves /metrics to any client that reaches the port
// (restrict it with a NetworkPolicy).
import {
  createServer as createHttpServer,
  type IncomingMessage,
  type ServerResponse,
  type Server,
} from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { SecureVersion } from 'node:tls';

export interface HealthServerOptions {
  /** Default 17472 (MetalLB's health-probe port); 0 picks a free port. */
  readonly port?: number;
  /** Default '0.0.0.0' (the controller; the speaker binds 127.0.0.1 because of hostNetwork). */
  readonly host?: string;
}

export interface MetricsServerOptions {
  /** Default 9120 (MetalLB's --port); 0 picks a free port. */
  readonly port?: number;
  readonly host?: string;
  /** PEM serving certificate and key; without them the server speaks plain HTTP. */
  readonly cert?: string;
  readonly key?: string;
  readonly minTlsVersion?: SecureVersion;
  /** OpenSSL cipher list for TLS 1.2 (--tls-cipher-suites). */
  readonly ciphers?: string;
  /** OpenSSL group list (--tls-curve-preferences). */
  readonly ecdhCurve?: string;
}

export interface OpsServer {
  listen(): Promise<{ port: number }>;
  close(): Promise<void>;
  readonly server: Server;
}

function wrap(server: Server, port: number, host: string): OpsServer {
  return {
    server,
    listen: () =>
      new Promise((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, host, () => {
          server.off('error', reject);
          resolve({ port: (server.address() as AddressInfo).port });
        });
      }),
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** /healthz answers while the process runs; /readyz while `ready()` says so (caches synced). */
export function createHealthServer(
  deps: { ready: () => boolean },
  options: HealthServerOptions = {},
): OpsServer {
  const server = createHttpServer((req: IncomingMessage, res: ServerResponse) => {
    const path = (req.url ?? '/').split('?')[0];
    if (path === '/healthz' || path === '/livez') {
      res.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
    } else if (path === '/readyz') {
      const ok = deps.ready();
      res.writeHead(ok ? 200 : 503, { 'content-type': 'text/plain' }).end(ok ? 'ok' : 'not ready');
    } else {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
    }
  });
  server.on('error', () => undefined);
  return wrap(server, options.port ?? 17472, options.host ?? '0.0.0.0');
}

/** GET /metrics → `render()` (Prometheus text format). */
export function createMetricsServer(
  deps: { render: () => Promise<string>; contentType: string },
  options: MetricsServerOptions = {},
): OpsServer {
  const handler = (req: IncomingMessage, res: ServerResponse) => {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method !== 'GET' || path !== '/metrics') {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
      return;
    }
    deps.render().then(
      (text) => res.writeHead(200, { 'content-type': deps.contentType }).end(text),
      (e: unknown) => res.writeHead(500, { 'content-type': 'text/plain' }).end(String(e)),
    );
  };
  const server =
    options.cert && options.key
      ? createHttpsServer(
          {
            cert: options.cert,
            key: options.key,
            minVersion: options.minTlsVersion ?? 'TLSv1.3',
            ...(options.ciphers ? { ciphers: options.ciphers } : {}),
            ...(options.ecdhCurve ? { ecdhCurve: options.ecdhCurve } : {}),
          },
          handler,
        )
      : createHttpServer(handler);
  server.on('error', () => undefined);
  return wrap(server, options.port ?? 9120, options.host ?? '0.0.0.0');
}
