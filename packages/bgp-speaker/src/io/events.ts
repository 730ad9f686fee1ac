// Events and status the speaker reports per peer. The CLI prints these as JSON lines, so field
// names here are part of its stable output contract; the README documents every field.
import type { SessionStateName } from '../machine/types.js';

export type SpeakerEvent =
  | { type: 'state'; peer: string; from: SessionStateName; to: SessionStateName; reason: string }
  | {
      type: 'sent';
      peer: string;
      announced: string[];
      withdrawn: string[];
      messages: number;
      bytes: number;
      endOfRib: string[];
      /** RFC 7313 markers among these messages: BoRR before a refresh resend, EoRR after it. */
      refresh?: { family: string; marker: 'BoRR' | 'EoRR' }[];
    }
  | {
      type: 'received';
      peer: string;
      announced: string[];
      withdrawn: string[];
      treatAsWithdraw: boolean;
      problems: string[];
      /** Prefixes dropped because their AS_PATH holds our own AS (RFC 4271 §9.1.2); not in `announced`. */
      droppedOwnAs: string[];
      endOfRib?: string;
    }
  | {
      type: 'notification';
      peer: string;
      direction: 'sent' | 'received';
      code: number;
      subcode: number;
      reason: string;
      shutdownMessage?: string;
    }
  | { type: 'skipped'; peer: string; prefixes: string[]; reason: string }
  /**
   * Receiving speaker (RFC 4724 §4.2): the peer's routes became stale (`peer-restarting`), or
   * its stale routes of these families are to be removed now (`stale-flushed`).
   */
  | {
      type: 'graceful-restart';
      peer: string;
      phase: 'peer-restarting' | 'stale-flushed';
      families: string[];
      reason: string;
      restartTimeSec?: number;
    };

export interface PeerCounters {
  /** UPDATE messages received. */
  updatesIn: number;
  /** UPDATE messages sent (End-of-RIB included) plus RFC 7313 BoRR/EoRR markers. */
  updatesOut: number;
  notificationsIn: number;
  notificationsOut: number;
  keepalivesOut: number;
  /** Prefixes currently in this peer's Adj-RIB-Out. */
  prefixesSent: number;
  /** Prefixes the peer announced in UPDATEs so far (counted, never stored or re-exported). */
  prefixesReceived: number;
  /** Received UPDATEs handled as withdrawals (RFC 7606). */
  treatAsWithdraw: number;
  /** Received routes dropped because their AS_PATH holds our own AS (routing loop). */
  ownAsDropped: number;
  /** Times the session reached Established. */
  establishedTransitions: number;
  /** Route groups that could not be encoded for this peer (reported as `skipped`), plus flushes that failed. */
  encodeErrors: number;
  /** ROUTE-REFRESH requests received (RFC 2918); many while a resend is pending make one resend. */
  routeRefreshesIn: number;
  /** Sessions reset because the bytes queued to the peer passed `maxOutputQueueBytes`. */
  outputOverflows: number;
}

export interface PeerStatus {
  /** The peer's address as configured. */
  peer: string;
  /** The peer's ASN: configured, or with `dynamicAsn` learnt from its OPEN (undefined before). */
  peerAs: number | undefined;
  /** Our ASN and BGP Identifier on this session. */
  localAs: number;
  routerId: string;
  /** RFC 4271 state name. */
  state: SessionStateName;
  /** Why the session is in this state (the last transition's reason). */
  lastReason: string;
  /** Negotiated values; undefined / empty / false while not Established. */
  holdTimeSec: number | undefined;
  keepaliveTimeSec: number | undefined;
  families: string[];
  peerRouterId: string | undefined;
  /** Both sides advertised graceful restart (RFC 4724). */
  gracefulRestart: boolean;
  /** Both sides advertised enhanced route refresh (RFC 7313). */
  enhancedRouteRefresh: boolean;
  /** Receiving speaker: families whose routes from this peer are stale (it is restarting). */
  staleFamilies: string[];
  /** Bytes written to the session's socket and not yet taken by the kernel. */
  outputQueueBytes: number;
  /** Prefixes owed to the peer and not sent yet (all desired prefixes while not Established). */
  pendingPrefixes: number;
  counters: PeerCounters;
}

export function zeroCounters(): PeerCounters {
  return {
    updatesIn: 0,
    updatesOut: 0,
    notificationsIn: 0,
    notificationsOut: 0,
    keepalivesOut: 0,
    prefixesSent: 0,
    prefixesReceived: 0,
    treatAsWithdraw: 0,
    ownAsDropped: 0,
    establishedTransitions: 0,
    encodeErrors: 0,
    routeRefreshesIn: 0,
    outputOverflows: 0,
  };
}
