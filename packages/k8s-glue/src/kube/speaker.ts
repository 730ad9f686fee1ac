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
import type {
  BFDProfile,
  BGPAdvertisement,
  BGPPeer,
  Community,
  ConfigurationState,
  IPAddressPool,
  L2Advertisement,
} from '../api/types.generated.js';
import type { ConfigMapObject, NamespaceObject, SecretObject } from '../api/meta.js';
import { decideBgp } from '../announce/bgp.js';
import { decideLayer2 } from '../announce/layer2.js';
import { parseExcludeL2 } from '../announce/speaker-config.js';
import type { EndpointSliceObject, NodeStatusObject, ServiceInput } from '../announce/types.js';
import {
  ConditionReason,
  ConditionType,
  type ConditionSpec,
} from '../controller/config-handler.js';
import { serviceKey, type ServiceObject } from '../controller/service.js';
import { parseConfig } from '../config/parse.js';
import type { ClusterResources } from '../config/resources.js';
import { anySelectorMatches } from '../config/selector.js';
import type { DomainConfig } from '../config/types.js';
import { WorkQueue } from '../reconcile/workqueue.js';
import { statusServiceKey, type StatusKind } from '../speaker/status-objects.js';
import { EventRecorder } from './event-recorder.js';
import { Informer, objectKey, stripForCache, type KubeObject } from './informer.js';
import { BGP_EXTRAS_CONFIGMAP } from './list.js';
import { METALLB_KINDS, paths } from './resources.js';
import type { KubeRest } from './rest.js';
import { MemberJoiner } from './speaker-members.js';
import { SpeakerMetrics } from './speaker-metrics.js';
import type { BgpPort, BgpSessionProblem, Layer2Port, MembershipPort } from './speaker-ports.js';
import { SpeakerState, type StatusWant } from './speaker-state.js';
import { SpeakerWrites, type StatusObject, type StatusWriteLog } from './speaker-writes.js';
import { Writer, openGate } from './writer.js';

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

const CONFIG_STATE = 'cs';

type Inf<T> = Informer<T & KubeObject>;

export class IronlbSpeaker {
  readonly queue: WorkQueue<string>;
  readonly writer: Writer;
  readonly recorder: EventRecorder;
  readonly informers: {
    services: Inf<ServiceObject>;
    endpointSlices: Inf<EndpointSliceObject>;
    nodes: Inf<NodeStatusObject>;
    namespaces: Inf<NamespaceObject>;
    pools: Inf<IPAddressPool>;
    communities: Inf<Community>;
    peers: Inf<BGPPeer>;
    bfdProfiles: Inf<BFDProfile>;
    bgpAdvertisements: Inf<BGPAdvertisement>;
    l2Advertisements: Inf<L2Advertisement>;
    secrets: Inf<SecretObject>;
    configMaps: Inf<ConfigMapObject>;
    l2Statuses: Inf<StatusObject>;
    bgpStatuses: Inf<StatusObject>;
    configStates: Inf<ConfigurationState>;
  };
  readonly state: SpeakerState;
  readonly metrics: SpeakerMetrics;
  private readonly log: Logger;
  private readonly writes: SpeakerWrites;
  private readonly joiner: MemberJoiner | undefined;
  private config: DomainConfig | undefined;
  private configDirty = true;
  private configCondition: ConditionSpec | undefined;
  private sessionProblems: readonly BgpSessionProblem[] = [];
  private excludeText: string | undefined = '\u0000unset';
  /** Slices by Service ("namespace/name" → slice keys), MetalLB's kubernetes.io/service-name index. */
  private readonly slicesOf = new Map<string, Set<string>>();
  /** Status objects by Service ("namespace/name" → object keys), per kind. */
  private readonly statusIndex: Record<StatusKind, Map<string, Set<string>>> = {
    ServiceL2Status: new Map(),
    ServiceBGPStatus: new Map(),
  };
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
  private worker: Promise<void> | undefined;
  private readonly unsubscribe: (() => void)[] = [];
  readonly stats = { syncs: 0, configParses: 0, statusWrites: 0 };

  constructor(
    private readonly deps: SpeakerDeps,
    private readonly options: SpeakerOptions,
  ) {
    this.log = deps.logger ?? silentLogger;
    this.metrics = new SpeakerMetrics(deps.metrics ?? noMetrics);
    // Status writes retry within seconds, not client-go's minutes: during a split brain two nodes
    // delete each other's objects for a moment, and the backoff must not outlive it.
    this.queue = new WorkQueue(deps.clock, { baseDelayMs: 50, maxDelayMs: 5000 });
    this.writer = new Writer(deps.clock, openGate, { concurrency: 8, lowConcurrency: 2 });
    this.recorder = new EventRecorder(
      {
        rest: deps.rest,
        writer: this.writer,
        clock: deps.clock,
        wallClock: deps.wallClock,
        logger: this.log,
      },
      { component: options.component ?? 'metallb-speaker', instance: options.podName ?? '' },
    );
    this.writes = new SpeakerWrites(
      {
        rest: deps.rest,
        writer: this.writer,
        wallClock: deps.wallClock,
        logger: this.log,
        metrics: this.metrics,
      },
      {
        namespace: options.namespace,
        node: options.nodeName,
        podName: options.podName ?? '',
        fieldManager: options.fieldManager ?? 'ironlb-speaker',
      },
    );
    this.state = new SpeakerState(options.nodeName);
    this.informers = this.makeInformers();
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

  private makeInformers(): IronlbSpeaker['informers'] {
    const ns = this.options.namespace;
    const mk = <T>(name: string, path: string, extra: { fieldSelector?: string } = {}) =>
      new Informer<T & KubeObject>(
        {
          rest: this.deps.rest,
          clock: this.deps.clock,
          logger: this.log,
          ...(this.deps.random ? { random: this.deps.random } : {}),
        },
        // managedFields and kubectl's last-applied copy are most of a small object's size.
        { name, path, transform: stripForCache, ...extra },
      );
    const cr = (k: keyof typeof METALLB_KINDS) =>
      paths.metallb(ns, METALLB_KINDS[k].version, METALLB_KINDS[k].plural);
    return {
      services: mk('services', paths.services()),
      endpointSlices: mk('endpointslices', paths.endpointSlices()),
      nodes: mk('nodes', paths.nodes()),
      namespaces: mk('namespaces', paths.namespaces()),
      pools: mk('ipaddresspools', cr('pools')),
      communities: mk('communities', cr('communities')),
      peers: mk('bgppeers', cr('peers')),
      bfdProfiles: mk('bfdprofiles', cr('bfdProfiles')),
      bgpAdvertisements: mk('bgpadvertisements', cr('bgpAdvertisements')),
      l2Advertisements: mk('l2advertisements', cr('l2Advertisements')),
      secrets: mk('secrets', paths.secrets(ns)),
      configMaps: mk('configmaps', paths.configMaps(ns)),
      l2Statuses: mk('servicel2statuses', cr('serviceL2Statuses')),
      bgpStatuses: mk('servicebgpstatuses', cr('serviceBGPStatuses')),
      configStates: mk('configurationstates', cr('configurationStates'), {
        fieldSelector: `metadata.name=speaker-${this.options.nodeName}`,
      }),
    };
  }

  /** Caches synced and the first sync done (the readiness probe). */
  get ready(): boolean {
    return this.synced && this.firstSyncDone;
  }

  /** The last parsed configuration (undefined until one parsed). */
  get currentConfig(): DomainConfig | undefined {
    return this.config;
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
    this.worker = this.workLoop();
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
    if (this.syncTimer !== undefined) this.deps.clock.clearTimeout(this.syncTimer);
    this.syncTimer = undefined;
    await this.syncing;
    const expected = this.config ? this.takeoverAddresses(this.config) : [];
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
  async clearStatuses(timeoutMs: number): Promise<void> {
    const mine = (inf: Inf<StatusObject>) =>
      inf.list().filter((o) => o.metadata.labels?.['metallb.io/node'] === this.options.nodeName);
    const all = [
      ...mine(this.informers.l2Statuses).map((o) => ['servicel2statuses', o] as const),
      ...mine(this.informers.bgpStatuses).map((o) => ['servicebgpstatuses', o] as const),
    ];
    const work = Promise.all(
      all.map(([plural, o]) =>
        this.deps.rest
          .request({
            method: 'DELETE',
            path: `${paths.metallb(this.options.namespace, 'v1beta1', plural)}/${o.metadata.name ?? ''}`,
            timeoutMs,
          })
          .catch(() => undefined),
      ),
    );
    await Promise.race([work, new Promise<void>((r) => this.deps.clock.setTimeout(r, timeoutMs))]);
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
    this.queue.shutDown();
    await this.worker;
    for (const inf of Object.values(this.informers) as Informer<KubeObject>[]) inf.stop();
  }

  // ---------------------------------------------------------------- events → work

  private wireHandlers(): void {
    const i = this.informers;
    const sync = () => this.requestSync();
    const config = () => {
      this.configDirty = true;
      this.requestSync();
    };
    const labelsChanged = (a: KubeObject, b: KubeObject) =>
      JSON.stringify(a.metadata.labels ?? {}) !== JSON.stringify(b.metadata.labels ?? {});
    i.services.on({ add: sync, update: sync, delete: sync });
    const sliceService = (s: EndpointSliceObject & KubeObject) => {
      const name = s.metadata.labels?.['kubernetes.io/service-name'];
      return name === undefined ? undefined : `${s.metadata.namespace ?? ''}/${name}`;
    };
    i.endpointSlices.on({
      add: (s) => {
        const svc = sliceService(s);
        if (svc !== undefined) {
          const set = this.slicesOf.get(svc) ?? new Set();
          set.add(objectKey(s));
          this.slicesOf.set(svc, set);
        }
        sync();
      },
      update: (o, s) => {
        const before = sliceService(o);
        const after = sliceService(s);
        if (before !== after) {
          if (before !== undefined) this.slicesOf.get(before)?.delete(objectKey(o));
          if (after !== undefined) {
            const set = this.slicesOf.get(after) ?? new Set();
            set.add(objectKey(s));
            this.slicesOf.set(after, set);
          }
        }
        sync();
      },
      delete: (s) => {
        const svc = sliceService(s);
        if (svc !== undefined) {
          const set = this.slicesOf.get(svc);
          set?.delete(objectKey(s));
          if (set?.size === 0) this.slicesOf.delete(svc);
        }
        sync();
      },
    });
    // Nodes are configuration inputs (node selectors resolve to names) only through their labels;
    // their NetworkUnavailable condition is a decision input (MetalLB's NodeReconciler).
    i.nodes.on({
      add: config,
      delete: config,
      update: (o, n) => {
        if (labelsChanged(o, n)) {
          config();
          if (n.metadata.name === this.options.nodeName) this.joiner?.refresh();
        } else if (networkUnavailable(o) !== networkUnavailable(n)) sync();
      },
    });
    i.namespaces.on({
      add: config,
      delete: config,
      update: (o, n) => {
        if (labelsChanged(o, n)) config();
      },
    });
    for (const inf of [
      i.pools,
      i.communities,
      i.peers,
      i.bfdProfiles,
      i.bgpAdvertisements,
      i.l2Advertisements,
      i.secrets,
    ] as Informer<KubeObject>[]) {
      inf.on({
        add: config,
        delete: config,
        // Status-only writes (pool counters) change no generation.
        update: (o, n) => {
          if (
            o.metadata.generation === undefined ||
            o.metadata.generation !== n.metadata.generation
          )
            config();
        },
      });
    }
    const cm = (c: ConfigMapObject & KubeObject) => {
      const name = c.metadata.name;
      if (name === BGP_EXTRAS_CONFIGMAP) config();
      if (name === EXCLUDE_L2_CONFIGMAP) sync();
    };
    i.configMaps.on({ add: cm, update: (_o, c) => cm(c), delete: cm });
    // Status objects: indexed by Service; a change someone else made (a deletion, another
    // node's object appearing) is checked against what this node wants.
    const status = (kind: StatusKind) => {
      const index = this.statusIndex[kind];
      const put = (o: StatusObject) => {
        const svc = statusServiceKey(o.metadata);
        if (svc === undefined) return;
        const set = index.get(svc) ?? new Set();
        set.add(objectKey(o));
        index.set(svc, set);
        this.queue.add(`${kind}|${svc}`);
      };
      const drop = (o: StatusObject, gone = true) => {
        if (gone) this.state.observedDeletion(kind, o.metadata.name ?? '');
        const svc = statusServiceKey(o.metadata);
        if (svc === undefined) return;
        const set = index.get(svc);
        set?.delete(objectKey(o));
        if (set?.size === 0) index.delete(svc);
        this.queue.add(`${kind}|${svc}`);
      };
      return {
        add: put,
        update: (o: StatusObject, n: StatusObject) => {
          if (statusServiceKey(o.metadata) !== statusServiceKey(n.metadata)) drop(o, false);
          put(n);
        },
        delete: (o: StatusObject) => drop(o),
      };
    };
    i.l2Statuses.on(status('ServiceL2Status'));
    i.bgpStatuses.on(status('ServiceBGPStatus'));
    // ConfigurationState heals itself when deleted (MetalLB's reconciler does the same).
    i.configStates.on({ delete: () => this.queue.add(CONFIG_STATE) });
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

  private clusterResources(): ClusterResources {
    const i = this.informers;
    const me = i.nodes.get(this.options.nodeName);
    const labels = me?.metadata.labels ?? {};
    // MetalLB's speaker parses only the BGPPeers and BGPAdvertisements that select its node: a
    // broken peer elsewhere does not invalidate this node's configuration ("node-specific results").
    const forMe = (sels: unknown) => {
      if (!Array.isArray(sels) || sels.length === 0) return true;
      try {
        return anySelectorMatches(sels, labels);
      } catch {
        return true; // let the parser report the malformed selector
      }
    };
    const extras = i.configMaps.get(`${this.options.namespace}/${BGP_EXTRAS_CONFIGMAP}`);
    return {
      pools: i.pools.list(),
      communities: i.communities.list(),
      namespaces: i.namespaces.list(),
      peers: i.peers.list().filter((p) => forMe(p.spec?.nodeSelectors)),
      bfdProfiles: i.bfdProfiles.list(),
      bgpAdvertisements: i.bgpAdvertisements.list().filter((a) => forMe(a.spec?.nodeSelectors)),
      l2Advertisements: i.l2Advertisements.list(),
      nodes: i.nodes.list(),
      secrets: i.secrets.list(),
      ...(extras ? { bgpExtras: extras } : {}),
    };
  }

  private reparse(): void {
    this.configDirty = false;
    this.stats.configParses++;
    const res = parseConfig(this.clusterResources(), { namespace: this.options.namespace });
    if (res.ok) {
      const changed = JSON.stringify(res.config) !== JSON.stringify(this.config ?? null);
      this.config = res.config;
      this.metrics.configLoaded.set(undefined, 1);
      this.metrics.configStale.set(undefined, 0);
      this.setConfigCondition({
        type: ConditionType.ConfigReconcilerValid,
        status: 'True',
        reason: ConditionReason.None,
        message: '',
      });
      if (changed)
        this.log.info({ controller: 'ConfigReconciler', event: 'configLoaded' }, 'config reloaded');
      return;
    }
    this.metrics.configStale.set(undefined, 1);
    this.metrics.updateErrors.inc();
    const message = res.problems.map((p) => p.message).join('\n');
    this.setConfigCondition({
      type: ConditionType.ConfigReconcilerValid,
      status: 'False',
      reason: ConditionReason.Configuration,
      message,
    });
    this.log.error(
      { controller: 'ConfigReconciler', error: message },
      'failed to parse the configuration',
    );
  }

  private setConfigCondition(c: ConditionSpec): void {
    const prev = this.configCondition;
    this.configCondition = c;
    if (!prev || prev.status !== c.status || prev.message !== c.message)
      this.queue.add(CONFIG_STATE);
  }

  /** The ConfigurationState conditions: the parse, plus sessions the protocols refused. */
  conditions(): ConditionSpec[] {
    const c = this.configCondition;
    if (!c) return [];
    if (c.status !== 'True' || this.sessionProblems.length === 0) return [c];
    return [
      {
        type: ConditionType.ConfigReconcilerValid,
        status: 'False',
        reason: ConditionReason.Configuration,
        message: this.sessionProblems.map((p) => `BGPPeer ${p.name}: ${p.message}`).join('\n'),
      },
    ];
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
      const keys = this.slicesOf.get(serviceKey(service));
      const endpointSlices: EndpointSliceObject[] = [];
      if (keys)
        for (const k of keys) {
          const s = slices.get(k);
          if (s) endpointSlices.push(s);
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
    const config = this.config;
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
        if (JSON.stringify(problems) !== JSON.stringify(this.sessionProblems)) {
          this.sessionProblems = problems;
          this.queue.add(CONFIG_STATE);
        }
      },
      (e: unknown) => {
        this.metrics.updateErrors.inc();
        this.log.error({ op: 'bgp', error: String(e) }, 'applying BGP sessions failed');
      },
    );
    this.state.applyBgp(bgp.services, bgp.conflicts);
    this.flushOutputs();
    this.firstSyncDone = true;
    this.metrics.syncSeconds.observe(undefined, (this.deps.clock.now() - t0) / 1000);
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
    for (const k of out.statusKeys) this.queue.add(k);
  }

  // ---------------------------------------------------------------- status writes

  private async workLoop(): Promise<void> {
    for (;;) {
      const key = await this.queue.get();
      if (key === undefined) return;
      try {
        await this.processKey(key);
        this.queue.forget(key);
      } catch (e) {
        this.metrics.updateErrors.inc();
        this.log.error({ op: 'status', key, error: String(e) }, 'status write failed, retrying');
        this.queue.addRateLimited(key);
      }
      this.queue.done(key);
    }
  }

  private async processKey(key: string): Promise<void> {
    // Handing over: the next owner writes its objects now; this node must not delete them as the
    // Layer 2 winner it was.
    if (this.frozen && key !== CONFIG_STATE) return;
    if (key === CONFIG_STATE) {
      const conds = this.conditions();
      if (conds.length === 0) return;
      await this.writes.configurationState(
        conds,
        this.informers.configStates.get(
          `${this.options.namespace}/speaker-${this.options.nodeName}`,
        ),
      );
      return;
    }
    const [kind, svcKey] = key.split('|', 2) as [StatusKind, string];
    const [namespace = '', name = ''] = svcKey.split('/', 2);
    const want: StatusWant | undefined = this.state.statusWant(kind, svcKey);
    const inf = kind === 'ServiceL2Status' ? this.informers.l2Statuses : this.informers.bgpStatuses;
    const objects: StatusObject[] = [];
    for (const k of this.statusIndex[kind].get(svcKey) ?? []) {
      const o = inf.get(k);
      if (o) objects.push(o);
    }
    const existing = this.state.overlay(kind, svcKey, objects);
    this.stats.statusWrites++;
    const acc: StatusWriteLog = { written: [], deleted: [], gone: [] };
    try {
      await this.writes.syncStatus(
        kind,
        { namespace, name },
        want,
        existing,
        kind === 'ServiceL2Status' && want !== undefined,
        acc,
      );
    } finally {
      this.state.recordWrites(kind, acc.written, acc.deleted, acc.gone);
    }
  }
}

function networkUnavailable(n: NodeStatusObject): boolean {
  return (n.status?.conditions ?? []).some(
    (c) => c.type === 'NetworkUnavailable' && c.status === 'True',
  );
}
