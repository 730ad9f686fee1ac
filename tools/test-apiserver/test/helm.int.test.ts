// The real helm v4 against the test API server: install (server-side apply, helm v4's default)
// of a small chart with a CRD, a Deployment, a Secret and a custom resource, then upgrade,
// rollback, list, status, history and uninstall; `upgrade --install --create-namespace` as the
// seeds run it, with a post-install hook of kind Job that helm waits for (the test plays the job
// controller). Release state lives in Secrets (`sh.helm.release.v1.<name>.v<revision>`).
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderTable, skipReason, startCliServer, type CliServer } from './cli/harness.ts';

const skip = skipReason();

function writeChart(dir: string): string {
  const chart = join(dir, 'demo');
  mkdirSync(join(chart, 'templates'), { recursive: true });
  mkdirSync(join(chart, 'crds'), { recursive: true });
  writeFileSync(
    join(chart, 'Chart.yaml'),
    'apiVersion: v2\nname: demo\nversion: 0.1.0\nappVersion: "1.0"\n',
  );
  writeFileSync(join(chart, 'values.yaml'), 'image: nginx:1.27\nreplicas: 1\n');
  writeFileSync(
    join(chart, 'crds', 'widgets.yaml'),
    `apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: widgets.example.com}
spec:
  group: example.com
  names: {kind: Widget, plural: widgets, singular: widget}
  scope: Namespaced
  versions:
  - name: v1
    served: true
    storage: true
    schema:
      openAPIV3Schema:
        type: object
        properties:
          spec: {type: object, properties: {size: {type: integer}}}
`,
  );
  writeFileSync(
    join(chart, 'templates', 'app.yaml'),
    `apiVersion: apps/v1
kind: Deployment
metadata: {name: {{ .Release.Name }}-web, labels: {app: web}}
spec:
  replicas: {{ .Values.replicas }}
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers:
      - name: web
        image: {{ .Values.image }}
---
apiVersion: v1
kind: Secret
metadata: {name: {{ .Release.Name }}-secret}
stringData: {revision: "{{ .Release.Revision }}"}
---
apiVersion: example.com/v1
kind: Widget
metadata: {name: {{ .Release.Name }}-widget}
spec: {size: {{ .Values.replicas }}}
`,
  );
  return chart;
}

describe.skipIf(skip !== undefined)(`helm v4${skip ? ` — SKIPPED: ${skip}` : ''}`, () => {
  let c: CliServer;
  let chart: string;
  const helm = async (args: string[]) => {
    const r = await c.helm(args);
    if (r.code !== 0) throw new Error(`helm ${args.join(' ')} failed (${r.code}): ${r.stderr}`);
    return r.stdout;
  };
  const jp = async (args: string[], path: string) => {
    const r = await c.kubectl([...args, '-o', `jsonpath=${path}`]);
    if (r.code !== 0) throw new Error(r.stderr);
    return r.stdout;
  };
  beforeAll(async () => {
    c = await startCliServer();
    chart = writeChart(c.dir);
  });
  afterAll(async () => {
    await c?.stop();
  });

  it('install, upgrade, rollback, status, history, uninstall', async () => {
    const install = await helm(['install', 'demo', chart, '-n', 'apps', '--create-namespace']);
    expect(install).toMatch(/^STATUS: deployed$/m);
    expect(
      await jp(
        ['get', 'deploy', 'demo-web', '-n', 'apps'],
        '{.spec.replicas} {.spec.template.spec.containers[0].image}',
      ),
    ).toBe('1 nginx:1.27');
    expect(await jp(['get', 'widget', 'demo-widget', '-n', 'apps'], '{.spec.size}')).toBe('1');
    // helm v4 applies with server-side apply: the manager is helm's, operation Apply.
    const mf = JSON.parse(
      await jp(
        ['get', 'deploy', 'demo-web', '-n', 'apps', '--show-managed-fields'],
        '{.metadata.managedFields}',
      ),
    ) as { manager: string; operation: string }[];
    expect(mf.some((m) => m.operation === 'Apply' && m.manager === 'helm')).toBe(true);
    expect(
      await jp(['get', 'secret', '-n', 'apps', '-l', 'owner=helm'], '{.items[*].metadata.name}'),
    ).toBe('sh.helm.release.v1.demo.v1');
    const list = await helm(['list', '-n', 'apps']);
    expect(list).toMatch(/^demo\s+apps\s+1\s+.+\s+deployed\s+demo-0\.1\.0\s+1\.0\s*$/m);

    await helm([
      'upgrade',
      'demo',
      chart,
      '-n',
      'apps',
      '--set',
      'replicas=3',
      '--set',
      'image=nginx:1.28',
    ]);
    expect(
      await jp(
        ['get', 'deploy', 'demo-web', '-n', 'apps'],
        '{.spec.replicas} {.spec.template.spec.containers[0].image}',
      ),
    ).toBe('3 nginx:1.28');
    expect(
      Buffer.from(
        await jp(['get', 'secret', 'demo-secret', '-n', 'apps'], '{.data.revision}'),
        'base64',
      ).toString(),
    ).toBe('2');

    expect(await helm(['rollback', 'demo', '1', '-n', 'apps'])).toContain(
      'Rollback was a success!',
    );
    expect(
      await jp(
        ['get', 'deploy', 'demo-web', '-n', 'apps'],
        '{.spec.replicas} {.spec.template.spec.containers[0].image}',
      ),
    ).toBe('1 nginx:1.27');
    const status = await helm(['status', 'demo', '-n', 'apps']);
    expect(status).toMatch(/^REVISION: 3$/m);
    expect(status).toMatch(/^STATUS: deployed$/m);
    const history = await helm(['history', 'demo', '-n', 'apps']);
    expect(history).toMatch(/^1\s.*superseded.*Install complete/m);
    expect(history).toMatch(/^3\s.*deployed.*Rollback to 1/m);

    expect(await helm(['uninstall', 'demo', '-n', 'apps'])).toContain('release "demo" uninstalled');
    const gone = await c.kubectl(['get', 'deploy,secret,widgets', '-n', 'apps', '-o', 'name']);
    expect(gone.stdout).toBe('');
    // CRDs from crds/ stay installed (helm never deletes them).
    expect(await jp(['get', 'crd', 'widgets.example.com'], '{.metadata.name}')).toBe(
      'widgets.example.com',
    );
  });

  it('upgrade --install --create-namespace (the seeds\u2019 command) with a post-install hook of kind Job, which helm waits for until the job controller (here the test) completes it', async () => {
    writeFileSync(
      join(chart, 'templates', 'hook.yaml'),
      `apiVersion: batch/v1
kind: Job
metadata:
  name: {{ .Release.Name }}-migrate
  annotations:
    "helm.sh/hook": post-install
spec:
  template:
    spec:
      restartPolicy: Never
      containers:
      - name: migrate
        image: busybox:1.36
        command: ["true"]
`,
    );
    const created = c.clock.now;
    const upgrade = helm([
      'upgrade',
      '--install',
      '--create-namespace',
      '--namespace',
      'metallb-system',
      'metallb',
      chart,
    ]);
    let done = false;
    void upgrade.finally(() => (done = true));
    // helm creates the hook Job after the release's objects, then watches it until Complete.
    let uid = '';
    for (let i = 0; i < 600 && uid === '' && !done; i++) {
      const r = await c.kubectl([
        'get',
        'job',
        'metallb-migrate',
        '-n',
        'metallb-system',
        '-o',
        'jsonpath={.metadata.uid}',
        '--ignore-not-found',
      ]);
      uid = r.code === 0 ? r.stdout : '';
      if (uid === '') await new Promise((res) => setTimeout(res, 100));
    }
    expect(uid).not.toBe('');
    // A second later helm is still waiting: the hook is not done until the Job completes.
    await new Promise((res) => setTimeout(res, 1000));
    expect(done).toBe(false);
    expect(
      await jp(
        ['get', 'job', 'metallb-migrate', '-n', 'metallb-system'],
        '{.spec.selector.matchLabels} {.spec.template.spec.restartPolicy}',
      ),
    ).toBe(`{"batch.kubernetes.io/controller-uid":"${uid}"} Never`);
    // What the job controller writes once its pod succeeded (1.35: SuccessCriteriaMet first).
    const at = (ms: number) => new Date(created + ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
    const cond = (type: string) => ({
      type,
      status: 'True',
      lastProbeTime: at(7000),
      lastTransitionTime: at(7000),
    });
    const patched = await c.kubectl([
      'patch',
      'job',
      'metallb-migrate',
      '-n',
      'metallb-system',
      '--subresource=status',
      '--type=merge',
      '-p',
      JSON.stringify({
        status: {
          startTime: at(1000),
          completionTime: at(7000),
          succeeded: 1,
          ready: 0,
          terminating: 0,
          uncountedTerminatedPods: {},
          conditions: [cond('SuccessCriteriaMet'), cond('Complete')],
        },
      }),
    ]);
    expect(patched.stderr).toBe('');
    expect(await upgrade).toMatch(/^STATUS: deployed$/m);
    expect(await jp(['get', 'ns', 'metallb-system'], '{.status.phase}')).toBe('Active');
    // printJob's columns (jobColumnDefinitions: NAME STATUS COMPLETIONS DURATION AGE): completed
    // 1 of completions 1, DURATION completion - start = 6s.
    c.clock.now = created + 42_000;
    expect((await c.kubectl(['get', 'jobs', '-n', 'metallb-system'])).stdout).toBe(
      renderTable([
        ['NAME', 'STATUS', 'COMPLETIONS', 'DURATION', 'AGE'],
        ['metallb-migrate', 'Complete', '1/1', '6s', '42s'],
      ]),
    );
    const list = await helm(['list', '-A']);
    expect(list).toMatch(/^metallb\s+metallb-system\s+1\s/m);
  });
});
