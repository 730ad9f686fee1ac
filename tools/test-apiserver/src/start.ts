// Starting and stopping the server in-process, and the kubeconfig that points clients at it.
import { createServer as createHttpServer, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import type { KubeConfig } from '@kubernetes/client-node';
import type { AuditLog } from './auth/audit.ts';
import { ADMIN_TOKEN } from './auth/authenticator.ts';
import {
  issueServiceAccountToken,
  writeServiceAccountMount,
  type ServiceAccountTokenOptions,
} from './auth/service-account-files.ts';
import { ApiCore, type ApiCoreOptions } from './server/api.ts';
import { loadKnownFields } from './registry/known-fields.ts';
import { createHttpFront, type HttpOptions } from './server/http.ts';

export interface TestApiServerOptions extends ApiCoreOptions, HttpOptions {
  /** `host:port` to listen on; port 0 picks a free one. Default '127.0.0.1:0'. */
  listen?: string;
  /** Serve HTTPS with a fresh self-signed CA (put into the kubeconfig). Default true. */
  tls?: boolean;
  /** Where to write a kubeconfig for this server; undefined = do not write one. */
  kubeconfigPath?: string;
  /** Do not load @kubernetes/client-node (kubeConfig() then throws). Default false. */
  withoutClient?: boolean;
  /** Persist objects in this file across restarts (see StoreOptions.dataFile). */
  dataFile?: string;
  /** More names and addresses for the serving certificate (a lab's node-facing address, the
   * `kubernetes` Service's cluster IP), besides localhost and the listen address. */
  servingHosts?: readonly string[];
}

export interface TestApiServer {
  /** Base URL, e.g. `https://127.0.0.1:43121`. */
  url: string;
  /** The kubeconfig file written, if `kubeconfigPath` was given. */
  kubeconfigPath: string | undefined;
  /** Kubeconfig YAML/JSON text for this server (context `ironlb-test`). */
  kubeconfigText: string;
  /** CA certificate (PEM) when serving HTTPS. */
  caPem: string | undefined;
  /**
   * A fresh @kubernetes/client-node KubeConfig for this server: the admin's, or acting with
   * `token` (a ServiceAccount token from serviceAccountToken(), a static token).
   */
  kubeConfig(token?: string): KubeConfig;
  /**
   * A token for a ServiceAccount, as TokenRequest issues it (the lab's "mounted token"): valid
   * while the ServiceAccount exists with the same uid. Throws if it does not exist.
   */
  serviceAccountToken(namespace: string, name: string, opts?: ServiceAccountTokenOptions): string;
  /** Kubeconfig text acting as the ServiceAccount (for `kubectl --kubeconfig`, a process in the lab). */
  serviceAccountKubeconfig(
    namespace: string,
    name: string,
    opts?: ServiceAccountTokenOptions,
  ): string;
  /**
   * Writes `token`, `ca.crt` and `namespace` into `dir`, the files a Pod finds in
   * /var/run/secrets/kubernetes.io/serviceaccount. Returns the token.
   */
  writeServiceAccountMount(
    dir: string,
    namespace: string,
    name: string,
    opts?: ServiceAccountTokenOptions,
  ): string;
  /** The audit log: one event per request, per identity (also `auditLogPath`). */
  audit: AuditLog;
  /** The in-memory API (store, registry) for white-box checks and benchmarks. */
  core: ApiCore;
  /**
   * Ends every open watch stream now, as an API server restart or a load balancer would; clients
   * reconnect from their last resourceVersion. With `core.store.compact()` first, they get 410.
   */
  dropWatches(): void;
  /** Stops listening, ends open watches, flushes `dataFile`. */
  stop(): Promise<void>;
}

function parseListen(listen: string): { host: string; port: number } {
  const m = /^\[?([^\]]*?)\]?:(\d+)$/.exec(listen);
  if (!m) throw new Error(`--listen must be HOST:PORT, got ${listen}`);
  return { host: m[1] || '127.0.0.1', port: Number(m[2]) };
}

export function kubeconfigFor(
  url: string,
  caPem: string | undefined,
  token: string = ADMIN_TOKEN,
): string {
  const cluster: Record<string, string | boolean> = { server: url };
  if (caPem) cluster['certificate-authority-data'] = Buffer.from(caPem).toString('base64');
  // client-node 2.x refuses plain-HTTP servers unless TLS verification is explicitly skipped.
  else cluster['insecure-skip-tls-verify'] = true;
  return JSON.stringify(
    {
      apiVersion: 'v1',
      kind: 'Config',
      clusters: [{ name: 'ironlb-test', cluster }],
      users: [{ name: 'ironlb-test', user: { token } }],
      contexts: [
        {
          name: 'ironlb-test',
          context: { cluster: 'ironlb-test', user: 'ironlb-test', namespace: 'default' },
        },
      ],
      'current-context': 'ironlb-test',
      preferences: {},
    },
    null,
    2,
  );
}

export async function startTestApiServer(
  options: TestApiServerOptions = {},
): Promise<TestApiServer> {
  // client-node is loaded only for kubeConfig(): the CLI process does not need it.
  const client = options.withoutClient ? undefined : await import('@kubernetes/client-node');
  const knownFields = options.knownFields ?? (await loadKnownFields());
  // With --data, ServiceAccount tokens stay valid across restarts (the signing key is kept).
  const serviceAccountKeyFile =
    options.serviceAccountKeyFile ??
    (options.dataFile ? `${options.dataFile}.sa-key.pem` : undefined);
  const core = new ApiCore({ ...options, knownFields, serviceAccountKeyFile });
  const front = createHttpFront(core, options);
  const { host, port } = parseListen(options.listen ?? '127.0.0.1:0');
  let server: Server;
  let caPem: string | undefined;
  const tls = options.tls ?? true;
  if (tls) {
    // Loaded lazily: x509 generation is only needed for HTTPS.
    const { makeServingCert } = await import('./tls.ts');
    // With --data the serving certificate survives restarts too, so clients holding the old
    // kubeconfig reconnect (a real API server keeps its certificate across restarts).
    const certFile = options.dataFile ? `${options.dataFile}.tls.json` : undefined;
    const cert =
      certFile && existsSync(certFile)
        ? (JSON.parse(readFileSync(certFile, 'utf8')) as Awaited<
            ReturnType<typeof makeServingCert>
          >)
        : await makeServingCert([
            ...(host === '0.0.0.0' || host === '::' ? [] : [host]),
            ...(options.servingHosts ?? []),
          ]);
    if (certFile && !existsSync(certFile))
      writeFileSync(certFile, JSON.stringify(cert), { mode: 0o600 });
    caPem = cert.caPem;
    server = createHttpsServer({ cert: cert.certPem + cert.caPem, key: cert.keyPem }, front.handle);
  } else {
    server = createHttpServer(front.handle);
  }
  server.keepAliveTimeout = 5000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  const addr = server.address() as AddressInfo;
  const shownHost = addr.family === 'IPv6' ? `[${addr.address}]` : addr.address;
  const url = `${tls ? 'https' : 'http'}://${shownHost}:${addr.port}`;
  const kubeconfigText = kubeconfigFor(url, caPem);
  if (options.kubeconfigPath)
    writeFileSync(options.kubeconfigPath, kubeconfigText, { mode: 0o600 });
  let stopped = false;
  return {
    url,
    kubeconfigPath: options.kubeconfigPath,
    kubeconfigText,
    caPem,
    core,
    audit: core.access.audit,
    kubeConfig(token?: string) {
      if (!client) throw new Error('started withoutClient: load the kubeconfig text yourself');
      const kc = new client.KubeConfig();
      kc.loadFromString(token === undefined ? kubeconfigText : kubeconfigFor(url, caPem, token));
      return kc;
    },
    serviceAccountToken(namespace, name, opts) {
      return issueServiceAccountToken(core, namespace, name, opts);
    },
    serviceAccountKubeconfig(namespace, name, opts) {
      return kubeconfigFor(url, caPem, issueServiceAccountToken(core, namespace, name, opts));
    },
    writeServiceAccountMount(dir, namespace, name, opts) {
      return writeServiceAccountMount(core, caPem, dir, namespace, name, opts);
    },
    dropWatches() {
      front.closeWatches();
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      front.setReady(false);
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      front.closeWatches();
      server.closeIdleConnections();
      setTimeout(() => server.closeAllConnections(), 1000).unref();
      await closed;
      await core.close();
      core.store.flush();
    },
  };
}
