// Leader election on a coordination.k8s.io/v1 Lease, decided as client-go's leaderelection package
// decides it (tryAcquireOrRenew), as a pure machine: the I/O loop (kube/leader-elector.ts) reads
// the Lease, asks `plan()` what to write, reports the outcome, and asks `canWrite()` before every
// write the controller makes.
//
// Safety (MetalLB refuses replicas because two controllers would hand out the same address, #725,
// #2629): a candidate takes a Lease over only when it has seen the same record unchanged for a
// whole lease duration, measured on its own monotonic clock from the moment it observed it. The
// leader measures its own deadline from the moment it *sent* its last successful renew — earlier
// than any observer can have seen the result — and stops writing once `renewDeadlineMs` have
// passed since then. With renewDeadline < leaseDuration, the leader has stopped before anyone
// else may start; the difference is the margin for writes already on the wire (their requests
// are aborted at `writeDeadline()`).
import { K8sGlueError } from '../errors.js';

/** coordination.k8s.io/v1 LeaseSpec, the fields leader election uses. */
export interface LeaseSpec {
  holderIdentity?: string;
  leaseDurationSeconds?: number;
  /** MicroTime, RFC 3339 with microseconds. */
  acquireTime?: string;
  renewTime?: string;
  leaseTransitions?: number;
}

export interface LeaderElectionOptions {
  /** This candidate's identity (pod name plus a random suffix: a restarted process is a new candidate). */
  readonly identity: string;
  /** How long a Lease is valid after its last renewal (default 15 000 ms, client-go's 15 s). */
  readonly leaseDurationMs?: number;
  /** The leader gives up when it could not renew for this long (default 10 000 ms; < leaseDurationMs). */
  readonly renewDeadlineMs?: number;
  /** Time between attempts to acquire or renew (default 2 000 ms; < renewDeadlineMs). */
  readonly retryPeriodMs?: number;
}

export interface ResolvedLeaderOptions {
  readonly identity: string;
  readonly leaseDurationMs: number;
  readonly renewDeadlineMs: number;
  readonly retryPeriodMs: number;
}

export function resolveLeaderOptions(o: LeaderElectionOptions): ResolvedLeaderOptions {
  const r = {
    identity: o.identity,
    leaseDurationMs: o.leaseDurationMs ?? 15_000,
    renewDeadlineMs: o.renewDeadlineMs ?? 10_000,
    retryPeriodMs: o.retryPeriodMs ?? 2_000,
  };
  if (!r.identity) throw new K8sGlueError('INVALID_OPTION', 'leader election needs an identity');
  // client-go's NewLeaderElector checks the same two inequalities.
  if (!(r.leaseDurationMs > r.renewDeadlineMs)) {
    throw new K8sGlueError(
      'INVALID_OPTION',
      `leaseDuration (${r.leaseDurationMs} ms) must be greater than renewDeadline (${r.renewDeadlineMs} ms)`,
    );
  }
  if (!(r.renewDeadlineMs > r.retryPeriodMs) || !(r.retryPeriodMs > 0)) {
    throw new K8sGlueError(
      'INVALID_OPTION',
      `renewDeadline (${r.renewDeadlineMs} ms) must be greater than retryPeriod (${r.retryPeriodMs} ms) > 0`,
    );
  }
  // The Lease stores whole seconds; the leader's own deadlines must use what others will read.
  if (r.leaseDurationMs < 1000 || r.leaseDurationMs % 1000 !== 0) {
    throw new K8sGlueError('INVALID_OPTION', 'leaseDuration must be a whole number of seconds');
  }
  return r;
}

/** Kubernetes MicroTime text of a wall-clock time. */
export function microTime(epochMs: number): string {
  const iso = new Date(Math.floor(epochMs)).toISOString(); // ...T..:..:..mmmZ
  return `${iso.slice(0, 23)}000Z`;
}

export type LeasePlan =
  | { readonly kind: 'create'; readonly spec: LeaseSpec }
  /** Update the Lease (optimistic concurrency on `resourceVersion`). */
  | { readonly kind: 'update'; readonly spec: LeaseSpec; readonly resourceVersion: string }
  /** Someone else holds a valid Lease: wait. */
  | { readonly kind: 'wait'; readonly holder: string; readonly validForMs: number };

/** What the Lease looks like now: absent, or its spec and resourceVersion. */
export type ObservedLease =
  | { readonly exists: false }
  | { readonly exists: true; readonly spec: LeaseSpec; readonly resourceVersion: string };

export class LeaderElectionMachine {
  readonly options: ResolvedLeaderOptions;
  private observedKey: string | undefined;
  private observedAtMs = 0;
  private observedHolder = '';
  private leading = false;
  /** Monotonic time the last successful acquire/renew was sent. */
  private lastSuccessSentMs = Number.NEGATIVE_INFINITY;
  /** Monotonic time the request that made us leader was sent. */
  private acquiredSentMs = Number.NEGATIVE_INFINITY;

  constructor(options: LeaderElectionOptions) {
    this.options = resolveLeaderOptions(options);
  }

  get isLeader(): boolean {
    return this.leading;
  }

  /** The holder last observed ('' when none). */
  get holder(): string {
    return this.observedHolder;
  }

  /**
   * Given the Lease as just read (at monotonic `nowMs`, wall `wallMs`), what to write, if
   * anything. A `create` / `update` is then sent and its outcome reported with succeeded() or
   * failed().
   */
  plan(lease: ObservedLease, nowMs: number, wallMs: number): LeasePlan {
    const o = this.options;
    const mine: LeaseSpec = {
      holderIdentity: o.identity,
      leaseDurationSeconds: o.leaseDurationMs / 1000,
      acquireTime: microTime(wallMs),
      renewTime: microTime(wallMs),
      leaseTransitions: 0,
    };
    if (!lease.exists) return { kind: 'create', spec: mine };
    const old = lease.spec;
    this.observe(old, nowMs);
    const holder = old.holderIdentity ?? '';
    const held = holder !== '' && holder !== o.identity;
    // client-go: the record must have stayed unchanged for a full lease duration since we saw it
    // change, on our own clock (never the renewTime written by another machine's clock).
    const durationMs = Math.max(1000, (old.leaseDurationSeconds ?? 0) * 1000);
    const validForMs = this.observedAtMs + durationMs - nowMs;
    if (held && validForMs > 0) return { kind: 'wait', holder, validForMs };
    const spec: LeaseSpec =
      holder === o.identity
        ? {
            ...mine,
            acquireTime: old.acquireTime ?? mine.acquireTime,
            leaseTransitions: old.leaseTransitions ?? 0,
          }
        : { ...mine, leaseTransitions: (old.leaseTransitions ?? 0) + 1 };
    return { kind: 'update', spec, resourceVersion: lease.resourceVersion };
  }

  /** The create/update planned from a request sent at `sentMs` was accepted by the API server. */
  succeeded(spec: LeaseSpec, sentMs: number, nowMs: number): void {
    this.observe(spec, nowMs);
    if (!this.leading) this.acquiredSentMs = sentMs;
    this.leading = true;
    this.lastSuccessSentMs = Math.max(this.lastSuccessSentMs, sentMs);
  }

  /** An attempt failed (conflict, timeout, unreachable): leadership ends once the deadline passes. */
  failed(nowMs: number): void {
    this.tick(nowMs);
  }

  /** Re-evaluates leadership at `nowMs`; returns false once the renew deadline has passed. */
  tick(nowMs: number): boolean {
    if (this.leading && nowMs >= this.lastSuccessSentMs + this.options.renewDeadlineMs) {
      this.leading = false;
    }
    return this.leading;
  }

  /** May the controller write now? (Leader, and within the renew deadline.) */
  canWrite(nowMs: number): boolean {
    return this.tick(nowMs);
  }

  /**
   * The monotonic time by which a write started now must be finished or aborted: before the
   * earliest moment another candidate may take over (last successful renew sent + lease duration),
   * minus `marginMs` for the request to leave this process.
   */
  writeDeadline(marginMs = 500): number {
    return this.lastSuccessSentMs + this.options.leaseDurationMs - marginMs;
  }

  /**
   * When the request that made this candidate leader was sent (monotonic ms). Every write of a
   * previous leader was over by then (it stops before its Lease can expire), so a consistent read
   * started after this moment sees all of them.
   */
  leadingSince(): number {
    return this.acquiredSentMs;
  }

  /** Time at which the current leadership ends unless renewed (monotonic ms). */
  leadershipEndsAt(): number {
    return this.lastSuccessSentMs + this.options.renewDeadlineMs;
  }

  /** Steps down now (stop, or the Lease was released). */
  resign(): void {
    this.leading = false;
    this.lastSuccessSentMs = Number.NEGATIVE_INFINITY;
  }

  /** The spec that gives the Lease up on a clean shutdown (client-go's ReleaseOnCancel). */
  releaseSpec(current: LeaseSpec, wallMs: number): LeaseSpec {
    return {
      ...current,
      holderIdentity: '',
      leaseDurationSeconds: 1,
      renewTime: microTime(wallMs),
      acquireTime: microTime(wallMs),
    };
  }

  private observe(spec: LeaseSpec, nowMs: number): void {
    const key = JSON.stringify([
      spec.holderIdentity ?? '',
      spec.leaseDurationSeconds ?? 0,
      spec.acquireTime ?? '',
      spec.renewTime ?? '',
      spec.leaseTransitions ?? 0,
    ]);
    if (key !== this.observedKey) {
      this.observedKey = key;
      this.observedAtMs = nowMs;
      this.observedHolder = spec.holderIdentity ?? '';
    }
  }
}
