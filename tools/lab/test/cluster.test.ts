import { describe, expect, it } from 'vitest';
import type { V1Node, V1Pod, V1Service } from '@kubernetes/client-node';
import { desiredSlices } from '../src/cluster/endpoints.ts';
import {
  containerArgv,
  containerEnv,
  expand,
  securityOf,
  setprivArgv,
  volumeFiles,
  PodSpecError,
  type PodContext,
} from '../src/cluster/podspec.ts';
import { containerScript } from '../src/cluster/mounts.ts';
import { pickNode, templateHash } from '../src/cluster/workloads.ts';
import { appPorts } from '../src/cluster/controllers.ts';

const pod = (name: string, node: string, ready: boolean, over: Partial<V1Pod> = {}): V1Pod => ({
  metadata: { name, namespace: 'default', uid: `uid-${name}`, labels: { app: 'web' } },
  spec: {
    nodeName: node,
    containers: [{ name: 'c', image: 'nginx', ports: [{ name: 'http', containerPort: 8080 }] }],
  },
  status: {
    phase: 'Running',
    podIP: `198.19.${node.slice(-1)}.10`,
    podIPs: [{ ip: `198.19.${node.slice(-1)}.10` }, { ip: `2001:db8:10:${node.slice(-1)}::a` }],
    conditions: [{ type: 'Ready', status: ready ? 'True' : 'False' }],
  },
  ...over,
});

const service: V1Service = {
  metadata: { name: 'web', namespace: 'default', uid: 'svc-uid' },
  spec: {
    selector: { app: 'web' },
    ipFamilies: ['IPv4', 'IPv6'],
    ports: [{ name: 'http', port: 80, targetPort: 'http' }],
  },
};

describe('EndpointSlice stand-in', () => {
  it('one slice per family, named ports resolved, conditions as kube-controller-manager writes them', () => {
    const slices = desiredSlices(service, [
      pod('a', 'node-1', true),
      pod('b', 'node-2', false),
      pod('c', 'node-3', true, {
        metadata: { name: 'c', namespace: 'other', labels: { app: 'web' } },
      }),
    ]);
    expect(slices.map((s) => s.metadata?.name)).toEqual(['web-ipv4', 'web-ipv6']);
    const v4 = slices[0]!;
    expect(v4.metadata?.labels).toEqual({
      'kubernetes.io/service-name': 'web',
      'endpointslice.kubernetes.io/managed-by': 'endpointslice-controller.k8s.io',
    });
    expect(v4.ports).toEqual([{ name: 'http', port: 8080, protocol: 'TCP' }]);
    expect((v4.endpoints ?? []).map((e) => [e.addresses[0], e.nodeName, e.conditions])).toEqual([
      ['198.19.1.10', 'node-1', { ready: true, serving: true, terminating: false }],
      ['198.19.2.10', 'node-2', { ready: false, serving: false, terminating: false }],
    ]);
    expect((slices[1]!.endpoints ?? []).map((e) => e.addresses[0])).toEqual([
      '2001:db8:10:1::a',
      '2001:db8:10:2::a',
    ]);
  });

  it('a terminating ready pod is serving but not ready', () => {
    const p = pod('a', 'node-1', true);
    p.metadata!.deletionTimestamp = new Date();
    expect(desiredSlices(service, [p])[0]!.endpoints?.[0]?.conditions).toEqual({
      ready: false,
      serving: true,
      terminating: true,
    });
  });

  it('no selector, no slices (the user manages them)', () => {
    expect(
      desiredSlices({ ...service, spec: { ...service.spec, selector: undefined } }, [
        pod('a', 'node-1', true),
      ]),
    ).toEqual([]);
  });
});

describe('kubelet stand-in: environment and volumes', () => {
  const ctx = (p: V1Pod): PodContext => ({
    pod: p,
    hostIP: '198.51.100.11',
    hostIPs: ['198.51.100.11', '2001:db8:1::11'],
    podIP: '198.19.1.10',
    podIPs: ['198.19.1.10', '2001:db8:10:1::a'],
    secret: (ns, name) =>
      ns === 'metallb-system' && name === 'memberlist'
        ? { data: { secretkey: Buffer.from('s3cret').toString('base64') } }
        : undefined,
    configMap: () => undefined,
    kubernetesService: { host: '198.18.0.1', port: 443 },
  });
  const speaker = pod('speaker-x', 'node-1', true, {
    metadata: {
      name: 'speaker-x',
      namespace: 'metallb-system',
      uid: 'u1',
      labels: { app: 'metallb' },
    },
  });

  it('resolves fieldRef, secretKeyRef and $(VAR) as the kubelet does', () => {
    const env = containerEnv(ctx(speaker), {
      name: 'speaker',
      env: [
        { name: 'METALLB_NODE_NAME', valueFrom: { fieldRef: { fieldPath: 'spec.nodeName' } } },
        { name: 'METALLB_HOST', valueFrom: { fieldRef: { fieldPath: 'status.hostIP' } } },
        {
          name: 'METALLB_ML_SECRET',
          valueFrom: { secretKeyRef: { name: 'memberlist', key: 'secretkey' } },
        },
        { name: 'LABEL', valueFrom: { fieldRef: { fieldPath: "metadata.labels['app']" } } },
        { name: 'BIND', value: '$(METALLB_HOST):7946 $$(KEEP)' },
      ],
    });
    expect(env).toMatchObject({
      METALLB_NODE_NAME: 'node-1',
      METALLB_HOST: '198.51.100.11',
      METALLB_ML_SECRET: 's3cret',
      LABEL: 'metallb',
      BIND: '198.51.100.11:7946 $(KEEP)',
      KUBERNETES_SERVICE_HOST: '198.18.0.1',
      KUBERNETES_SERVICE_PORT: '443',
    });
    expect(
      containerArgv({ name: 'c', args: ['--node-name=$(METALLB_NODE_NAME)'] }, env, [
        'node',
        '/opt/ironlb/speaker/main.js',
      ]),
    ).toEqual(['node', '/opt/ironlb/speaker/main.js', '--node-name=node-1']);
    expect(expand('$(UNKNOWN)', {})).toBe('$(UNKNOWN)');
  });

  it('a missing Secret is CreateContainerConfigError unless optional', () => {
    const c = {
      name: 'c',
      env: [{ name: 'X', valueFrom: { secretKeyRef: { name: 'nope', key: 'k' } } }],
    };
    expect(() => containerEnv(ctx(speaker), c)).toThrow(PodSpecError);
    expect(
      containerEnv(ctx(speaker), {
        name: 'c',
        env: [
          { name: 'X', valueFrom: { secretKeyRef: { name: 'nope', key: 'k', optional: true } } },
        ],
      }).X,
    ).toBeUndefined();
  });

  it('secret and projected volumes become files', () => {
    expect(
      volumeFiles(ctx(speaker), { name: 'ml', secret: { secretName: 'memberlist' } }, 'tok', 'ca'),
    ).toEqual({
      files: { secretkey: Buffer.from('s3cret') },
    });
    const projected = volumeFiles(
      ctx(speaker),
      {
        name: 'sa',
        projected: {
          sources: [
            { serviceAccountToken: { path: 'token' } },
            {
              downwardAPI: {
                items: [{ path: 'namespace', fieldRef: { fieldPath: 'metadata.namespace' } }],
              },
            },
          ],
        },
      },
      'tok',
      'ca',
    );
    expect(projected.files).toEqual({ token: 'tok', namespace: 'metallb-system' });
  });

  it('the container script mounts, then execs with exactly the environment given', () => {
    const s = containerScript(
      [{ source: '/x/ml', target: '/etc/ml_secret_key', readOnly: true }],
      { A: "it's" },
      ['node', 'main.js'],
      '/x/scratch',
    );
    expect(s).toContain("ensure_path '/etc/ml_secret_key' dir");
    expect(s).toContain("mount --bind '/x/ml' '/etc/ml_secret_key'");
    expect(s).toContain("mount -o remount,ro,bind '/etc/ml_secret_key'");
    expect(s.trim().split('\n').pop()).toBe(`exec env -i 'A=it'\\''s' 'node' 'main.js'`);
  });
});

describe('kubelet stand-in: securityContext', () => {
  const p = (sc: object, psc: object = {}): V1Pod => ({
    spec: { securityContext: psc, containers: [{ name: 'c', securityContext: sc }] },
  });
  it('the speaker: root, every capability dropped but NET_RAW', () => {
    const pod = p({ capabilities: { drop: ['ALL'], add: ['NET_RAW'] } });
    const s = securityOf(pod, pod.spec!.containers[0]!, 0);
    expect(s).toEqual({ uid: 0, gid: 0, caps: ['NET_RAW'], noNewPrivs: false });
    expect(setprivArgv(s)).toEqual([
      'setpriv',
      '--bounding-set=-all,+net_raw',
      '--inh-caps=-all,+net_raw',
    ]);
  });
  it('the controller: non-root from the pod, no capabilities, no privilege escalation', () => {
    const pod = p(
      { capabilities: { drop: ['ALL'] }, allowPrivilegeEscalation: false },
      { runAsUser: 65534, runAsNonRoot: true },
    );
    expect(setprivArgv(securityOf(pod, pod.spec!.containers[0]!, 0))).toEqual([
      'setpriv',
      '--bounding-set=-all',
      '--inh-caps=-all',
      '--ambient-caps=-all',
      '--reuid=65534',
      '--regid=65534',
      '--clear-groups',
      '--no-new-privs',
    ]);
  });
  it('no securityContext: the image user and the runtime’s default capabilities; privileged root: nothing dropped', () => {
    const pod = p({});
    const s = securityOf(pod, pod.spec!.containers[0]!, 65534);
    expect(s.uid).toBe(65534);
    expect(s.caps).toContain('NET_BIND_SERVICE');
    expect(s.caps).not.toContain('NET_ADMIN');
    const priv = p({ privileged: true });
    expect(setprivArgv(securityOf(priv, priv.spec!.containers[0]!, 0))).toEqual([]);
  });
});

describe('scheduler and workloads', () => {
  const node = (
    name: string,
    over: Partial<V1Node['spec']> = {},
    labels: Record<string, string> = {},
  ): V1Node => ({ metadata: { name, labels }, spec: { ...over } });

  it('spreads a workload’s pods, skipping unschedulable and non-matching nodes', () => {
    const nodes = [
      node('node-1'),
      node('node-2', { unschedulable: true }),
      node('node-3', {}, { zone: 'b' }),
    ];
    const mine = (n: string): V1Pod => ({
      metadata: {
        ownerReferences: [{ uid: 'rs', kind: 'ReplicaSet', name: 'r', apiVersion: 'apps/v1' }],
      },
      spec: { nodeName: n, containers: [] },
    });
    expect(pickNode(nodes, [], 'rs', undefined)).toBe('node-1');
    expect(pickNode(nodes, [mine('node-1')], 'rs', undefined)).toBe('node-3');
    expect(pickNode(nodes, [mine('node-1')], 'rs', { zone: 'b' })).toBe('node-3');
    expect(pickNode(nodes, [], 'rs', { zone: 'c' })).toBeUndefined();
  });

  it('the pod-template hash is stable and changes with the template', () => {
    const t = {
      metadata: { labels: { app: 'web' } },
      spec: { containers: [{ name: 'c', image: 'nginx' }] },
    };
    expect(templateHash(t)).toBe(templateHash(structuredClone(t)));
    expect(templateHash(t)).not.toBe(
      templateHash({ ...t, spec: { containers: [{ name: 'c', image: 'httpd' }] } }),
    );
    expect(templateHash(t)).toMatch(/^[bcdfghjklmnpqrstvwxz2456789]{10}$/);
  });

  it('an app pod serves its container ports and every targetPort of the Services selecting it; port 80 when none', () => {
    const p = pod('a', 'node-1', true);
    expect(
      appPorts(p, [
        {
          ...service,
          spec: {
            ...service.spec,
            ports: [
              { port: 8080, targetPort: 80 },
              { port: 53, protocol: 'UDP' },
            ],
          },
        },
      ]),
    ).toEqual([
      { port: 53, protocol: 'UDP' },
      { port: 80, protocol: 'TCP' },
      { port: 8080, protocol: 'TCP' },
    ]);
    expect(appPorts({ ...p, spec: { containers: [{ name: 'c' }] } }, [])).toEqual([
      { port: 80, protocol: 'TCP' },
    ]);
  });
});
