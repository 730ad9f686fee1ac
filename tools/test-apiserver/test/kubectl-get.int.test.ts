// The real kubectl v1.35 reading from the test API server: server-side Table printing compared
// with goldens built from the seed articles' transcripts (test/fixtures/seeds/transcripts.txt)
// and from the column definitions of Kubernetes' pkg/printers/internalversion/printers.go
// (AddHandlers: podColumnDefinitions, serviceColumnDefinitions, nodeColumnDefinitions,
// deploymentColumnDefinitions, eventColumnDefinitions, ...) — never from this server's output.
// Ages are exact because the server's wall clock is injected and advanced by the test.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  parseTranscript,
  renderTable,
  REPO_ROOT,
  skipReason,
  startCliServer,
  type CliServer,
} from './cli/harness.ts';

const skip = skipReason();
const TRANSCRIPTS = readFileSync(
  new URL('./fixtures/seeds/transcripts.txt', import.meta.url),
  'utf8',
);

function section(title: string): string {
  const i = TRANSCRIPTS.indexOf(title);
  const rest = TRANSCRIPTS.slice(TRANSCRIPTS.indexOf('\n', i) + 1);
  const end = rest.indexOf('\n## ');
  return end < 0 ? rest : rest.slice(0, end);
}

/** The transcript's tables (blank-line separated) with addresses mapped to documentation ranges. */
function transcriptTables(title: string, map: Record<string, string>): string[][][] {
  let text = section(title);
  for (const [from, to] of Object.entries(map)) text = text.split(from).join(to);
  return text
    .trim()
    .split(/\n\s*\n/)
    .map((t) => parseTranscript(t));
}

const S = 1000;
const M = 60 * S;

describe.skipIf(skip !== undefined)(
  `kubectl get (server-side printing)${skip ? ` — SKIPPED: ${skip}` : ''}`,
  () => {
    let c: CliServer;
    let t0: number;
    const k = async (args: string[], stdin?: string) => {
      const r = await c.kubectl(args, stdin === undefined ? {} : { stdin });
      if (r.code !== 0)
        throw new Error(`kubectl ${args.join(' ')} failed (${r.code}): ${r.stderr}`);
      return r.stdout;
    };
    beforeAll(async () => {
      c = await startCliServer();
      t0 = c.clock.now;
    });
    afterAll(async () => {
      await c?.stop();
    });

    it('get nodes -o wide prints the columns of seed 003 (NAME ... CONTAINER-RUNTIME)', async () => {
      const node = (name: string, ip: string, roles: string[]) => ({
        apiVersion: 'v1',
        kind: 'Node',
        metadata: {
          name,
          labels: Object.fromEntries(roles.map((r) => [`node-role.kubernetes.io/${r}`, 'true'])),
        },
        status: {
          conditions: [
            {
              type: 'Ready',
              status: 'True',
              reason: 'KubeletReady',
              message: 'kubelet is posting ready status',
            },
          ],
          addresses: [
            { type: 'InternalIP', address: ip },
            { type: 'Hostname', address: name },
          ],
          nodeInfo: {
            kubeletVersion: 'v1.22.7+k3s1',
            osImage: 'K3s dev',
            kernelVersion: '5.15.0-50-generic',
            containerRuntimeVersion: 'containerd://1.5.9-k3s1',
            architecture: 'amd64',
            operatingSystem: 'linux',
            bootID: '',
            machineID: '',
            systemUUID: '',
            kubeProxyVersion: '',
          },
        },
      });
      const apply = (o: unknown) => k(['apply', '-f', '-'], JSON.stringify(o));
      c.clock.now = t0;
      await apply(node('k3d-k3s-default-server-0', '198.51.100.2', ['control-plane', 'master']));
      c.clock.now = t0 + 5 * S;
      await apply(node('k3d-k3s-default-agent-1', '198.51.100.3', []));
      c.clock.now = t0 + 6 * S;
      await apply(node('k3d-k3s-default-agent-0', '198.51.100.5', []));
      await apply(node('k3d-k3s-default-agent-2', '198.51.100.4', []));
      c.clock.now = t0 + 42 * S;
      const [table] = transcriptTables('kubectl get nodes -o wide', { '172.25.0.': '198.51.100.' });
      const rows = table as string[][];
      // kube-apiserver lists in key order; the transcript (k3s/kine) did not: sort by name.
      const expected = renderTable([
        rows[0] as string[],
        ...rows.slice(1).sort((a, b) => (a[0] as string).localeCompare(b[0] as string)),
      ]);
      expect(await k(['get', 'nodes', '-o', 'wide'])).toBe(expected);
      // Without -o wide the priority-1 columns are hidden by kubectl.
      const narrow = [
        rows[0] as string[],
        ...rows.slice(1).sort((a, b) => (a[0] as string).localeCompare(b[0] as string)),
      ].map((r) => r.slice(0, 5));
      expect(await k(['get', 'nodes'])).toBe(renderTable(narrow));
    });

    it('get all prints pods, services and deployments as in seed 003 (controllers simulated)', async () => {
      const tGet = t0 + 87 * M;
      c.clock.now = tGet - 14 * S;
      await k(['create', 'deployment', 'nginx', '--image=nginx']);
      await k(
        ['apply', '-f', '-'],
        JSON.stringify({
          apiVersion: 'v1',
          kind: 'Pod',
          metadata: { name: 'nginx-6799fc88d8-2ktjs', labels: { app: 'nginx' } },
          spec: { containers: [{ name: 'nginx', image: 'nginx' }] },
        }),
      );
      // What the kubelet and the deployment controller would have written by then.
      await k([
        'patch',
        'pod',
        'nginx-6799fc88d8-2ktjs',
        '--subresource=status',
        '--type=merge',
        '-p',
        JSON.stringify({
          status: {
            phase: 'Pending',
            containerStatuses: [
              {
                name: 'nginx',
                image: 'nginx',
                imageID: '',
                ready: false,
                restartCount: 0,
                started: false,
                state: { waiting: { reason: 'ContainerCreating' } },
              },
            ],
          },
        }),
      ]);
      await k([
        'patch',
        'deployment',
        'nginx',
        '--subresource=status',
        '--type=merge',
        '-p',
        '{"status":{"replicas":1,"updatedReplicas":1,"unavailableReplicas":1}}',
      ]);
      c.clock.now = tGet - 5 * S;
      await k([
        'expose',
        'deployment',
        'nginx',
        '--port=80',
        '--type=LoadBalancer',
        '--cluster-ip=198.18.199.37',
      ]);
      // A strategic merge patch on spec.ports merges by port (the Service's patchMergeKey).
      await k(['patch', 'svc', 'nginx', '-p', '{"spec":{"ports":[{"port":80,"nodePort":30672}]}}']);
      await k([
        'patch',
        'svc',
        'nginx',
        '--subresource=status',
        '--type=merge',
        '-p',
        '{"status":{"loadBalancer":{"ingress":[{"ip":"203.0.113.1"}]}}}',
      ]);
      c.clock.now = tGet;
      const tables = transcriptTables('kubectl get all', {
        '10.43.0.1 ': '198.18.0.1 ',
        '10.43.199.37': '198.18.199.37',
        '172.25.1.1': '203.0.113.1',
      });
      // No ReplicaSet exists here (no deployment controller): kubectl prints no block for it.
      const expected = tables
        .filter((t) => !(t[1]?.[0] ?? '').startsWith('replicaset'))
        .map(renderTable)
        .join('\n');
      expect(await k(['get', 'all'])).toBe(expected);
    });

    it('get pods,svc prints the <pending> EXTERNAL-IP of seed 000', async () => {
      await k(['create', 'namespace', 'seed000']);
      const tGet = t0 + 100 * M;
      const pod = (name: string, at: number) => async () => {
        c.clock.now = at;
        await k(
          ['apply', '-n', 'seed000', '-f', '-'],
          JSON.stringify({
            apiVersion: 'v1',
            kind: 'Pod',
            metadata: { name },
            spec: { containers: [{ name: 'nginx', image: 'nginx:latest' }] },
          }),
        );
        await k([
          'patch',
          '-n',
          'seed000',
          'pod',
          name,
          '--subresource=status',
          '--type=merge',
          '-p',
          JSON.stringify({
            status: {
              phase: 'Running',
              containerStatuses: [
                {
                  name: 'nginx',
                  image: 'nginx:latest',
                  imageID: '',
                  ready: true,
                  restartCount: 0,
                  started: true,
                  state: { running: { startedAt: '2026-03-01T08:00:00Z' } },
                },
              ],
            },
          }),
        ]);
      };
      const svc = (name: string, ip: string, nodePort: number, at: number) => async () => {
        c.clock.now = at;
        await k(
          ['apply', '-n', 'seed000', '-f', '-'],
          JSON.stringify({
            apiVersion: 'v1',
            kind: 'Service',
            metadata: { name },
            spec: {
              type: 'LoadBalancer',
              clusterIP: ip,
              selector: { app: name },
              ports: [{ port: 8080, targetPort: 80, nodePort }],
            },
          }),
        );
      };
      await pod('nginx-8d545c96d-tp56q', tGet - 84 * S)();
      await pod('nginx2-79c8885ff8-6lq8f', tGet - 78 * S)();
      await svc('nginx-lb', '198.18.220.35', 32111, tGet - 9 * S)();
      await svc('nginx2-lb', '198.18.76.29', 30383, tGet - 4 * S)();
      c.clock.now = tGet;
      const tables = transcriptTables('kubectl get pods,svc -n default', {
        '10.10.220.35': '198.18.220.35',
        '10.10.76.29': '198.18.76.29',
      });
      expect(await k(['get', 'pods,svc', '-n', 'seed000'])).toBe(
        tables.map(renderTable).join('\n'),
      );
    });

    it('get svc -o wide, -o jsonpath, -o yaml and get pod -A', async () => {
      c.clock.now = t0 + 100 * M;
      // serviceColumnDefinitions: Selector has priority 1 (shown by -o wide).
      const wide = await k(['get', 'svc', 'nginx-lb', '-n', 'seed000', '-o', 'wide']);
      expect(wide).toBe(
        renderTable([
          ['NAME', 'TYPE', 'CLUSTER-IP', 'EXTERNAL-IP', 'PORT(S)', 'AGE', 'SELECTOR'],
          [
            'nginx-lb',
            'LoadBalancer',
            '198.18.220.35',
            '<pending>',
            '8080:32111/TCP',
            '9s',
            'app=nginx-lb',
          ],
        ]),
      );
      expect(
        await k(['get', 'svc', 'nginx', '-o', 'jsonpath={.status.loadBalancer.ingress[0].ip}']),
      ).toBe('203.0.113.1');
      const yaml = await k(['get', 'svc', 'nginx', '-o', 'yaml']);
      expect(yaml).toContain('kind: Service');
      expect(yaml).toContain('clusterIP: 198.18.199.37');
      expect(yaml).not.toContain('managedFields'); // kubectl hides them unless --show-managed-fields
      const all = await k(['get', 'pod', '-A']);
      // -A adds NAMESPACE before the pod columns (podColumnDefinitions).
      expect(all.split('\n')[0]).toMatch(/^NAMESPACE\s+NAME\s+READY\s+STATUS\s+RESTARTS\s+AGE$/);
      expect(all).toMatch(/^seed000\s+nginx-8d545c96d-tp56q\s+1\/1\s+Running\s+0\s+/m);
    });

    it('IronLB CRDs from deploy/crds: applied, additionalPrinterColumns printed, explained', async () => {
      await k(['apply', '-f', join(REPO_ROOT, 'deploy/crds/all.yaml')]);
      await k([
        'wait',
        '--for=condition=Established',
        'crd/ipaddresspools.metallb.io',
        '--timeout=30s',
      ]);
      await k(['create', 'namespace', 'metallb-system']);
      const seedYaml = readFileSync(
        new URL('./fixtures/seeds/003-ip-pool.yaml', import.meta.url),
        'utf8',
      );
      const out = await k(['apply', '-n', 'metallb-system', '-f', '-'], seedYaml);
      expect(out).toBe(
        'ipaddresspool.metallb.io/ip-pool created\nl2advertisement.metallb.io/l2advertise created\n',
      );
      // The CRD's columns: Auto Assign (boolean), Avoid Buggy IPs (boolean), Addresses (string:
      // a list prints as JSON, as the CRD table convertor's JSONPath printer does). No AGE column.
      expect(await k(['get', 'ipaddresspools', '-n', 'metallb-system'])).toBe(
        renderTable([
          ['NAME', 'AUTO ASSIGN', 'AVOID BUGGY IPS', 'ADDRESSES'],
          ['ip-pool', 'true', 'false', '["172.25.1.1-172.25.1.100"]'],
        ]),
      );
      const explain = await k(['explain', 'ipaddresspools.spec.addresses']);
      expect(explain).toContain('GROUP:      metallb.io');
      expect(explain).toContain('KIND:       IPAddressPool');
      expect(explain).toMatch(/FIELD: addresses <\[\]string>/);
      const top = await k(['explain', 'bgppeers']);
      expect(top).toContain('KIND:       BGPPeer');
      expect(top).toMatch(/spec\s+<Object>/);
    });

    it('get events and describe with events (eventColumnDefinitions; describe reads events by field selector)', async () => {
      c.clock.now = t0 + 100 * M;
      const ev = {
        apiVersion: 'v1',
        kind: 'Event',
        metadata: { name: 'nginx.1', namespace: 'default' },
        involvedObject: { kind: 'Service', name: 'nginx', namespace: 'default', apiVersion: 'v1' },
        reason: 'IPAllocated',
        message: 'Assigned IP ["203.0.113.1"]',
        type: 'Normal',
        source: { component: 'metallb-controller' },
        firstTimestamp: '2026-03-01T09:38:00Z',
        lastTimestamp: '2026-03-01T09:38:00Z',
        count: 1,
      };
      const uid = await k(['get', 'svc', 'nginx', '-o', 'jsonpath={.metadata.uid}']);
      await k(
        ['create', '-f', '-'],
        JSON.stringify({ ...ev, involvedObject: { ...ev.involvedObject, uid } }),
      );
      expect(await k(['get', 'events', '--field-selector', 'involvedObject.name=nginx'])).toBe(
        renderTable([
          ['LAST SEEN', 'TYPE', 'REASON', 'OBJECT', 'MESSAGE'],
          ['2m', 'Normal', 'IPAllocated', 'service/nginx', 'Assigned IP ["203.0.113.1"]'],
        ]),
      );
      const d = await k(['describe', 'svc', 'nginx']);
      expect(d).toMatch(/^Name:\s+nginx$/m);
      expect(d).toMatch(/^Type:\s+LoadBalancer$/m);
      expect(d).toMatch(/^LoadBalancer Ingress:\s+203\.0\.113\.1/m);
      expect(d).toMatch(/^Events:\n\s+Type\s+Reason\s+Age\s+From\s+Message\n\s+----/m);
      expect(d).toMatch(
        /Normal\s+IPAllocated\s+\S+\s+metallb-controller\s+Assigned IP \["203\.0\.113\.1"\]/,
      );
    });

    it('get ns, secrets, configmaps, endpointslices, api-resources, cluster-info', async () => {
      c.clock.now = t0 + 100 * M;
      const ns = await k(['get', 'ns', 'seed000']);
      expect(ns).toBe(
        renderTable([
          ['NAME', 'STATUS', 'AGE'],
          ['seed000', 'Active', ns.split('\n')[1]?.trim().split(/\s+/)[2] ?? ''],
        ]),
      );
      await k([
        'create',
        'secret',
        'generic',
        '-n',
        'metallb-system',
        'memberlist',
        '--from-literal=secretkey=abc',
      ]);
      expect(await k(['get', 'secret', 'memberlist', '-n', 'metallb-system'])).toBe(
        renderTable([
          ['NAME', 'TYPE', 'DATA', 'AGE'],
          ['memberlist', 'Opaque', '1', '0s'],
        ]),
      );
      await k(['create', 'configmap', 'cm1', '--from-literal=a=1', '--from-literal=b=2']);
      expect(await k(['get', 'cm', 'cm1'])).toBe(
        renderTable([
          ['NAME', 'DATA', 'AGE'],
          ['cm1', '2', '0s'],
        ]),
      );
      await k(
        ['apply', '-f', '-'],
        JSON.stringify({
          apiVersion: 'discovery.k8s.io/v1',
          kind: 'EndpointSlice',
          metadata: { name: 'nginx-abc12', labels: { 'kubernetes.io/service-name': 'nginx' } },
          addressType: 'IPv4',
          ports: [{ port: 80, protocol: 'TCP', name: '' }],
          endpoints: [{ addresses: ['198.18.1.10'] }, { addresses: ['198.18.1.11'] }],
        }),
      );
      expect(await k(['get', 'endpointslices', 'nginx-abc12'])).toBe(
        renderTable([
          ['NAME', 'ADDRESSTYPE', 'PORTS', 'ENDPOINTS', 'AGE'],
          ['nginx-abc12', 'IPv4', '80', '198.18.1.10,198.18.1.11', '0s'],
        ]),
      );
      // serviceAccountColumnDefinitions in 1.35: NAME and AGE (the SECRETS count went in
      // kubernetes#117160).
      await k(['create', 'serviceaccount', 'speaker', '-n', 'metallb-system']);
      expect(await k(['get', 'sa', 'speaker', '-n', 'metallb-system'])).toBe(
        renderTable([
          ['NAME', 'AGE'],
          ['speaker', '0s'],
        ]),
      );
      const ar = await k(['api-resources']);
      expect(ar.split('\n')[0]).toMatch(/^NAME\s+SHORTNAMES\s+APIVERSION\s+NAMESPACED\s+KIND$/);
      expect(ar).toMatch(/^services\s+svc\s+v1\s+true\s+Service$/m);
      expect(ar).toMatch(/^ipaddresspools\s+metallb\.io\/v1beta1\s+true\s+IPAddressPool$/m);
      const ci = await k(['cluster-info']);
      expect(ci).toContain(`Kubernetes control plane is running at ${c.server.url}`);
    });

    it('get priorityclasses (priorityClassColumnDefinitions; the server prints wide, so PREEMPTIONPOLICY shows)', async () => {
      const tGet = t0 + 200 * M;
      c.clock.now = tGet - 30 * S;
      // `create priorityclass` is a typed command: a protobuf body (scheduling.k8s.io/v1).
      expect(
        await k([
          'create',
          'priorityclass',
          'metallb-high',
          '--value=1000000',
          '--preemption-policy=Never',
          '--description=speakers first',
        ]),
      ).toBe('priorityclass.scheduling.k8s.io/metallb-high created\n');
      c.clock.now = tGet;
      // printPriorityClass: name, int64(value), globalDefault, age, preemptionPolicy. The two
      // system classes exist since the server started (t0): 200 minutes = 3h20m.
      expect(await k(['get', 'priorityclasses'])).toBe(
        renderTable([
          ['NAME', 'VALUE', 'GLOBAL-DEFAULT', 'AGE', 'PREEMPTIONPOLICY'],
          ['metallb-high', '1000000', 'false', '30s', 'Never'],
          ['system-cluster-critical', '2000000000', 'false', '3h20m', 'PreemptLowerPriority'],
          ['system-node-critical', '2000001000', 'false', '3h20m', 'PreemptLowerPriority'],
        ]),
      );
    });

    it('get jobs through a job\u2019s life (jobColumnDefinitions: NAME STATUS COMPLETIONS DURATION AGE; -o wide)', async () => {
      const t = t0 + 300 * M;
      c.clock.now = t;
      // `create job` is a typed command: a protobuf batch/v1 Job with restartPolicy Never.
      expect(
        await k([
          'create',
          'job',
          'pi',
          '--image=perl:5.34.0',
          '--',
          'perl',
          '-Mbignum=bpi',
          '-wle',
          'print bpi(20)',
        ]),
      ).toBe('job.batch/pi created\n');
      await k(
        ['apply', '-f', '-'],
        JSON.stringify({
          apiVersion: 'batch/v1',
          kind: 'Job',
          metadata: { name: 'work-queue' },
          spec: {
            parallelism: 3,
            template: {
              spec: {
                restartPolicy: 'OnFailure',
                containers: [{ name: 'worker', image: 'busybox:1.36' }],
              },
            },
          },
        }),
      );
      c.clock.now = t + 5 * S;
      // printJob: no startTime yet, so DURATION is empty; completions "<succeeded>/<completions>",
      // or "<succeeded>/1 of <parallelism>" when completions is unset and parallelism > 1.
      expect(await k(['get', 'jobs'])).toBe(
        renderTable([
          ['NAME', 'STATUS', 'COMPLETIONS', 'DURATION', 'AGE'],
          ['pi', 'Running', '0/1', '', '5s'],
          ['work-queue', 'Running', '0/1 of 3', '', '5s'],
        ]),
      );
      const iso = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
      const status = (st: object) =>
        k([
          'patch',
          'job',
          'pi',
          '--subresource=status',
          '--type=merge',
          '-p',
          JSON.stringify({ status: st }),
        ]);
      await status({ startTime: iso(t + S), active: 1, ready: 1 });
      c.clock.now = t + 80 * S;
      const uid = await k(['get', 'job', 'pi', '-o', 'jsonpath={.metadata.uid}']);
      // Running: DURATION is the time since startTime (79s); -o wide adds the priority-1
      // CONTAINERS, IMAGES and the generated SELECTOR.
      expect(await k(['get', 'job', 'pi', '-o', 'wide'])).toBe(
        renderTable([
          ['NAME', 'STATUS', 'COMPLETIONS', 'DURATION', 'AGE', 'CONTAINERS', 'IMAGES', 'SELECTOR'],
          [
            'pi',
            'Running',
            '0/1',
            '79s',
            '80s',
            'pi',
            'perl:5.34.0',
            `batch.kubernetes.io/controller-uid=${uid}`,
          ],
        ]),
      );
      const cond = (type: string) => ({
        type,
        status: 'True',
        lastProbeTime: iso(t + 130 * S),
        lastTransitionTime: iso(t + 130 * S),
      });
      await status({
        startTime: iso(t + S),
        completionTime: iso(t + 130 * S),
        active: 0,
        ready: 0,
        succeeded: 1,
        conditions: [cond('SuccessCriteriaMet'), cond('Complete')],
      });
      // What scripts wait for after a Job (conditions are matched case-insensitively).
      expect(await k(['wait', '--for=condition=complete', 'job/pi', '--timeout=10s'])).toBe(
        'job.batch/pi condition met\n',
      );
      c.clock.now = t + 15 * M;
      // Complete: DURATION is completionTime - startTime (129s = 2m9s), AGE keeps going.
      expect(await k(['get', 'job', 'pi'])).toBe(
        renderTable([
          ['NAME', 'STATUS', 'COMPLETIONS', 'DURATION', 'AGE'],
          ['pi', 'Complete', '1/1', '2m9s', '15m'],
        ]),
      );
    });

    it('get -w streams rows (header once) and the server drops the watcher when kubectl goes', async () => {
      const { spawn } = await import('node:child_process');
      const { KUBECTL } = await import('./cli/harness.ts');
      const before = c.server.core.store.watcherCount;
      const child = spawn(KUBECTL, ['get', 'configmaps', '-n', 'seed000', '-w'], {
        env: { ...process.env, KUBECONFIG: c.kubeconfig },
      });
      let out = '';
      child.stdout.on('data', (b: Buffer) => (out += b.toString()));
      const until = async (re: RegExp) => {
        for (let i = 0; i < 200 && !re.test(out); i++) await new Promise((r) => setTimeout(r, 50));
        expect(out).toMatch(re);
      };
      // The namespace has no ConfigMaps: kubectl lists (nothing), then watches.
      for (let i = 0; i < 200 && c.server.core.store.watcherCount === before; i++)
        await new Promise((r) => setTimeout(r, 50));
      expect(c.server.core.store.watcherCount).toBe(before + 1);
      await k(['create', 'configmap', 'watched', '-n', 'seed000', '--from-literal=x=1']);
      await until(/^watched\s+1\s+/m);
      expect(out.split('\n').filter((l) => l.startsWith('NAME')).length).toBe(1);
      child.kill('SIGTERM');
      await new Promise((r) => child.on('exit', r));
      for (let i = 0; i < 100 && c.server.core.store.watcherCount !== before; i++)
        await new Promise((r) => setTimeout(r, 20));
      expect(c.server.core.store.watcherCount).toBe(before);
    });
  },
);
