/**
 * What a responder reports through its `onEvent` callback, and what the ironlb-l2 CLI prints as
 * JSON lines. Field names are a stable contract (append-only).
 */
export type L2Event =
  /** A request (ARP request / Neighbor Solicitation) for an address we announce arrived. */
  | {
      readonly type: 'request';
      readonly iface: string;
      readonly address: string;
      /** Requester's link-layer address (from the ARP sender / SLLA option / Ethernet source). */
      readonly senderMac: string;
      /** Requester's protocol address ("0.0.0.0" / "::" for a duplicate-address probe). */
      readonly senderIp: string;
    }
  /** We answered a request. */
  | {
      readonly type: 'reply';
      readonly iface: string;
      readonly address: string;
      readonly mac: string;
      readonly toMac: string;
      readonly toIp: string;
    }
  /** We sent an announcement round (gratuitous ARP request + reply / unsolicited NA). */
  | {
      readonly type: 'gratuitous';
      readonly iface: string;
      readonly address: string;
      readonly mac: string;
      readonly reason: 'burst' | 'refresh';
      readonly frames: number;
    }
  /**
   * Another station claims an address we announce (MetalLB #740, #968): its ARP reply or
   * announcement / NA names another MAC, or it probes the address for duplicate detection.
   */
  | {
      readonly type: 'conflict';
      readonly iface: string;
      readonly address: string;
      /** Our MAC. */
      readonly mac: string;
      /** The other station's MAC. */
      readonly otherMac: string;
      readonly kind: 'reply' | 'announcement' | 'probe';
    };

export type L2EventType = L2Event['type'];

/**
 * Per-address counters (issue 6): requests received, replies sent, gratuitous frames sent,
 * conflicts seen, and requests ignored because the kernel would ignore them too (issue 14).
 */
export interface L2Counters {
  requests: number;
  replies: number;
  gratuitous: number;
  conflicts: number;
  ignored: number;
}

export function emptyCounters(): L2Counters {
  return { requests: 0, replies: 0, gratuitous: 0, conflicts: 0, ignored: 0 };
}

/** Counters are a fold over events: one place decides what each event counts as. */
export function countEvent(c: L2Counters, e: L2Event): void {
  switch (e.type) {
    case 'request':
      c.requests++;
      break;
    case 'reply':
      c.replies++;
      break;
    case 'gratuitous':
      c.gratuitous += e.frames;
      break;
    case 'conflict':
      c.conflicts++;
      break;
  }
}
