// Watches as the watch cache serves them: from "now" with the current state as synthetic ADDED
// events (resourceVersion unset or "0"), or from an exact resourceVersion by replaying the event
// log; 410 Gone (an ERROR event carrying an Expired Status) when that version is no longer in the
// log; ADDED/DELETED when an object moves into/out of the selector; BOOKMARK events on request;
// the initial-events-end bookmark for sendInitialEvents (the WatchList protocol).
import { ApiError, invalid } from '../errors.ts';
import type { KubeObject, ResourceType } from '../registry/types.ts';
import { gvString } from '../registry/types.ts';
import type { StoreEvent } from '../store.ts';
import type { ApiCore } from './api.ts';
import { selectFilter, type ListQuery } from './query.ts';
import { watchQueue } from './watch-queue.ts';

export interface WatchSink {
  /** Writes one newline-terminated JSON event. */
  write(line: string): void;
  end(): void;
}

export interface WatchOptions {
  /** Interval between BOOKMARK events when the client allows them. Default 1000 ms. */
  bookmarkIntervalMs?: number;
}

/** Per event and served version, the serialised object is built once for every watcher. */
const serialized = new WeakMap<StoreEvent, Map<string, string>>();

function line(type: string, objectJson: string): string {
  return `{"type":"${type}","object":${objectJson}}\n`;
}

/** setTimeout's largest delay (2^31-1 ms, ~24.8 days); longer timeouts would fire at once. */
export const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * Validates a watch request (selectors, sendInitialEvents) and returns the function that starts
 * it. Everything that can be refused is refused here, before any header goes out, so a bad watch
 * is a 400/422 Status like a bad list — never a 200 with an empty stream (issue 14).
 */
export function prepareWatch(
  core: ApiCore,
  t: ResourceType,
  ns: string | undefined,
  q: ListQuery,
  opts: WatchOptions = {},
): (sink: WatchSink) => () => void {
  const filter = selectFilter(t, q, ns);
  checkInitialEvents(q);
  return (sink) => runWatch(core, t, ns, q, sink, opts, filter);
}

export function startWatch(
  core: ApiCore,
  t: ResourceType,
  ns: string | undefined,
  q: ListQuery,
  sink: WatchSink,
  opts: WatchOptions = {},
): () => void {
  return prepareWatch(core, t, ns, q, opts)(sink);
}

function checkInitialEvents(q: ListQuery): void {
  if (q.sendInitialEvents) {
    const causes = [];
    if (!q.allowWatchBookmarks)
      causes.push({
        reason: 'FieldValueForbidden' as const,
        message: 'Forbidden: sendInitialEvents requires setting allowWatchBookmarks to true',
        field: 'allowWatchBookmarks',
      });
    if (q.resourceVersionMatch !== 'NotOlderThan')
      causes.push({
        reason: 'FieldValueForbidden' as const,
        message:
          'Forbidden: sendInitialEvents requires setting resourceVersionMatch to NotOlderThan',
        field: 'resourceVersionMatch',
      });
    if (causes.length) throw invalid('ListOptions', 'meta.k8s.io', '', causes);
  }
}

function runWatch(
  core: ApiCore,
  t: ResourceType,
  ns: string | undefined,
  q: ListQuery,
  sink: WatchSink,
  opts: WatchOptions,
  filter: (o: KubeObject) => boolean,
): () => void {
  const gv = gvString(t.group, t.version);
  const versionKey = `${gv}/${t.resource}`;
  // Every line goes through an ordered queue: an object may need a conversion webhook first
  // (watch-queue.ts); without webhook conversions it writes straight through.
  let stopWatch: () => void = () => {};
  const out = watchQueue(core.conversions, sink.write, (errorLine) => {
    sink.write(errorLine);
    stopWatch();
    sink.end();
  });
  const json = (ev: StoreEvent): string => {
    let m = serialized.get(ev);
    if (!m) {
      m = new Map();
      serialized.set(ev, m);
    }
    let s = m.get(versionKey);
    if (s === undefined) {
      s = JSON.stringify(core.output(t, ev.obj));
      m.set(versionKey, s);
    }
    return s;
  };
  const deliver = (ev: StoreEvent) => {
    if (ev.bucket !== t.storageKey) return;
    const now = ev.type !== 'DELETED' && filter(ev.obj);
    const before = ev.prev !== undefined && filter(ev.prev);
    let type: string | undefined;
    if (ev.type === 'ADDED') type = now ? 'ADDED' : undefined;
    else if (ev.type === 'DELETED') type = before || filter(ev.obj) ? 'DELETED' : undefined;
    else if (now && before) type = 'MODIFIED';
    else if (now) type = 'ADDED';
    else if (before) type = 'DELETED';
    if (type) out.push(() => line(type, json(ev)));
  };
  const bookmark = (annotations?: Record<string, string>) => {
    const metadata: Record<string, unknown> = {
      resourceVersion: String(core.store.resourceVersion),
    };
    if (annotations) metadata.annotations = annotations;
    // Built now: its resourceVersion must not run ahead of events still waiting in the queue.
    const l = line('BOOKMARK', JSON.stringify({ kind: t.kind, apiVersion: gv, metadata }));
    out.push(() => l);
  };
  const rvParam = q.resourceVersion ?? '';
  const fromNow = rvParam === '' || rvParam === '0' || q.sendInitialEvents === true;
  if (fromNow) {
    if (rvParam === '' || rvParam === '0' || q.sendInitialEvents) {
      for (const o of core.store.list(t.storageKey, t.namespaced ? ns : undefined)) {
        if (filter(o))
          out.push(() => line('ADDED', JSON.stringify(core.output(t, o as KubeObject))));
      }
    }
    if (q.sendInitialEvents) bookmark({ 'k8s.io/initial-events-end': 'true' });
  } else {
    const rv = Number(rvParam);
    const backlog = core.store.eventsSince(rv);
    if (backlog === undefined) {
      const err = new ApiError(
        410,
        'Expired',
        `too old resource version: ${rv} (${core.store.oldestResourceVersion})`,
      );
      sink.write(line('ERROR', JSON.stringify(err.toStatus())));
      sink.end();
      return () => {};
    }
    for (const ev of backlog) deliver(ev);
  }
  const unsubscribe = core.store.subscribe(deliver);
  const timers: NodeJS.Timeout[] = [];
  if (q.allowWatchBookmarks) {
    const iv = setInterval(() => bookmark(), opts.bookmarkIntervalMs ?? 1000);
    iv.unref();
    timers.push(iv);
  }
  let stopped = false;
  const stop = () => {
    if (stopped) return;
    stopped = true;
    unsubscribe();
    for (const x of timers) clearInterval(x);
  };
  stopWatch = stop;
  if (q.timeoutSeconds) {
    const to = setTimeout(
      () => {
        stop();
        sink.end();
      },
      Math.min(q.timeoutSeconds * 1000, MAX_TIMER_MS),
    );
    to.unref();
    timers.push(to);
  }
  return stop;
}
