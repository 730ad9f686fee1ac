// The real kubectl v1.35 writing to the test API server: client-side apply (create, update,
// last-applied annotation), server-side apply (managedFields, the 409 conflict as kubectl prints
// it, --force-conflicts), the typed commands that send protobuf bodies (create namespace,
// create deployment, create secret generic, expose, scale), patch (strategic, merge, JSON),
// label, annotate, edit, replace (and --force), delete --cascade, wait, diff, --dry-run=server
// and the seeds' strictARP pipeline (get -o yaml | sed | diff / apply).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { skipReason, startCliServer, type CliServer } from './cli/harness.ts';

const skip = skipReason();

const deployment = (replicas: number, image = 'nginx:1.27') =>
  JSON.stringify({
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web', labels: { app: 'web' } },
    spec: {
      replicas,
      selector: { matchLabels: { app: 'web' } },
      template: {
        metadata: { labels: { app: 'web' } },
        spec: { containers: [{ name: 'nginx', image, ports: [{ containerPort: 80 }] }] },
      },
    },
  });

describe.skipIf(skip !== undefined)(`kubectl writes${skip ? ` — SKIPPED: ${skip}` : ''}`, () => {
  let c: CliServer;
  const k = async (args: string[], stdin?: string, env?: Record<string, string>) => {
    const r = await c.kubectl(args, {
      ...(stdin === undefined ? {} : { stdin }),
      ...(env ? { env } : {}),
    });
    if (r.code !== 0) throw new Error(`kubectl ${args.join(' ')} failed (${r.code}): ${r.stderr}`);
    return r.stdout;
  };
  const jp = (args: string[], path: string) => k([...args, '-o', `jsonpath=${path}`]);
  beforeAll(async () => {
    c = await startCliServer();
  });
  afterAll(async () => {
    await c?.stop();
  });

  it('typed commands send protobuf and are decoded: create namespace/deployment/secret, expose, scale', async () => {
    expect(await k(['create', 'namespace', 'lab'])).toBe('namespace/lab created\n');
    expect(
      await k([
        'create',
        'deploy',
        'nginx',
        '--image',
        'nginx:latest',
        '--port',
        '80',
        '-n',
        'lab',
      ]),
    ).toBe('deployment.apps/nginx created\n');
    expect(
      await jp(
        ['get', 'deploy', 'nginx', '-n', 'lab'],
        '{.spec.template.spec.containers[0].ports[0].containerPort}',
      ),
    ).toBe('80');
    expect(
      await k([
        'expose',
        'deployment',
        'nginx',
        '--name',
        'nginx-lb',
        '--port',
        '8080',
        '--target-port',
        '80',
        '--type',
        'LoadBalancer',
        '-n',
        'lab',
      ]),
    ).toBe('service/nginx-lb exposed\n');
    expect(
      await jp(
        ['get', 'svc', 'nginx-lb', '-n', 'lab'],
        '{.spec.type} {.spec.ports[0].port} {.spec.ports[0].targetPort} {.spec.selector.app}',
      ),
    ).toBe('LoadBalancer 8080 80 nginx');
    expect(
      await k([
        'create',
        'secret',
        'generic',
        '-n',
        'lab',
        'memberlist',
        '--from-literal=secretkey=s3cret',
      ]),
    ).toBe('secret/memberlist created\n');
    expect(
      Buffer.from(
        await jp(['get', 'secret', 'memberlist', '-n', 'lab'], '{.data.secretkey}'),
        'base64',
      ).toString(),
    ).toBe('s3cret');
    expect(await k(['scale', 'deployment', 'nginx', '-n', 'lab', '--replicas=3'])).toBe(
      'deployment.apps/nginx scaled\n',
    );
    expect(await jp(['get', 'deploy', 'nginx', '-n', 'lab'], '{.spec.replicas}')).toBe('3');
    // --replicas=0: a zero that protobuf/merge patch must not drop.
    await k(['scale', 'deployment', 'nginx', '-n', 'lab', '--replicas=0']);
    expect(await jp(['get', 'deploy', 'nginx', '-n', 'lab'], '{.spec.replicas}')).toBe('0');
  });

  it('client-side apply creates, updates and keeps the last-applied annotation', async () => {
    expect(await k(['apply', '-f', '-'], deployment(2))).toBe('deployment.apps/web created\n');
    const last = JSON.parse(
      await jp(
        ['get', 'deploy', 'web'],
        "{.metadata.annotations['kubectl\\.kubernetes\\.io/last-applied-configuration']}",
      ),
    ) as { spec: { replicas: number } };
    expect(last.spec.replicas).toBe(2);
    expect(await k(['apply', '-f', '-'], deployment(2, 'nginx:1.28'))).toBe(
      'deployment.apps/web configured\n',
    );
    expect(await k(['apply', '-f', '-'], deployment(2, 'nginx:1.28'))).toBe(
      'deployment.apps/web unchanged\n',
    );
    expect(await jp(['get', 'deploy', 'web'], '{.spec.template.spec.containers[0].image}')).toBe(
      'nginx:1.28',
    );
  });

  it('server-side apply: conflict 409 as kubectl prints it, then --force-conflicts takes ownership', async () => {
    await k(['scale', 'deploy', 'web', '--replicas=5']);
    const r = await c.kubectl(['apply', '--server-side', '-f', '-'], {
      stdin: deployment(2, 'nginx:1.28'),
    });
    expect(r.code).toBe(1);
    // fieldmanager's conflict message (k8s.io/apiserver .../fieldmanager/internal/conflict.go).
    expect(r.stderr).toContain(
      'error: Apply failed with 1 conflict: conflict with "kubectl" with subresource "scale" using apps/v1: .spec.replicas',
    );
    expect(r.stderr).toContain('--force-conflicts');
    expect(
      await k(
        ['apply', '--server-side', '--force-conflicts', '-f', '-'],
        deployment(2, 'nginx:1.28'),
      ),
    ).toBe('deployment.apps/web serverside-applied\n');
    expect(await jp(['get', 'deploy', 'web'], '{.spec.replicas}')).toBe('2');
    const managers = JSON.parse(
      await jp(['get', 'deploy', 'web', '--show-managed-fields'], '{.metadata.managedFields}'),
    ) as {
      manager: string;
      operation: string;
      fieldsV1: Record<string, unknown>;
    }[];
    const apply = managers.find((m) => m.manager === 'kubectl' && m.operation === 'Apply');
    expect(apply?.fieldsV1).toMatchObject({ 'f:spec': { 'f:replicas': {} } });
    // Applying a configuration without replicas gives the field up; as its only owner, the
    // applier's removal deletes it (and defaulting sets 1 again).
    const noReplicas = JSON.parse(deployment(2, 'nginx:1.28')) as { spec: Record<string, unknown> };
    delete noReplicas.spec.replicas;
    await k(['apply', '--server-side', '-f', '-'], JSON.stringify(noReplicas));
    expect(await jp(['get', 'deploy', 'web'], '{.spec.replicas}')).toBe('1'); // removed, then defaulted
  });

  it('patch (strategic, merge, json), label, annotate, edit', async () => {
    await k([
      'patch',
      'deploy',
      'web',
      '-p',
      '{"spec":{"template":{"spec":{"containers":[{"name":"sidecar","image":"busybox:1.36"}]}}}}',
    ]);
    // Strategic merge patch merges containers by name (patchMergeKey): both are there.
    expect(await jp(['get', 'deploy', 'web'], '{.spec.template.spec.containers[*].name}')).toBe(
      'nginx sidecar',
    );
    await k([
      'patch',
      'deploy',
      'web',
      '--type=merge',
      '-p',
      '{"metadata":{"labels":{"tier":"front"}}}',
    ]);
    await k([
      'patch',
      'deploy',
      'web',
      '--type=json',
      '-p',
      '[{"op":"replace","path":"/spec/template/spec/containers/1/image","value":"busybox:1.37"}]',
    ]);
    expect(
      await jp(
        ['get', 'deploy', 'web'],
        '{.metadata.labels.tier} {.spec.template.spec.containers[1].image}',
      ),
    ).toBe('front busybox:1.37');
    expect(await k(['label', 'deploy', 'web', 'team=lb'])).toBe('deployment.apps/web labeled\n');
    expect(await k(['annotate', 'deploy', 'web', 'note=hello'])).toBe(
      'deployment.apps/web annotated\n',
    );
    expect(await k(['label', 'deploy', 'web', 'team-'])).toBe('deployment.apps/web unlabeled\n');
    expect(
      await jp(['get', 'deploy', 'web'], '{.metadata.labels.team}|{.metadata.annotations.note}'),
    ).toBe('|hello');
    // `kubectl edit` with an editor that rewrites the file (what a user does in vi).
    const out = await k(['edit', 'deploy', 'web'], undefined, {
      KUBE_EDITOR: 'sed -i s/busybox:1.37/busybox:1.38/',
    });
    expect(out).toBe('deployment.apps/web edited\n');
    expect(await jp(['get', 'deploy', 'web'], '{.spec.template.spec.containers[1].image}')).toBe(
      'busybox:1.38',
    );
    // Unsupported patch content is a Status error kubectl prints, never a silent success.
    const bad = await c.kubectl([
      'patch',
      'deploy',
      'web',
      '--type=json',
      '-p',
      '[{"op":"remove","path":"/spec/nope"}]',
    ]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain(
      'The request is invalid: remove operation does not apply: doc is missing path: "/spec/nope"',
    );
  });

  it('diff (dryRun=All), --dry-run=server, and the seeds\u2019 strictARP pipeline', async () => {
    // kube-system/kube-proxy exists from the start (kubeadm's config.conf: IPVS, strictARP off).
    const yaml = await k(['get', 'configmap', 'kube-proxy', '-n', 'kube-system', '-o', 'yaml']);
    const edited = yaml.replace('strictARP: false', 'strictARP: true');
    // seed 000: `kubectl diff` exits 1 when there are differences.
    const diff = await c.kubectl(['diff', '-f', '-', '-n', 'kube-system'], { stdin: edited });
    expect(diff.code).toBe(1);
    expect(diff.stdout).toMatch(/^-\s+strictARP: false$/m);
    expect(diff.stdout).toMatch(/^\+\s+strictARP: true$/m);
    expect(await k(['get', 'cm', 'kube-proxy', '-n', 'kube-system', '-o', 'yaml'])).toContain(
      'strictARP: false',
    );
    await k(['apply', '-f', '-', '-n', 'kube-system'], edited);
    expect(await k(['get', 'cm', 'kube-proxy', '-n', 'kube-system', '-o', 'yaml'])).toContain(
      'strictARP: true',
    );
    expect(await k(['create', 'namespace', 'ghost', '--dry-run=server'])).toBe(
      'namespace/ghost created (server dry run)\n',
    );
    const ghost = await c.kubectl(['get', 'ns', 'ghost']);
    expect(ghost.stderr).toContain('Error from server (NotFound): namespaces "ghost" not found');
  });

  it('replace -f (PUT of the file) and replace --force (delete, wait, create)', async () => {
    const cm = (v: string) =>
      JSON.stringify({
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: { name: 'settings', labels: { v } },
        data: { mode: v },
      });
    await k(['create', '-f', '-'], cm('a'));
    const uid = await jp(['get', 'cm', 'settings'], '{.metadata.uid}');
    expect(await k(['replace', '-f', '-'], cm('b'))).toBe('configmap/settings replaced\n');
    expect(
      await jp(['get', 'cm', 'settings'], '{.data.mode} {.metadata.labels.v} {.metadata.uid}'),
    ).toBe(`b b ${uid}`);
    // Replacing something that does not exist is a NotFound, as kubectl reports it.
    const missing = await c.kubectl(['replace', '-f', '-'], {
      stdin: cm('c').replace('"settings"', '"nowhere"'),
    });
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain(
      'Error from server (NotFound): error when replacing "STDIN": configmaps "nowhere" not found',
    );
    // A Job from a file has no generated selector: a plain replace is refused (immutable
    // selector and template); --force deletes it, waits until it is gone, creates it anew.
    const job = JSON.stringify({
      apiVersion: 'batch/v1',
      kind: 'Job',
      metadata: { name: 'migrate' },
      spec: {
        template: {
          spec: {
            restartPolicy: 'Never',
            containers: [{ name: 'migrate', image: 'busybox:1.36', command: ['true'] }],
          },
        },
      },
    });
    expect(await k(['create', '-f', '-'], job)).toBe('job.batch/migrate created\n');
    const jobUid = await jp(['get', 'job', 'migrate'], '{.metadata.uid}');
    const plain = await c.kubectl(['replace', '-f', '-'], { stdin: job });
    expect(plain.code).toBe(1);
    expect(plain.stderr).toContain('The Job "migrate" is invalid');
    expect(plain.stderr).toContain('spec.selector: Required value');
    expect(plain.stderr).toMatch(/spec\.template: Invalid value: .*field is immutable/);
    expect(await k(['replace', '--force', '-f', '-'], job)).toBe(
      'job.batch "migrate" deleted from default namespace\njob.batch/migrate replaced\n',
    );
    const newUid = await jp(['get', 'job', 'migrate'], '{.metadata.uid}');
    expect(newUid).not.toBe(jobUid);
    expect(await jp(['get', 'job', 'migrate'], '{.spec.selector.matchLabels}')).toBe(
      `{"batch.kubernetes.io/controller-uid":"${newUid}"}`,
    );
  });

  it('a Job applied client-side, then server-side twice: the generated selector is owned by no manager, so the upgrade keeps it', async () => {
    const job = JSON.stringify({
      apiVersion: 'batch/v1',
      kind: 'Job',
      metadata: { name: 'seed' },
      spec: {
        template: {
          spec: {
            restartPolicy: 'OnFailure',
            containers: [{ name: 'seed', image: 'busybox:1.36', command: ['true'] }],
          },
        },
      },
    });
    expect(await k(['apply', '-f', '-'], job)).toBe('job.batch/seed created\n');
    expect(await k(['apply', '-f', '-'], job)).toBe('job.batch/seed unchanged\n');
    // The first server-side apply migrates kubectl-client-side-apply's fields to the applier
    // (csaupgrade); had the create recorded the selector PrepareForCreate generates, the applier
    // would now drop it and the Job would be invalid.
    for (let i = 0; i < 2; i++) {
      const r = await c.kubectl(['apply', '--server-side', '-f', '-'], { stdin: job });
      expect(r.stderr).toBe('');
      expect(r.stdout).toBe('job.batch/seed serverside-applied\n');
    }
    const mf = JSON.parse(
      await jp(['get', 'job', 'seed', '--show-managed-fields'], '{.metadata.managedFields}'),
    ) as { manager: string; fieldsV1: { 'f:spec'?: Record<string, unknown> } }[];
    expect(mf.some((m) => m.fieldsV1['f:spec']?.['f:selector'] !== undefined)).toBe(false);
  });

  it('webhook rules get scope "*" stored; a configuration that spells it out re-applies unchanged, one without is configured every time (as on a real cluster)', async () => {
    const vwc = (scope: boolean) =>
      JSON.stringify({
        apiVersion: 'admissionregistration.k8s.io/v1',
        kind: 'ValidatingWebhookConfiguration',
        metadata: { name: scope ? 'with-scope' : 'without-scope' },
        webhooks: [
          {
            name: 'pools.example.metallb.io',
            admissionReviewVersions: ['v1'],
            sideEffects: 'None',
            failurePolicy: 'Ignore',
            clientConfig: { url: 'https://192.0.2.1:9443/validate' },
            rules: [
              {
                apiGroups: ['metallb.io'],
                apiVersions: ['v1beta1'],
                operations: ['CREATE'],
                resources: ['ipaddresspools'],
                ...(scope ? { scope: '*' } : {}),
              },
            ],
          },
        ],
      });
    const kind = 'validatingwebhookconfiguration.admissionregistration.k8s.io';
    for (const scope of [true, false]) {
      const name = scope ? 'with-scope' : 'without-scope';
      expect(await k(['apply', '-f', '-'], vwc(scope))).toBe(`${kind}/${name} created\n`);
      expect(
        await jp(['get', 'validatingwebhookconfiguration', name], '{.webhooks[0].rules[0].scope}'),
      ).toBe('*');
      // `rules` is atomic (no patchStrategy): kubectl's three-way merge re-sends the file's rules
      // when they differ from the live ones, which carry the default.
      expect(await k(['apply', '-f', '-'], vwc(scope))).toBe(
        `${kind}/${name} ${scope ? 'unchanged' : 'configured'}\n`,
      );
    }
  });

  it('server-side apply after a certificate manager set caBundle: webhooks merge by name, so re-applying the manifest does not conflict', async () => {
    // admissionregistration/v1: `webhooks` is +listType=map +listMapKey=name. The controller's
    // certificate manager owns only clientConfig.caBundle of each webhook; the manifest, which
    // never sets it, re-applies cleanly (found by the lab: deploy/ironlb-native.yaml conflicted).
    const vwc = JSON.stringify({
      apiVersion: 'admissionregistration.k8s.io/v1',
      kind: 'ValidatingWebhookConfiguration',
      metadata: { name: 'ssa-cabundle' },
      webhooks: [
        {
          name: 'pools.example.metallb.io',
          admissionReviewVersions: ['v1'],
          sideEffects: 'None',
          failurePolicy: 'Ignore',
          clientConfig: {
            service: { name: 'metallb-webhook-service', namespace: 'default', path: '/validate' },
          },
          rules: [
            {
              apiGroups: ['metallb.io'],
              apiVersions: ['v1beta1'],
              operations: ['CREATE'],
              resources: ['ipaddresspools'],
              scope: '*',
            },
          ],
        },
      ],
    });
    await k(['apply', '--server-side', '-f', '-'], vwc);
    const ca = Buffer.from('-----BEGIN CERTIFICATE-----\n').toString('base64');
    await k([
      'patch',
      'validatingwebhookconfiguration',
      'ssa-cabundle',
      '--type=json',
      '--field-manager=ironlb-controller',
      '-p',
      JSON.stringify([{ op: 'add', path: '/webhooks/0/clientConfig/caBundle', value: ca }]),
    ]);
    expect(await k(['apply', '--server-side', '-f', '-'], vwc)).toBe(
      'validatingwebhookconfiguration.admissionregistration.k8s.io/ssa-cabundle serverside-applied\n',
    );
    expect(
      await jp(
        ['get', 'validatingwebhookconfiguration', 'ssa-cabundle'],
        '{.webhooks[0].clientConfig.caBundle}',
      ),
    ).toBe(ca);
  });

  it('delete --cascade, wait --for (condition, jsonpath, delete)', async () => {
    await k(['wait', '--for=jsonpath={.spec.replicas}=1', 'deploy/web', '--timeout=10s']);
    for (const cascade of ['background', 'orphan', 'foreground']) {
      await k(['create', 'configmap', `del-${cascade}`]);
      expect(await k(['delete', 'configmap', `del-${cascade}`, `--cascade=${cascade}`])).toBe(
        `configmap "del-${cascade}" deleted from default namespace\n`,
      );
    }
    await k(['create', 'configmap', 'doomed']);
    const waiter = c.kubectl(['wait', '--for=delete', 'configmap/doomed', '--timeout=20s']);
    await k(['delete', 'configmap', 'doomed', '--wait=false']);
    const w = await waiter;
    expect(w.code).toBe(0);
  });
});
