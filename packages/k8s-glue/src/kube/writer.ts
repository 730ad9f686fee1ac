// Where every write of the controller goes: a bounded number of requests in flight over the
// keep-alive connections, status writes before events (a Service waiting for its address matters
// more than the event saying it got one, and the API server's throughput is shared), and a gate:
// nothing starts unless the leader may write, and nothing runs past the moment another replica
// could take over (the request is reset at that deadline).
import type { Clock } from '@ironlb/clock';
import { K8sGlueError } from '../errors.js';

/** May writes start now, and by when must they be done (monotonic ms)? */
export interface WriteGate {
  canWrite(): boolean;
  /** Monotonic deadline for a write started now. */
  deadlineMs(): number;
}

export const openGate: WriteGate = {
  canWrite: () => true,
  deadlineMs: () => Number.POSITIVE_INFINITY,
};

/** The gate closed (leadership lost or stopping): the write was not sent. */
export class FencedError extends K8sGlueError {
  constructor() {
    super('KUBE_CLIENT_ERROR', 'not the leader: write not sent');
    this.name = 'FencedError';
  }
}

export type Priority = 'high' | 'low';

export interface WriterOptions {
  /** Requests in flight at once (default 16). */
  readonly concurrency?: number;
  /** Of which low-priority ones (events) at most (default 4); they start only when no high one waits. */
  readonly lowConcurrency?: number;
  /** Per-request timeout cap (default 30 000 ms). */
  readonly timeoutMs?: number;
}

interface Task {
  readonly priority: Priority;
  readonly run: (timeoutMs: number) => Promise<unknown>;
  readonly resolve: (v: unknown) => void;
  readonly reject: (e: unknown) => void;
}

export class Writer {
  private readonly high: Task[] = [];
  private readonly low: Task[] = [];
  private runningHigh = 0;
  private runningLow = 0;
  private idleWaiters: { below: number; resolve: () => void }[] = [];
  private readonly concurrency: number;
  private readonly lowConcurrency: number;
  private readonly timeoutMs: number;
  readonly stats = { started: 0, failed: 0, fenced: 0 };

  constructor(
    private readonly clock: Clock,
    private gate: WriteGate = openGate,
    options: WriterOptions = {},
  ) {
    this.concurrency = options.concurrency ?? 16;
    this.lowConcurrency = Math.min(options.lowConcurrency ?? 4, this.concurrency);
    this.timeoutMs = options.timeoutMs ?? 30_000;
  }

  setGate(gate: WriteGate): void {
    this.gate = gate;
  }

  /** Queues a write; `run` gets the time it has left (ms) and must honour it. */
  submit<T>(priority: Priority, run: (timeoutMs: number) => Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const t: Task = { priority, run, resolve: resolve as (v: unknown) => void, reject };
      (priority === 'high' ? this.high : this.low).push(t);
      this.pump();
    });
  }

  /** High-priority writes queued or in flight. */
  get pendingHigh(): number {
    return this.high.length + this.runningHigh;
  }

  get pendingLow(): number {
    return this.low.length + this.runningLow;
  }

  /** Resolves when no high-priority write is queued or in flight. */
  idleHigh(): Promise<void> {
    return this.highAtMost(0);
  }

  /**
   * Resolves when at most `n` high-priority writes are queued or in flight: a producer of many
   * writes (the controller's reprocess-all) waits here instead of queueing them all, so that what
   * a write holds (the object, its body, its promise) lives for a few milliseconds, not for the
   * whole pass — 10k queued writes cost the garbage collector more than they cost to send.
   */
  highAtMost(n: number): Promise<void> {
    if (this.pendingHigh <= n) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push({ below: n, resolve }));
  }

  /** Rejects everything queued with FencedError (writes in flight finish or hit their deadline). */
  drop(): void {
    for (const t of [...this.high.splice(0), ...this.low.splice(0)]) {
      this.stats.fenced++;
      t.reject(new FencedError());
    }
    this.checkIdle();
  }

  private pump(): void {
    while (this.runningHigh + this.runningLow < this.concurrency) {
      let t: Task | undefined;
      if (this.high.length > 0) t = this.high.shift();
      else if (this.low.length > 0 && this.runningLow < this.lowConcurrency) t = this.low.shift();
      if (!t) break;
      this.start(t);
    }
    this.checkIdle();
  }

  private start(t: Task): void {
    if (!this.gate.canWrite()) {
      this.stats.fenced++;
      t.reject(new FencedError());
      return;
    }
    const left = Math.min(this.timeoutMs, this.gate.deadlineMs() - this.clock.now());
    if (!(left > 0)) {
      this.stats.fenced++;
      t.reject(new FencedError());
      return;
    }
    if (t.priority === 'high') this.runningHigh++;
    else this.runningLow++;
    this.stats.started++;
    t.run(left).then(
      (v) => this.finish(t, () => t.resolve(v)),
      (e: unknown) => {
        this.stats.failed++;
        this.finish(t, () => t.reject(e));
      },
    );
  }

  private finish(t: Task, settle: () => void): void {
    if (t.priority === 'high') this.runningHigh--;
    else this.runningLow--;
    settle();
    this.pump();
  }

  private checkIdle(): void {
    if (this.idleWaiters.length === 0) return;
    const pending = this.pendingHigh;
    const ready = this.idleWaiters.filter((w) => pending <= w.below);
    if (ready.length === 0) return;
    this.idleWaiters = this.idleWaiters.filter((w) => pending > w.below);
    for (const w of ready) w.resolve();
  }
}
