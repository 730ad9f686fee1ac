// Records core/v1 Events the way client-go's recorder does (tools/record): correlated first (spam
// filter, aggregation, de-duplication: reconcile/event-correlator.ts), then created, or the
// earlier Event patched with a higher count. Events go through the Writer at low priority, so
// they never delay a status write and are never sent by a replica that is not the leader.
import type { Clock, Logger, WallClock } from '@ironlb/clock';
import { silentLogger } from '@ironlb/clock';
import {
  EventCorrelator,
  type EventCorrelatorOptions,
  type EventRequest,
} from '../reconcile/event-correlator.js';
import { rfc3339 } from '../controller/status-objects.js';
import type { KubeRest } from './rest.js';
import { FencedError, type Writer } from './writer.js';

export interface EventRecorderOptions extends EventCorrelatorOptions {
  /** Event.source.component and reportingComponent (default metallb-controller, MetalLB's). */
  readonly component?: string;
  /** Event.reportingInstance (the pod name). */
  readonly instance?: string;
  /**
   * Events recorded and not yet handed to the Writer, at most (default 65 536; beyond, new ones
   * are dropped and counted, as client-go's broadcaster drops when its queue is full).
   */
  readonly maxQueued?: number;
  /** Events handed to the Writer at once (default 8). */
  readonly window?: number;
}

export interface EventRecorderDeps {
  readonly rest: KubeRest;
  readonly writer: Writer;
  readonly clock: Clock;
  readonly wallClock: WallClock;
  readonly logger?: Logger;
}

/** An event as recorded: what, and when (correlated later with these times, as if then). */
interface Recorded {
  readonly e: EventRequest;
  readonly now: number;
  readonly wall: number;
}

export class EventRecorder {
  private readonly correlator: EventCorrelator;
  private readonly component: string;
  private seq = 0;
  /**
   * Recorded events waiting for the Writer, oldest first (`head` is the next one). Correlation and
   * the request body wait too: a controller that records 10k events while its status writes go
   * first would otherwise keep 10k bodies and promises alive through many young-generation
   * collections, which then copy them (the cold start paid ~15 % of its CPU for that).
   */
  private queued: Recorded[] = [];
  private head = 0;
  private sending = 0;
  private readonly maxQueued: number;
  private readonly window: number;
  /** Writes submitted and not settled yet (their promises never reject). */
  private readonly inflight = new Set<Promise<unknown>>();
  readonly stats = { created: 0, patched: 0, dropped: 0, failed: 0 };

  constructor(
    private readonly deps: EventRecorderDeps,
    private readonly options: EventRecorderOptions = {},
  ) {
    this.correlator = new EventCorrelator(options);
    this.component = options.component ?? 'metallb-controller';
    this.maxQueued = options.maxQueued ?? 65_536;
    this.window = Math.max(1, options.window ?? 8);
  }

  record(e: EventRequest): void {
    if (this.queued.length - this.head >= this.maxQueued) {
      this.stats.dropped++;
      return;
    }
    this.queued.push({ e, now: this.deps.clock.now(), wall: this.deps.wallClock.epochMs() });
    this.pump();
  }

  /** Hands queued events to the Writer, at most `window` unsettled at once, in recorded order. */
  private pump(): void {
    while (this.sending < this.window && this.head < this.queued.length) {
      const r = this.queued[this.head] as Recorded;
      this.queued[this.head++] = undefined as unknown as Recorded;
      if (this.head === this.queued.length) {
        this.queued = [];
        this.head = 0;
      } else if (this.head >= 1024 && this.head * 2 >= this.queued.length) {
        this.queued = this.queued.slice(this.head);
        this.head = 0;
      }
      this.send(r);
    }
  }

  private send({ e, now, wall }: Recorded): void {
    const d = this.correlator.observe(e, now, wall);
    if (d.action === 'drop') {
      this.stats.dropped++;
      return;
    }
    if (d.action === 'pending') return;
    const ns = e.object.namespace || 'default';
    if (d.action === 'patch') {
      this.patch(ns, d.name, d.count, d.message, d.key);
      return;
    }
    // client-go names events <object>.<unix nanoseconds in hex>; the sequence keeps names unique
    // when several events are made in the same millisecond.
    const nanos = BigInt(Math.floor(wall)) * 1_000_000n + BigInt(this.seq++ % 1_000_000);
    const name = `${e.object.name}.${nanos.toString(16)}`;
    const ts = rfc3339(wall);
    const body = {
      apiVersion: 'v1',
      kind: 'Event',
      metadata: { name, namespace: ns },
      involvedObject: {
        kind: e.object.kind,
        apiVersion: e.object.apiVersion,
        name: e.object.name,
        ...(e.object.namespace ? { namespace: e.object.namespace } : {}),
        ...(e.object.uid ? { uid: e.object.uid } : {}),
        ...(e.object.resourceVersion ? { resourceVersion: e.object.resourceVersion } : {}),
      },
      reason: e.reason,
      message: d.message,
      type: e.type,
      source: { component: this.component },
      firstTimestamp: ts,
      lastTimestamp: ts,
      count: 1,
      reportingComponent: this.component,
      reportingInstance: this.options.instance ?? '',
    };
    const created = this.deps.writer
      .submit('low', (timeoutMs) =>
        this.deps.rest.request({
          method: 'POST',
          path: `/api/v1/namespaces/${ns}/events`,
          body,
          timeoutMs,
          discardResponse: true,
        }),
      )
      .then(
        () => {
          this.stats.created++;
          const { count } = this.correlator.created(d.key, name);
          if (count > 1) this.patch(ns, name, count, d.message, d.key);
        },
        (err: unknown) => this.failed(d.key, err),
      );
    this.track(created);
  }

  /**
   * Resolves once every event recorded so far was written or given up on (each bounded by the
   * Writer's timeout): a process about to exit (the coexistence guard) waits for its event.
   */
  async flush(): Promise<void> {
    // Queued events wait only while `window` writes are unsettled, so waiting for those moves on.
    while (this.inflight.size > 0) await Promise.all([...this.inflight]);
  }

  /** Events recorded and not yet handed to the Writer. */
  get queuedCount(): number {
    return this.queued.length - this.head;
  }

  private track(p: Promise<unknown>): void {
    this.sending++;
    this.inflight.add(p);
    void p.finally(() => {
      this.inflight.delete(p);
      this.sending--;
      this.pump();
    });
  }

  private patch(ns: string, name: string, count: number, message: string, key: string): void {
    const lastTimestamp = rfc3339(this.deps.wallClock.epochMs());
    const patched = this.deps.writer
      .submit('low', (timeoutMs) =>
        this.deps.rest.request({
          method: 'PATCH',
          path: `/api/v1/namespaces/${ns}/events/${name}`,
          body: { count, lastTimestamp, message },
          contentType: 'application/merge-patch+json',
          timeoutMs,
          discardResponse: true,
        }),
      )
      .then(
        () => this.stats.patched++,
        (err: unknown) => this.failed(key, err),
      );
    this.track(patched);
  }

  private failed(key: string, err: unknown): void {
    this.correlator.failed(key);
    if (err instanceof FencedError) return;
    this.stats.failed++;
    (this.deps.logger ?? silentLogger).warn(
      { op: 'recordEvent', error: String(err) },
      'failed to record event',
    );
  }
}
