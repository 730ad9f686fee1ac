// The injected dependencies of @ironlb/raw-link (DESIGN.md §3), in one place. The contracts come
// from @ironlb/clock; the defaults are the real clock with unref'd timers (a pending announcement
// never keeps a process alive on its own: owners close responders), a silent logger, no metrics.
import type { Clock, Logger, Metrics } from '@ironlb/clock';
import type { L2Event } from './events.js';
import type { InterfaceInfo } from './io/interfaces.js';
import type { LinkOpener } from './link.js';

export type { Clock, Logger, Metrics };
export { backgroundClock as defaultClock, noMetrics, silentLogger } from '@ironlb/clock';

/** What {@link createL2Responder} takes. */
export interface L2ResponderDeps {
  /** Opens the raw link; {@link openPacketLink} in production, a FakeSegment opener in tests. */
  openLink: LinkOpener;
  /** Default: the real monotonic clock with unref'd timers. */
  clock?: Clock;
  /** Default: silent. */
  logger?: Logger;
  /**
   * Default: none. Counters `layer2_requests_received`, `layer2_responses_sent`,
   * `layer2_gratuitous_sent`, `layer2_conflicts_detected` (label `ip`) and
   * `layer2_requests_ignored` (labels `ip`, `reason`).
   */
  metrics?: Metrics;
  /** Called for every request, reply, gratuitous round and conflict. Must not throw. */
  onEvent?: (event: L2Event) => void;
  /** Called after an address enters (`added`) or leaves (`removed`) the announced set. */
  onMembership?: (change: 'added' | 'removed', address: string) => void;
}

/** What {@link createInterfaceWatcher} takes. */
export interface InterfaceWatcherDeps {
  /** Default: the real monotonic clock with unref'd timers. */
  clock?: Clock;
  /** Default: silent. */
  logger?: Logger;
  /** Source of interface facts; default {@link readInterfaces} (sysfs + getifaddrs). */
  read?: () => InterfaceInfo[];
}
