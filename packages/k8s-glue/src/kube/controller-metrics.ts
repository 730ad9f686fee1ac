// The controller's metrics, named as MetalLB names them once the app adds the `metallb_` prefix
// (internal/allocator/stats.go, internal/k8s/controllers/stats.go), plus IronLB's own.
import type { Counter, Gauge, Histogram, Metrics } from '@ironlb/clock';
import { k8sClientMetrics } from './client-metrics.js';
import type { Allocator } from '@ironlb/ipam';

export class ControllerMetrics {
  readonly updates: Counter;
  readonly updateErrors: Counter;
  readonly configLoaded: Gauge;
  readonly configStale: Gauge;
  readonly addressesTotal: Gauge;
  readonly ipv4AddressesTotal: Gauge;
  readonly ipv6AddressesTotal: Gauge;
  readonly inUse: Gauge;
  readonly ipv4InUse: Gauge;
  readonly ipv6InUse: Gauge;
  readonly reconcileSeconds: Histogram;
  readonly queueDepth: Gauge;
  readonly leader: Gauge;
  readonly writes: Counter;

  constructor(m: Metrics) {
    const pool = ['pool'];
    ({
      updates: this.updates,
      updateErrors: this.updateErrors,
      configLoaded: this.configLoaded,
      configStale: this.configStale,
    } = k8sClientMetrics(m));
    this.addressesTotal = m.gauge({
      name: 'allocator_addresses_total',
      help: 'Number of usable IP addresses, per pool',
      labelNames: pool,
    });
    this.ipv4AddressesTotal = m.gauge({
      name: 'allocator_ipv4_addresses_total',
      help: 'Number of usable IPV4 addresses, per pool',
      labelNames: pool,
    });
    this.ipv6AddressesTotal = m.gauge({
      name: 'allocator_ipv6_addresses_total',
      help: 'Number of usable IPV6 addresses, per pool',
      labelNames: pool,
    });
    this.inUse = m.gauge({
      name: 'allocator_addresses_in_use_total',
      help: 'Number of IP addresses in use, per pool',
      labelNames: pool,
    });
    this.ipv4InUse = m.gauge({
      name: 'allocator_ipv4_addresses_in_use_total',
      help: 'Number of IPV4 addresses in use, per pool',
      labelNames: pool,
    });
    this.ipv6InUse = m.gauge({
      name: 'allocator_ipv6_addresses_in_use_total',
      help: 'Number of IPV6 addresses in use, per pool',
      labelNames: pool,
    });
    this.reconcileSeconds = m.histogram({
      name: 'controller_reconcile_duration_seconds',
      help: 'Time to process one work-queue key (IronLB), by kind: service, reload, config, pool, ...',
      labelNames: ['kind'],
      buckets: [0.0001, 0.0005, 0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 10],
    });
    this.queueDepth = m.gauge({
      name: 'controller_queue_depth',
      help: 'Keys waiting in the work queue (IronLB).',
    });
    this.leader = m.gauge({
      name: 'controller_leader',
      help: '1 while this replica holds the Lease and may write (IronLB).',
    });
    this.writes = m.counter({
      name: 'controller_api_writes_total',
      help: 'Writes sent to the API server (IronLB), by resource and outcome.',
      labelNames: ['resource', 'result'],
    });
  }

  /** Refreshes the allocator gauges of one pool (MetalLB updates them on every counter change). */
  poolCounters(alloc: Allocator | undefined, pool: string): void {
    const c = alloc?.counters(pool);
    const l = { pool };
    if (!c) {
      // MetalLB deletes the series of a removed pool; the Metrics contract has no delete, so zero.
      for (const g of [
        this.addressesTotal,
        this.ipv4AddressesTotal,
        this.ipv6AddressesTotal,
        this.inUse,
        this.ipv4InUse,
        this.ipv6InUse,
      ])
        g.set(l, 0);
      return;
    }
    this.addressesTotal.set(l, Number(c.capacityIPv4 + c.capacityIPv6));
    this.ipv4AddressesTotal.set(l, Number(c.capacityIPv4));
    this.ipv6AddressesTotal.set(l, Number(c.capacityIPv6));
    this.inUse.set(l, Number(c.assignedIPv4 + c.assignedIPv6));
    this.ipv4InUse.set(l, Number(c.assignedIPv4));
    this.ipv6InUse.set(l, Number(c.assignedIPv6));
  }
}
