// The speaker's metrics, declared once with help text and label names (@ironlb/clock's Metrics).
// The first four are MetalLB's native-mode BGP metrics with the same names, meaning and label
// (`peer`, the peer address); an app exporting them with the prefix `metallb_` gets MetalLB's
// series. The rest are ours. Every name is listed in the README.
import type { Counter, Gauge, Metrics } from '@ironlb/clock';

export interface BgpMetrics {
  sessionUp: Gauge;
  updatesSent: Counter;
  announcedPrefixes: Gauge;
  pendingPrefixes: Gauge;
  updatesReceived: Counter;
  notificationsSent: Counter;
  notificationsReceived: Counter;
  routeRefreshesReceived: Counter;
  outputOverflows: Counter;
  outputQueueBytes: Gauge;
  listenerErrors: Counter;
}

const peer = ['peer'] as const;

export function declareMetrics(m: Metrics): BgpMetrics {
  return {
    sessionUp: m.gauge({
      name: 'bgp_session_up',
      help: 'BGP session state (1 is up, 0 is down)',
      labelNames: peer,
    }),
    updatesSent: m.counter({
      name: 'bgp_updates_total',
      help: 'Number of BGP UPDATE messages sent',
      labelNames: peer,
    }),
    announcedPrefixes: m.gauge({
      name: 'bgp_announced_prefixes_total',
      help: 'Number of prefixes currently being advertised on the BGP session',
      labelNames: peer,
    }),
    pendingPrefixes: m.gauge({
      name: 'bgp_pending_prefixes_total',
      help: "Number of prefixes that should be advertised on the BGP session but aren't yet",
      labelNames: peer,
    }),
    updatesReceived: m.counter({
      name: 'bgp_updates_received_total',
      help: 'Number of BGP UPDATE messages received',
      labelNames: peer,
    }),
    notificationsSent: m.counter({
      name: 'bgp_notifications_sent_total',
      help: 'Number of BGP NOTIFICATION messages sent',
      labelNames: peer,
    }),
    notificationsReceived: m.counter({
      name: 'bgp_notifications_received_total',
      help: 'Number of BGP NOTIFICATION messages received',
      labelNames: peer,
    }),
    routeRefreshesReceived: m.counter({
      name: 'bgp_route_refreshes_received_total',
      help: 'Number of ROUTE-REFRESH requests received (coalesced while a resend is pending)',
      labelNames: peer,
    }),
    outputOverflows: m.counter({
      name: 'bgp_output_overflows_total',
      help: 'Sessions reset because the bytes queued to the peer passed maxOutputQueueBytes',
      labelNames: peer,
    }),
    outputQueueBytes: m.gauge({
      name: 'bgp_output_queue_bytes',
      help: 'Bytes written to the session socket and not yet taken by the kernel',
      labelNames: peer,
    }),
    listenerErrors: m.counter({
      name: 'bgp_listener_errors_total',
      help: 'Errors on a listening socket after it was up (e.g. EMFILE on accept)',
      labelNames: ['listen'],
    }),
  };
}
