// Credentials for the REST client without loading @kubernetes/client-node when they are simple —
// a pod's service account, or a kubeconfig with a token, a token file, a client certificate or a
// user name and password — because loading client-node's KubeConfig costs ~34 MiB of RSS even
// bundled and tree-shaken (its config module drags in its generated API, OIDC, WebSocket and
// proxy code), a quarter of the speaker's budget (issue 17: ≤ 128 MiB per node). Anything else
// (exec plugins, auth providers, proxy URLs, several kubeconfig files merged) falls back to
// client-node's KubeConfig, loaded only then.
//
// The order is controller-runtime's (MetalLB's ctrl.GetConfigOrDie), as in loadKubeConfig:
// --kubeconfig, then $KUBECONFIG, then the pod's service account, then ~/.kube/config.
import { existsSync, readFileSync } from 'node:fs';
import { isIPv6 } from 'node:net';
import { homedir } from 'node:os';
import { dirname, isAbsolute, join } from 'node:path';
import { parse } from 'yaml';
import { K8sGlueError } from '../errors.js';
import type { LoadKubeConfigOptions } from './kubeconfig.js';
import type { KubeAuth } from './rest.js';

const SA_DIR = '/var/run/secrets/kubernetes.io/serviceaccount';

interface Resolved {
  readonly server: string;
  readonly ca?: Buffer;
  readonly insecure: boolean;
  readonly servername?: string;
  readonly token?: () => string;
  readonly cert?: Buffer;
  readonly key?: Buffer;
  readonly basic?: string;
}

const invalid = (msg: string, cause?: unknown) =>
  new K8sGlueError('INVALID_OPTION', `cannot load the kubeconfig: ${msg}`, { cause });

function authOf(r: Resolved): KubeAuth {
  return {
    getCurrentCluster: () => ({ server: r.server }),
    applyToHTTPSOptions(opts) {
      const o = opts as Record<string, unknown> & { headers?: Record<string, string> };
      if (r.ca) o.ca = r.ca;
      if (r.cert) o.cert = r.cert;
      if (r.key) o.key = r.key;
      if (r.insecure) o.rejectUnauthorized = false;
      if (r.servername) o.servername = r.servername;
      // A token file is read on every refresh (projected service-account tokens rotate).
      const token = r.token?.();
      if (token) o.headers = { ...(o.headers ?? {}), Authorization: `Bearer ${token}` };
      if (r.basic) o.auth = r.basic;
      return Promise.resolve();
    },
  };
}

/** The pod's service account (client-node's loadFromCluster), or undefined when not in a pod. */
function inCluster(env: Readonly<Record<string, string | undefined>>): Resolved | undefined {
  const host = env.KUBERNETES_SERVICE_HOST;
  const port = env.KUBERNETES_SERVICE_PORT;
  if (!host || !existsSync(join(SA_DIR, 'token'))) return undefined;
  const scheme = port === '80' || port === '8080' || port === '8001' ? 'http' : 'https';
  const h = isIPv6(host) ? `[${host}]` : host;
  return {
    server: `${scheme}://${h}:${port}`,
    ca: existsSync(join(SA_DIR, 'ca.crt')) ? readFileSync(join(SA_DIR, 'ca.crt')) : undefined,
    insecure: false,
    token: () => readFileSync(join(SA_DIR, 'token'), 'utf8').trim(),
  };
}

type Named<T> = { name?: string } & T;
interface KubeconfigDoc {
  'current-context'?: string;
  clusters?: Named<{ cluster?: Record<string, unknown> }>[];
  users?: Named<{ user?: Record<string, unknown> }>[];
  contexts?: Named<{ context?: { cluster?: string; user?: string } }>[];
}

/**
 * A kubeconfig file this loader understands fully, or undefined to let client-node handle it
 * (exec plugins, auth providers, proxies, impersonation, ...).
 */
function fromFile(file: string): Resolved | undefined {
  let doc: KubeconfigDoc;
  try {
    doc = (parse(readFileSync(file, 'utf8')) ?? {}) as KubeconfigDoc;
  } catch (e) {
    throw invalid(`${file}: ${(e as Error).message}`, e);
  }
  const ctx = doc.contexts?.find((c) => c.name === doc['current-context'])?.context;
  const cluster = doc.clusters?.find((c) => c.name === ctx?.cluster)?.cluster;
  const user = doc.users?.find((u) => u.name === ctx?.user)?.user ?? {};
  if (!ctx || !cluster || typeof cluster.server !== 'string') return undefined;
  const known = {
    cluster: [
      'server',
      'certificate-authority',
      'certificate-authority-data',
      'insecure-skip-tls-verify',
      'tls-server-name',
    ],
    user: [
      'token',
      'tokenFile',
      'client-certificate',
      'client-certificate-data',
      'client-key',
      'client-key-data',
      'username',
      'password',
    ],
  };
  if (Object.keys(cluster).some((k) => !known.cluster.includes(k))) return undefined;
  if (Object.keys(user).some((k) => !known.user.includes(k))) return undefined;
  const base = dirname(file);
  const path = (p: unknown) => (isAbsolute(String(p)) ? String(p) : join(base, String(p)));
  const bytes = (data: unknown, fileRef: unknown): Buffer | undefined =>
    typeof data === 'string'
      ? Buffer.from(data, 'base64')
      : typeof fileRef === 'string'
        ? readFileSync(path(fileRef))
        : undefined;
  const tokenFile = typeof user.tokenFile === 'string' ? path(user.tokenFile) : undefined;
  const token =
    typeof user.token === 'string'
      ? () => user.token as string
      : tokenFile
        ? () => readFileSync(tokenFile, 'utf8').trim()
        : undefined;
  return {
    server: cluster.server,
    ca: bytes(cluster['certificate-authority-data'], cluster['certificate-authority']),
    insecure: cluster['insecure-skip-tls-verify'] === true,
    ...(typeof cluster['tls-server-name'] === 'string'
      ? { servername: cluster['tls-server-name'] }
      : {}),
    ...(token ? { token } : {}),
    cert: bytes(user['client-certificate-data'], user['client-certificate']),
    key: bytes(user['client-key-data'], user['client-key']),
    ...(typeof user.username === 'string'
      ? { basic: `${user.username}:${String(user.password ?? '')}` }
      : {}),
  };
}

/**
 * The REST client's credentials: read here for the common cases, through client-node's
 * KubeConfig (loaded on demand) for the rest. Throws K8sGlueError INVALID_OPTION.
 */
export async function loadKubeAuth(options: LoadKubeConfigOptions = {}): Promise<KubeAuth> {
  const env = options.env ?? process.env;
  const files = options.kubeconfig
    ? [options.kubeconfig]
    : env.KUBECONFIG
      ? env.KUBECONFIG.split(':').filter(Boolean)
      : undefined;
  let resolved: Resolved | undefined;
  if (files) {
    // Several files are merged by client-node's rules: its job.
    if (files.length === 1) resolved = fromFile(files[0] as string);
  } else {
    resolved = inCluster(env);
    const home = join(homedir(), '.kube', 'config');
    if (!resolved && existsSync(home)) resolved = fromFile(home);
  }
  if (resolved) return authOf(resolved);
  const { loadKubeConfig } = await import('./kubeconfig.js');
  return loadKubeConfig(options);
}
