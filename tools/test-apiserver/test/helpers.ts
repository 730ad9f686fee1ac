// Shared set-up for the client-node tests: a server per test file, typed API clients, and a
// helper that turns client-node's ApiException into the Status body the server sent.
import {
  ApiextensionsV1Api,
  AppsV1Api,
  CoreV1Api,
  CustomObjectsApi,
  DiscoveryV1Api,
  EventsV1Api,
  KubernetesObjectApi,
  type KubeConfig,
} from '@kubernetes/client-node';
import { startTestApiServer, type TestApiServer, type TestApiServerOptions } from '../src/start.ts';

export interface Clients {
  server: TestApiServer;
  kc: KubeConfig;
  core: CoreV1Api;
  apps: AppsV1Api;
  ext: ApiextensionsV1Api;
  custom: CustomObjectsApi;
  discovery: DiscoveryV1Api;
  events: EventsV1Api;
  objects: KubernetesObjectApi;
}

export async function startWithClients(opts: TestApiServerOptions = {}): Promise<Clients> {
  const server = await startTestApiServer(opts);
  return clientsFor(server);
}

export function clientsFor(server: TestApiServer): Clients {
  const kc = server.kubeConfig();
  return {
    server,
    kc,
    core: kc.makeApiClient(CoreV1Api),
    apps: kc.makeApiClient(AppsV1Api),
    ext: kc.makeApiClient(ApiextensionsV1Api),
    custom: kc.makeApiClient(CustomObjectsApi),
    discovery: kc.makeApiClient(DiscoveryV1Api),
    events: kc.makeApiClient(EventsV1Api),
    objects: KubernetesObjectApi.makeApiClient(kc),
  };
}

export interface StatusLike {
  kind: string;
  status: string;
  reason: string;
  code: number;
  message: string;
  details?: {
    name?: string;
    kind?: string;
    group?: string;
    causes?: { field: string; reason: string; message: string }[];
  };
}

/** Runs `fn`, expects client-node to throw its ApiException, returns the parsed Status body. */
export async function statusOf(fn: () => Promise<unknown>): Promise<StatusLike> {
  try {
    await fn();
  } catch (e) {
    const err = e as { code?: number; body?: unknown };
    if (typeof err.code !== 'number') throw e;
    const body =
      typeof err.body === 'string'
        ? (JSON.parse(err.body) as StatusLike)
        : (err.body as StatusLike);
    if (body.code !== err.code) throw new Error(`HTTP ${err.code} but Status.code ${body.code}`);
    return body;
  }
  throw new Error('expected the request to fail');
}

/** Polls `check` until it returns a value other than undefined (bounded: 5 s). */
export async function eventually<T>(check: () => T | undefined, timeoutMs = 5000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = check();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}
