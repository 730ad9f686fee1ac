// Where a webhook's clientConfig leads: kube-apiserver's endpoint resolution (a ready endpoint of
// the Service's EndpointSlices on the port named like the service port, the first IP family
// first) and the URL shown in errors.
import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../registry/types.ts';
import { Store } from '../store.ts';
import { resolveServiceEndpoint, webhookTarget } from './endpoints.ts';

function put(store: Store, bucket: string, o: KubeObject): void {
  o.metadata.resourceVersion = String(store.nextResourceVersion());
  const key = o.metadata.namespace
    ? `${o.metadata.namespace}/${o.metadata.name}`
    : String(o.metadata.name);
  store.put(bucket, key, o, 'ADDED');
}

function cluster(): Store {
  const store = new Store();
  put(store, '/services', {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: 'hooks', namespace: 'ns' },
    spec: {
      type: 'ClusterIP',
      ipFamilies: ['IPv6', 'IPv4'],
      ports: [{ name: 'https', port: 443, targetPort: 'web' }],
    },
  });
  const slice = (
    name: string,
    addressType: string,
    address: string,
    ready: boolean,
    portName = 'https',
  ) =>
    put(store, 'discovery.k8s.io/endpointslices', {
      apiVersion: 'discovery.k8s.io/v1',
      kind: 'EndpointSlice',
      metadata: { name, namespace: 'ns', labels: { 'kubernetes.io/service-name': 'hooks' } },
      addressType,
      endpoints: [{ addresses: [address], conditions: { ready } }],
      ports: [{ name: portName, port: 9443 }],
    });
  slice('v4', 'IPv4', '198.18.0.5', true);
  slice('v6-down', 'IPv6', '2001:db8::9', false);
  slice('v6-other-port', 'IPv6', '2001:db8::8', true, 'metrics');
  slice('v6', 'IPv6', '2001:db8::5', true);
  return store;
}

describe('resolveServiceEndpoint', () => {
  it("prefers the Service's first family, skips unready endpoints and other port names", () => {
    for (let i = 0; i < 5; i++)
      expect(resolveServiceEndpoint(cluster(), 'ns', 'hooks', 443)).toEqual({
        host: '2001:db8::5',
        port: 9443,
      });
  });

  it('reports what is missing the way kube-apiserver does', () => {
    const store = cluster();
    expect(resolveServiceEndpoint(store, 'ns', 'nope', 443)).toEqual({
      error: 'services "nope" not found',
    });
    expect(resolveServiceEndpoint(store, 'ns', 'hooks', 8443)).toEqual({
      error: 'no service port 8443 found for service "hooks"',
    });
    expect(resolveServiceEndpoint(new Store(), 'ns', 'hooks', 443)).toEqual({
      error: 'services "hooks" not found',
    });
  });
});

describe('webhookTarget', () => {
  it('names the Service in the URL and the TLS check, and dials the endpoint', () => {
    const t = webhookTarget(
      cluster(),
      {
        caBundle: Buffer.from('PEM').toString('base64'),
        service: { namespace: 'ns', name: 'hooks', path: '/validate' },
      },
      10,
    );
    expect(t).toEqual({
      url: 'https://hooks.ns.svc:443/validate?timeout=10s',
      dial: { host: '2001:db8::5', port: 9443 },
      servername: 'hooks.ns.svc',
      path: '/validate?timeout=10s',
      caPem: 'PEM',
    });
  });

  it('calls a url directly (default port 443), adding the timeout to its query', () => {
    expect(
      webhookTarget(new Store(), { url: 'https://[2001:db8::1]/convert?x=1' }, 30),
    ).toMatchObject({
      url: 'https://[2001:db8::1]/convert?x=1&timeout=30s',
      dial: { host: '2001:db8::1', port: 443 },
      caPem: undefined,
    });
  });
});
