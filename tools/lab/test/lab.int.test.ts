// The lab itself (issue 18 proof): the topology comes up and goes away, pods get addresses and
// answer, kube-proxy's rules send Service traffic to them (Cluster and Local), a crash takes a
// node's cable and processes away and restore brings them back, and `down` cleans up after a
// control plane that was killed.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listNamespaces, netnsSkipReason } from '@ironlb/netns-kit';
import { control, curlArgv, downLab, inHost, kubectl, upLab, type LabInfo } from '../src/lab.ts';
import { resolveScenario } from '../src/plan.ts';
import { waitFor } from '../src/wait.ts';

const skip = netnsSkipReason(['nft', 'curl', 'nsenter', 'unshare', '/usr/lib/frr/bgpd']);
const name = `t${process.pid}`.slice(0, 10);

function sh(argv: string[]): { code: number; out: string } {
  const r = spawnSync(argv[0] as string, argv.slice(1), { encoding: 'utf8', timeout: 30_000 });
  return { code: r.status ?? 1, out: (r.stdout ?? '') + (r.stderr ?? '') };
}

const web = (policy: 'Cluster' | 'Local') => `
apiVersion: apps/v1
kind: DaemonSet
metadata: {name: web, namespace: default}
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers: [{name: web, image: nginx:latest, ports: [{containerPort: 80}]}]
---
apiVersion: v1
kind: Service
metadata: {name: web, namespace: default}
spec:
  type: NodePort
  externalTrafficPolicy: ${policy}
  ipFamilyPolicy: PreferDualStack
  selector: {app: web}
  ports: [{port: 8080, targetPort: 80}]
`;

describe.skipIf(skip)(`the lab${skip ? ' — SKIPPED: ' + skip : ''}`, () => {
  let lab: LabInfo;
  const progress: string[] = [];

  beforeAll(async () => {
    lab = await upLab({
      name,
      scenario: { ...resolveScenario(undefined), nodeGraceSec: 1 },
      progress: (l) => progress.push(l),
    });
  }, 180_000);

  afterAll(async () => {
    await downLab(name);
  }, 60_000);

  it('comes up with its namespaces, its router and its nodes registered', async () => {
    const ns = (await listNamespaces()).filter((n) => n.startsWith(`ilb-lab-${name}-`));
    expect(ns.map((n) => n.slice(`ilb-lab-${name}-`.length)).sort()).toEqual([
      'apiserver',
      'client',
      'clientwan',
      'lan',
      'node1',
      'node2',
      'node3',
      'router',
    ]);
    expect(progress.some((l) => l.startsWith('router: FRR AS 64512'))).toBe(true);
    const nodes = JSON.parse(kubectl(lab, ['get', 'nodes', '-o', 'json']).stdout) as {
      items: { metadata: { name: string }; status: { addresses: { address: string }[] } }[];
    };
    expect(nodes.items.map((n) => [n.metadata.name, n.status.addresses[0]?.address])).toEqual([
      ['node-1', '198.51.100.11'],
      ['node-2', '198.51.100.12'],
      ['node-3', '198.51.100.13'],
    ]);
    // The segment works: client reaches every node, client-wan reaches the segment through the router.
    expect(sh(inHost(lab, 'client', ['ping', '-c1', '-W2', '198.51.100.13'])).code).toBe(0);
    expect(sh(inHost(lab, 'client-wan', ['ping', '-c1', '-W2', '198.51.100.11'])).code).toBe(0);
    expect(sh(inHost(lab, 'client', ['ping', '-6', '-c1', '-W2', '2001:db8:1::12'])).code).toBe(0);
  });

  it('runs pods on every node, keeps EndpointSlices in step, and kube-proxy spreads NodePort traffic (ETP=Cluster, masqueraded)', async () => {
    expect(kubectl(lab, ['apply', '--validate=false', '-f', '-'], web('Cluster')).code).toBe(0);
    const slice = await waitFor(
      'three ready endpoints',
      () =>
        JSON.parse(
          kubectl(lab, ['get', 'endpointslices', 'web-ipv4', '-o', 'json']).stdout || '{}',
        ) as { endpoints?: { addresses: string[]; conditions: { ready: boolean } }[] },
      (s) => (s.endpoints ?? []).filter((e) => e.conditions.ready).length === 3,
    );
    expect(slice.endpoints?.map((e) => e.addresses[0]).sort()).toEqual([
      '198.19.1.10',
      '198.19.2.10',
      '198.19.3.10',
    ]);
    const svc = JSON.parse(kubectl(lab, ['get', 'svc', 'web', '-o', 'json']).stdout) as {
      spec: { ports: { nodePort: number }[]; clusterIPs: string[] };
    };
    const port = svc.spec.ports[0]?.nodePort;
    const seen = new Set<string>();
    for (let i = 0; i < 30 && seen.size < 3; i++) {
      const r = sh(curlArgv(lab, 'client', `198.51.100.11:${port}`));
      expect(r.code).toBe(0);
      const m = /pod=(\S+) node=(\S+) client=(\S+)/.exec(r.out);
      seen.add(m?.[2] ?? '');
      // Masqueraded: the pod sees node-1 (its bridge or segment address), not the client.
      expect(m?.[3]).not.toBe('198.51.100.100');
    }
    expect([...seen].sort()).toEqual(['node-1', 'node-2', 'node-3']);
    // Cluster IP from a host-network process on a node (the output hook), over IPv6 too.
    const v6 = svc.spec.clusterIPs.find((ip) => ip.includes(':')) as string;
    expect(sh(inHost(lab, 'node-2', ['curl', '-sS', '-m2', `http://[${v6}]:8080/`])).out).toMatch(
      /^pod=web-\w+ node=node-\d/,
    );
  });

  it('ETP=Local sends NodePort traffic only to the node’s own pod and keeps the client address', async () => {
    expect(kubectl(lab, ['apply', '--validate=false', '-f', '-'], web('Local')).code).toBe(0);
    const svc = JSON.parse(kubectl(lab, ['get', 'svc', 'web', '-o', 'json']).stdout) as {
      spec: { ports: { nodePort: number }[] };
    };
    const port = svc.spec.ports[0]?.nodePort;
    await waitFor(
      'Local rules on node-3',
      () => sh(inHost(lab, 'node-3', ['nft', 'list', 'table', 'ip', 'ilbproxy'])).out,
      (o) => o.includes('local_ext'),
    );
    for (let i = 0; i < 5; i++) {
      expect(sh(curlArgv(lab, 'client', `198.51.100.13:${port}`)).out).toMatch(
        /^pod=web-\w+ node=node-3 client=198\.51\.100\.100$/m,
      );
    }
  });

  it('crash: processes killed, cable pulled, node NotReady and its endpoint not ready; restore brings it back', async () => {
    const r = await control<{ killed: string[] }>(name, 'crash', { node: 'node-2' });
    expect(r.killed.some((k) => k.startsWith('default/web-'))).toBe(true);
    expect(sh(inHost(lab, 'client', ['ping', '-c1', '-W1', '198.51.100.12'])).code).not.toBe(0);
    await waitFor(
      'node-2 Ready=Unknown',
      () =>
        kubectl(lab, [
          'get',
          'node',
          'node-2',
          '-o',
          'jsonpath={.status.conditions[?(@.type=="Ready")].status}',
        ]).stdout,
      (s) => s === 'Unknown',
    );
    await waitFor(
      'node-2 endpoint not ready',
      () =>
        kubectl(lab, [
          'get',
          'endpointslices',
          'web-ipv4',
          '-o',
          'jsonpath={.endpoints[?(@.nodeName=="node-2")].conditions.ready}',
        ]).stdout,
      (s) => s === 'false',
    );
    await control(name, 'restore', { node: 'node-2' });
    expect(sh(inHost(lab, 'client', ['ping', '-c1', '-W2', '198.51.100.12'])).code).toBe(0);
    await waitFor(
      'node-2 endpoint ready again, its container restarted',
      () => kubectl(lab, ['get', 'pods', '-o', 'json']).stdout,
      (s) => {
        const pods = (
          JSON.parse(s) as {
            items: {
              spec: { nodeName: string };
              status: { containerStatuses?: { restartCount: number; ready: boolean }[] };
            }[];
          }
        ).items;
        const p = pods.find((x) => x.spec.nodeName === 'node-2');
        return (
          p?.status.containerStatuses?.[0]?.restartCount === 1 &&
          p.status.containerStatuses[0].ready
        );
      },
    );
  });

  it('down removes everything even after the control plane was SIGKILLed', async () => {
    const pid = Number(readFileSync(join(lab.stateDir, 'supervisor.pid'), 'utf8'));
    process.kill(pid, 'SIGKILL');
    const deleted = await downLab(name);
    expect(deleted.length).toBeGreaterThanOrEqual(8 + 3);
    expect((await listNamespaces()).filter((n) => n.startsWith(`ilb-lab-${name}-`))).toEqual([]);
    // Only this lab's processes (their pod folders live in its state folder); other labs may run.
    expect(sh(['pgrep', '-f', `/run/ironlb-lab/${name}/`]).out.trim()).toBe('');
  });
});
