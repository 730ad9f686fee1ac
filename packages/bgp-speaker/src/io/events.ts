// Events and counters the speaker reports per peer. The CLI prints these as JSON lines, so field
// names here are part of its stable output contract.
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
  | { type: 'skipped'; peer: string; prefixes: string[]; reason: string };

export interface PeerCounters {
  updatesIn: number;
  updatesOut: number;
  notificationsIn: number;
  notificationsOut: number;
  keepalivesOut: number;
  /** Prefixes currently in this peer's Adj-RIB-Out. */
  prefixesSent: number;
  /** Prefixes the peer announced in UPDATEs so far (counted, never stored or re-exported). */
  prefixesReceived: number;
  treatAsWithdraw: number;
  /** Received routes dropped because their AS_PATH holds our own AS (routing loop). */
  ownAsDropped: number;
  establishedTransitions: number;
  /** Route groups that could not be encoded for this peer (reported as `skipped`), plus flushes that failed. */
  encodeErrors: number;
  /** ROUTE-REFRESH requests received (RFC 2918); many while a resend is pending make one resend. */
  routeRefreshesIn: number;
  /** Sessions reset because the bytes queued to the peer passed `maxOutputQueueBytes`. */
  outputOverflows: number;
}

export interface PeerStatus {
  peer: string;
  peerAs: number;
  state: SessionStateName;
  lastReason: string;
  holdTimeSec: number | undefined;
  keepaliveSec: number | undefined;
  families: string[];
  peerRouterId: string | undefined;
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
