// The lifecycle every real-peer wrapper shares: launch the daemon's processes in the namespace,
// wait for it to answer its CLI, and restart / stop it (processes stopped newest first).
import type { SpawnOptions } from '../netns.ts';
import type { NsProcess } from '../process.ts';
import { KitError } from '../errors.ts';
import { pollUntil } from './types.ts';
import type { BgpDaemon, DaemonConfig, Family, PeerRoute, PeerSessionState } from './types.ts';

export abstract class PeerDaemon<C extends DaemonConfig = DaemonConfig> implements BgpDaemon {
  abstract readonly kind: BgpDaemon['kind'];
  readonly config: C;
  /** The running processes, in launch order (empty when stopped). */
  protected procs: NsProcess[] = [];

  protected constructor(config: C) {
    this.config = config;
  }

  abstract sessionState(neighbor: string): Promise<PeerSessionState>;
  abstract routes(family: Family): Promise<PeerRoute[]>;
  abstract routeCount(family: Family): Promise<number>;
  abstract requestRefresh(neighbor: string): Promise<void>;

  /** Spawns the daemon's processes (config files are already written). */
  protected abstract launch(): Promise<void> | void;

  /** Runs while the processes are still up, before `stop` ends them (e.g. a graceful shutdown). */
  protected async beforeStop(): Promise<void> {}

  /** Writes the daemon's config files (once, before the first launch). */
  protected abstract prepare(): void;

  /** Writes the config files and launches the daemon: `Bird.start(config)` and the like. */
  static async start<D extends PeerDaemon>(
    this: { prototype: D },
    config: D['config'],
  ): Promise<D> {
    const Daemon = this as unknown as new (config: D['config']) => D;
    const d = new Daemon(config);
    d.prepare();
    await d.launch();
    return d;
  }

  /** Spawns one process of the daemon in the namespace and tracks it for `stop`. */
  protected spawn(argv: string[], opts?: SpawnOptions): NsProcess {
    const p = this.config.ns.spawn(argv, opts);
    this.procs.push(p);
    return p;
  }

  /** Polls `probe` until `ok`; a timeout throws with the tail of `proc`'s stderr. */
  protected async awaitReady<T>(
    name: string,
    proc: NsProcess,
    probe: () => Promise<T>,
    ok: (v: T) => boolean,
    timeoutMs: number,
    intervalMs: number,
  ): Promise<void> {
    if (!ok(await pollUntil(probe, ok, timeoutMs, intervalMs)))
      throw new KitError('timeout', `${name} did not come up: ${proc.stderr.slice(-2000)}`);
  }

  async restart(): Promise<void> {
    await this.stop();
    await this.launch();
  }

  async stop(): Promise<void> {
    if (!this.procs.length) return;
    await this.beforeStop();
    for (const p of [...this.procs].reverse()) await p.stop(3_000);
    this.procs = [];
  }
}
