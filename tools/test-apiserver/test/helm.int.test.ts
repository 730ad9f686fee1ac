// The real helm v4 against the test API server: install (server-side apply, helm v4's default)
// of a small chart with a CRD, a Deployment, a Secret and a custom resource, then upgrade,
// rollback, list, status, history and uninstall; `upgrade --install --create-namespace` as the
// seeds run it. Release state lives in Secrets (`sh.helm.release.v1.<name>.v<revision>`).
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { skipReason, startCliServer, type CliServer } from './cli/harness.ts';

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

  it('upgrade --install --create-namespace (the seeds\u2019 command) and a post-install hook stored as an object (a ConfigMap: batch/v1 Job is not served yet)', async () => {
    const hook = join(chart, 'templates', 'hook.yaml');
    writeFileSync(
      hook,
      `apiVersion: v1
kind: ConfigMap
metadata:
  name: {{ .Release.Name }}-hook
  annotations:
    "helm.sh/hook": post-install
data: {ran: "yes"}
`,
    );
    await helm([
      'upgrade',
      '--install',
      '--create-namespace',
      '--namespace',
      'metallb-system',
      'metallb',
      chart,
    ]);
    expect(await jp(['get', 'ns', 'metallb-system'], '{.status.phase}')).toBe('Active');
    expect(await jp(['get', 'cm', 'metallb-hook', '-n', 'metallb-system'], '{.data.ran}')).toBe(
      'yes',
    );
    const list = await helm(['list', '-A']);
    expect(list).toMatch(/^metallb\s+metallb-system\s+1\s/m);
  });
});
