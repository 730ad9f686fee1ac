import { ClockError } from '../errors.js';
import {
  type Counter,
  type Gauge,
  type Histogram,
  type HistogramDef,
  type Labels,
  type MetricDef,
  type Metrics,
} from '../metrics.js';

type Kind = 'counter' | 'gauge' | 'histogram';

interface Series {
  value: number;
  samples: number[];
}

interface Family {
  kind: Kind;
  def: MetricDef;
  series: Map<string, Series>;
}

// Label sets are keyed by their sorted entries, so {a,b} and {b,a} are one series.
const keyOf = (labels: Labels | undefined): string =>
  JSON.stringify(Object.entries(labels ?? {}).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));

/**
 * Metrics kept in memory, for assertions (`value('bgp_updates_total', { peer })`). It enforces
 * the contract as strictly as the Prometheus adapter: label names must be declared, counters
 * never go down, a name keeps one type and one label set.
 */
export class MemoryMetrics implements Metrics {
  private readonly families = new Map<string, Family>();

  counter(def: MetricDef): Counter {
    const f = this.family('counter', def);
    return {
      inc: (labels, value = 1) => {
        if (!(value >= 0)) {
          throw new ClockError('invalid-option', `counter ${def.name}: negative increment`);
        }
        this.series(f, labels).value += value;
      },
    };
  }

  gauge(def: MetricDef): Gauge {
    const f = this.family('gauge', def);
    return {
      set: (labels, value) => {
        this.series(f, labels).value = value;
      },
      inc: (labels, value = 1) => {
        this.series(f, labels).value += value;
      },
      dec: (labels, value = 1) => {
        this.series(f, labels).value -= value;
      },
    };
  }

  histogram(def: HistogramDef): Histogram {
    const f = this.family('histogram', def);
    return {
      observe: (labels, value) => {
        const s = this.series(f, labels);
        s.samples.push(value);
        s.value += 1;
      },
    };
  }

  /** Counter or gauge value (histograms: number of observations); 0 for an unseen series. */
  value(name: string, labels?: Labels): number {
    return this.families.get(name)?.series.get(keyOf(labels))?.value ?? 0;
  }

  /** Observations of a histogram series, in order. */
  samples(name: string, labels?: Labels): readonly number[] {
    return this.families.get(name)?.series.get(keyOf(labels))?.samples ?? [];
  }

  /** Every declared metric name. */
  names(): string[] {
    return [...this.families.keys()].sort();
  }

  /** Every series of a metric as [labels, value]. */
  allSeries(name: string): Array<[Labels, number]> {
    const f = this.families.get(name);
    if (!f) return [];
    return [...f.series.entries()].map(([k, s]) => [
      Object.fromEntries(JSON.parse(k) as [string, string][]),
      s.value,
    ]);
  }

  private family(kind: Kind, def: MetricDef): Family {
    const existing = this.families.get(def.name);
    const labelNames = [...(def.labelNames ?? [])].sort();
    if (existing) {
      const known = [...(existing.def.labelNames ?? [])].sort();
      if (existing.kind !== kind || known.join(',') !== labelNames.join(',')) {
        throw new ClockError(
          'metric-conflict',
          `metric ${def.name} declared as ${existing.kind} {${known.join(',')}} and as ${kind} {${labelNames.join(',')}}`,
        );
      }
      return existing;
    }
    const f: Family = { kind, def, series: new Map() };
    this.families.set(def.name, f);
    return f;
  }

  private series(f: Family, labels: Labels | undefined): Series {
    const allowed = f.def.labelNames ?? [];
    for (const k of Object.keys(labels ?? {})) {
      if (!allowed.includes(k)) {
        throw new ClockError('invalid-option', `metric ${f.def.name}: undeclared label "${k}"`);
      }
    }
    const key = keyOf(labels);
    let s = f.series.get(key);
    if (!s) {
      s = { value: 0, samples: [] };
      f.series.set(key, s);
    }
    return s;
  }
}
