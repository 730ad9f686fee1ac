// Where a webhook's clientConfig points (k8s.io/apiserver/pkg/util/webhook/client.go and
// pkg/util/proxy.ResolveEndpoint, the endpoint routing kube-apiserver uses with
// --enable-aggregator-routing): `service` → the Service's port → a ready endpoint of its
// EndpointSlices on the port named like the service port, dialled directly, while TLS verifies the
// name `<service>.<namespace>.svc`; `url` → that host. The URL shown in errors is what
// kube-apiserver shows: `https://<service>.<namespace>.svc:<port><path>?timeout=<n>s`.
import { isObject, type Json, type JsonObject } from '../schema/structural.ts';
import { objectKey, type Store } from '../store.ts';

export interface WebhookTarget {
  /** The URL as kube-apiserver reports it (with ?timeout=). */
  url: string;
  /** Where to connect, or why there is nowhere (reported as the call's error). */
  dial: { host: string; port: number } | { error: string };
  /** Name verified in the serving certificate (and sent as SNI). */
  servername: string;
  path: string;
  /** PEM bundle from caBundle; undefined = the system roots. */
  caPem: string | undefined;
}

function caPem(cc: JsonObject): string | undefined {
  if (typeof cc.caBundle !== 'string' || cc.caBundle.trim() === '') return undefined;
  return Buffer.from(cc.caBundle, 'base64').toString('utf8');
}

function timeoutQuery(path: string, timeoutSec: number): string {
  return `${path}${path.includes('?') ? '&' : '?'}timeout=${timeoutSec}s`;
}

function str(v: Json | undefined): string {
  return typeof v === 'string' ? v : '';
}

/** ResolveEndpoint: a ready endpoint address and port for `namespace/name:port`, or the error text. */
export function resolveServiceEndpoint(
  store: Store,
  namespace: string,
  name: string,
  port: number,
  random: () => number = Math.random,
): { host: string; port: number } | { error: string } {
  const svc = store.get('/services', objectKey(namespace, name));
  if (!svc) return { error: `services ${JSON.stringify(name)} not found` };
  const spec = isObject(svc.spec) ? svc.spec : {};
  const type = str(spec.type) || 'ClusterIP';
  if (!['ClusterIP', 'LoadBalancer', 'NodePort'].includes(type))
    return { error: `unsupported service type ${JSON.stringify(type)}` };
  const svcPort = (Array.isArray(spec.ports) ? spec.ports : []).find(
    (p) => isObject(p) && p.port === port,
  );
  if (!isObject(svcPort))
    return { error: `no service port ${port} found for service ${JSON.stringify(name)}` };
  const portName = str(svcPort.name);
  const family = Array.isArray(spec.ipFamilies) ? str(spec.ipFamilies[0]) : '';
  const slices = store
    .list('discovery.k8s.io/endpointslices', namespace)
    .filter(
      (s) =>
        isObject(s.metadata.labels) && s.metadata.labels['kubernetes.io/service-name'] === name,
    )
    // The service's first IP family first, the rest in random order (RandomEndpoint).
    .map((s) => ({ s, r: random() }))
    .sort((a, b) => {
      const fa = a.s.addressType === family ? 0 : 1;
      const fb = b.s.addressType === family ? 0 : 1;
      return fa - fb || a.r - b.r;
    })
    .map((x) => x.s);
  for (const slice of slices) {
    const ports = Array.isArray(slice.ports) ? slice.ports : [];
    const sp = ports.find((p) => isObject(p) && typeof p.name === 'string' && p.name === portName);
    if (!isObject(sp) || typeof sp.port !== 'number') continue;
    const eps = (Array.isArray(slice.endpoints) ? slice.endpoints : []).filter(isObject);
    if (eps.length === 0) continue;
    const offset = Math.floor(random() * eps.length);
    for (let i = 0; i < eps.length; i++) {
      const ep = eps[(i + offset) % eps.length] as JsonObject;
      const cond = isObject(ep.conditions) ? ep.conditions : {};
      if (cond.ready === false) continue;
      const addr = Array.isArray(ep.addresses) ? str(ep.addresses[0]) : '';
      if (!addr) continue;
      return { host: addr, port: sp.port };
    }
  }
  return { error: `no endpoints available for service ${JSON.stringify(name)}` };
}

/** The call target of a webhook clientConfig (admission or conversion). */
export function webhookTarget(
  store: Store,
  clientConfig: Json | undefined,
  timeoutSec: number,
): WebhookTarget {
  const cc = isObject(clientConfig) ? clientConfig : {};
  if (isObject(cc.service)) {
    const s = cc.service;
    const ns = str(s.namespace);
    const name = str(s.name);
    const port = typeof s.port === 'number' ? s.port : 443;
    const servername = `${name}.${ns}.svc`;
    const path = timeoutQuery(str(s.path) || '/', timeoutSec);
    return {
      url: `https://${servername}:${port}${path}`,
      dial: resolveServiceEndpoint(store, ns, name, port),
      servername,
      path,
      caPem: caPem(cc),
    };
  }
  const raw = str(cc.url);
  let u: URL;
  try {
    u = new URL(raw);
  } catch (e) {
    return {
      url: raw,
      dial: { error: `Unparsable URL: ${(e as Error).message}` },
      servername: '',
      path: '/',
      caPem: undefined,
    };
  }
  const host = u.hostname.replace(/^\[(.*)\]$/, '$1');
  const path = timeoutQuery(`${u.pathname}${u.search}`, timeoutSec);
  return {
    url: `${u.protocol}//${u.host}${path}`,
    dial: { host, port: Number(u.port || 443) },
    servername: host,
    path,
    caPem: caPem(cc),
  };
}
