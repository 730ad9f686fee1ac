// The coexistence guard's I/O (issue 19): before the controller or a speaker starts anything —
// informers, leader election, memberlist — it lists the Pods of its namespace and asks the pure
// decideCoexistence (../install/coexistence.ts) whether MetalLB runs there. IronLB reuses MetalLB's
// CRDs, webhook configuration and Service names, so two allocators and two announcers would fight
// over every address. `refuse` logs MetalLB-shaped, records the Warning event `MetalLBRunning` on
// this process's own Pod and throws MetalLBRunningError (the app exits 1, the kubelet restarts it
// with back-off, and every restart checks again); `wait` (only terminating MetalLB Pods: a
// migration in progress) lists again every few seconds, bounded; `start-anyway` (--allow-metallb)
// logs the warning, records the event and lets the process start.
import type { Clock, Logger, WallClock } from '@ironlb/clock';
import { K8sGlueError } from '../errors.js';
import {
  decideCoexistence,
  type CoexistenceDecision,
  type GuardPod,
  type IronlbIdentity,
} from '../install/coexistence.js';
import { EventRecorder } from './event-recorder.js';
import { paths } from './resources.js';
import type { KubeRest } from './rest.js';
import { Writer, openGate } from './writer.js';

/** MetalLB runs in IronLB's namespace and --allow-metallb is not set (or it never went away). */
export class MetalLBRunningError extends K8sGlueError {
  /** The MetalLB Pods found, sorted by name. */
  readonly metallbPods: readonly string[];
  constructor(message: string, metallbPods: readonly string[]) {
    super('METALLB_RUNNING', message);
    this.name = 'MetalLBRunningError';
    this.metallbPods = metallbPods;
  }
}

export interface CoexistenceGuardDeps {
  readonly rest: KubeRest;
  readonly clock: Clock;
  readonly wallClock: WallClock;
  readonly logger: Logger;
}

export interface CoexistenceGuardOptions {
  /** The namespace to list (IronLB's own). */
  readonly namespace: string;
  /** --allow-metallb. */
  readonly allowMetalLB: boolean;
  /** How IronLB's own Pods are recognised (decideCoexistence's defaults when absent). */
  readonly identity?: IronlbIdentity;
  /** This process's Pod: the event is recorded on it ('' or absent = no event, only the log). */
  readonly podName?: string;
  /** Event source component (metallb-controller / metallb-speaker). */
  readonly component: string;
  /** While only terminating MetalLB Pods are left, list again this often (default 5 000 ms). */
  readonly recheckIntervalMs?: number;
  /**
   * Give up waiting for terminating MetalLB Pods after this long (default 120 000 ms): MetalLB's
   * manifests give its Pods 0–2 s of grace (metallb-native.yaml; its Helm chart the same), so
   * Pods still terminating after two minutes are stuck (a finalizer, a lost node); the process
   * then exits like `refuse`, and the kubelet's restart checks again.
   */
  readonly maxWaitMs?: number;
  /** Bound of the pod list and of the event write (default 10 000 ms each). */
  readonly requestTimeoutMs?: number;
}

interface PodList {
  readonly items?: readonly (GuardPod & { metadata?: { uid?: string } })[];
}

/**
 * Runs the guard; resolves with the decision when the process may start (`start`,
 * `start-anyway`), rejects with MetalLBRunningError when it must not, or with the API error when
 * the Pods cannot be listed (fail closed: starting blind could mean two allocators).
 */
export async function guardCoexistence(
  deps: CoexistenceGuardDeps,
  options: CoexistenceGuardOptions,
): Promise<CoexistenceDecision> {
  const { rest, clock, logger } = deps;
  const ns = options.namespace;
  const interval = options.recheckIntervalMs ?? 5_000;
  const maxWait = options.maxWaitMs ?? 120_000;
  const timeoutMs = options.requestTimeoutMs ?? 10_000;
  const t0 = clock.now();
  for (;;) {
    const list = await rest.request<PodList>({
      method: 'GET',
      path: paths.pods(ns),
      timeoutMs,
    });
    const pods = list.items ?? [];
    const d = decideCoexistence(pods, options.identity ?? {}, {
      namespace: ns,
      allowMetalLB: options.allowMetalLB,
    });
    const names = d.metallbPods.map((p) => p.name);
    if (d.action === 'start') return d;
    if (d.action === 'wait') {
      const waited = clock.now() - t0;
      if (waited >= maxWait) {
        const msg =
          `MetalLB's pods in namespace ${ns} are still terminating after ${Math.round(waited / 1000)} s ` +
          `(${names.join(', ')}); not starting beside them`;
        logger.error({ op: 'coexistence', namespace: ns, metallbPods: names }, msg);
        throw new MetalLBRunningError(msg, names);
      }
      if (d.log) logger[d.log.level]({ ...d.log.fields }, d.log.msg);
      await new Promise<void>((resolve) => clock.setTimeout(resolve, interval));
      continue;
    }
    if (d.log) logger[d.log.level]({ ...d.log.fields }, d.log.msg);
    if (d.event && options.podName) {
      const own = pods.find((p) => p.metadata?.name === options.podName);
      await recordOnOwnPod(deps, options, timeoutMs, {
        ...d.event,
        uid: own?.metadata?.uid,
      });
    }
    if (d.action === 'refuse') throw new MetalLBRunningError(d.log?.msg ?? 'MetalLB runs', names);
    return d;
  }
}

async function recordOnOwnPod(
  deps: CoexistenceGuardDeps,
  options: CoexistenceGuardOptions,
  timeoutMs: number,
  e: { type: 'Warning'; reason: string; message: string; uid: string | undefined },
): Promise<void> {
  // A recorder of its own with an open gate: no leader is elected yet, and this one event must
  // be written whether or not this replica would ever lead.
  const recorder = new EventRecorder(
    {
      rest: deps.rest,
      writer: new Writer(deps.clock, openGate, { concurrency: 1, timeoutMs }),
      clock: deps.clock,
      wallClock: deps.wallClock,
      logger: deps.logger,
    },
    { component: options.component, instance: options.podName ?? '' },
  );
  recorder.record({
    object: {
      kind: 'Pod',
      apiVersion: 'v1',
      namespace: options.namespace,
      name: options.podName ?? '',
      ...(e.uid ? { uid: e.uid } : {}),
    },
    type: e.type,
    reason: e.reason,
    message: e.message,
  });
  await recorder.flush();
}
