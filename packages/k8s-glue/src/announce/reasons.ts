// MetalLB's reasons not to announce (speaker/main.go SetBalancer, speaker/layer2_controller.go
// and speaker/bgp_controller.go ShouldAnnounce), each with the log line MetalLB writes when it
// decides so, and the events and log lines around announcing and withdrawing. The reason is what
// MetalLB puts in the `reason` field of its "withdrawing service announcement" line.
import type { LogLine, ServiceEvent } from './types.js';

/** Why a Service is not announced at all (before any protocol is asked). */
export type ServiceReason =
  | 'notLoadBalancer'
  | 'noIPAllocated'
  | 'invalidIP'
  | 'ipNotAllowed'
  | 'serviceDeleted'
  | 'loadBalancerIPChanged';

/** Why one protocol does not announce a Service from this node. */
export type Layer2Reason = 'notOwner' | 'sharedIPWithServiceSelector' | 'noMatchingAdvertisement';
export type BgpReason =
  | 'notOwner'
  | 'noMatchingAdvertisement'
  | 'conflictingAdvertisements'
  | 'nodeNetworkUnavailable'
  | 'nodeLabeledExcludeBalancers'
  | 'noLocalEndpoints'
  | 'noEndpoints';

export type Protocol = 'layer2' | 'bgp';

const line = (
  level: LogLine['level'],
  fields: Record<string, string | readonly string[]>,
  msg: string,
): LogLine => ({
  level,
  fields,
  msg,
});

/** The line MetalLB logs when a Service is dropped before the protocols are asked. */
export function serviceReasonLog(reason: ServiceReason, detail = ''): LogLine | undefined {
  switch (reason) {
    case 'invalidIP':
      return line(
        'error',
        { op: 'setBalancer', error: `invalid LoadBalancer IP ${JSON.stringify(detail)}` },
        'invalid IP allocated by controller',
      );
    case 'ipNotAllowed':
      return line(
        'error',
        { op: 'setBalancer', error: 'assigned IP not allowed by config' },
        'IP allocated by controller not allowed by config',
      );
    default:
      return undefined; // notLoadBalancer, noIPAllocated, ...: only the withdrawal line
  }
}

/** The line MetalLB logs when Layer 2 decides not to announce (ShouldAnnounce). */
export function layer2ReasonLog(
  reason: Layer2Reason,
  service: string,
  why: 'noEndpoints' | 'noNodes' | 'lost' = 'lost',
): LogLine | undefined {
  if (reason === 'sharedIPWithServiceSelector') {
    return line(
      'warn',
      {
        event: 'skipping should announce l2',
        service,
        reason: 'allow-shared-ip is incompatible with serviceSelectors on L2 advertisements',
      },
      '',
    );
  }
  if (reason === 'noMatchingAdvertisement') {
    return line(
      'debug',
      {
        event: 'skipping should announce l2',
        service,
        reason: 'no advertisement matching service on my node',
      },
      '',
    );
  }
  if (why === 'noEndpoints') {
    return line(
      'debug',
      {
        event: 'shouldannounce',
        protocol: 'l2',
        message: 'failed no active endpoints',
        service,
      },
      '',
    );
  }
  if (why === 'noNodes') {
    return line(
      'debug',
      { event: 'skipping should announce l2', service, reason: 'no available nodes' },
      '',
    );
  }
  return undefined; // lost the election: MetalLB logs nothing
}

/** The line MetalLB logs when BGP decides not to announce (ShouldAnnounce). */
export function bgpReasonLog(reason: BgpReason, service: string, error = ''): LogLine | undefined {
  const skip = (level: LogLine['level'], why: string) =>
    line(level, { event: 'skipping should announce bgp', service, reason: why }, '');
  switch (reason) {
    case 'notOwner':
      return skip('debug', 'pool not matching my node');
    case 'noMatchingAdvertisement':
      return skip('debug', 'no advertisement matching service');
    case 'conflictingAdvertisements':
      return line('error', { event: 'conflictingAdvertisements', service, error }, '');
    case 'nodeNetworkUnavailable':
      return skip('warn', "speaker's node has NodeNetworkUnavailable condition");
    case 'nodeLabeledExcludeBalancers':
      return skip(
        'warn',
        "speaker's node has labeled 'node.kubernetes.io/exclude-from-external-load-balancers'",
      );
    default:
      return undefined; // noLocalEndpoints, noEndpoints: only the withdrawal line
  }
}

/** MetalLB's line when a Service stops being announced (any protocol, any reason). */
export function withdrawLog(ips: readonly string[], reason: string): LogLine {
  return line(
    'info',
    { event: 'serviceWithdrawn', ip: [...ips], reason },
    'withdrawing service announcement',
  );
}

/** MetalLB's line and event when a Service is announced by this node with a protocol. */
export function announceLog(protocol: Protocol): LogLine {
  return line('info', { event: 'serviceAnnounced', protocol }, 'service has IP, announcing');
}
export function nodeAssignedEvent(node: string, protocol: Protocol): ServiceEvent {
  return {
    type: 'Normal',
    reason: 'nodeAssigned',
    message: `announcing from node ${JSON.stringify(node)} with protocol ${JSON.stringify(protocol)}`,
  };
}

/** MetalLB's Warning when none of the interfaces an L2Advertisement names exists on the node. */
export function announceFailedEvent(ip: string, node: string): ServiceEvent {
  return {
    type: 'Warning',
    reason: 'announceFailed',
    message: `the interfaces specified by LB IP ${JSON.stringify(ip)} doesn't exist in assigned node ${JSON.stringify(node)} with protocol "layer2"`,
  };
}
