// @ironlb/clock/prometheus: the Metrics contract on prom-client, so an app registers one registry
// and passes it to every library. prom-client is an optional peer dependency: only programs that
// import this entry need it.
import {
  Counter as PromCounter,
  Gauge as PromGauge,
  Histogram as PromHistogram,
  Registry,
  type Metric,
} from 'prom-client';
import { ClockError } from './errors.js';
import type {
  Counter,
  Gauge,
  Histogram,
  HistogramDef,
  Labels,
  MetricDef,
  Metrics,
} from './metrics.js';
import { DEFAULT_BUCKETS } from './metrics.js';

export interface PrometheusMetricsOptions {
  /** Default: a new Registry. */
  readonly registry?: Registry;
  /** Prepended to every name, e.g. `metallb_` for MetalLB's names. Default ''. */
  readonly prefix?: string;
}

export interface PrometheusMetrics extends Metrics {
  readonly registry: Registry;
}

type Kind = 'counter' | 'gauge' | 'histogram';

/** Metrics backed by prom-client; expose `registry.metrics()` on /metrics. */
export function prometheusMetrics(options: PrometheusMetricsOptions = {}): PrometheusMetrics {
  const registry = options.registry ?? new Registry();
  const prefix = options.prefix ?? '';
  const declared = new Map<string, { kind: Kind; labels: string; metric: Metric }>();

  function declare<M extends Metric>(kind: Kind, def: MetricDef, make: (name: string) => M): M {
    const name = prefix + def.name;
    const labels = [...(def.labelNames ?? [])].sort().join(',');
    const known = declared.get(name);
    if (known) {
      if (known.kind !== kind || known.labels !== labels) {
        throw new ClockError(
          'metric-conflict',
          `metric ${name} declared as ${known.kind} {${known.labels}} and as ${kind} {${labels}}`,
        );
      }
      return known.metric as M;
    }
    const metric = make(name);
    declared.set(name, { kind, labels, metric });
    return metric;
  }

  const common = (name: string, def: MetricDef) => ({
    name,
    help: def.help,
    labelNames: [...(def.labelNames ?? [])],
    registers: [registry],
  });
  const L = (labels: Labels | undefined): Record<string, string> => ({ ...(labels ?? {}) });

  return {
    registry,
    counter(def: MetricDef): Counter {
      const c = declare('counter', def, (n) => new PromCounter(common(n, def)));
      return { inc: (labels, value = 1) => c.inc(L(labels), value) };
    },
    gauge(def: MetricDef): Gauge {
      const g = declare('gauge', def, (n) => new PromGauge(common(n, def)));
      return {
        set: (labels, value) => g.set(L(labels), value),
        inc: (labels, value = 1) => g.inc(L(labels), value),
        dec: (labels, value = 1) => g.dec(L(labels), value),
      };
    },
    histogram(def: HistogramDef): Histogram {
      const h = declare(
        'histogram',
        def,
        (n) =>
          new PromHistogram({ ...common(n, def), buckets: [...(def.buckets ?? DEFAULT_BUCKETS)] }),
      );
      return { observe: (labels, value) => h.observe(L(labels), value) };
    },
  };
}
