// The injected dependencies of @ironlb/l2-announcer (DESIGN.md §3), in one place. The contracts
// come from @ironlb/clock; the drivers from the responder packages.
import type { Clock, Logger, Metrics } from '@ironlb/clock';
import type { MulticastMembership } from '@ironlb/ndp-responder';
import type { InterfaceInfo, LinkOpener } from '@ironlb/raw-link';
import type { L2AnnouncerEvent } from './events.js';

export type { Clock, Logger, Metrics };

export interface L2AnnouncerDeps {
  /** Opens raw links. Default: an AF_PACKET socket per responder (needs CAP_NET_RAW). */
  openLink?: LinkOpener;
  /** Default: the real monotonic clock with unref'd timers. */
  clock?: Clock;
  /** Default: silent. */
  logger?: Logger;
  /**
   * Default: none. The responders count `layer2_requests_received`, `layer2_responses_sent`,
   * `layer2_gratuitous_sent`, `layer2_conflicts_detected` (label `ip`) and
   * `layer2_requests_ignored` (labels `ip`, `reason`) — MetalLB's names without `metallb_`.
   */
  metrics?: Metrics;
  /** Every responder event, interface change and handover. Must not throw. */
  onEvent?: (event: L2AnnouncerEvent) => void;
  /** Solicited-node group membership for NDP. Default: one unprivileged udp6 socket per responder. */
  membership?: MulticastMembership;
  /** Interface facts for discovery. Default: sysfs + getifaddrs of this network namespace. */
  readInterfaces?: () => InterfaceInfo[];
}
