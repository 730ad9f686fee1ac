// The reconcile harness's work queue, with client-go's semantics (k8s.io/client-go/util/workqueue,
// as kubernetes/sample-controller uses it): a key is queued at most once however many events name
// it; a key being processed is never handed out again until done(), and an add() meanwhile marks
// it dirty so it is processed once more afterwards; retries wait a per-key exponential backoff,
// also capped by an overall token bucket so that a storm of failures cannot spin the worker.
// Time comes from the injected Clock, so tests drive it with ManualClock.
import type { Clock, TimerHandle } from '@ironlb/clock';
import { K8sGlueError } from '../errors.js';

export interface RateLimiterOptions {
  /** First retry delay (default 5 ms, client-go's). Doubles per consecutive failure of the key. */
  readonly baseDelayMs?: number;
  /** Cap of the per-key delay (default 300 000 ms = 5 min; client-go caps at 1000 s). */
  readonly maxDelayMs?: number;
  /** Overall retry rate, tokens per second (default 10, client-go's). */
  readonly retriesPerSec?: number;
  /** Overall retry burst (default 100, client-go's). */
  readonly retryBurst?: number;
}

/** client-go's DefaultControllerRateLimiter: max(per-item exponential, overall token bucket). */
export class RateLimiter<K> {
  private readonly failures = new Map<K, number>();
  private readonly base: number;
  private readonly max: number;
  private readonly rate: number;
  private readonly burst: number;
  private tokens: number;
  private last: number;

  constructor(
    private readonly clock: Clock,
    options: RateLimiterOptions = {},
  ) {
    this.base = options.baseDelayMs ?? 5;
    this.max = options.maxDelayMs ?? 300_000;
    this.rate = options.retriesPerSec ?? 10;
    this.burst = options.retryBurst ?? 100;
    if (!(this.base > 0) || !(this.max >= this.base) || !(this.rate > 0) || !(this.burst >= 1)) {
      throw new K8sGlueError('INVALID_OPTION', 'invalid rate limiter options');
    }
    this.tokens = this.burst;
    this.last = clock.now();
  }

  /** The delay before the key's next retry (and counts the failure). */
  when(key: K): number {
    const n = this.failures.get(key) ?? 0;
    this.failures.set(key, n + 1);
    const perItem = Math.min(this.max, this.base * 2 ** Math.min(n, 60));
    return Math.max(perItem, this.bucketDelay());
  }

  /** Consecutive failures of the key so far. */
  retries(key: K): number {
    return this.failures.get(key) ?? 0;
  }

  /** The key succeeded: its next failure starts from the base delay again. */
  forget(key: K): void {
    this.failures.delete(key);
  }

  // A token bucket that reserves the next token: the delay until it is available.
  private bucketDelay(): number {
    const now = this.clock.now();
    this.tokens = Math.min(this.burst, this.tokens + ((now - this.last) * this.rate) / 1000);
    this.last = now;
    this.tokens -= 1;
    return this.tokens >= 0 ? 0 : (-this.tokens * 1000) / this.rate;
  }
}

export interface WorkQueueOptions extends RateLimiterOptions {
  /** Called whenever the number of queued keys changes (for a queue-depth gauge). */
  readonly onDepth?: (depth: number) => void;
}

/**
 * A de-duplicating, rate-limited work queue. One or more workers call `get()`, process the key,
 * then call `done(key)`; `forget(key)` after a success resets its backoff, `addRateLimited(key)`
 * after a failure retries it later.
 */
export class WorkQueue<K> {
  private readonly queue: K[] = [];
  private head = 0;
  private readonly dirty = new Set<K>();
  private readonly processing = new Set<K>();
  private readonly waiting = new Map<K, { at: number; timer: TimerHandle }>();
  private readonly getters: ((k: K | undefined) => void)[] = [];
  private readonly limiter: RateLimiter<K>;
  private closed = false;

  constructor(
    private readonly clock: Clock,
    private readonly options: WorkQueueOptions = {},
  ) {
    this.limiter = new RateLimiter(clock, options);
  }

  /** Keys ready to be handed out (not counting the ones waiting for their backoff). */
  get length(): number {
    return this.queue.length - this.head;
  }

  /** Keys waiting for a delay or backoff. */
  get delayed(): number {
    return this.waiting.size;
  }

  /** Keys handed out and not yet done(). */
  get inProgress(): number {
    return this.processing.size;
  }

  get isShutDown(): boolean {
    return this.closed;
  }

  add(key: K): void {
    if (this.closed || this.dirty.has(key)) return;
    this.dirty.add(key);
    if (this.processing.has(key)) return;
    const getter = this.getters.shift();
    if (getter) {
      this.dirty.delete(key);
      this.processing.add(key);
      getter(key);
      return;
    }
    this.queue.push(key);
    this.depthChanged();
  }

  /** Adds the key after `delayMs`; an earlier pending delay for the same key wins. */
  addAfter(key: K, delayMs: number): void {
    if (this.closed) return;
    if (delayMs <= 0) {
      this.add(key);
      return;
    }
    const at = this.clock.now() + delayMs;
    const w = this.waiting.get(key);
    if (w && w.at <= at) return;
    if (w) this.clock.clearTimeout(w.timer);
    const timer = this.clock.setTimeout(() => {
      this.waiting.delete(key);
      this.add(key);
    }, delayMs);
    this.waiting.set(key, { at, timer });
  }

  /** Retry later, after the key's backoff. Returns the delay chosen. */
  addRateLimited(key: K): number {
    const delay = this.limiter.when(key);
    this.addAfter(key, delay);
    return delay;
  }

  /** Consecutive failures recorded for the key. */
  numRequeues(key: K): number {
    return this.limiter.retries(key);
  }

  forget(key: K): void {
    this.limiter.forget(key);
  }

  /** The next key, as soon as one is ready; undefined once the queue is shut down. */
  get(): Promise<K | undefined> {
    const k = this.tryGet();
    if (k !== undefined || this.closed) return Promise.resolve(k);
    return new Promise((resolve) => this.getters.push(resolve));
  }

  /** The next ready key without waiting, or undefined. */
  tryGet(): K | undefined {
    if (this.length === 0) return undefined;
    const key = this.queue[this.head] as K;
    this.head++;
    if (this.head > 1024 && this.head * 2 > this.queue.length) {
      this.queue.splice(0, this.head);
      this.head = 0;
    }
    this.dirty.delete(key);
    this.processing.add(key);
    this.depthChanged();
    return key;
  }

  /** Processing of the key finished; if it was added meanwhile it is queued again. */
  done(key: K): void {
    this.processing.delete(key);
    if (this.dirty.has(key) && !this.closed) {
      this.dirty.delete(key);
      this.add(key);
    }
  }

  isProcessing(key: K): boolean {
    return this.processing.has(key);
  }

  /** Drops every queued and delayed key (a leader stepping down), keeps the backoff counts. */
  clear(): void {
    for (const w of this.waiting.values()) this.clock.clearTimeout(w.timer);
    this.waiting.clear();
    this.queue.length = 0;
    this.head = 0;
    this.dirty.clear();
    this.depthChanged();
  }

  /** Stops the queue: pending get() calls resolve with undefined, adds are ignored. */
  shutDown(): void {
    this.closed = true;
    this.clear();
    for (const g of this.getters.splice(0)) g(undefined);
  }

  private depthChanged(): void {
    this.options.onDepth?.(this.length);
  }
}
