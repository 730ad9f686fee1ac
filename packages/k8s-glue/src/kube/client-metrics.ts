// MetalLB's k8s client family (internal/k8s/controllers/stats.go), which its controller and its
// speaker both export: `metallb_k8s_client_*` once the app adds the prefix.
import type { Counter, Gauge, Metrics } from '@ironlb/clock';

export interface K8sClientMetrics {
  readonly updates: Counter;
  readonly updateErrors: Counter;
  readonly configLoaded: Gauge;
  readonly configStale: Gauge;
}

export function k8sClientMetrics(m: Metrics): K8sClientMetrics {
  return {
    updates: m.counter({
      name: 'k8s_client_updates_total',
      help: 'Number of k8s object updates that have been processed.',
    }),
    updateErrors: m.counter({
      name: 'k8s_client_update_errors_total',
      help: 'Number of k8s object updates that failed for some reason.',
    }),
    configLoaded: m.gauge({
      name: 'k8s_client_config_loaded_bool',
      help: '1 if the MetalLB configuration was successfully loaded at least once.',
    }),
    configStale: m.gauge({
      name: 'k8s_client_config_stale_bool',
      help: '1 if running on a stale configuration, because the latest config failed to load.',
    }),
  };
}
