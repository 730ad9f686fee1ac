/**
 * The `memberlist_*` metrics, declared once with help text and label names (DESIGN.md §3; the app
 * adds its prefix, e.g. `metallb_`). Listed in the README.
 */
import type { Counter, Gauge, Metrics } from '@ironlb/clock';

export interface MemberlistInstruments {
  packetsReceived: Counter;
  packetsSent: Counter;
  bytesReceived: Counter;
  bytesSent: Counter;
  authFailures: Counter;
  decodeErrors: Counter;
  memberEvents: Counter;
  members: Gauge;
  healthScore: Gauge;
  probes: Counter;
  probeFailures: Counter;
  suspicions: Counter;
  refutations: Counter;
  rejected: Counter;
  candidates: Gauge;
}

export function memberlistInstruments(m: Metrics): MemberlistInstruments {
  return {
    packetsReceived: m.counter({
      name: 'memberlist_packets_received_total',
      help: 'UDP packets received, before authentication',
    }),
    packetsSent: m.counter({ name: 'memberlist_packets_sent_total', help: 'UDP packets sent' }),
    bytesReceived: m.counter({
      name: 'memberlist_bytes_received_total',
      help: 'Bytes received in UDP packets and stream messages, before authentication',
      labelNames: ['transport'],
    }),
    bytesSent: m.counter({
      name: 'memberlist_bytes_sent_total',
      help: 'Bytes sent in UDP packets and stream messages',
      labelNames: ['transport'],
    }),
    authFailures: m.counter({
      name: 'memberlist_auth_failures_total',
      help: 'Packets and stream messages dropped because no key of the keyring authenticates them',
      labelNames: ['transport'],
    }),
    decodeErrors: m.counter({
      name: 'memberlist_decode_errors_total',
      help: 'Authenticated packets and stream messages dropped as undecodable or of another wire version',
      labelNames: ['transport'],
    }),
    memberEvents: m.counter({
      name: 'memberlist_member_events_total',
      help: 'Membership events: join, update, suspect, alive (refuted), dead, leave',
      labelNames: ['type'],
    }),
    members: m.gauge({
      name: 'memberlist_members',
      help: 'Members in the table, ourselves not counted, by status',
      labelNames: ['status'],
    }),
    healthScore: m.gauge({
      name: 'memberlist_health_score',
      help: 'Lifeguard local health multiplier: 0 healthy, up to awarenessMaxMultiplier - 1',
    }),
    probes: m.counter({ name: 'memberlist_probes_total', help: 'Probe rounds started' }),
    probeFailures: m.counter({
      name: 'memberlist_probe_failures_total',
      help: 'Probe rounds that ended without an ack (direct, indirect or TCP)',
    }),
    suspicions: m.counter({
      name: 'memberlist_suspicions_total',
      help: 'Suspicions started about other members',
    }),
    refutations: m.counter({
      name: 'memberlist_refutations_total',
      help: 'Times this member refuted a suspicion or death of itself',
    }),
    rejected: m.counter({
      name: 'memberlist_messages_rejected_total',
      help: 'Membership messages dropped by a bound, by reason (README "Reliability")',
      labelNames: ['reason'],
    }),
    candidates: m.gauge({
      name: 'memberlist_pending_members',
      help: 'Members heard of second hand whose verification ping has not been answered yet',
    }),
  };
}

/** Transport-side instruments (io/net-transport.ts). */
export function streamInstruments(m: Metrics): { dropped: Counter; buffered: Gauge } {
  return {
    dropped: m.counter({
      name: 'memberlist_streams_dropped_total',
      help: 'Inbound TCP streams dropped by a bound, by reason (README "Reliability")',
      labelNames: ['reason'],
    }),
    buffered: m.gauge({
      name: 'memberlist_stream_buffered_bytes',
      help: 'Bytes held for inbound stream messages not yet complete, all streams together',
    }),
  };
}
