// The manager's metrics, declared once with help text (README: Metrics). Names follow the BFD
// metrics MetalLB exports from FRR (`metallb_bfd_*` once the app adds its `metallb_` prefix), so
// dashboards keep working; the drop counter is IronLB's own.
import type { Counter, Gauge, Labels, Metrics } from '@ironlb/clock';

export interface BfdMetrics {
  readonly up: Gauge;
  readonly input: Counter;
  readonly output: Counter;
  readonly upEvents: Counter;
  readonly downEvents: Counter;
  readonly received: Counter;
  /** Counts a dropped datagram; label objects are made once per reason, not per packet. */
  dropped(reason: string): void;
}

export function createBfdMetrics(m: Metrics): BfdMetrics {
  const peer = ['peer'];
  const droppedCounter = m.counter({
    name: 'bfd_control_packets_dropped_total',
    help: 'Datagrams received on a BFD port and dropped, by reason (RFC 5880 §6.8.6 rule, unknown discriminator or source, ...)',
    labelNames: ['reason'],
  });
  const reasonLabels = new Map<string, Labels>();
  return {
    up: m.gauge({
      name: 'bfd_session_up',
      help: 'BFD session state: 1 when Up, 0 otherwise',
      labelNames: peer,
    }),
    input: m.counter({
      name: 'bfd_control_packet_input',
      help: 'BFD Control packets received and accepted for the session',
      labelNames: peer,
    }),
    output: m.counter({
      name: 'bfd_control_packet_output',
      help: 'BFD Control packets sent for the session',
      labelNames: peer,
    }),
    upEvents: m.counter({
      name: 'bfd_session_up_events',
      help: 'Times the BFD session went Up',
      labelNames: peer,
    }),
    downEvents: m.counter({
      name: 'bfd_session_down_events',
      help: 'Times the BFD session left Up',
      labelNames: peer,
    }),
    received: m.counter({
      name: 'bfd_datagrams_received_total',
      help: 'Datagrams received on BFD sockets, valid or not',
    }),
    dropped(reason: string): void {
      let labels = reasonLabels.get(reason);
      if (!labels) {
        labels = { reason };
        reasonLabels.set(reason, labels);
      }
      droppedCounter.inc(labels);
    },
  };
}
