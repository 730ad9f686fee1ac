// IronLB's speaker runtime: MetalLB's speaker (speaker/main.go + internal/k8s controllers) on the
// reconcile harness. Informers fill caches; any change schedules one sync, which re-parses the
// configuration when an input of it changed, runs the pure decisions of src/announce (Layer 2
// election, BGP sessions and routes) over every Service, and hands the result to the protocol
// ports. A memberlist change syncs at once, without the debounce: that is the failover path. What
// the sync decided about each Service — events, logs, metrics, ServiceL2Status / ServiceBGPStatus —
// is emitted only when it changed (MetalLB emits nodeAssigned on every reconcile, #1682), and the
// status objects are written by a work queue with retries.
import type { Clock, Logger, Metrics, WallClock } from '@ironlb/clock';
import { noMetrics, silentLogger } from '@ironlb/clock';
import { decideBgp } from '../announce/bgp.js';
import { decideLayer2 } from '../announce/layer2.js';
import { parseExcludeL2 } from '../announce/speaker-config.js';
import type { EndpointSliceObject, ServiceInput } from '../announce/types.js';
import type { ConditionSpec } from '../controller/config-handler.js';
import { serviceKey } from '../controller/service.js';
import type { DomainConfig } from '../config/types.js';
import { EventRecorder } from './event-recorder.js';
import type { Informer, KubeObject } from './informer.js';
import type { KubeRest } from './rest.js';
import {
  ByService,
  makeSpeakerInformers,
  speakerClusterResources,
  wireSpeakerInformers,
  type SpeakerInformers,
} from './speaker-informers.js';
import { MemberJoiner } from './speaker-members.js';
import { SpeakerMetrics } from './speaker-metrics.js';
import { SpeakerConfigTracker } from './speaker-config.js';
import type { BgpPort, Layer2Port, MembershipPort } from './speaker-ports.js';
import { SpeakerState } from './speaker-state.js';
import { CONFIG_STATE_KEY, StatusWorker } from './speaker-status.js';

/** MetalLB's ConfigMap of interfaces Layer 2 never announces on (mounted at /etc/metallb). */
export const EXCLUDE_L2_CONFIGMAP = 'metallb-excludel2';
export const EXCLUDE_L2_KEY = 'excludel2.yaml';

export interface SpeakerDeps {
  readonly rest: KubeRest;
  readonly clock: Clock;
  readonly wallClock: WallClock;
  readonly logger?: Logger;
  readonly metrics?: Metrics;
  /** Jitter in [0, 1) (default Math.random). */
  readonly random?: () => number;
  readonly layer2: Layer2Port;
  readonly bgp: BgpPort;
  /** Present when memberlist runs (MetalLB: METALLB_ML_BIND_ADDR and METALLB_ML_LABELS set). */
  readonly membership?: MembershipPort;
}

export interface SpeakerOptions {
  /** IronLB's namespace (MetalLB's --namespace). */
  readonly namespace: string;
  /** This node (--node-name). */
  readonly nodeName: string;
  /** This pod (owner of the status objects, reportingInstance of events). */
  readonly podName?: string;
  /** --lb-class. */
  readonly loadBalancerClass?: string;
  /** --ignore-exclude-lb. */
  readonly ignoreExcludeLb?: boolean;
  /** How the other speakers are found for memberlist (with `membership`). */
  readonly memberlist?: {
    readonly namespace: string;
    readonly podLabelSelector: string;
    readonly port: number;
  };
  /** Coalesce informer events this long before a sync (default 10 ms). */
  readonly syncDelayMs?: number;
  /** Before the first sync, wait at most this long for the first memberlist join (default 5000 ms). */
  readonly initialJoinTimeoutMs?: number;
  /** fieldManager of every write (default ironlb-speaker). */
  readonly fieldManager?: string;
  /** Event source component (default metallb-speaker, MetalLB's). */
  readonly component?: string;
}

export class IronlbSpeaker {
  readonly recorder: EventRecorder;
  readonly informers: SpeakerInformers;
  readonly state: SpeakerState;
  readonly metrics: SpeakerMetrics;
  readonly status: StatusWorker;
  private readonly log: Logger;
  private readonly joiner: MemberJoiner | undefined;
  private readonly cfg: SpeakerConfigTracker;
  private configDirty = true;
  private excludeText: string | undefined = '\u0000unset';
  /** EndpointSlices by Service: MetalLB's kubernetes.io/service-name index. */
  private readonly slicesOf = new ByService();
  private syncTimer: ReturnType<Clock['setTimeout']> | undefined;
  private syncDue = Infinity;
  private syncing: Promise<void> | undefined;
  private bgpApplying: Promise<void> = Promise.resolve();
  private syncAgain = false;
  private reannounce = false;
  private memberChangeAt: number | undefined;
  private running = false;
  private synced = false;
  private firstSyncDone = false;
  private frozen = false;
  private readonly unsubscribe: (() => void)[] = [];
  readonly stats = { syncs: 0 };

  constructor(
    private readonly deps: SpeakerDeps,
    private readonly options: SpeakerOptions,
  ) {
    this.log = deps.logger ?? silentLogger;
    this.metrics = new SpeakerMetrics(deps.metrics ?? noMetrics);
    this.state = new SpeakerState(options.nodeName);
    this.cfg = new SpeakerConfigTracker(
      { logger: this.log, metrics: this.metrics },
      options.namespace,
    );
    this.informers = makeSpeakerInformers(
      {
        rest: deps.rest,
        clock: deps.clock,
        logger: this.log,
        ...(deps.random ? { random: deps.random } : {}),
      },
      options.namespace,
      options.nodeName,
    );
    this.status = new StatusWorker(
      {
        rest: deps.rest,
        clock: deps.clock,
        wallClock: deps.wallClock,
        logger: this.log,
        metrics: this.metrics,
        state: this.state,
        informers: this.informers,
        conditions: () => this.conditions(),
      },
      {
        namespace: options.namespace,
        node: options.nodeName,
        podName: options.podName ?? '',
        fieldManager: options.fieldManager ?? 'ironlb-speaker',
      },
    );
    this.recorder = new EventRecorder(
      {
        rest: deps.rest,
        writer: this.status.writer,
        clock: deps.clock,
        wallClock: deps.wallClock,
        logger: this.log,
      },
      { component: options.component ?? 'metallb-speaker', instance: options.podName ?? '' },
    );
    this.joiner =
      deps.membership && options.memberlist
        ? new MemberJoiner(
            {
              rest: deps.rest,
              clock: deps.clock,
              membership: deps.membership,
              logger: this.log,
            },
            {
              namespace: options.memberlist.namespace,
              labelSelector: options.memberlist.podLabelSelector,
              nodeName: options.nodeName,
              port: options.memberlist.port,
            },
          )
        : undefined;
  }

  /** Caches synced and the first sync done (the readiness probe). */
  get ready(): boolean {
    return this.synced && this.firstSyncDone;
  }

  /** The last parsed configuration (undefined until one parsed). */
  get currentConfig(): DomainConfig | undefined {
    return this.cfg.config;
  }

  /** Starts the informers; resolves after the caches synced and the first sync ran. */
  async start(): Promise<void> {
    if (this.running) return;
    this.running = true;
    this.wireHandlers();
    const all = Object.values(this.informers) as Informer<KubeObject>[];
    for (const inf of all) inf.start();
    await Promise.all(all.map((inf) => inf.synced()));
    if (!this.running) return;
    this.synced = true;
    this.log.info(
      { op: 'startup', caches: all.map((i) => `${i.name}=${i.size}`).join(',') },
      'caches synced',
    );
    if (this.deps.membership) {
      const m = this.deps.membership;
      this.unsubscribe.push(
        m.onChange((change, member) => {
          this.metrics.members.set(undefined, m.live().size);
          if (change === 'dead' || change === 'leave') this.memberChangeAt = this.deps.clock.now();
          // MetalLB force-resyncs every Service on join / leave / update; a join after a
          // partition is also when two nodes may both hold an address, so re-announce then.
          if (change === 'join' || change === 'alive') this.reannounce = true;
          if (change !== 'suspect') {
            this.log.debug({ op: 'memberlist', event: change, node: member }, 'resync');
            this.requestSync(0);
          }
        }),
      );
      this.metrics.members.set(undefined, m.live().size);
      if (this.joiner) {
        // Decide with the other speakers known: alone, this node would elect itself for every
        // address until the join, and answer beside the real owners.
        const first = this.joiner.start();
        await Promise.race([
          first,
          new Promise<void>((r) =>
            this.deps.clock.setTimeout(r, this.options.initialJoinTimeoutMs ?? 5000),
          ),
        ]);
      }
    }
    this.requestSync(0);
    await this.idle();
    // Status writes start after the first decisions: until then every Service would look
    // unannounced, and this node's objects from before a restart would be deleted and re-made.
    this.status.start();
  }

  /** Resolves once no sync is pending or running. */
  async idle(): Promise<void> {
    for (;;) {
      await this.bgpApplying;
      if (this.syncing) {
        await this.syncing;
        continue;
      }
      if (this.syncTimer !== undefined) {
        await new Promise<void>((r) => this.deps.clock.setTimeout(r, 1));
        continue;
      }
      return;
    }
  }

  /**
   * Planned stop, Layer 2 part (MetalLB: Leave then shutdown; IronLB hands over first): stop
   * deciding, leave memberlist so the others elect new owners at once, and keep answering until
   * each address this node held was announced by its next owner (or `timeoutMs`). Resolves with
   * the addresses nobody took over.
   */
  async handOver(timeoutMs: number): Promise<readonly string[]> {
    this.frozen = true;
    this.status.freeze();
    if (this.syncTimer !== undefined) this.deps.clock.clearTimeout(this.syncTimer);
    this.syncTimer = undefined;
    await this.syncing;
    const expected = this.cfg.config ? this.takeoverAddresses(this.cfg.config) : [];
    this.joiner?.stop();
    if (this.deps.membership) await this.deps.membership.leave().catch(() => undefined);
    const left = await this.deps.layer2.handOver(expected, timeoutMs);
    if (left.length > 0)
      this.log.warn(
        { op: 'shutdown', ips: left.join(',') },
        'no other node announced these addresses before the handover timeout',
      );
    return left;
  }

  /**
   * The addresses held here that another node will announce once this one is gone: the same
   * election without this node.
   */
  private takeoverAddresses(config: DomainConfig): string[] {
    const membership = this.deps.membership;
    const me = this.options.nodeName;
    const members = membership
      ? [...membership.live()].filter((n) => n !== me)
      : this.informers.nodes
          .list()
          .map((n) => n.metadata.name ?? '')
          .filter((n) => n !== me);
    const view = { ...this.view(config), members };
    const without = decideLayer2(view, this.inputs());
    const out: string[] = [];
    for (const d of without.services) {
      if (d.announce || !d.winner || d.winner === me) continue;
      if (!this.state.announcesLayer2(d.key)) continue;
      out.push(...(d.ips ?? []));
    }
    return [...new Set(out)];
  }

  /** Deletes this node's status objects (after a planned handover), best effort. */
  clearStatuses(timeoutMs: number): Promise<void> {
    return this.status.clearOwn(timeoutMs);
  }

  /** Stops in reverse: membership callbacks, the worker, the informers. */
  async stop(): Promise<void> {
    if (!this.running) return;
    this.running = false;
    this.frozen = true;
    this.joiner?.stop();
    for (const u of this.unsubscribe.splice(0)) u();
    if (this.syncTimer !== undefined) this.deps.clock.clearTimeout(this.syncTimer);
    this.syncTimer = undefined;
    await this.syncing;
    await this.bgpApplying;
    await this.status.stop();
    for (const inf of Object.values(this.informers) as Informer<KubeObject>[]) inf.stop();
  }

  // ---------------------------------------------------------------- events → work

  private wireHandlers(): void {
    wireSpeakerInformers(this.informers, this.slicesOf, {
      nodeName: this.options.nodeName,
      excludeL2ConfigMap: EXCLUDE_L2_CONFIGMAP,
      sync: () => this.requestSync(),
      config: () => {
        this.configDirty = true;
        this.requestSync();
      },
      // MetalLB rejoins memberlist when its own Node changes.
      ownNodeLabels: () => this.joiner?.refresh(),
    });
  }

  /** Schedules a sync in `delayMs` (default: the debounce), or sooner if one is due earlier. */
  requestSync(delayMs = this.options.syncDelayMs ?? 10): void {
    if (!this.running || !this.synced || this.frozen) return;
    if (this.syncing) {
      this.syncAgain = true;
      if (delayMs > 0) return;
    }
    if (delayMs <= 0) {
      // The failover path: no timer (a 0 ms timer is still a macrotask and ≥ 1 ms away).
      if (this.syncTimer !== undefined) this.deps.clock.clearTimeout(this.syncTimer);
      this.syncTimer = undefined;
      this.syncDue = Infinity;
      void this.runSync();
      return;
    }
    const due = this.deps.clock.now() + delayMs;
    if (this.syncTimer !== undefined && due >= this.syncDue) return;
    if (this.syncTimer !== undefined) this.deps.clock.clearTimeout(this.syncTimer);
    this.syncDue = due;
    this.syncTimer = this.deps.clock.setTimeout(() => {
      this.syncTimer = undefined;
      this.syncDue = Infinity;
      void this.runSync();
    }, delayMs);
  }

  private async runSync(): Promise<void> {
    if (this.syncing) {
      this.syncAgain = true;
      await this.syncing;
      return;
    }
    this.syncing = this.syncLoop().finally(() => {
      this.syncing = undefined;
    });
    await this.syncing;
  }

  private async syncLoop(): Promise<void> {
    do {
      this.syncAgain = false;
      try {
        await this.syncOnce();
      } catch (e) {
        this.metrics.updateErrors.inc();
        this.log.error({ op: 'sync', error: String(e) }, 'sync failed, retrying');
        this.requestSync(1000);
      }
    } while (this.syncAgain && this.running && !this.frozen);
  }

  // ---------------------------------------------------------------- the sync

  private reparse(): void {
    this.configDirty = false;
    const resources = speakerClusterResources(
      this.informers,
      this.options.namespace,
      this.options.nodeName,
    );
    if (this.cfg.reparse(resources)) this.status.add(CONFIG_STATE_KEY);
  }

  /** The ConfigurationState conditions: the parse, plus sessions the protocols refused. */
  conditions(): ConditionSpec[] {
    return this.cfg.conditions();
  }

  private view(config: DomainConfig) {
    const m = this.deps.membership;
    return {
      config,
      myNode: this.options.nodeName,
      nodes: this.informers.nodes.list(),
      ...(m ? { members: m.live() } : {}),
      ignoreExcludeLB: this.options.ignoreExcludeLb ?? false,
      ...(this.options.loadBalancerClass
        ? { loadBalancerClass: this.options.loadBalancerClass }
        : {}),
    };
  }

  private inputs(): ServiceInput[] {
    const slices = this.informers.endpointSlices;
    return this.informers.services.list().map((service) => {
      const endpointSlices: EndpointSliceObject[] = [];
      for (const k of this.slicesOf.get(serviceKey(service))) {
        const sl = slices.get(k);
        if (sl) endpointSlices.push(sl);
      }
      return { service, endpointSlices };
    });
  }

  private syncExcludes(): void {
    const cm = this.informers.configMaps.get(`${this.options.namespace}/${EXCLUDE_L2_CONFIGMAP}`);
    const text = cm?.data?.[EXCLUDE_L2_KEY];
    if (text === this.excludeText) return;
    this.excludeText = text;
    try {
      this.deps.layer2.setExcludedInterfaces(parseExcludeL2(text));
    } catch (e) {
      this.log.error(
        { op: 'layer2', configmap: EXCLUDE_L2_CONFIGMAP, error: String(e) },
        'failed to parse announcedInterfacesToExclude, keeping the previous exclusions',
      );
    }
  }

  private async syncOnce(): Promise<void> {
    const t0 = this.deps.clock.now();
    if (this.configDirty) this.reparse();
    this.syncExcludes();
    const config = this.cfg.config;
    if (!config) {
      this.log.debug({ event: 'noConfig' }, 'not processing, still waiting for config');
      this.firstSyncDone = true;
      return;
    }
    this.stats.syncs++;
    this.metrics.updates.inc();
    const view = this.view(config);
    const inputs = this.inputs();
    const l2 = decideLayer2(view, inputs);
    const reannounce = this.reannounce;
    this.reannounce = false;
    const memberChangeAt = this.memberChangeAt;
    this.memberChangeAt = undefined;
    const answered = this.deps.layer2.apply(l2.addresses, { reannounce });
    const takeover = this.state.applyLayer2(l2.services, answered);
    if (memberChangeAt !== undefined && takeover > 0)
      this.metrics.failoverSeconds.observe(
        undefined,
        (this.deps.clock.now() - memberChangeAt) / 1000,
      );
    const bgp = decideBgp(view, inputs);
    // Not awaited: opening a BGP session must never hold the next Layer 2 decision (failover).
    // The port serializes its applies.
    this.bgpApplying = this.deps.bgp.apply(bgp.sessions, bgp.peers).then(
      (problems) => {
        if (this.cfg.setSessionProblems(problems)) this.status.add(CONFIG_STATE_KEY);
      },
      (e: unknown) => {
        this.metrics.updateErrors.inc();
        this.log.error({ op: 'bgp', error: String(e) }, 'applying BGP sessions failed');
      },
    );
    this.state.applyBgp(bgp.services, bgp.conflicts);
    this.flushOutputs();
    this.firstSyncDone = true;
    const took = this.deps.clock.now() - t0;
    this.metrics.syncSeconds.observe(undefined, took / 1000);
    this.log.debug(
      {
        op: 'sync',
        services: inputs.length,
        layer2Addresses: l2.addresses.length,
        bgpSessions: bgp.sessions.length,
        ms: Math.round(took * 10) / 10,
      },
      'decided and applied',
    );
  }

  /** Logs, events, metrics and status writes the last decisions produced. */
  private flushOutputs(): void {
    const out = this.state.drain();
    for (const l of out.logs) this.log[l.level]({ ...l.fields, service: l.service }, l.msg);
    for (const e of out.events) {
      const svc = this.informers.services.get(e.service);
      if (!svc) continue;
      this.recorder.record({
        object: {
          kind: 'Service',
          apiVersion: 'v1',
          namespace: svc.metadata.namespace ?? '',
          name: svc.metadata.name ?? '',
          ...(svc.metadata.uid ? { uid: svc.metadata.uid } : {}),
        },
        type: e.event.type,
        reason: e.event.reason,
        message: e.event.message,
      });
    }
    for (const g of out.announced) this.metrics.announced.set(g.labels, g.value);
    for (const k of out.statusKeys) this.status.add(k);
  }
}
