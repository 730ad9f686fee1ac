import type { L2Event } from '@ironlb/raw-link';

/**
 * What {@link createL2Announcer} reports: every responder event (request, reply, gratuitous,
 * conflict), plus interfaces coming and going and handovers while draining. Field names are a
 * stable contract (append-only); the ironlb-l2 CLI prints them as JSON lines.
 */
export type L2AnnouncerEvent =
  | L2Event
  /** The set of eligible interfaces changed (a rescan found interfaces that appeared or went). */
  | {
      readonly type: 'interfaces';
      readonly added: readonly string[];
      readonly removed: readonly string[];
      readonly current: readonly string[];
    }
  /**
   * While draining, another station announced `address` (its gratuitous ARP / unsolicited NA,
   * or an answer naming its MAC): this node stopped answering for it (planned handover).
   */
  | {
      readonly type: 'handover';
      readonly address: string;
      readonly iface: string;
      /** The MAC that now answers for the address. */
      readonly toMac: string;
    }
  /** A responder could not be opened on an interface (no CAP_NET_RAW, interface gone, ...). */
  | {
      readonly type: 'open-failed';
      readonly iface: string;
      readonly family: 4 | 6;
      readonly code: string;
      readonly message: string;
    };

export type L2AnnouncerEventType = L2AnnouncerEvent['type'];
