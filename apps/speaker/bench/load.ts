// Loads a test API server for the speaker's memory bench, from inside the bench's namespace (the
// API server listens on its loopback): `setup` installs MetalLB's CRDs, the namespace, a Node, an
// IPAddressPool and an L2Advertisement; `services --count N` adds N LoadBalancer Services with
// their address already in status (what the controller would have written) and one EndpointSlice
// each with a ready endpoint on the node — so the speaker announces every one of them.
//   node load.ts --url http://127.0.0.1:PORT setup|services [--count N] [--first K]
import { readFileSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { parseAllDocuments } from 'yaml';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    url: { type: 'string' },
    count: { type: 'string', default: '1000' },
    first: { type: 'string', default: '0' },
    root: { type: 'string' },
  },
});
const url = values.url as string;
const agent = new Agent({ keepAlive: true, maxSockets: 16 });
const NS = 'metallb-system';
export const NODE = 'node-1';

function call(method: string, path: string, body?: unknown): Promise<unknown> {
  const data = body === undefined ? undefined : JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = request(
      `${url}${path}`,
      {
        method,
        agent,
        headers:
          data === undefined
            ? {}
            : { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(data) },
      },
      (r) => {
        const chunks: Buffer[] = [];
        r.on('data', (c: Buffer) => chunks.push(c));
        r.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          if ((r.statusCode ?? 0) >= 400)
            reject(new Error(`${method} ${path}: ${r.statusCode} ${text.slice(0, 200)}`));
          else resolve(text ? JSON.parse(text) : undefined);
        });
      },
    );
    req.on('error', reject);
    req.end(data);
  });
}

async function parallel(n: number, width: number, fn: (i: number) => Promise<unknown>) {
  let next = 0;
  await Promise.all(
    Array.from({ length: width }, async () => {
      for (;;) {
        const i = next++;
        if (i >= n) return;
        await fn(i);
      }
    }),
  );
}

/** The i-th address of the pool 198.18.16.0/20 (the benchmarking range, RFC 2544). */
const address = (i: number) => `198.18.${16 + Math.floor(i / 256)}.${i % 256}`;

async function setup(): Promise<void> {
  const crds = readFileSync(join(values.root as string, 'deploy/crds/all.yaml'), 'utf8');
  for (const doc of parseAllDocuments(crds)) {
    const o = doc.toJSON() as unknown;
    if (o) await call('POST', '/apis/apiextensions.k8s.io/v1/customresourcedefinitions', o);
  }
  await call('POST', '/api/v1/namespaces', { metadata: { name: NS } });
  await call('POST', '/api/v1/nodes', {
    metadata: { name: NODE, labels: { 'kubernetes.io/hostname': NODE } },
  });
  await call('POST', `/apis/metallb.io/v1beta1/namespaces/${NS}/ipaddresspools`, {
    apiVersion: 'metallb.io/v1beta1',
    kind: 'IPAddressPool',
    metadata: { name: 'bench', namespace: NS },
    spec: { addresses: ['198.18.16.0/20'] },
  });
  await call('POST', `/apis/metallb.io/v1beta1/namespaces/${NS}/l2advertisements`, {
    apiVersion: 'metallb.io/v1beta1',
    kind: 'L2Advertisement',
    metadata: { name: 'bench', namespace: NS },
    spec: { ipAddressPools: ['bench'] },
  });
}

async function services(count: number, first: number): Promise<void> {
  await parallel(count, 16, async (k) => {
    const i = first + k;
    const name = `svc-${i}`;
    const svc = (await call('POST', '/api/v1/namespaces/default/services', {
      metadata: { name, labels: { app: name } },
      spec: {
        type: 'LoadBalancer',
        allocateLoadBalancerNodePorts: false,
        ports: [{ name: 'http', port: 80 }],
        selector: { app: name },
      },
    })) as { metadata: Record<string, unknown>; spec: unknown };
    await call('PUT', `/api/v1/namespaces/default/services/${name}/status`, {
      ...svc,
      status: { loadBalancer: { ingress: [{ ip: address(i) }] } },
    });
    await call('POST', '/apis/discovery.k8s.io/v1/namespaces/default/endpointslices', {
      apiVersion: 'discovery.k8s.io/v1',
      kind: 'EndpointSlice',
      metadata: { name: `${name}-x`, labels: { 'kubernetes.io/service-name': name } },
      addressType: 'IPv4',
      endpoints: [{ addresses: ['198.19.0.10'], nodeName: NODE, conditions: { ready: true } }],
      ports: [{ name: 'http', port: 80, protocol: 'TCP' }],
    });
  });
}

const phase = positionals[0];
if (phase === 'setup') await setup();
else if (phase === 'services') await services(Number(values.count), Number(values.first));
else throw new Error(`unknown phase ${phase}`);
process.stdout.write('done\n');
process.exit(0);
