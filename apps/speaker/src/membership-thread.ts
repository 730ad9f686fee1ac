// The main thread's side of the memberlist worker: a MembershipPort whose live set is the last
// snapshot the worker sent (so reading it never waits), and whose calls are messages. The main
// thread pings the worker every `pingIntervalMs`; see membership-worker.ts for why memberlist runs
// there.
import { Worker } from 'node:worker_threads';
import type { Logger, Metrics } from '@ironlb/clock';
import type { MemberChange, MembershipPort } from '@ironlb/k8s-glue/kube';
import { MemberlistPortTakenError, type MembershipOptions } from './membership.js';
import type { FromWorker, ToWorker, WorkerInit } from './membership-protocol.js';
import { MetricMirror, type MetricSnapshot } from './worker-telemetry.js';

export interface MembershipThreadOptions extends MembershipOptions {
  readonly logLevel: string;
  /** Default 5000 ms; 0 disables the watchdog. */
  readonly watchdogMs?: number;
  /** Default 500 ms. */
  readonly pingIntervalMs?: number;
}

export interface MembershipThread extends MembershipPort {
  readonly encrypted: boolean;
  /** Copies the worker's metrics into the app's (call before rendering /metrics). */
  syncMetrics(): Promise<void>;
  stats(): Promise<{ keyChanges: number; stats: unknown }>;
  /** Called when the worker left memberlist because this thread stopped pinging. */
  onWedged(fn: () => void): void;
}

/** The worker's file beside this one: .js in the bundle, .ts when run from source (tests). */
function workerUrl(): URL {
  const self = import.meta.url;
  return new URL(self.endsWith('.ts') ? './membership-worker.ts' : './membership-worker.js', self);
}

export async function startMembershipThread(
  deps: { logger: Logger; metrics: Metrics },
  options: MembershipThreadOptions,
): Promise<MembershipThread> {
  const init: WorkerInit = {
    logLevel: options.logLevel,
    watchdogMs: options.watchdogMs ?? 5000,
  };
  const mirror = new MetricMirror(deps.metrics);
  // memberlist holds little (the member table, a few buffers): a small heap keeps the thread's
  // isolate from growing the process's resident set.
  const worker = new Worker(workerUrl(), {
    workerData: init,
    resourceLimits: { maxYoungGenerationSizeMb: 1, maxOldGenerationSizeMb: 48 },
  });
  let nextId = 1;
  const pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  const listeners = new Set<(c: MemberChange, m: string) => void>();
  let live: ReadonlySet<string> = new Set([options.nodeName]);
  let liveAddrs: ReadonlySet<string> = new Set();
  let wedged: (() => void) | undefined;
  let exited = false;
  type Call = ToWorker extends infer U ? (U extends { id: number } ? Omit<U, 'id'> : never) : never;
  const call = <T>(m: Call): Promise<T> => {
    if (exited) return Promise.reject(new Error('memberlist worker has exited'));
    const id = nextId++;
    return new Promise<T>((resolve, reject) => {
      pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      worker.postMessage({ ...m, id } as ToWorker);
    });
  };
  worker.on('message', (m: FromWorker) => {
    if (m.type === 'change') {
      live = new Set(m.live);
      liveAddrs = new Set(m.liveAddresses);
      for (const l of listeners) l(m.change, m.member);
    } else if (m.type === 'reply') {
      const p = pending.get(m.id);
      pending.delete(m.id);
      if (!p) return;
      if (m.ok) p.resolve(m.value);
      else {
        const e = new Error(m.error?.message ?? 'memberlist worker call failed') as Error & {
          code?: string;
        };
        if (m.error?.code) e.code = m.error.code;
        p.reject(e);
      }
    } else if (m.type === 'wedged') {
      wedged?.();
    } else if (m.type === 'log') {
      const r = m.record;
      deps.logger[r.level](r.fields, r.msg);
    }
  });
  worker.on('error', (e) => {
    deps.logger.error({ op: 'memberlist', error: String(e) }, 'memberlist worker failed');
  });
  worker.on('exit', () => {
    exited = true;
    for (const p of pending.values()) p.reject(new Error('memberlist worker has exited'));
    pending.clear();
  });
  const ping = setInterval(() => {
    if (!exited) worker.postMessage({ op: 'ping' } satisfies ToWorker);
  }, options.pingIntervalMs ?? 500);
  ping.unref();

  const { logLevel: _l, watchdogMs: _w, pingIntervalMs: _i, ...mlOptions } = options;
  let started: { encrypted: boolean; live: string[]; liveAddresses: string[] };
  try {
    started = await call({ op: 'start', options: mlOptions });
  } catch (e) {
    clearInterval(ping);
    await worker.terminate();
    if ((e as { code?: string }).code === 'MEMBERLIST_PORT_TAKEN')
      throw new MemberlistPortTakenError(options.bindAddr, options.bindPort, e);
    throw e;
  }
  live = new Set(started.live);
  liveAddrs = new Set(started.liveAddresses);

  return {
    encrypted: started.encrypted,
    live: () => live,
    liveAddresses: () => liveAddrs,
    onChange(l) {
      listeners.add(l);
      return () => listeners.delete(l);
    },
    join: (seeds) => call<number>({ op: 'join', seeds }),
    leave: () => call<void>({ op: 'leave' }),
    async syncMetrics() {
      if (exited) return;
      mirror.apply(await call<MetricSnapshot[]>({ op: 'metrics' }));
    },
    stats: () => call({ op: 'stats' }),
    onWedged(fn) {
      wedged = fn;
    },
    async close() {
      clearInterval(ping);
      if (exited) return;
      await call<void>({ op: 'close' }).catch(() => undefined);
      await worker.terminate();
    },
  };
}
