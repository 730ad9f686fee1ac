// The injected dependencies of @ironlb/ndp-responder (DESIGN.md §3): those of the generic
// responder in @ironlb/raw-link, all optional here, plus multicast group membership. Contracts
// (Clock, Logger, Metrics) come from @ironlb/clock.
import type { L2ResponderDeps } from '@ironlb/raw-link';
import type { MulticastMembership } from './io/multicast.js';

/**
 * `openLink` defaults to an AF_PACKET socket (`openPacketLink`), `membership` to an unprivileged
 * udp6 socket (`createUdp6Membership`), `clock` to the real one with unref'd timers, `logger` to
 * silence, `metrics` to none.
 */
export type NdpResponderDeps = Partial<L2ResponderDeps> & {
  /** Solicited-node group membership. */
  membership?: MulticastMembership;
};
