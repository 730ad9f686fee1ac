// What a handler decides, as plain data: the harness does the writing (DESIGN.md §3). MetalLB's
// controllers return a SyncState (internal/k8s/controllers/values.go) and write through the client
// themselves; here the writes are part of the result so that the handlers stay pure and the
// harness can batch, prioritise, fence (leader election) and retry them.
import type { EventType, InvolvedObject } from '../reconcile/event-correlator.js';

/** MetalLB's SyncState. Append-only. */
export const SyncState = {
  /** Done; nothing to retry. */
  Success: 'success',
  /** A transient failure: retry this key with backoff. */
  Error: 'error',
  /** Done, and every Service must be reconsidered (an address was freed, the pools changed...). */
  ReprocessAll: 'reprocess-all',
  /** A failure that a retry will not fix; wait for the next change. */
  ErrorNoRetry: 'error-no-retry',
} as const;
export type SyncState = (typeof SyncState)[keyof typeof SyncState];

/** An event to record on an object (reason and text as MetalLB's). */
export interface EventSpec {
  readonly object: InvolvedObject;
  readonly type: EventType;
  readonly reason: string;
  readonly message: string;
}

/** The controller-managed part of a Service: status ingress and the pool annotation. */
export interface ServiceUpdate {
  /** Addresses for status.loadBalancer.ingress; empty clears the load-balancer status. */
  readonly ingress: readonly string[];
  /** Value of metallb.io/ip-allocated-from-pool; undefined removes the annotation. */
  readonly pool: string | undefined;
}

export interface ServiceOutcome {
  readonly sync: SyncState;
  /** Set when the Service must be written (through the status subresource). */
  readonly update: ServiceUpdate | undefined;
  readonly events: readonly EventSpec[];
  /**
   * The Service holds its addresses and nothing is left to retry: a later "reprocess all" with the
   * same object and configuration would decide exactly the same, so it may skip it.
   */
  readonly converged: boolean;
}
