// The coexistence guard's decision (issue 19): IronLB reuses MetalLB's CRDs, webhook
// configuration, webhook Service and namespace, so IronLB and MetalLB running side by side would
// both allocate every Service's address and both answer ARP / announce it — and their memberlist
// protocols are not wire-compatible. Before it starts, each IronLB process lists the Pods of its
// namespace and asks this pure function whether MetalLB runs there. MetalLB is recognised by its
// images (quay.io/metallb/controller|speaker, or the same repository on a mirror) and its labels
// (`app: metallb` in metallb-native.yaml, `app.kubernetes.io/name: metallb` in its Helm chart),
// on Pods whose owner is not IronLB's own Deployment or DaemonSet. The apps do the I/O (list Pods,
// log, record the event, exit); this module only decides and words it.

/** The parts of a Pod the guard reads (client-node's V1Pod, YAML or test objects all fit). */
export interface GuardPod {
  metadata?: {
    name?: string;
    namespace?: string;
    labels?: Record<string, string>;
    ownerReferences?: readonly { kind?: string; name?: string; controller?: boolean }[];
    /** Set while the Pod terminates (a string from JSON, a Date from client-node). */
    deletionTimestamp?: string | Date;
  };
  spec?: {
    containers?: readonly { name?: string; image?: string }[];
    initContainers?: readonly { name?: string; image?: string }[];
  };
  status?: { phase?: string };
}

/** How IronLB's own Pods are recognised (the names deploy/ and the Helm chart give them). */
export interface IronlbIdentity {
  /** `app.kubernetes.io/name` of IronLB's Pods (default `ironlb`). */
  readonly name?: string;
  /** IronLB's controller Deployment; its ReplicaSets are `<name>-<hash>` (default `ironlb-controller`). */
  readonly controllerDeployment?: string;
  /** IronLB's speaker DaemonSet (default `ironlb-speaker`). */
  readonly speakerDaemonSet?: string;
}

export interface CoexistenceOptions {
  /** The namespace that was listed, for the message (default `metallb-system`). */
  readonly namespace?: string;
  /** `--allow-metallb`: start even though MetalLB runs (default false). */
  readonly allowMetalLB?: boolean;
  /** How many Pods the message names before "and N more" (default 5). */
  readonly maxPodsNamed?: number;
}

/** One MetalLB Pod and why it was taken for MetalLB. */
export interface MetalLBPod {
  readonly name: string;
  readonly component: 'controller' | 'speaker' | 'unknown';
  /** The first image that looks like MetalLB's, or the first container's image. */
  readonly image: string;
  /** e.g. `image quay.io/metallb/speaker:v0.14.8`, `label app=metallb`. */
  readonly evidence: readonly string[];
  readonly terminating: boolean;
}

/**
 * - `start`: no MetalLB Pod;
 * - `refuse`: MetalLB runs and `--allow-metallb` is not set — log, record the event, exit non-zero;
 * - `wait`: only terminating MetalLB Pods — they are going away (a migration in progress): check
 *   again shortly instead of exiting;
 * - `start-anyway`: MetalLB runs, `--allow-metallb` is set — log the warning and start.
 */
export type CoexistenceAction = 'start' | 'refuse' | 'wait' | 'start-anyway';

export interface CoexistenceDecision {
  readonly action: CoexistenceAction;
  readonly metallbPods: readonly MetalLBPod[];
  /** What to log (absent for `start`): level, MetalLB-shaped fields and the message. */
  readonly log?: {
    readonly level: 'error' | 'warn';
    readonly fields: Readonly<Record<string, unknown>>;
    readonly msg: string;
  };
  /** The event to record on the IronLB Pod (absent for `start` and `wait`). */
  readonly event?: {
    readonly type: 'Warning';
    readonly reason: typeof METALLB_RUNNING_REASON;
    readonly message: string;
  };
}

/** The flag that lets IronLB start beside MetalLB (documented in deploy/README.md). */
export const ALLOW_METALLB_FLAG = '--allow-metallb';
/** Event reason recorded on IronLB's Pod when MetalLB is found. */
export const METALLB_RUNNING_REASON = 'MetalLBRunning';
/** Where the migration steps live (the message points there). */
export const MIGRATING_URL = 'https://github.com/ironlb/ironlb/blob/main/MIGRATING.md';

// MetalLB's controller and speaker images on quay.io or any mirror (`registry.local/metallb/speaker`);
// frr-k8s (metallb/frr-k8s) and the converter job (metallb/configmaptocrs) are not MetalLB's
// allocator or announcer and do not conflict.
const METALLB_IMAGE = /(?:^|\/)metallb\/(controller|speaker)(?::|@|$)/;
const IRONLB_IMAGE = /(?:^|\/)ironlb[-/](?:controller|speaker)(?::|@|$)/;

function isIronlbPod(pod: GuardPod, id: Required<IronlbIdentity>): boolean {
  const meta = pod.metadata ?? {};
  const owner = (meta.ownerReferences ?? []).find((o) => o.controller) ?? meta.ownerReferences?.[0];
  if (owner?.kind === 'DaemonSet' && owner.name === id.speakerDaemonSet) return true;
  if (
    owner?.kind === 'ReplicaSet' &&
    owner.name !== undefined &&
    owner.name.startsWith(`${id.controllerDeployment}-`) &&
    /^[a-z0-9]+$/.test(owner.name.slice(id.controllerDeployment.length + 1))
  ) {
    return true;
  }
  if (meta.labels?.['app.kubernetes.io/name'] === id.name) return true;
  const images = (pod.spec?.containers ?? []).map((c) => c.image ?? '');
  return images.length > 0 && images.every((i) => IRONLB_IMAGE.test(i));
}

function metallbEvidence(pod: GuardPod): MetalLBPod | undefined {
  const meta = pod.metadata ?? {};
  const labels = meta.labels ?? {};
  const evidence: string[] = [];
  let component: MetalLBPod['component'] = 'unknown';
  let image: string | undefined;
  for (const c of [...(pod.spec?.containers ?? []), ...(pod.spec?.initContainers ?? [])]) {
    const m = METALLB_IMAGE.exec(c.image ?? '');
    if (m && image === undefined) {
      image = c.image ?? '';
      component = m[1] as 'controller' | 'speaker';
      evidence.push(`image ${image}`);
    }
  }
  if (labels.app === 'metallb') evidence.push('label app=metallb');
  if (labels['app.kubernetes.io/name'] === 'metallb') {
    evidence.push('label app.kubernetes.io/name=metallb');
  }
  if (evidence.length === 0) return undefined;
  if (component === 'unknown') {
    const c = labels.component ?? labels['app.kubernetes.io/component'];
    if (c === 'controller' || c === 'speaker') component = c;
  }
  return {
    name: meta.name ?? '',
    component,
    image: image ?? pod.spec?.containers?.[0]?.image ?? '',
    evidence,
    terminating: meta.deletionTimestamp !== undefined && meta.deletionTimestamp !== null,
  };
}

function podList(pods: readonly MetalLBPod[], max: number): string {
  const named = pods.slice(0, max).map((p) => `${p.name} (${p.image || p.evidence.join(', ')})`);
  const more = pods.length > max ? ` and ${pods.length - max} more` : '';
  return named.join(', ') + more;
}

/** Decides whether IronLB may start, given the Pods of its namespace. Pure. */
export function decideCoexistence(
  pods: readonly GuardPod[],
  identity: IronlbIdentity = {},
  options: CoexistenceOptions = {},
): CoexistenceDecision {
  const id: Required<IronlbIdentity> = {
    name: identity.name ?? 'ironlb',
    controllerDeployment: identity.controllerDeployment ?? 'ironlb-controller',
    speakerDaemonSet: identity.speakerDaemonSet ?? 'ironlb-speaker',
  };
  const ns = options.namespace ?? 'metallb-system';
  const max = options.maxPodsNamed ?? 5;
  const found: MetalLBPod[] = [];
  for (const pod of pods) {
    // Finished Pods run nothing (a completed configmaptocrs Job, an evicted speaker).
    const phase = pod.status?.phase;
    if (phase === 'Succeeded' || phase === 'Failed') continue;
    if (isIronlbPod(pod, id)) continue;
    const e = metallbEvidence(pod);
    if (e) found.push(e);
  }
  found.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  if (found.length === 0) return { action: 'start', metallbPods: [] };

  const running = found.filter((p) => !p.terminating);
  const fields = {
    op: 'coexistence',
    namespace: ns,
    metallbPods: found.map((p) => p.name),
  };
  if (running.length === 0) {
    return {
      action: 'wait',
      metallbPods: found,
      log: {
        level: 'warn',
        fields,
        msg: `MetalLB is stopping in namespace ${ns} (terminating: ${podList(found, max)}); waiting for its pods to be gone before starting`,
      },
    };
  }
  const what =
    `MetalLB is running in namespace ${ns}: ${podList(running, max)}. ` +
    'IronLB uses the same CRDs, webhook and Service names, so both would allocate and announce every address';
  if (options.allowMetalLB) {
    const msg = `${what}; starting anyway because ${ALLOW_METALLB_FLAG} is set`;
    return {
      action: 'start-anyway',
      metallbPods: found,
      log: { level: 'warn', fields, msg },
      event: { type: 'Warning', reason: METALLB_RUNNING_REASON, message: msg },
    };
  }
  const msg = `${what}. Remove MetalLB's workloads first (${MIGRATING_URL}), or pass ${ALLOW_METALLB_FLAG} to start anyway`;
  return {
    action: 'refuse',
    metallbPods: found,
    log: { level: 'error', fields, msg },
    event: { type: 'Warning', reason: METALLB_RUNNING_REASON, message: msg },
  };
}

/**
 * The speaker's message when the memberlist port is taken (EADDRINUSE on bind): on a node where
 * MetalLB's speaker still runs, its memberlist holds 7946, and the two protocols cannot talk.
 */
export function memberlistPortTakenMessage(bindAddr: string, port: number): string {
  const where = bindAddr.includes(':') ? `[${bindAddr}]:${port}` : `${bindAddr}:${port}`;
  return (
    `memberlist port ${where} is already in use: is MetalLB's speaker still running on this node? ` +
    "IronLB's memberlist is not wire-compatible with MetalLB's; stop MetalLB's speakers first " +
    `(${MIGRATING_URL})`
  );
}
