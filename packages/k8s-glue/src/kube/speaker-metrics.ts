// The speaker's own metrics, named as MetalLB names them once the app adds the `metallb_` prefix
// (speaker/main.go `announcing`, internal/k8s/controllers/stats.go), plus IronLB's failover time.
// The protocol libraries declare theirs (layer2_*, bgp_*, bfd_*, memberlist_*) on the same Metrics.
import type { Counter, Gauge, Histogram, Metrics } from '@ironlb/clock';
import { k8sClientMetrics } from './client-metrics.js';

export class SpeakerMetrics {
  readonly announced: Gauge;
  readonly updates: Counter;
  readonly updateErrors: Counter;
  readonly configLoaded: Gauge;
  readonly configStale: Gauge;
  readonly failoverSeconds: Histogram;
  readonly syncSeconds: Histogram;
  readonly writes: Counter;
  readonly members: Gauge;

  constructor(m: Metrics) {
    this.announced = m.gauge({
      name: 'speaker_announced',
      help: 'Services being announced from this node. This is desired state, it does not guarantee that the routing protocols have converged.',
      labelNames: ['service', 'protocol', 'node', 'ip'],
    });
    ({
      updates: this.updates,
      updateErrors: this.updateErrors,
      configLoaded: this.configLoaded,
      configStale: this.configStale,
    } = k8sClientMetrics(m));
    this.failoverSeconds = m.histogram({
      name: 'speaker_failover_seconds',
      help: 'Time from memberlist reporting a node dead or gone to this node answering for the Layer 2 addresses it took over (IronLB).',
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    });
    this.syncSeconds = m.histogram({
      name: 'speaker_sync_duration_seconds',
      help: 'Time to decide and apply every announcement once (IronLB).',
      buckets: [0.0005, 0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 5],
    });
    this.writes = m.counter({
      name: 'speaker_api_writes_total',
      help: 'Writes sent to the API server (IronLB), by resource and outcome.',
      labelNames: ['resource', 'result'],
    });
    this.members = m.gauge({
      name: 'speaker_memberlist_live_members',
      help: 'Speakers memberlist reports alive or suspected, this one included (IronLB).',
    });
  }
}
