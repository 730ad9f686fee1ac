// The I/O loop around reconcile/leader.ts: every retry period read the Lease, write what the
// machine plans, and report. A timer at the renew deadline makes the leader step down on time
// even while a request hangs (a partitioned leader must stop writing before its Lease can expire,
// whatever the network does). On stop, a leader releases the Lease so that a replacement need not
// wait a whole lease duration (client-go's ReleaseOnCancel).
import type { Clock, Logger, TimerHandle, WallClock } from '@ironlb/clock';
import { silentLogger } from '@ironlb/clock';
import {
  LeaderElectionMachine,
  type LeaderElectionOptions,
  type LeaseSpec,
  type ObservedLease,
} from '../reconcile/leader.js';
import { isNotFound } from './errors.js';
import type { KubeRest } from './rest.js';
import type { WriteGate } from './writer.js';

interface LeaseObject {
  apiVersion?: string;
  kind?: string;
  metadata: { name?: string; namespace?: string; resourceVersion?: string };
  spec?: LeaseSpec;
}

export interface LeaderElectorOptions extends LeaderElectionOptions {
  readonly namespace: string;
  /** Lease name (default ironlb-controller). */
  readonly leaseName?: string;
  /** Margin subtracted from the takeover time for a write's deadline (default 500 ms). */
  readonly writeMarginMs?: number;
}

export interface LeaderElectorDeps {
  readonly rest: KubeRest;
  readonly clock: Clock;
  readonly wallClock: WallClock;
  readonly logger?: Logger;
  /** Jitter in [0, 1) for candidates' retries (default Math.random). */
  readonly random?: () => number;
  readonly onStartedLeading: () => void;
  readonly onStoppedLeading: () => void;
  /** Called on every observation of a new holder (for logs and metrics). */
  readonly onNewLeader?: (identity: string) => void;
}

export class LeaderElector implements WriteGate {
  readonly machine: LeaderElectionMachine;
  private running = false;
  private timer: TimerHandle | undefined;
  private deadlineTimer: TimerHandle | undefined;
  private lastLease: LeaseObject | undefined;
  private lastHolder = '';
  private inFlight: Promise<void> | undefined;
  private readonly log: Logger;
  private readonly path: string;

  constructor(
    private readonly deps: LeaderElectorDeps,
    private readonly options: LeaderElectorOptions,
  ) {
    this.machine = new LeaderElectionMachine(options);
    this.log = deps.logger ?? silentLogger;
    const name = options.leaseName ?? 'ironlb-controller';
    this.path = `/apis/coordination.k8s.io/v1/namespaces/${options.namespace}/leases/${name}`;
  }

  get isLeader(): boolean {
    return this.machine.isLeader;
  }

  canWrite(): boolean {
    const ok = this.machine.canWrite(this.deps.clock.now());
    if (!ok) this.checkLost();
    return ok;
  }

  deadlineMs(): number {
    return this.machine.writeDeadline(this.options.writeMarginMs ?? 500);
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.schedule(0);
  }

  /** Resolves after the first attempt to acquire the Lease finished (won or not). */
  firstAttempt(): Promise<void> {
    if (this.attempts > 0) return Promise.resolve();
    return new Promise((resolve) => this.firstWaiters.push(resolve));
  }

  /** See LeaderElectionMachine.leadingSince(). */
  leadingSince(): number {
    return this.machine.leadingSince();
  }

  private attempts = 0;
  private firstWaiters: (() => void)[] = [];

  /** Stops campaigning; a leader releases the Lease first. */
  async stop(): Promise<void> {
    this.running = false;
    if (this.timer !== undefined) this.deps.clock.clearTimeout(this.timer);
    this.timer = undefined;
    await this.inFlight?.catch(() => undefined);
    const wasLeader = this.machine.canWrite(this.deps.clock.now());
    this.machine.resign();
    this.clearDeadline();
    const notify = !this.stoppedNotified;
    this.stoppedNotified = true;
    if (wasLeader || notify) {
      this.deps.onStoppedLeading();
      await this.release();
    }
  }

  private schedule(delayMs: number): void {
    if (!this.running) return;
    if (this.timer !== undefined) this.deps.clock.clearTimeout(this.timer);
    this.timer = this.deps.clock.setTimeout(() => {
      this.timer = undefined;
      this.inFlight = this.attempt().finally(() => (this.inFlight = undefined));
    }, delayMs);
  }

  private async attempt(): Promise<void> {
    const { rest, clock, wallClock } = this.deps;
    const o = this.machine.options;
    const timeoutMs = o.retryPeriodMs;
    let ok = false;
    try {
      let observed: ObservedLease;
      try {
        const lease = await rest.request<LeaseObject>({
          method: 'GET',
          path: this.path,
          timeoutMs,
        });
        this.lastLease = lease;
        observed = {
          exists: true,
          spec: lease.spec ?? {},
          resourceVersion: lease.metadata.resourceVersion ?? '',
        };
      } catch (e) {
        if (!isNotFound(e)) throw e;
        observed = { exists: false };
      }
      if (!this.running) return;
      const plan = this.machine.plan(observed, clock.now(), wallClock.epochMs());
      if (plan.kind === 'wait') {
        this.noteHolder(plan.holder);
      } else {
        const sentMs = clock.now();
        const body: LeaseObject = {
          apiVersion: 'coordination.k8s.io/v1',
          kind: 'Lease',
          metadata: {
            name: this.path.split('/').pop() ?? '',
            namespace: this.options.namespace,
            ...(plan.kind === 'update' ? { resourceVersion: plan.resourceVersion } : {}),
          },
          spec: plan.spec,
        };
        const written =
          plan.kind === 'create'
            ? await rest.request<LeaseObject>({
                method: 'POST',
                path: this.path.slice(0, this.path.lastIndexOf('/')),
                body,
                timeoutMs,
              })
            : await rest.request<LeaseObject>({ method: 'PUT', path: this.path, body, timeoutMs });
        this.lastLease = written;
        if (!this.running) return;
        const was = this.machine.isLeader;
        this.machine.succeeded(plan.spec, sentMs, clock.now());
        ok = true;
        this.noteHolder(this.machine.options.identity);
        this.armDeadline();
        if (!was) {
          this.log.info({ op: 'leaderElection', identity: o.identity }, 'became leader');
          this.deps.onStartedLeading();
        }
      }
    } catch (e) {
      this.log.warn(
        { op: 'leaderElection', error: String(e) },
        'failed to acquire or renew the lease',
      );
      this.machine.failed(clock.now());
    }
    this.checkLost();
    if (this.attempts++ === 0) for (const w of this.firstWaiters.splice(0)) w();
    if (!this.running) return;
    // Candidates jitter their retries (client-go: JitterUntil factor 1.2) so that replicas do not
    // poll in lockstep; the leader renews every retry period.
    const jitter =
      ok || this.machine.isLeader ? 0 : (this.deps.random ?? Math.random)() * 0.2 * o.retryPeriodMs;
    this.schedule(o.retryPeriodMs + jitter);
  }

  private noteHolder(holder: string): void {
    if (holder !== this.lastHolder) {
      this.lastHolder = holder;
      this.deps.onNewLeader?.(holder);
    }
  }

  // Step down exactly at the renew deadline, not at the next attempt.
  private armDeadline(): void {
    this.clearDeadline();
    const at = this.machine.leadershipEndsAt();
    this.deadlineTimer = this.deps.clock.setTimeout(() => {
      this.deadlineTimer = undefined;
      this.checkLost();
    }, at - this.deps.clock.now());
  }

  private clearDeadline(): void {
    if (this.deadlineTimer !== undefined) this.deps.clock.clearTimeout(this.deadlineTimer);
    this.deadlineTimer = undefined;
  }

  private stoppedNotified = true;

  private checkLost(): void {
    const leading = this.machine.tick(this.deps.clock.now());
    if (leading) {
      this.stoppedNotified = false;
      return;
    }
    if (!this.stoppedNotified) {
      this.stoppedNotified = true;
      this.clearDeadline();
      this.log.warn(
        { op: 'leaderElection', identity: this.machine.options.identity },
        'leadership lost: could not renew the lease within the renew deadline; writes stopped',
      );
      this.deps.onStoppedLeading();
    }
  }

  private async release(): Promise<void> {
    const lease = this.lastLease;
    if (!lease?.spec || lease.spec.holderIdentity !== this.machine.options.identity) return;
    try {
      await this.deps.rest.request({
        method: 'PUT',
        path: this.path,
        body: {
          ...lease,
          spec: this.machine.releaseSpec(lease.spec, this.deps.wallClock.epochMs()),
        },
        timeoutMs: this.machine.options.retryPeriodMs,
      });
      this.log.info({ op: 'leaderElection' }, 'lease released');
    } catch (e) {
      this.log.warn({ op: 'leaderElection', error: String(e) }, 'failed to release the lease');
    }
  }
}
