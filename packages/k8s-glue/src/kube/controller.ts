// IronLB's controller runtime: MetalLB's controller (controller/main.go + internal/k8s) on the
// reconcile harness. Informers fill caches; events become keys in one work queue; one worker runs
// the pure handlers of src/controller/ on the cached objects; the Writer sends what they decided,
// status first, events after, only while this replica leads. Leadership comes from a Lease
// (MetalLB runs a single replica; #725, #2629): a new leader first makes sure its caches hold
// everything the API server has, rebuilds the allocator from every Service's status (all held
// addresses re-claimed before anything is allocated), and only then hands out addresses.
import type { Clock, Logger, Metrics, WallClock } from '@ironlb/clock';
import { noMetrics, silentLogger } from '@ironlb/clock';
import { createAllocator } from '@ironlb/ipam';
import type {
  BFDProfile,
  BGPAdvertisement,
  BGPPeer,
  Community,
  ConfigurationState,
  IPAddressPool,
  L2Advertisement,
} from '../api/types.generated.js';
import type { ConfigMapObject, NamespaceObject, NodeObject, SecretObject } from '../api/meta.js';
import type { ClusterResources } from '../config/resources.js';
import { handleConfig, type ConditionSpec } from '../controller/config-handler.js';
import { SyncState, type ServiceOutcome } from '../controller/outcome.js';
import { reprocessOrder, restoreAssignments } from '../controller/reprocess.js';
import { handlesServiceEvents, reactToSync } from '../controller/sync-policy.js';
import { handleService, type ControllerState } from '../controller/service-handler.js';
import { serviceKey, type ServiceObject } from '../controller/service.js';
import { legacyConfigMapEvent } from '../controller/status-objects.js';
import { WorkQueue } from '../reconcile/workqueue.js';
import { afterStatusWrite, ControllerWrites } from './controller-writes.js';
import { ControllerMetrics } from './controller-metrics.js';
import { isConflict, isNotFound } from './errors.js';
import { EventRecorder } from './event-recorder.js';
import { Informer, stripForCache, type KubeObject } from './informer.js';
import { LeaderElector } from './leader-elector.js';
import { METALLB_KINDS, paths } from './resources.js';
import type { KubeRest } from './rest.js';
import { FencedError, Writer, openGate } from './writer.js';

export interface ControllerDeps {
  readonly rest: KubeRest;
  readonly clock: Clock;
  readonly wallClock: WallClock;
  readonly logger?: Logger;
  readonly metrics?: Metrics;
  /** Cryptographic random bytes (memberlist key). */
  readonly randomBytes: (n: number) => Uint8Array;
  /** Jitter in [0, 1) (default Math.random). */
  readonly random?: () => number;
}

export interface ControllerLeaderElection {
  /** Lease name (default ironlb-controller). */
  readonly leaseName?: string;
  /** Default 15 000 ms (whole seconds). */
  readonly leaseDurationMs?: number;
  /** Default 10 000 ms. */
  readonly renewDeadlineMs?: number;
  /** Default 2 000 ms. */
  readonly retryPeriodMs?: number;
}

export interface ControllerOptions {
  /** IronLB's namespace (MetalLB's --namespace). */
  readonly namespace: string;
  /** --lb-class. */
  readonly loadBalancerClass?: string;
  /** This pod (owner of ConfigurationState, reportingInstance of events). */
  readonly podName?: string;
  /** Leader identity (default `${podName}_${random}`): unique per process. */
  readonly identity?: string;
  /** --deployment: owner of the memberlist Secret. */
  readonly deployment?: string;
  /** --ml-secret-name: create this memberlist Secret when missing ('' = none). */
  readonly mlSecretName?: string;
  /** Leader election (default on); false = write without a Lease (MetalLB's single replica). */
  readonly leaderElection?: ControllerLeaderElection | false;
  /** Allocate addresses (default true); false = webhook only (--webhook-mode onlywebhook). */
  readonly reconcile?: boolean;
  /** Keep caches of every metallb.io kind, nodes and secrets for the webhook (default false). */
  readonly webhookCaches?: boolean;
  /** fieldManager of every write (default ironlb-controller). */
  readonly fieldManager?: string;
  /** Event source component (default metallb-controller, MetalLB's). */
  readonly component?: string;
  /** Writes in flight (default 16), of which events at most eventConcurrency (default 4). */
  readonly writeConcurrency?: number;
  readonly eventConcurrency?: number;
  /** Delay before writing pool status after its counters change (default 1000 ms). */
  readonly poolStatusDelayMs?: number;
}

const CONFIG = 'config';
const RELOAD = 'reload';
const CONFIG_STATE = 'configstate';
const ML_SECRET = 'mlsecret';
/** Status writes a reprocess-all keeps queued or in flight at most (4× the default concurrency). */
const RELOAD_BACKLOG = 256;

interface Memo {
  rv: string | undefined;
  configGen: number;
  converged: boolean;
}

export class IronlbController {
  readonly namespace: string;
  readonly queue: WorkQueue<string>;
  readonly writer: Writer;
  readonly recorder: EventRecorder;
  readonly elector: LeaderElector | undefined;
  readonly informers: {
    services?: Informer<ServiceObject & KubeObject>;
    pools: Informer<IPAddressPool & KubeObject>;
    communities: Informer<Community & KubeObject>;
    namespaces: Informer<NamespaceObject & KubeObject>;
    configMaps: Informer<ConfigMapObject & KubeObject>;
    configStates?: Informer<ConfigurationState & KubeObject>;
    peers?: Informer<BGPPeer & KubeObject>;
    bfdProfiles?: Informer<BFDProfile & KubeObject>;
    bgpAdvertisements?: Informer<BGPAdvertisement & KubeObject>;
    l2Advertisements?: Informer<L2Advertisement & KubeObject>;
    nodes?: Informer<NodeObject & KubeObject>;
    secrets?: Informer<SecretObject & KubeObject>;
  };
  private readonly log: Logger;
  private readonly m: ControllerMetrics;
  private readonly writes: ControllerWrites;
  private state: ControllerState | undefined;
  private leading = false;
  /** Leading, and the caches are known to be current: keys are processed. */
  private active = false;
  private gen = 0;
  private configGen = 0;
  private initialLoadDone = false;
  private acceptServiceEvents = false;
  private condition: ConditionSpec | undefined;
  private readonly memo = new Map<string, Memo>();
  private readonly inflight = new Map<string, Promise<void>>();
  /** Keys whose Service changed while our write to it was in flight. */
  private readonly recheck = new Set<string>();
  private running = false;
  private synced = false;
  private worker: Promise<void> | undefined;
  readonly stats = { reloads: 0, serviceReconciles: 0, serviceWrites: 0, skipped: 0 };

  constructor(
    private readonly deps: ControllerDeps,
    private readonly options: ControllerOptions,
  ) {
    this.namespace = options.namespace;
    this.log = deps.logger ?? silentLogger;
    this.m = new ControllerMetrics(deps.metrics ?? noMetrics);
    this.queue = new WorkQueue(deps.clock, { onDepth: (d) => this.m.queueDepth.set(undefined, d) });
    const reconcile = options.reconcile ?? true;
    const le = options.leaderElection;
    const identity =
      options.identity ??
      `${options.podName || 'ironlb-controller'}_${Buffer.from(deps.randomBytes(6)).toString('hex')}`;
    this.elector =
      reconcile && le !== false
        ? new LeaderElector(
            {
              rest: deps.rest,
              clock: deps.clock,
              wallClock: deps.wallClock,
              logger: this.log,
              ...(deps.random ? { random: deps.random } : {}),
              onStartedLeading: () => void this.becomeLeader(),
              onStoppedLeading: () => this.stepDown('lost the lease'),
              onNewLeader: (id) =>
                this.log.info({ op: 'leaderElection', leader: id }, 'new leader observed'),
            },
            {
              namespace: options.namespace,
              identity,
              ...(le?.leaseName ? { leaseName: le.leaseName } : {}),
              ...(le?.leaseDurationMs ? { leaseDurationMs: le.leaseDurationMs } : {}),
              ...(le?.renewDeadlineMs ? { renewDeadlineMs: le.renewDeadlineMs } : {}),
              ...(le?.retryPeriodMs ? { retryPeriodMs: le.retryPeriodMs } : {}),
            },
          )
        : undefined;
    this.writer = new Writer(deps.clock, this.elector ?? openGate, {
      concurrency: options.writeConcurrency ?? 64,
      lowConcurrency: options.eventConcurrency ?? 4,
    });
    this.recorder = new EventRecorder(
      {
        rest: deps.rest,
        writer: this.writer,
        clock: deps.clock,
        wallClock: deps.wallClock,
        logger: this.log,
      },
      { component: options.component ?? 'metallb-controller', instance: options.podName ?? '' },
    );
    this.writes = new ControllerWrites(
      {
        rest: deps.rest,
        writer: this.writer,
        wallClock: deps.wallClock,
        logger: this.log,
        randomBytes: deps.randomBytes,
        metrics: this.m,
      },
      {
        namespace: options.namespace,
        fieldManager: options.fieldManager ?? 'ironlb-controller',
        podName: options.podName ?? '',
        deployment: options.deployment ?? '',
      },
    );
    this.informers = this.makeInformers(reconcile, options.webhookCaches ?? false);
  }

  private makeInformers(reconcile: boolean, webhook: boolean): IronlbController['informers'] {
    const ns = this.namespace;
    const mk = <T extends KubeObject>(
      name: string,
      path: string,
      extra: { fieldSelector?: string } = {},
    ) =>
      new Informer<T>(
        {
          rest: this.deps.rest,
          clock: this.deps.clock,
          logger: this.log,
          ...(this.deps.random ? { random: this.deps.random } : {}),
        },
        { name, path, transform: stripForCache, ...extra },
      );
    const cr = (k: keyof typeof METALLB_KINDS) =>
      paths.metallb(ns, METALLB_KINDS[k].version, METALLB_KINDS[k].plural);
    return {
      ...(reconcile
        ? { services: mk<ServiceObject & KubeObject>('services', paths.services()) }
        : {}),
      pools: mk('ipaddresspools', cr('pools')),
      communities: mk('communities', cr('communities')),
      namespaces: mk('namespaces', paths.namespaces()),
      configMaps: mk('configmaps', paths.configMaps(ns)),
      ...(reconcile
        ? {
            configStates: mk('configurationstates', cr('configurationStates'), {
              fieldSelector: 'metadata.name=controller',
            }),
          }
        : {}),
      ...(webhook
        ? {
            peers: mk('bgppeers', cr('peers')),
            bfdProfiles: mk('bfdprofiles', cr('bfdProfiles')),
            bgpAdvertisements: mk('bgpadvertisements', cr('bgpAdvertisements')),
            l2Advertisements: mk('l2advertisements', cr('l2Advertisements')),
            nodes: mk('nodes', paths.nodes()),
            secrets: mk('secrets', paths.secrets(ns)),
          }
        : {}),
    };
  }

  /** Caches synced (the readiness probe). */
  get ready(): boolean {
    return this.synced;
  }

  get isLeader(): boolean {
    return this.leading;
  }

  /** What the webhook validates against: the cached objects. */
  clusterResources(): ClusterResources {
    const i = this.informers;
    const extras = i.configMaps.get(`${this.namespace}/bgpextras`);
    return {
      pools: i.pools.list(),
      communities: i.communities.list(),
      namespaces: i.namespaces.list(),
      peers: i.peers?.list() ?? [],
      bfdProfiles: i.bfdProfiles?.list() ?? [],
      bgpAdvertisements: i.bgpAdvertisements?.list() ?? [],
      l2Advertisements: i.l2Advertisements?.list() ?? [],
      nodes: i.nodes?.list() ?? [],
      secrets: i.secrets?.list() ?? [],
      ...(extras ? { bgpExtras: extras } : {}),
    };
  }

  /** Starts the informers; resolves once every cache is synced, then campaigns (or leads). */
  async start(): Promise<void> {
    if (this.running) return;
    this.running = true;
    this.wireHandlers();
    const reconcile = this.options.reconcile ?? true;
    if (reconcile) this.worker = this.workLoop();
    // Campaign first: when this replica wins at once (a single replica, a released Lease), the
    // caches listed next already hold every write of any previous leader and need no relist.
    if (this.elector) {
      this.elector.start();
      await this.elector.firstAttempt();
    }
    const all = Object.values(this.informers).filter(
      (x): x is Informer<KubeObject> => x !== undefined,
    );
    for (const inf of all) inf.start();
    await Promise.all(all.map((inf) => inf.synced()));
    if (!this.running) return;
    this.synced = true;
    for (const w of this.syncWaiters.splice(0)) w();
    this.log.info(
      { op: 'startup', caches: all.map((i) => `${i.name}=${i.size}`).join(',') },
      'caches synced',
    );
    if (reconcile && !this.elector) void this.becomeLeader();
  }

  private syncWaiters: (() => void)[] = [];

  private cachesSynced(): Promise<void> {
    if (this.synced) return Promise.resolve();
    return new Promise((resolve) => this.syncWaiters.push(resolve));
  }

  /** Stops in reverse: leadership (releasing the Lease), the worker, the informers. */
  async stop(): Promise<void> {
    if (!this.running) return;
    this.running = false;
    if (this.elector) await this.elector.stop();
    else this.stepDown('stopping');
    this.queue.shutDown();
    await this.worker;
    for (const inf of Object.values(this.informers)) inf?.stop();
  }

  // ---------------------------------------------------------------- events → keys

  private wireHandlers(): void {
    const i = this.informers;
    const whenLeading = (fn: () => void) => () => {
      if (this.active) fn();
    };
    const config = whenLeading(() => this.queue.add(CONFIG));
    // Service events before the first reprocess-all are covered by it (it reads the cache).
    const svc = (o: ServiceObject) => {
      if (!this.active || !this.acceptServiceEvents) return;
      const key = serviceKey(o);
      // The echo of our own write in flight is decided when the write returns.
      if (this.inflight.has(key)) this.recheck.add(key);
      else this.queue.add(`svc:${key}`);
    };
    i.services?.on({ add: svc, update: (_o, n) => svc(n), delete: svc });
    // Pool status writes change no generation: they are not configuration changes.
    i.pools.on({
      add: (p) => {
        config();
        if (this.active) this.queue.add(`pool:${p.metadata.name ?? ''}`);
      },
      update: (o, p) => {
        if (o.metadata.generation !== p.metadata.generation) config();
      },
      delete: config,
    });
    i.communities.on({ add: config, update: config, delete: config });
    // MetalLB re-parses on namespace label changes only (namespaceSelectors).
    i.namespaces.on({
      add: config,
      update: (o, n) => {
        if (JSON.stringify(o.metadata.labels ?? {}) !== JSON.stringify(n.metadata.labels ?? {}))
          config();
      },
      delete: config,
    });
    const legacy = (cm: ConfigMapObject) => {
      if (this.active && legacyConfigMapEvent(cm, this.namespace))
        this.queue.add(`legacy:${cm.metadata.name ?? ''}`);
    };
    i.configMaps.on({ add: legacy, update: (_o, cm) => legacy(cm) });
    // ConfigurationState heals itself when deleted (MetalLB's reconciler does the same).
    i.configStates?.on({ delete: whenLeading(() => this.queue.add(CONFIG_STATE)) });
  }

  // ---------------------------------------------------------------- leadership

  private async becomeLeader(): Promise<void> {
    if (!this.running || this.leading) return;
    const g = ++this.gen;
    this.leading = true;
    this.m.leader.set(undefined, 1);
    this.memo.clear();
    this.initialLoadDone = false;
    this.condition = undefined;
    this.configGen++;
    this.state = {
      allocator: createAllocator({
        onCountersChanged: (pool) => {
          this.m.poolCounters(this.state?.allocator, pool);
          if (this.leading)
            this.queue.addAfter(`pool:${pool}`, this.options.poolStatusDelayMs ?? 1000);
        },
      }),
      config: undefined,
    };
    await this.cachesSynced();
    if (g !== this.gen) return;
    // Decide on what the API server has now, not on what a lagging watch delivered so far: the
    // previous leader may have written until just before its Lease ran out. A cache listed after
    // this replica won the Lease holds all of that; an older one (a standby's) is brought up to date.
    const since = this.elector?.leadingSince() ?? Number.NEGATIVE_INFINITY;
    const stale = [
      this.informers.services,
      this.informers.pools,
      this.informers.communities,
      this.informers.namespaces,
    ]
      .filter((inf): inf is Informer<KubeObject> => inf !== undefined)
      .filter((inf) => inf.listStartedAt < since);
    this.log.info(
      { op: 'leaderElection', refreshing: stale.map((i) => i.name).join(',') },
      'leading: making sure the caches are current before allocating',
    );
    for (;;) {
      const ok = await Promise.all(stale.map((inf) => inf.ensureFresh(300)));
      if (g !== this.gen) return;
      if (ok.every(Boolean)) break;
      await new Promise<void>((r) => this.deps.clock.setTimeout(r, 500));
      if (g !== this.gen) return;
    }
    this.active = true;
    this.queue.add(CONFIG);
    if (this.options.mlSecretName) this.queue.add(ML_SECRET);
    for (const cm of this.informers.configMaps.list()) {
      if (legacyConfigMapEvent(cm, this.namespace))
        this.queue.add(`legacy:${cm.metadata.name ?? ''}`);
    }
  }

  private stepDown(why: string): void {
    if (!this.leading) return;
    this.gen++;
    this.leading = false;
    this.active = false;
    this.m.leader.set(undefined, 0);
    this.queue.clear();
    this.writer.drop();
    this.state = undefined;
    this.initialLoadDone = false;
    this.acceptServiceEvents = false;
    this.recheck.clear();
    this.memo.clear();
    this.log.warn(
      { op: 'leaderElection', reason: why },
      'stopped leading: nothing more is written',
    );
  }

  // ---------------------------------------------------------------- the worker

  private async workLoop(): Promise<void> {
    for (;;) {
      const key = await this.queue.get();
      if (key === undefined) return;
      const t0 = this.deps.clock.now();
      let kind = key.split(':', 1)[0] ?? key;
      try {
        if (!this.active || !this.state) {
          this.queue.done(key);
          continue;
        }
        kind = await this.process(key, this.gen);
      } catch (e) {
        this.log.error({ op: 'reconcile', key, error: String(e) }, 'reconcile failed');
        this.queue.addRateLimited(key);
        this.queue.done(key);
      }
      this.m.reconcileSeconds.observe({ kind }, (this.deps.clock.now() - t0) / 1000);
    }
  }

  /** Processes one key; calls queue.done(key) itself (possibly after its write). */
  private async process(key: string, g: number): Promise<string> {
    const state = this.state!;
    if (key === CONFIG) {
      this.processConfig(state);
      this.queue.done(key);
      return 'config';
    }
    if (key === RELOAD) {
      await this.reload(state, g);
      this.queue.done(key);
      return 'reload';
    }
    if (key === CONFIG_STATE) {
      this.track(
        key,
        this.writes.configurationState(
          this.condition,
          this.informers.configStates?.get(`${this.namespace}/controller`),
        ),
      );
      return 'configstate';
    }
    if (key === ML_SECRET) {
      this.track(key, this.writes.memberlistSecret(this.options.mlSecretName ?? ''));
      return 'mlsecret';
    }
    if (key.startsWith('legacy:')) {
      const cm = this.informers.configMaps.get(`${this.namespace}/${key.slice(7)}`);
      const e = cm ? legacyConfigMapEvent(cm, this.namespace) : undefined;
      if (e) this.recorder.record(e);
      this.queue.done(key);
      return 'legacy';
    }
    if (key.startsWith('pool:')) {
      const name = key.slice(5);
      const pool = this.informers.pools.get(`${this.namespace}/${name}`);
      const counters = state.allocator.counters(name);
      if (!pool || !counters) {
        this.queue.done(key);
        return 'pool';
      }
      this.track(
        key,
        this.writes.poolStatus(pool, counters, (p) =>
          this.informers.pools.writeThrough(p, pool.metadata.resourceVersion),
        ),
      );
      return 'pool';
    }
    // svc:<namespace/name>
    const svcKey = key.slice(4);
    if (!handlesServiceEvents(this.initialLoadDone)) {
      // MetalLB: Service events wait for the first reprocess-all, which sees every Service.
      this.queue.done(key);
      return 'service';
    }
    await this.inflight.get(svcKey);
    if (g !== this.gen) {
      this.queue.done(key);
      return 'service';
    }
    const svc = this.informers.services?.get(svcKey);
    this.stats.serviceReconciles++;
    const outcome = handleService(state, svcKey, svc, this.handlerOptions());
    this.apply(svcKey, svc, outcome, g, key);
    return 'service';
  }

  private handlerOptions() {
    return this.options.loadBalancerClass
      ? { loadBalancerClass: this.options.loadBalancerClass }
      : {};
  }

  /** A write-like task for `key`: done() when it settles, retried with backoff when it fails. */
  private track(key: string, p: Promise<void>): void {
    p.then(
      () => this.queue.forget(key),
      (e: unknown) => {
        if (e instanceof FencedError) return;
        this.m.updateErrors.inc();
        this.log.error({ op: key, error: String(e) }, 'write failed, retrying');
        this.queue.addRateLimited(key);
      },
    ).finally(() => this.queue.done(key));
  }

  private processConfig(state: ControllerState): void {
    const i = this.informers;
    this.m.updates.inc();
    const out = handleConfig(
      state,
      { pools: i.pools.list(), communities: i.communities.list(), namespaces: i.namespaces.list() },
      this.namespace,
    );
    for (const e of out.events) this.recorder.record(e);
    this.condition = out.condition;
    this.m.configStale.set(undefined, out.stale ? 1 : 0);
    if (out.reloaded) {
      this.configGen++;
      this.m.configLoaded.set(undefined, 1);
      this.log.info(
        {
          controller: 'PoolReconciler',
          event: 'config reloaded',
          pools: state.config?.pools.length ?? 0,
        },
        'config reloaded',
      );
    }
    if (out.stale) {
      this.m.updateErrors.inc();
      this.log.error(
        { controller: 'PoolReconciler', error: out.condition.message },
        'failed to parse the configuration',
      );
    }
    for (const p of state.config?.pools ?? []) this.m.poolCounters(state.allocator, p.name);
    this.queue.add(CONFIG_STATE);
    if (out.sync === SyncState.ReprocessAll) this.queue.add(RELOAD);
    if (out.sync === SyncState.Error) this.queue.addRateLimited(CONFIG);
    else this.queue.forget(CONFIG);
  }

  /** MetalLB's reprocessAll; the first one after becoming leader restores every held address first. */
  private async reload(state: ControllerState, g: number): Promise<void> {
    await this.writer.idleHigh();
    await Promise.all(this.inflight.values());
    if (g !== this.gen || !state.config) return;
    this.acceptServiceEvents = true;
    const services = this.informers.services?.list() ?? [];
    this.stats.reloads++;
    if (!this.initialLoadDone) {
      const restored = restoreAssignments(state, services, this.handlerOptions());
      this.log.info(
        { controller: 'ServiceReconciler - reprocessAll', services: services.length, restored },
        'restored held addresses',
      );
    }
    let again = false;
    let n = 0;
    for (const snapshot of reprocessOrder(services)) {
      if (++n % 64 === 0) {
        // Decide no faster than the API server takes the writes: a bounded backlog (the writes
        // hold their objects until sent) and a turn for the watches in between.
        await (this.writer.pendingHigh > RELOAD_BACKLOG
          ? this.writer.highAtMost(RELOAD_BACKLOG / 2)
          : new Promise<void>((r) => setImmediate(r)));
        if (g !== this.gen) return;
      }
      const key = serviceKey(snapshot);
      // The cache may have moved on while we yielded; the queue will see those changes too.
      const svc = this.informers.services?.get(key);
      if (!svc) continue;
      const memo = this.memo.get(key);
      if (
        memo &&
        memo.converged &&
        memo.rv === svc.metadata.resourceVersion &&
        memo.configGen === this.configGen
      ) {
        // Nothing this Service depends on changed: the handler would decide the same.
        this.stats.skipped++;
        continue;
      }
      this.stats.serviceReconciles++;
      const outcome = handleService(state, key, svc, this.handlerOptions());
      if (reactToSync(outcome.sync, true).retry) again = true;
      this.apply(key, svc, outcome, g, undefined, true);
    }
    if (!this.initialLoadDone) {
      const mem = process.memoryUsage();
      this.log.info(
        {
          controller: 'ServiceReconciler - reprocessAll',
          services: services.length,
          writes: this.writer.pendingHigh,
          heapUsedMiB: Math.round(mem.heapUsed / 2 ** 20),
          heapTotalMiB: Math.round(mem.heapTotal / 2 ** 20),
          externalMiB: Math.round(mem.external / 2 ** 20),
          rssMiB: Math.round(mem.rss / 2 ** 20),
        },
        'initial load done',
      );
    }
    this.initialLoadDone = true;
    // MetalLB retries the whole pass with backoff when a Service asked for another one.
    if (again) this.queue.addRateLimited(RELOAD);
    else this.queue.forget(RELOAD);
  }

  /** Sends what a Service handler decided. `queueKey`: call done() on it once written. */
  private apply(
    key: string,
    svc: ServiceObject | undefined,
    outcome: ServiceOutcome,
    g: number,
    queueKey: string | undefined,
    inReload = false,
  ): void {
    this.m.updates.inc();
    const reaction = reactToSync(outcome.sync, inReload);
    if (reaction.countError) this.m.updateErrors.inc();
    for (const e of outcome.events) this.recorder.record(e);
    if (reaction.reprocessAll) this.queue.add(RELOAD);
    if (reaction.retry && queueKey) this.queue.addRateLimited(queueKey);
    const rv = svc?.metadata.resourceVersion;
    if (!outcome.update || !svc) {
      if (svc) this.memo.set(key, { rv, configGen: this.configGen, converged: outcome.converged });
      else this.memo.delete(key);
      if (queueKey) {
        if (!reaction.retry) this.queue.forget(queueKey);
        this.queue.done(queueKey);
      }
      return;
    }
    this.stats.serviceWrites++;
    const configGen = this.configGen;
    const p = this.writes
      .serviceStatus(svc, outcome.update)
      .then(
        (written) => {
          this.informers.services?.writeThrough(afterStatusWrite(svc, written), rv);
          if (g === this.gen) {
            this.memo.set(key, {
              rv: written.metadata.resourceVersion,
              configGen,
              converged: outcome.converged,
            });
          }
          if (queueKey) this.queue.forget(queueKey);
          this.log.info(
            {
              controller: 'ServiceReconciler',
              service: key,
              ips: outcome.update?.ingress,
              event: 'serviceUpdated',
            },
            'updated service object',
          );
        },
        (e: unknown) => {
          this.memo.delete(key);
          if (e instanceof FencedError || g !== this.gen) return;
          if (isNotFound(e)) return; // deleted meanwhile: its delete event follows
          if (!isConflict(e)) {
            this.m.updateErrors.inc();
            this.log.error(
              { op: 'updateServiceStatus', service: key, error: String(e) },
              'failed to update service',
            );
          }
          // A conflict means our cache is behind: retry once the watch has caught up.
          this.queue.addRateLimited(`svc:${key}`);
        },
      )
      .finally(() => {
        if (this.inflight.get(key) === p) this.inflight.delete(key);
        if (this.recheck.delete(key) && g === this.gen) {
          // Only an object other than the one we wrote (someone else changed it) needs another look.
          const cached = this.informers.services?.get(key)?.metadata.resourceVersion;
          if (cached !== this.memo.get(key)?.rv) this.queue.add(`svc:${key}`);
        }
        if (queueKey) this.queue.done(queueKey);
      });
    this.inflight.set(key, p);
  }
}
