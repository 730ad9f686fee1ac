// The injected dependencies of @ironlb/arp-responder (DESIGN.md §3): those of the generic
// responder in @ironlb/raw-link, all optional here. Contracts (Clock, Logger, Metrics) come from
// @ironlb/clock.
import type { L2ResponderDeps } from '@ironlb/raw-link';

/**
 * `openLink` defaults to an AF_PACKET socket (`openPacketLink`), `clock` to the real one with
 * unref'd timers, `logger` to silence, `metrics` to none; `onEvent` and `onMembership` to nothing.
 */
export type ArpResponderDeps = Partial<L2ResponderDeps>;
