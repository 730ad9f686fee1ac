// How the harness reacts to a handler's SyncState, as MetalLB's ServiceReconciler does
// (internal/k8s/controllers/service_controller.go, service_controller_reload.go): pure, so that
// MetalLB's reconciler table (service_controller_test.go) is checked against it directly.
import { SyncState } from './outcome.js';

export interface SyncReaction {
  /** Retry this key (or the whole pass) with backoff. */
  readonly retry: boolean;
  /** Enqueue "reprocess all". */
  readonly reprocessAll: boolean;
  /** Count in metallb_k8s_client_update_errors_total. */
  readonly countError: boolean;
}

/**
 * For one Service key: Error retries, ErrorNoRetry only counts, ReprocessAll asks for a pass.
 * Inside a reprocess-all pass: Error and ReprocessAll retry the pass with backoff (MetalLB returns
 * errRetry rather than enqueueing itself again, so a pass cannot spin at full speed).
 */
export function reactToSync(sync: SyncState, inReprocessAll: boolean): SyncReaction {
  switch (sync) {
    case SyncState.Success:
      return { retry: false, reprocessAll: false, countError: false };
    case SyncState.Error:
      return { retry: true, reprocessAll: false, countError: true };
    case SyncState.ErrorNoRetry:
      return { retry: false, reprocessAll: false, countError: true };
    case SyncState.ReprocessAll:
      return inReprocessAll
        ? { retry: true, reprocessAll: false, countError: false }
        : { retry: false, reprocessAll: true, countError: false };
  }
}

/**
 * MetalLB ignores Service events until the first reprocess-all has run (it sees every Service,
 * with the ones holding addresses first). IronLB marks the first pass done even when it asked for
 * a retry: its first pass restores every held address before reconciling anything, so the order
 * no longer matters for the Services that come after.
 */
export function handlesServiceEvents(initialLoadPerformed: boolean): boolean {
  return initialLoadPerformed;
}
