// The speaker's status writes, off the decision path: a work queue of keys — `<kind>|<service>`
// for ServiceL2Status / ServiceBGPStatus, and the ConfigurationState — each brought in line with
// what the last sync wanted (SpeakerState), with retries. The status informers keep an index by
// Service; a change someone else made (a deletion, another node's object appearing) re-queues
// that Service, so this node's objects heal themselves.
import type { Clock, Logger, WallClock } from '@ironlb/clock';
import type { ConditionSpec } from '../controller/config-handler.js';
import { WorkQueue } from '../reconcile/workqueue.js';
import {
  STATUS_LABELS,
  speakerConfigurationStateName,
  statusServiceKey,
  type StatusKind,
} from '../speaker/status-objects.js';
import { objectKey, type InformerHandlers } from './informer.js';
import { paths } from './resources.js';
import type { KubeRest } from './rest.js';
import { ByService, type SpeakerInformers } from './speaker-informers.js';
import type { SpeakerMetrics } from './speaker-metrics.js';
import type { SpeakerState } from './speaker-state.js';
import { SpeakerWrites, type StatusObject, type StatusWriteLog } from './speaker-writes.js';
import { Writer, openGate } from './writer.js';

export const CONFIG_STATE_KEY = 'cs';

export interface StatusWorkerDeps {
  readonly rest: KubeRest;
  readonly clock: Clock;
  readonly wallClock: WallClock;
  readonly logger: Logger;
  readonly metrics: SpeakerMetrics;
  readonly state: SpeakerState;
  readonly informers: SpeakerInformers;
  /** The ConfigurationState conditions to write now. */
  readonly conditions: () => ConditionSpec[];
}

export interface StatusWorkerOptions {
  readonly namespace: string;
  readonly node: string;
  readonly podName: string;
  readonly fieldManager: string;
}

export class StatusWorker {
  readonly queue: WorkQueue<string>;
  readonly writer: Writer;
  readonly writes: SpeakerWrites;
  readonly stats = { statusWrites: 0 };
  private readonly index: Record<StatusKind, ByService> = {
    ServiceL2Status: new ByService(),
    ServiceBGPStatus: new ByService(),
  };
  private frozen = false;
  private loop: Promise<void> | undefined;

  constructor(
    private readonly deps: StatusWorkerDeps,
    private readonly o: StatusWorkerOptions,
  ) {
    // Retries within seconds, not client-go's minutes: during a split brain two nodes delete each
    // other's objects for a moment, and the backoff must not outlive it.
    this.queue = new WorkQueue(deps.clock, { baseDelayMs: 50, maxDelayMs: 5000 });
    this.writer = new Writer(deps.clock, openGate, { concurrency: 8, lowConcurrency: 2 });
    this.writes = new SpeakerWrites(
      {
        rest: deps.rest,
        writer: this.writer,
        wallClock: deps.wallClock,
        logger: deps.logger,
        metrics: deps.metrics,
      },
      o,
    );
    deps.informers.l2Statuses.on(this.handlers('ServiceL2Status'));
    deps.informers.bgpStatuses.on(this.handlers('ServiceBGPStatus'));
    // ConfigurationState heals itself when deleted (MetalLB's reconciler does the same).
    deps.informers.configStates.on({ delete: () => this.queue.add(CONFIG_STATE_KEY) });
  }

  private handlers(kind: StatusKind): InformerHandlers<StatusObject> {
    const index = this.index[kind];
    const put = (o: StatusObject) => {
      const svc = statusServiceKey(o.metadata);
      index.add(svc, objectKey(o));
      if (svc !== undefined) this.queue.add(`${kind}|${svc}`);
    };
    const drop = (o: StatusObject, gone: boolean) => {
      if (gone) this.deps.state.observedDeletion(kind, o.metadata.name ?? '');
      const svc = statusServiceKey(o.metadata);
      index.remove(svc, objectKey(o));
      if (svc !== undefined) this.queue.add(`${kind}|${svc}`);
    };
    return {
      add: put,
      update: (old, obj) => {
        if (statusServiceKey(old.metadata) !== statusServiceKey(obj.metadata)) drop(old, false);
        put(obj);
      },
      delete: (o) => drop(o, true),
    };
  }

  /** Starts writing (after the first decisions: before them every Service looks unannounced). */
  start(): void {
    this.loop ??= this.workLoop();
  }

  add(key: string): void {
    this.queue.add(key);
  }

  /** Handing over: the next owner writes its objects now; this node must not delete them. */
  freeze(): void {
    this.frozen = true;
  }

  async stop(): Promise<void> {
    this.queue.shutDown();
    await this.loop;
  }

  /** Deletes this node's status objects (after a planned handover), best effort, bounded. */
  async clearOwn(timeoutMs: number): Promise<void> {
    const i = this.deps.informers;
    const mine = (objs: StatusObject[]) =>
      objs.filter((o) => o.metadata.labels?.[STATUS_LABELS.node] === this.o.node);
    const all = [
      ...mine(i.l2Statuses.list()).map((o) => ['servicel2statuses', o] as const),
      ...mine(i.bgpStatuses.list()).map((o) => ['servicebgpstatuses', o] as const),
    ];
    const work = Promise.all(
      all.map(([plural, o]) =>
        this.deps.rest
          .request({
            method: 'DELETE',
            path: `${paths.metallb(this.o.namespace, 'v1beta1', plural)}/${o.metadata.name ?? ''}`,
            timeoutMs,
          })
          .catch(() => undefined),
      ),
    );
    await Promise.race([work, new Promise<void>((r) => this.deps.clock.setTimeout(r, timeoutMs))]);
  }

  private async workLoop(): Promise<void> {
    for (;;) {
      const key = await this.queue.get();
      if (key === undefined) return;
      try {
        await this.process(key);
        this.queue.forget(key);
      } catch (e) {
        this.deps.metrics.updateErrors.inc();
        this.deps.logger.error(
          { op: 'status', key, error: String(e) },
          'status write failed, retrying',
        );
        this.queue.addRateLimited(key);
      }
      this.queue.done(key);
    }
  }

  private async process(key: string): Promise<void> {
    if (key === CONFIG_STATE_KEY) {
      const conds = this.deps.conditions();
      if (conds.length === 0) return;
      await this.writes.configurationState(
        conds,
        this.deps.informers.configStates.get(
          `${this.o.namespace}/${speakerConfigurationStateName(this.o.node)}`,
        ),
      );
      return;
    }
    if (this.frozen) return;
    const [kind, svcKey] = key.split('|', 2) as [StatusKind, string];
    const [namespace = '', name = ''] = svcKey.split('/', 2);
    const want = this.deps.state.statusWant(kind, svcKey);
    const inf =
      kind === 'ServiceL2Status' ? this.deps.informers.l2Statuses : this.deps.informers.bgpStatuses;
    const objects: StatusObject[] = [];
    for (const k of this.index[kind].get(svcKey)) {
      const o = inf.get(k);
      if (o) objects.push(o);
    }
    const existing = this.deps.state.overlay(kind, svcKey, objects);
    this.stats.statusWrites++;
    const acc: StatusWriteLog = { written: [], deleted: [], gone: [] };
    try {
      // The Layer 2 winner clears the other nodes' objects for the Service (MetalLB).
      await this.writes.syncStatus(
        kind,
        { namespace, name },
        want,
        existing,
        kind === 'ServiceL2Status' && want !== undefined,
        acc,
      );
    } finally {
      this.deps.state.recordWrites(kind, acc.written, acc.deleted, acc.gone);
    }
  }
}
