// Finding the other speakers for memberlist, as MetalLB's internal/speakerlist does: list the
// speaker Pods by label (at start, then every 5 minutes; the speaker's RBAC has get/list on pods,
// no watch) and join the addresses of those that are not live members yet (every minute, at start
// with a short back-off until a first join succeeds, and when this node's labels change).
import type { Clock, Logger, TimerHandle } from '@ironlb/clock';
import { silentLogger } from '@ironlb/clock';
import { paths } from './resources.js';
import type { KubeRest } from './rest.js';
import type { MembershipPort } from './speaker-ports.js';

interface PodObject {
  metadata: { name?: string; deletionTimestamp?: string };
  spec?: { nodeName?: string };
  status?: { podIP?: string; podIPs?: { ip?: string }[]; phase?: string };
}

export interface MemberJoinerDeps {
  readonly rest: KubeRest;
  readonly clock: Clock;
  readonly membership: MembershipPort;
  readonly logger?: Logger;
}

export interface MemberJoinerOptions {
  /** Where the speaker Pods run (METALLB_ML_NAMESPACE). */
  readonly namespace: string;
  /** Their label selector (METALLB_ML_LABELS). */
  readonly labelSelector: string;
  /** This node: its own Pod is not a seed. */
  readonly nodeName: string;
  /** memberlist port of every speaker (METALLB_ML_BIND_PORT). */
  readonly port: number;
  /** Default 300 000 ms (MetalLB). */
  readonly listIntervalMs?: number;
  /** Default 60 000 ms (MetalLB). */
  readonly joinIntervalMs?: number;
  /** First retry after a failed start-up join (default 500 ms), doubling up to joinIntervalMs. */
  readonly startBackoffMs?: number;
}

/** `host:port`, IPv6 in brackets. */
export function seedAddress(ip: string, port: number): string {
  return ip.includes(':') ? `[${ip}]:${port}` : `${ip}:${port}`;
}

/** The seeds among speaker Pods: running elsewhere, with an address, not being deleted. */
export function seedsFromPods(
  pods: readonly PodObject[],
  nodeName: string,
  port: number,
): string[] {
  const out = new Set<string>();
  for (const p of pods) {
    if (p.metadata.deletionTimestamp) continue;
    if (p.spec?.nodeName === nodeName) continue;
    const ip = p.status?.podIP ?? p.status?.podIPs?.[0]?.ip;
    if (!ip) continue;
    out.add(seedAddress(ip, port));
  }
  return [...out].sort();
}

export class MemberJoiner {
  private seeds: string[] = [];
  private listTimer: TimerHandle | undefined;
  private joinTimer: TimerHandle | undefined;
  private running = false;
  private joinedOnce = false;
  private backoffMs: number;
  private inflight: Promise<void> | undefined;
  private readonly log: Logger;
  readonly stats = { lists: 0, joins: 0, joinFailures: 0 };

  constructor(
    private readonly deps: MemberJoinerDeps,
    private readonly o: MemberJoinerOptions,
  ) {
    this.log = deps.logger ?? silentLogger;
    this.backoffMs = o.startBackoffMs ?? 500;
  }

  /** Lists the pods and joins once; resolves when that first attempt is over (joined or not). */
  async start(): Promise<void> {
    if (this.running) return;
    this.running = true;
    await this.list();
    await this.joinNow();
    this.scheduleList();
  }

  stop(): void {
    this.running = false;
    if (this.listTimer) this.deps.clock.clearTimeout(this.listTimer);
    if (this.joinTimer) this.deps.clock.clearTimeout(this.joinTimer);
    this.listTimer = this.joinTimer = undefined;
  }

  /** This node changed (labels): list and join again now (MetalLB rejoins on its own Node update). */
  refresh(): void {
    if (!this.running) return;
    void this.list().then(() => this.joinNow());
  }

  private scheduleList(): void {
    if (!this.running) return;
    this.listTimer = this.deps.clock.setTimeout(() => {
      void this.list().then(() => this.scheduleList());
    }, this.o.listIntervalMs ?? 300_000);
  }

  private scheduleJoin(delayMs: number): void {
    if (!this.running) return;
    if (this.joinTimer) this.deps.clock.clearTimeout(this.joinTimer);
    this.joinTimer = this.deps.clock.setTimeout(() => {
      this.joinTimer = undefined;
      void this.joinNow();
    }, delayMs);
  }

  private async list(): Promise<void> {
    try {
      const res = await this.deps.rest.request<{ items?: PodObject[] }>({
        method: 'GET',
        path: paths.pods(this.o.namespace),
        query: { labelSelector: this.o.labelSelector },
      });
      this.stats.lists++;
      this.seeds = seedsFromPods(res.items ?? [], this.o.nodeName, this.o.port);
    } catch (e) {
      this.log.warn(
        { op: 'memberDiscovery', error: String(e) },
        'failed to list speaker pods, keeping the previous list',
      );
    }
  }

  /** Joins the seeds that are not live members; the next attempt is scheduled. */
  joinNow(): Promise<void> {
    this.inflight ??= this.doJoin().finally(() => {
      this.inflight = undefined;
    });
    return this.inflight;
  }

  private async doJoin(): Promise<void> {
    const interval = this.o.joinIntervalMs ?? 60_000;
    if (!this.running) return;
    const live = this.deps.membership.liveAddresses();
    const missing = this.seeds.filter((s) => !live.has(s));
    if (missing.length === 0) {
      this.joinedOnce ||= this.seeds.length > 0 || this.joinedOnce;
      this.scheduleJoin(interval);
      return;
    }
    this.stats.joins++;
    try {
      const n = await this.deps.membership.join(missing);
      this.joinedOnce = true;
      this.log.info(
        { op: 'memberDiscovery', seeds: missing.length, answered: n },
        'joined speakers through memberlist',
      );
      this.scheduleJoin(interval);
    } catch (e) {
      this.stats.joinFailures++;
      // Speakers start together: until one join worked, retry soon rather than in a minute.
      const delay = this.joinedOnce ? interval : this.backoffMs;
      if (!this.joinedOnce) this.backoffMs = Math.min(this.backoffMs * 2, interval);
      this.log.info(
        { op: 'memberDiscovery', seeds: missing.join(','), retryMs: delay, error: String(e) },
        'no speaker answered the memberlist join yet',
      );
      this.scheduleJoin(delay);
    }
  }
}
