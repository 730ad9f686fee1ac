// The real controller process against the test API server, driven through @kubernetes/client-node:
// MetalLB's allocation rules end to end (requested addresses and pools, deprecated annotations,
// pinning, sharing, dual-stack, --lb-class, clearing, freed addresses, pool removal), the output
// annotation and status subresource writes, pool status counters, events with MetalLB's texts,
// an invalid pool reported through ConfigurationState / metric / event while the last valid
// configuration keeps working, the memberlist Secret, the legacy-ConfigMap warning, and the
// operational endpoints.
import { request as httpsRequest } from 'node:https';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PatchStrategy, setHeaderOptions, type V1Secret } from '@kubernetes/client-node';
import {
  ControllerProcess,
  NS,
  ServiceWatch,
  createPool,
  createService,
  eventsFor,
  eventually,
  freePort,
  killAll,
  startCluster,
  type Cluster,
} from './harness.js';

let c: Cluster;
let ctl: ControllerProcess;
let watch: ServiceWatch;
let ports: { healthPort: number; metricsPort: number; webhookPort: number };

const addr = (name: string, ns = 'default') => watch.ips(`${ns}/${name}`);
const assigned = (name: string, ns = 'default') =>
  eventually(
    () => (addr(name, ns).length > 0 ? addr(name, ns) : undefined),
    20_000,
    `${ns}/${name} assigned`,
  );

function httpsGet(port: number, path: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = httpsRequest(
      { host: '127.0.0.1', port, path, rejectUnauthorized: false },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (d: string) => (body += d));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      },
    );
    req.on('error', reject);
    req.end();
  });
}

async function httpGet(port: number, path: string): Promise<{ status: number; body: string }> {
  const r = await fetch(`http://127.0.0.1:${port}${path}`);
  return { status: r.status, body: await r.text() };
}

beforeAll(async () => {
  c = await startCluster();
  await c.core.createNamespace({ body: { metadata: { name: 'team-a' } } });
  // The controller Deployment owns the memberlist Secret it creates.
  await c.objects.create({
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'controller', namespace: NS },
    spec: {
      selector: { matchLabels: { app: 'metallb' } },
      template: {
        metadata: { labels: { app: 'metallb' } },
        spec: { containers: [{ name: 'c', image: 'x' }] },
      },
    },
  } as never);
  // A pre-0.13 ConfigMap left behind by an old MetalLB installation.
  await c.core.createNamespacedConfigMap({
    namespace: NS,
    body: {
      metadata: { name: 'config' },
      data: {
        config:
          'address-pools:\n- name: default\n  protocol: layer2\n  addresses:\n  - 192.0.2.0/24\n',
      },
    },
  });
  await createPool(c, 'lan', ['192.0.2.0/29']);
  await createPool(c, 'reserved', ['198.51.100.10-198.51.100.12'], { autoAssign: false });
  await createPool(c, 'team', ['198.51.100.64/30'], {
    serviceAllocation: { priority: 1, namespaces: ['team-a'] },
  });
  await createPool(c, 'dual', ['203.0.113.0/30', '2001:db8:5::/126'], { autoAssign: false });
  watch = new ServiceWatch(c);
  await watch.start();
  ctl = ControllerProcess.start(c, 'controller-0', [
    '--ml-secret-name',
    'memberlist',
    '--deployment',
    'controller',
    '--port',
    String(await freePort()),
  ]);
  ports = await ctl.started();
}, 60_000);

afterAll(async () => {
  watch?.stop();
  await killAll();
  await c?.close();
});

describe('allocation rules (MetalLB semantics)', () => {
  it('the lowest free address of the auto-assign pool, the pool annotation, through the status subresource', async () => {
    await createService(c, { name: 'web' });
    expect(await assigned('web')).toEqual(['192.0.2.0']);
    const svc = await c.core.readNamespacedService({ name: 'web', namespace: 'default' });
    expect(svc.metadata?.annotations?.['metallb.io/ip-allocated-from-pool']).toBe('lan');
    const mine = (svc.metadata?.managedFields ?? []).filter(
      (m) => m.manager === 'ironlb-controller',
    );
    expect(mine.map((m) => m.subresource)).toEqual(['status']);
    expect(await eventsFor(c, 'default', 'web')).toEqual([
      'Normal IPAllocated: Assigned IP ["192.0.2.0"]',
    ]);
  });

  it('requested addresses: spec.loadBalancerIP, metallb.io/loadBalancerIPs, and the deprecated spelling (with a warning)', async () => {
    await createService(c, { name: 'by-spec', loadBalancerIP: '192.0.2.5' });
    await createService(c, {
      name: 'by-annotation',
      annotations: { 'metallb.io/loadBalancerIPs': '198.51.100.11' },
    });
    await createService(c, {
      name: 'by-old',
      annotations: { 'metallb.universe.tf/loadBalancerIPs': '198.51.100.12' },
    });
    expect(await assigned('by-spec')).toEqual(['192.0.2.5']);
    expect(await assigned('by-annotation')).toEqual(['198.51.100.11']);
    expect(await assigned('by-old')).toEqual(['198.51.100.12']);
    await eventually(async () =>
      (await eventsFor(c, 'default', 'by-old')).includes(
        'Warning deprecatedAnnotation: Service uses deprecated annotation metallb.universe.tf/loadBalancerIPs',
      ),
    );
  });

  it('metallb.io/address-pool picks a pool that is not auto-assigned; the new spelling wins', async () => {
    await createService(c, {
      name: 'pool-pick',
      annotations: {
        'metallb.io/address-pool': 'reserved',
        'metallb.universe.tf/address-pool': 'lan',
      },
    });
    expect(await assigned('pool-pick')).toEqual(['198.51.100.10']);
  });

  it('a namespace-pinned pool with priority serves its namespace first', async () => {
    await createService(c, { name: 'tenant', namespace: 'team-a' });
    expect(await assigned('tenant', 'team-a')).toEqual(['198.51.100.64']);
  });

  it('sharing: same key and disjoint ports share one address; a port clash fails with MetalLB text', async () => {
    const share = {
      'metallb.io/allow-shared-ip': 'dns',
      'metallb.io/loadBalancerIPs': '192.0.2.7',
    };
    await createService(c, {
      name: 'dns-tcp',
      annotations: share,
      ports: [{ port: 53, protocol: 'TCP' }],
    });
    await createService(c, {
      name: 'dns-udp',
      annotations: share,
      ports: [{ port: 53, protocol: 'UDP' }],
    });
    await createService(c, {
      name: 'dns-clash',
      annotations: share,
      ports: [{ port: 53, protocol: 'UDP' }],
    });
    expect(await assigned('dns-tcp')).toEqual(['192.0.2.7']);
    expect(await assigned('dns-udp')).toEqual(['192.0.2.7']);
    await eventually(async () =>
      (await eventsFor(c, 'default', 'dns-clash')).includes(
        'Warning AllocationFailed: Failed to allocate IP for "default/dns-clash": port UDP/53 is already in use on "192.0.2.7"',
      ),
    );
    expect(addr('dns-clash')).toEqual([]);
  });

  it('dual-stack RequireDualStack gets one address of each family from a dual pool', async () => {
    await createService(c, {
      name: 'dual',
      ipFamilyPolicy: 'RequireDualStack',
      ipFamilies: ['IPv4', 'IPv6'],
      annotations: { 'metallb.io/address-pool': 'dual' },
    });
    expect(await assigned('dual')).toEqual(['203.0.113.0', '2001:db8:5::']);
  });

  it('--lb-class: a Service of another class is left alone', async () => {
    await createService(c, { name: 'other-class', loadBalancerClass: 'example.com/other' });
    await createService(c, { name: 'after-other' });
    await assigned('after-other');
    expect(addr('other-class')).toEqual([]);
    expect(await eventsFor(c, 'default', 'other-class')).toEqual([]);
  });

  it('an impossible request leaves AllocationFailed with MetalLB text', async () => {
    await createService(c, { name: 'nowhere', loadBalancerIP: '10.9.9.9' });
    await eventually(async () =>
      (await eventsFor(c, 'default', 'nowhere')).includes(
        'Warning AllocationFailed: Failed to allocate IP for "default/nowhere": ["10.9.9.9"] is not allowed in config',
      ),
    );
    expect(addr('nowhere')).toEqual([]);
  });

  it('clearing: a Service that stops being a LoadBalancer loses address and annotation; a pending one gets it', async () => {
    // Fill the pool: .0 web, .5 by-spec, .7 shared, plus .1 after-other; take the rest.
    const fillers = ['f1', 'f2', 'f3', 'f4'];
    for (const n of fillers) await createService(c, { name: n });
    for (const n of fillers) await assigned(n);
    await createService(c, { name: 'pending' });
    await eventually(async () =>
      (await eventsFor(c, 'default', 'pending')).some((e) => e.includes('no available IPs')),
    );
    const freed = addr('f4');
    await c.core.patchNamespacedService(
      { name: 'f4', namespace: 'default', body: { spec: { type: 'ClusterIP' } } },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    );
    await eventually(() => addr('f4').length === 0);
    const f4 = await c.core.readNamespacedService({ name: 'f4', namespace: 'default' });
    expect(f4.metadata?.annotations?.['metallb.io/ip-allocated-from-pool']).toBeUndefined();
    expect(await assigned('pending')).toEqual(freed);
  });

  it('a deleted Service frees its address for a pending one', async () => {
    await createService(c, { name: 'pending-2' });
    await eventually(async () => (await eventsFor(c, 'default', 'pending-2')).length > 0);
    const freed = addr('f3');
    await c.core.deleteNamespacedService({ name: 'f3', namespace: 'default' });
    expect(await assigned('pending-2')).toEqual(freed);
  });

  it('IPAddressPool status counters follow the allocator', async () => {
    await eventually(async () => {
      const p = (await c.custom.getNamespacedCustomObject({
        group: 'metallb.io',
        version: 'v1beta1',
        namespace: NS,
        plural: 'ipaddresspools',
        name: 'dual',
      })) as { status?: Record<string, number> };
      return p.status?.assignedIPv4 === 1 &&
        p.status.assignedIPv6 === 1 &&
        p.status.availableIPv4 === 3 &&
        p.status.availableIPv6 === 3
        ? true
        : undefined;
    });
  });

  it('deleting a pool moves its Services to another pool (or clears them)', async () => {
    await c.custom.deleteNamespacedCustomObject({
      group: 'metallb.io',
      version: 'v1beta1',
      namespace: NS,
      plural: 'ipaddresspools',
      name: 'team',
    });
    // team-a's Service falls back to the auto-assign pools; "lan" is full, so it is cleared.
    await eventually(() => addr('tenant', 'team-a').length === 0);
    await eventually(async () =>
      (await eventsFor(c, 'team-a', 'tenant')).some((e) =>
        e.startsWith(
          'Normal ClearAssignment: current IP for "team-a/tenant" not allowed by config',
        ),
      ),
    );
  });
});

describe('configuration path', () => {
  it('an invalid pool leaves the last valid configuration running; ConfigurationState, metric and event say why', async () => {
    await createPool(c, 'overlap', ['192.0.2.4/30']);
    const state = await eventually(async () => {
      try {
        const s = (await c.custom.getNamespacedCustomObject({
          group: 'metallb.io',
          version: 'v1beta1',
          namespace: NS,
          plural: 'configurationstates',
          name: 'controller',
        })) as {
          status?: { result?: string; errorSummary?: string };
          metadata: { labels?: Record<string, string> };
        };
        return s.status?.result === 'Invalid' ? s : undefined;
      } catch {
        return undefined;
      }
    });
    expect(state.metadata.labels).toEqual({ 'metallb.io/component-type': 'controller' });
    expect(state.status?.errorSummary).toMatch(
      /^configuration error: .*overlaps with already defined CIDR/,
    );
    await eventually(async () =>
      (await eventsFor(c, NS, 'overlap')).some((e) =>
        e.startsWith('Warning InvalidConfiguration:'),
      ),
    );
    const metrics = await httpsGet(ports.metricsPort, '/metrics');
    expect(metrics.body).toMatch(/^metallb_k8s_client_config_stale_bool 1$/m);
    // Still allocating from the last valid configuration. Two addresses are freed: the pending
    // team-a/tenant (now served by the auto-assign pools) takes one of them.
    await c.core.deleteNamespacedService({ name: 'f2', namespace: 'default' });
    await c.core.deleteNamespacedService({ name: 'f1', namespace: 'default' });
    await eventually(() => watch.ips('team-a/tenant').length > 0);
    await createService(c, { name: 'still-works' });
    expect((await assigned('still-works'))[0]).toMatch(/^192\.0\.2\./);
    // Fixing the configuration makes it valid again.
    await c.custom.deleteNamespacedCustomObject({
      group: 'metallb.io',
      version: 'v1beta1',
      namespace: NS,
      plural: 'ipaddresspools',
      name: 'overlap',
    });
    await eventually(async () => {
      const s = (await c.custom.getNamespacedCustomObject({
        group: 'metallb.io',
        version: 'v1beta1',
        namespace: NS,
        plural: 'configurationstates',
        name: 'controller',
      })) as { status?: { result?: string } };
      return s.status?.result === 'Valid';
    });
  });
});

describe('process', () => {
  it('creates the memberlist Secret owned by the Deployment, key secretkey', async () => {
    const s: V1Secret = await eventually(async () => {
      try {
        return await c.core.readNamespacedSecret({ name: 'memberlist', namespace: NS });
      } catch {
        return undefined;
      }
    });
    const key = Buffer.from(s.data?.secretkey ?? '', 'base64').toString('utf8');
    expect(key).toMatch(/^[A-Za-z0-9+/]{22}$/); // 16 bytes, base64 without padding
    expect(s.metadata?.ownerReferences?.[0]).toMatchObject({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      name: 'controller',
    });
  });

  it('warns about a legacy MetalLB ConfigMap and names the converter', async () => {
    await eventually(async () =>
      (await eventsFor(c, NS, 'config')).some(
        (e) => e.startsWith('Warning LegacyConfigMap:') && e.includes('ironlb-convert-configmap'),
      ),
    );
  });

  it('serves /healthz, /readyz and HTTPS /metrics with MetalLB metric names', async () => {
    expect((await httpGet(ports.healthPort, '/healthz')).status).toBe(200);
    expect((await httpGet(ports.healthPort, '/readyz')).status).toBe(200);
    const m = await httpsGet(ports.metricsPort, '/metrics');
    expect(m.status).toBe(200);
    for (const name of [
      'metallb_allocator_addresses_in_use_total{pool="lan"}',
      'metallb_allocator_addresses_total{pool="lan"} 8',
      'metallb_k8s_client_updates_total',
      'metallb_k8s_client_update_errors_total',
      'metallb_k8s_client_config_loaded_bool 1',
      'metallb_k8s_client_config_stale_bool',
      'metallb_controller_reconcile_duration_seconds_bucket',
      'metallb_controller_queue_depth',
      'metallb_controller_leader 1',
    ]) {
      expect(m.body).toContain(name);
    }
  });

  it('logs JSON lines in MetalLB shape', () => {
    const l = ctl.find((x) => x.msg === 'updated service object');
    expect(l).toMatchObject({
      level: 'info',
      controller: 'ServiceReconciler',
      event: 'serviceUpdated',
    });
    expect(l?.ts).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d/);
    expect(typeof l?.caller).toBe('string');
  });

  it('no Service changed its address during all of this, and none shares one it should not', () => {
    const moved = watch.changed().filter((k) => !['default/f4', 'team-a/tenant'].includes(k));
    expect(moved).toEqual([]);
    const dups = watch.duplicates().filter((d) => !d.startsWith('192.0.2.7:'));
    expect(dups).toEqual([]);
  });
});
