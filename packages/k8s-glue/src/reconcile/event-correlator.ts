// What to do with an event a handler wants to record, decided the way client-go's EventCorrelator
// decides it (k8s.io/client-go/tools/record/events_cache.go), so that a controller re-running the
// same reconcile does not flood the API server with identical Event objects:
//   1. spam filter — a token bucket per (source, involved object): 25 events at once, then one per
//      5 minutes; events over the budget are dropped;
//   2. aggregation — more than 10 events with the same (object, type, reason) but different
//      messages within 10 minutes are folded into one "(combined from similar events): ..." event;
//   3. de-duplication — an event identical to one recorded before (same object, type, reason,
//      message) is not created again: the existing Event's count and lastTimestamp are patched.
// Pure: time is passed in (monotonic ms for the windows, wall ms for the timestamps).

/** The object an event is about (Event.involvedObject). */
export interface InvolvedObject {
  readonly kind: string;
  readonly apiVersion: string;
  readonly namespace?: string;
  readonly name: string;
  readonly uid?: string;
  readonly resourceVersion?: string;
}

export type EventType = 'Normal' | 'Warning';

/** An event a handler asks for. */
export interface EventRequest {
  readonly object: InvolvedObject;
  readonly type: EventType;
  readonly reason: string;
  readonly message: string;
}

export type CorrelatorDecision =
  /** Create a new Event object. `message` may be the aggregated text. */
  | { readonly action: 'create'; readonly key: string; readonly message: string }
  /** Patch the Event created earlier for this key (count and lastTimestamp). */
  | {
      readonly action: 'patch';
      readonly key: string;
      readonly name: string;
      readonly count: number;
      readonly firstTimestampMs: number;
      readonly message: string;
    }
  /** The same Event is being created right now: counted, patched once the create returns. */
  | { readonly action: 'pending'; readonly key: string }
  /** Dropped by the spam filter. */
  | { readonly action: 'drop'; readonly key: string };

export interface EventCorrelatorOptions {
  /** Spam filter burst per object (default 25, client-go's). */
  readonly burst?: number;
  /** Spam filter refill period (default 300 000 ms: one event per 5 minutes, client-go's). */
  readonly refillEveryMs?: number;
  /** Distinct messages per (object, type, reason) before aggregating (default 10). */
  readonly maxSimilar?: number;
  /** Aggregation window (default 600 000 ms). */
  readonly similarWindowMs?: number;
  /** Remembered events for de-duplication and aggregation (default 4096, client-go's LRU size). */
  readonly cacheSize?: number;
}

interface Seen {
  name: string | undefined;
  count: number;
  firstTimestampMs: number;
}

interface Similar {
  messages: Set<string>;
  lastMs: number;
}

interface Bucket {
  tokens: number;
  lastMs: number;
}

/** A bounded map that forgets the least recently used entry. */
class Lru<V> {
  private readonly m = new Map<string, V>();
  constructor(private readonly max: number) {}
  get(k: string): V | undefined {
    const v = this.m.get(k);
    if (v !== undefined) {
      this.m.delete(k);
      this.m.set(k, v);
    }
    return v;
  }
  delete(k: string): void {
    this.m.delete(k);
  }
  set(k: string, v: V): void {
    this.m.delete(k);
    this.m.set(k, v);
    if (this.m.size > this.max) this.m.delete(this.m.keys().next().value as string);
  }
}

const objectKey = (o: InvolvedObject) =>
  [o.apiVersion, o.kind, o.namespace ?? '', o.name, o.uid ?? ''].join('\u0000');

export class EventCorrelator {
  private readonly burst: number;
  private readonly refill: number;
  private readonly maxSimilar: number;
  private readonly window: number;
  private readonly seen: Lru<Seen>;
  private readonly similar: Lru<Similar>;
  private readonly buckets: Lru<Bucket>;

  constructor(options: EventCorrelatorOptions = {}) {
    this.burst = options.burst ?? 25;
    this.refill = options.refillEveryMs ?? 300_000;
    this.maxSimilar = options.maxSimilar ?? 10;
    this.window = options.similarWindowMs ?? 600_000;
    const size = options.cacheSize ?? 4096;
    this.seen = new Lru(size);
    this.similar = new Lru(size);
    this.buckets = new Lru(size);
  }

  /** Decides what to do with `e` at monotonic time `nowMs` (wall time `wallMs` for new events). */
  observe(e: EventRequest, nowMs: number, wallMs: number): CorrelatorDecision {
    const obj = objectKey(e.object);
    // 1. Spam filter.
    let b = this.buckets.get(obj);
    if (!b) b = { tokens: this.burst, lastMs: nowMs };
    b.tokens = Math.min(this.burst, b.tokens + (nowMs - b.lastMs) / this.refill);
    b.lastMs = nowMs;
    this.buckets.set(obj, b);
    const simKey = [obj, e.type, e.reason].join('\u0000');
    if (b.tokens < 1) return { action: 'drop', key: `${simKey}\u0000${e.message}` };
    b.tokens -= 1;

    // 2. Aggregation of similar events.
    let message = e.message;
    let key = `${simKey}\u0000${e.message}`;
    let sim = this.similar.get(simKey);
    if (!sim || nowMs - sim.lastMs > this.window) sim = { messages: new Set(), lastMs: nowMs };
    sim.messages.add(e.message);
    sim.lastMs = nowMs;
    this.similar.set(simKey, sim);
    if (sim.messages.size > this.maxSimilar) {
      message = `(combined from similar events): ${e.message}`;
      key = `${simKey}\u0000(combined)`;
    }

    // 3. De-duplication.
    const prev = this.seen.get(key);
    if (prev) {
      prev.count += 1;
      this.seen.set(key, prev);
      if (prev.name === undefined) return { action: 'pending', key };
      return {
        action: 'patch',
        key,
        name: prev.name,
        count: prev.count,
        firstTimestampMs: prev.firstTimestampMs,
        message,
      };
    }
    this.seen.set(key, { name: undefined, count: 1, firstTimestampMs: wallMs });
    return { action: 'create', key, message };
  }

  /**
   * The Event for `key` was created under `name`: later duplicates patch it. Returns the count
   * the Event should now carry (more than 1 when duplicates arrived while it was being created;
   * the caller then patches it once).
   */
  created(key: string, name: string): { count: number; firstTimestampMs: number } {
    const s = this.seen.get(key);
    if (!s) return { count: 1, firstTimestampMs: 0 };
    s.name = name;
    return { count: s.count, firstTimestampMs: s.firstTimestampMs };
  }

  /** Creating or patching failed: forget the key so the next occurrence creates a fresh Event. */
  failed(key: string): void {
    this.seen.delete(key);
  }
}
