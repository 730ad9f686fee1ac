// The coexistence guard's decision as a table: which Pods of metallb-system are MetalLB's (its
// images, the labels of metallb-native.yaml and of its Helm chart), which are IronLB's own (its
// Deployment's ReplicaSets, its DaemonSet, its labels, its images), and what the apps do.
import { describe, expect, it } from 'vitest';
import {
  ALLOW_METALLB_FLAG,
  METALLB_RUNNING_REASON,
  decideCoexistence,
  memberlistPortTakenMessage,
  type CoexistenceAction,
  type GuardPod,
} from '../src/index.js';

const pod = (
  name: string,
  image: string,
  labels: Record<string, string> = {},
  owner?: { kind: string; name: string },
  extra: { deleting?: boolean; phase?: string } = {},
): GuardPod => ({
  metadata: {
    name,
    namespace: 'metallb-system',
    labels,
    ...(owner ? { ownerReferences: [{ ...owner, controller: true }] } : {}),
    ...(extra.deleting ? { deletionTimestamp: '2026-03-01T08:00:00Z' } : {}),
  },
  spec: { containers: [{ name: 'c', image }] },
  status: { phase: extra.phase ?? 'Running' },
});

// metallb-native.yaml's Pods.
const nativeController = pod(
  'controller-7d9f6c5b8-x2k4q',
  'quay.io/metallb/controller:v0.14.8',
  { app: 'metallb', component: 'controller' },
  { kind: 'ReplicaSet', name: 'controller-7d9f6c5b8' },
);
const nativeSpeaker = pod(
  'speaker-4xk2p',
  'quay.io/metallb/speaker:v0.14.8',
  { app: 'metallb', component: 'speaker' },
  { kind: 'DaemonSet', name: 'speaker' },
);
// MetalLB's Helm chart (release "metallb").
const helmSpeaker = pod(
  'metallb-speaker-9wq7z',
  'quay.io/metallb/speaker:v0.15.2',
  {
    'app.kubernetes.io/name': 'metallb',
    'app.kubernetes.io/instance': 'metallb',
    'app.kubernetes.io/component': 'speaker',
  },
  { kind: 'DaemonSet', name: 'metallb-speaker' },
);
// IronLB's own Pods (deploy/ironlb-native.yaml and the chart).
const ironController = pod(
  'ironlb-controller-6b7c8d9f5-abcde',
  'ghcr.io/ironlb/controller:0.1.0',
  { 'app.kubernetes.io/name': 'ironlb', 'app.kubernetes.io/component': 'controller' },
  { kind: 'ReplicaSet', name: 'ironlb-controller-6b7c8d9f5' },
);
const ironSpeaker = pod(
  'ironlb-speaker-7hj3k',
  'ghcr.io/ironlb/speaker:0.1.0',
  { 'app.kubernetes.io/name': 'ironlb', 'app.kubernetes.io/component': 'speaker' },
  { kind: 'DaemonSet', name: 'ironlb-speaker' },
);

interface Case {
  desc: string;
  pods: GuardPod[];
  allow?: boolean;
  action: CoexistenceAction;
  metallb: string[];
}

const cases: Case[] = [
  { desc: 'an empty namespace: start', pods: [], action: 'start', metallb: [] },
  {
    desc: "only IronLB's own pods: start",
    pods: [ironController, ironSpeaker],
    action: 'start',
    metallb: [],
  },
  {
    desc: 'metallb-native.yaml running: refuse, naming both pods',
    pods: [ironController, nativeSpeaker, nativeController],
    action: 'refuse',
    metallb: ['controller-7d9f6c5b8-x2k4q', 'speaker-4xk2p'],
  },
  {
    desc: "MetalLB's Helm chart running: refuse",
    pods: [helmSpeaker, ironSpeaker],
    action: 'refuse',
    metallb: ['metallb-speaker-9wq7z'],
  },
  {
    desc: 'MetalLB from a mirror registry, without labels: found by image',
    pods: [pod('speaker-abc', 'registry.example/mirror/metallb/speaker@sha256:0123', {})],
    action: 'refuse',
    metallb: ['speaker-abc'],
  },
  {
    desc: 'a pod labelled app=metallb with another image (a custom build): found by label',
    pods: [pod('speaker-custom', 'registry.example/lb/speaker:dev', { app: 'metallb' })],
    action: 'refuse',
    metallb: ['speaker-custom'],
  },
  {
    desc: "IronLB's images in MetalLB's manifest (names and labels kept): IronLB, not MetalLB",
    pods: [
      pod(
        'speaker-zz9',
        'ghcr.io/ironlb/speaker:0.1.0',
        { app: 'metallb', component: 'speaker' },
        { kind: 'DaemonSet', name: 'speaker' },
      ),
    ],
    action: 'start',
    metallb: [],
  },
  {
    desc: "a pod owned by IronLB's DaemonSet is IronLB's whatever its labels",
    pods: [
      pod(
        'ironlb-speaker-q1',
        'quay.io/metallb/speaker:v0.14.8',
        { app: 'metallb' },
        { kind: 'DaemonSet', name: 'ironlb-speaker' },
      ),
    ],
    action: 'start',
    metallb: [],
  },
  {
    desc: 'a ReplicaSet that only starts with the Deployment name is not IronLB (ironlb-controller-old-x)',
    pods: [
      pod(
        'p1',
        'quay.io/metallb/controller:v0.13.12',
        {},
        { kind: 'ReplicaSet', name: 'ironlb-controller-old-x' },
      ),
    ],
    action: 'refuse',
    metallb: ['p1'],
  },
  {
    desc: 'frr-k8s and the configmaptocrs job are not MetalLB allocators or announcers',
    pods: [
      pod('frr-k8s-abc', 'quay.io/metallb/frr-k8s:v0.0.17', {
        'app.kubernetes.io/name': 'frr-k8s',
      }),
      pod('convert-xyz', 'quay.io/metallb/configmaptocrs:v0.13.12', {}),
    ],
    action: 'start',
    metallb: [],
  },
  {
    desc: 'finished pods (Succeeded, Failed) run nothing',
    pods: [
      { ...nativeSpeaker, status: { phase: 'Failed' } },
      { ...nativeController, status: { phase: 'Succeeded' } },
    ],
    action: 'start',
    metallb: [],
  },
  {
    desc: 'only terminating MetalLB pods: wait for them (a migration in progress)',
    pods: [
      pod('speaker-t1', 'quay.io/metallb/speaker:v0.14.8', { app: 'metallb' }, undefined, {
        deleting: true,
      }),
      ironController,
    ],
    action: 'wait',
    metallb: ['speaker-t1'],
  },
  {
    desc: 'one terminating and one running MetalLB pod: refuse',
    pods: [
      pod('speaker-t1', 'quay.io/metallb/speaker:v0.14.8', { app: 'metallb' }, undefined, {
        deleting: true,
      }),
      nativeController,
    ],
    action: 'refuse',
    metallb: ['controller-7d9f6c5b8-x2k4q', 'speaker-t1'],
  },
  {
    desc: '--allow-metallb: start anyway, still reporting MetalLB',
    pods: [nativeSpeaker],
    allow: true,
    action: 'start-anyway',
    metallb: ['speaker-4xk2p'],
  },
];

describe('decideCoexistence', () => {
  for (const c of cases) {
    it(c.desc, () => {
      const d = decideCoexistence(
        c.pods,
        {},
        { namespace: 'metallb-system', allowMetalLB: c.allow ?? false },
      );
      expect(d.action).toBe(c.action);
      expect(d.metallbPods.map((p) => p.name)).toEqual(c.metallb);
      if (c.action === 'start') {
        expect(d.log).toBeUndefined();
        expect(d.event).toBeUndefined();
      }
    });
  }

  it('refusal: an error log line and a Warning event that name the pods, the flag and the guide', () => {
    const d = decideCoexistence([nativeSpeaker, nativeController]);
    expect(d.log?.level).toBe('error');
    expect(d.log?.fields).toEqual({
      op: 'coexistence',
      namespace: 'metallb-system',
      metallbPods: ['controller-7d9f6c5b8-x2k4q', 'speaker-4xk2p'],
    });
    expect(d.log?.msg).toBe(
      'MetalLB is running in namespace metallb-system: controller-7d9f6c5b8-x2k4q ' +
        '(quay.io/metallb/controller:v0.14.8), speaker-4xk2p (quay.io/metallb/speaker:v0.14.8). ' +
        'IronLB uses the same CRDs, webhook and Service names, so both would allocate and ' +
        "announce every address. Remove MetalLB's workloads first " +
        '(https://github.com/ironlb/ironlb/blob/main/MIGRATING.md), or pass --allow-metallb to start anyway',
    );
    expect(d.event).toEqual({
      type: 'Warning',
      reason: METALLB_RUNNING_REASON,
      message: d.log?.msg,
    });
    expect(ALLOW_METALLB_FLAG).toBe('--allow-metallb');
  });

  it('evidence and component per pod', () => {
    const d = decideCoexistence([nativeSpeaker, helmSpeaker]);
    expect(d.metallbPods).toEqual([
      {
        name: 'metallb-speaker-9wq7z',
        component: 'speaker',
        image: 'quay.io/metallb/speaker:v0.15.2',
        evidence: ['image quay.io/metallb/speaker:v0.15.2', 'label app.kubernetes.io/name=metallb'],
        terminating: false,
      },
      {
        name: 'speaker-4xk2p',
        component: 'speaker',
        image: 'quay.io/metallb/speaker:v0.14.8',
        evidence: ['image quay.io/metallb/speaker:v0.14.8', 'label app=metallb'],
        terminating: false,
      },
    ]);
  });

  it('the message names at most maxPodsNamed pods, then "and N more" (bounded on big clusters)', () => {
    const many = Array.from({ length: 200 }, (_, i) =>
      pod(`speaker-${String(i).padStart(3, '0')}`, 'quay.io/metallb/speaker:v0.14.8'),
    );
    const d = decideCoexistence(many, {}, { maxPodsNamed: 3 });
    expect(d.metallbPods).toHaveLength(200);
    expect(d.log?.msg).toContain('speaker-002 (quay.io/metallb/speaker:v0.14.8) and 197 more.');
    expect(d.log?.msg).not.toContain('speaker-003');
  });

  it('a custom identity (Helm release with another name) is honoured', () => {
    const p = pod(
      'lb-ironlb-controller-5f6d7-aaaaa',
      'registry.example/lb/controller:1',
      {},
      { kind: 'ReplicaSet', name: 'lb-ironlb-controller-5f6d7' },
    );
    const labelled = { ...p, metadata: { ...p.metadata, labels: { app: 'metallb' } } };
    expect(decideCoexistence([labelled]).action).toBe('refuse');
    expect(
      decideCoexistence([labelled], { controllerDeployment: 'lb-ironlb-controller' }).action,
    ).toBe('start');
  });
});

describe('memberlistPortTakenMessage', () => {
  it('names the address and port and says why (IPv4 and IPv6)', () => {
    expect(memberlistPortTakenMessage('198.51.100.11', 7946)).toBe(
      "memberlist port 198.51.100.11:7946 is already in use: is MetalLB's speaker still running on this node? " +
        "IronLB's memberlist is not wire-compatible with MetalLB's; stop MetalLB's speakers first " +
        '(https://github.com/ironlb/ironlb/blob/main/MIGRATING.md)',
    );
    expect(memberlistPortTakenMessage('2001:db8::11', 7946)).toContain('[2001:db8::11]:7946');
  });
});
