// Logs and metrics of the memberlist worker, carried to the main thread instead of being produced
// there: pino and prom-client loaded a second time in the worker's isolate would cost ~19 MiB of
// the speaker's memory budget (issue 17). The worker keeps counters and gauges in plain maps and
// posts log records; the main thread logs them with its logger and mirrors the metrics into its
// registry when /metrics is scraped.
import type { Counter, Gauge, Histogram, Labels, Logger, MetricDef, Metrics } from '@ironlb/clock';

export interface MetricSnapshot {
  readonly name: string;
  readonly help: string;
  readonly kind: 'counter' | 'gauge';
  readonly labelNames: readonly string[];
  /** [labels, value] per series. */
  readonly series: readonly (readonly [Labels, number])[];
}

export interface LogRecord {
  readonly level: 'debug' | 'info' | 'warn' | 'error';
  readonly fields: Record<string, unknown>;
  readonly msg: string | undefined;
}

const seriesKey = (labels: Labels | undefined) =>
  JSON.stringify(Object.entries(labels ?? {}).sort(([a], [b]) => (a < b ? -1 : 1)));

/** Counters and gauges in memory (the worker's side); histograms are not used by memberlist. */
export class SnapshotMetrics implements Metrics {
  private readonly defs = new Map<
    string,
    { def: MetricDef; kind: 'counter' | 'gauge'; values: Map<string, [Labels, number]> }
  >();

  private declare(kind: 'counter' | 'gauge', def: MetricDef) {
    let d = this.defs.get(def.name);
    if (!d) {
      d = { def, kind, values: new Map() };
      this.defs.set(def.name, d);
    }
    const values = d.values;
    const add = (labels: Labels | undefined, delta: number) => {
      const k = seriesKey(labels);
      const cur = values.get(k);
      values.set(k, [{ ...(labels ?? {}) }, (cur?.[1] ?? 0) + delta]);
    };
    return { values, add };
  }

  counter(def: MetricDef): Counter {
    const { add } = this.declare('counter', def);
    return { inc: (labels, value = 1) => add(labels, value) };
  }

  gauge(def: MetricDef): Gauge {
    const { values, add } = this.declare('gauge', def);
    return {
      set: (labels, value) => values.set(seriesKey(labels), [{ ...(labels ?? {}) }, value]),
      inc: (labels, value = 1) => add(labels, value),
      dec: (labels, value = 1) => add(labels, -value),
    };
  }

  histogram(): Histogram {
    return { observe: () => undefined };
  }

  snapshot(): MetricSnapshot[] {
    return [...this.defs.values()].map((d) => ({
      name: d.def.name,
      help: d.def.help,
      kind: d.kind,
      labelNames: [...(d.def.labelNames ?? [])],
      series: [...d.values.values()],
    }));
  }
}

/** Mirrors worker snapshots into the app's Metrics (counters by their increase since the last). */
export class MetricMirror {
  private readonly last = new Map<string, number>();

  constructor(private readonly metrics: Metrics) {}

  apply(snapshot: readonly MetricSnapshot[]): void {
    for (const m of snapshot) {
      const def = { name: m.name, help: m.help, labelNames: m.labelNames };
      if (m.kind === 'gauge') {
        const g = this.metrics.gauge(def);
        for (const [labels, value] of m.series) g.set(labels, value);
        continue;
      }
      const c = this.metrics.counter(def);
      for (const [labels, value] of m.series) {
        const k = `${m.name}${seriesKey(labels)}`;
        const delta = value - (this.last.get(k) ?? 0);
        this.last.set(k, value);
        if (delta > 0) c.inc(labels, delta);
      }
    }
  }
}

/** A Logger that hands every record to `post` (the worker's side). */
export function postingLogger(post: (r: LogRecord) => void, minLevel: string): Logger {
  const order = ['debug', 'info', 'warn', 'error'];
  const min = minLevel === 'all' ? 0 : minLevel === 'none' ? 99 : order.indexOf(minLevel);
  const at = (level: LogRecord['level']) => (fields: object, msg?: string) => {
    if (order.indexOf(level) < (min < 0 ? 1 : min)) return;
    post({ level, fields: { ...(fields as Record<string, unknown>) }, msg });
  };
  return { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}
