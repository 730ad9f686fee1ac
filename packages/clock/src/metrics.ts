// The injected metrics (DESIGN.md §3): counters, gauges and histograms declared once with a name,
// help text and label names, then updated with labels. The shape follows Prometheus (what the
// apps export, through `@ironlb/clock/prometheus`), without depending on prom-client.
//
// Libraries name their metrics without a product prefix (`bgp_session_up`, `layer2_requests_
// received`); an app adds one when it exports them (prefix `metallb_` gives MetalLB's names).

export type Labels = Readonly<Record<string, string>>;

export interface MetricDef {
  /** snake_case, unit suffixed (`_seconds`, `_bytes`, `_total` for counters). */
  readonly name: string;
  readonly help: string;
  /** Every label an update may carry; updates with other labels are a programming error. */
  readonly labelNames?: readonly string[];
}

export interface HistogramDef extends MetricDef {
  /** Upper bounds, ascending (default: Prometheus' default buckets, in seconds). */
  readonly buckets?: readonly number[];
}

export interface Counter {
  /** Adds `value` (default 1; must be ≥ 0). */
  inc(labels?: Labels, value?: number): void;
}

export interface Gauge {
  set(labels: Labels | undefined, value: number): void;
  inc(labels?: Labels, value?: number): void;
  dec(labels?: Labels, value?: number): void;
}

export interface Histogram {
  observe(labels: Labels | undefined, value: number): void;
}

/**
 * Where metrics go. Declaring the same name twice returns the same instrument (libraries may
 * declare in each instance); declaring it with another type or other label names throws.
 */
export interface Metrics {
  counter(def: MetricDef): Counter;
  gauge(def: MetricDef): Gauge;
  histogram(def: HistogramDef): Histogram;
}

/** Prometheus' client default buckets (seconds). */
export const DEFAULT_BUCKETS: readonly number[] = [
  0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10,
];

const noopCounter: Counter = { inc: () => {} };
const noopGauge: Gauge = { set: () => {}, inc: () => {}, dec: () => {} };
const noopHistogram: Histogram = { observe: () => {} };

/** Discards everything; the default of every library. */
export const noMetrics: Metrics = {
  counter: () => noopCounter,
  gauge: () => noopGauge,
  histogram: () => noopHistogram,
};
