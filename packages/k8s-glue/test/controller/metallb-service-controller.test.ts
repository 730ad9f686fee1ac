// MetalLB's Service reconciler tests (internal/k8s/controllers/service_controller_test.go at
// metallb/metallb 7938d3f) ported as data: TestServiceController against the harness's reaction
// to a handler's SyncState (reactToSync / handlesServiceEvents, which the controller runtime uses
// as is), TestLBClass against handlesLoadBalancerClass.
import { describe, expect, it } from 'vitest';
import { SyncState } from '../../src/controller/outcome.js';
import { handlesLoadBalancerClass } from '../../src/controller/service.js';
import { handlesServiceEvents, reactToSync } from '../../src/controller/sync-policy.js';
import { svc } from './support.js';

interface ReconcileRow {
  desc: string;
  handlerRes: SyncState;
  shouldReprocessAll: boolean;
  expectReconcileFails: boolean;
  expectForceReloadCalled: boolean;
  initialLoadPerformed: boolean;
}

// The rows with needEndPoints are the speaker's (EndpointSlices); the controller reads none.
const ROWS: ReconcileRow[] = [
  {
    desc: 'call reconcileService, handler returns SyncStateSuccess',
    handlerRes: SyncState.Success,
    shouldReprocessAll: false,
    expectReconcileFails: false,
    expectForceReloadCalled: false,
    initialLoadPerformed: true,
  },
  {
    desc: 'call reconcileService, handler returns SyncStateError',
    handlerRes: SyncState.Error,
    shouldReprocessAll: false,
    expectReconcileFails: true,
    expectForceReloadCalled: false,
    initialLoadPerformed: true,
  },
  {
    desc: 'call reconcileService, handler returns SyncStateErrorNoRetry',
    handlerRes: SyncState.ErrorNoRetry,
    shouldReprocessAll: false,
    expectReconcileFails: false,
    expectForceReloadCalled: false,
    initialLoadPerformed: true,
  },
  {
    desc: 'call reconcileService, handler returns SyncStateReprocessAll',
    handlerRes: SyncState.ReprocessAll,
    shouldReprocessAll: false,
    expectReconcileFails: false,
    expectForceReloadCalled: true,
    initialLoadPerformed: true,
  },
  {
    desc: 'call reconcileService, initialLoadPerformed initiated to false',
    handlerRes: SyncState.ReprocessAll,
    shouldReprocessAll: false,
    expectReconcileFails: false,
    expectForceReloadCalled: false,
    initialLoadPerformed: false,
  },
  {
    desc: 'call reprocessAll, handler returns SyncStateSuccess',
    handlerRes: SyncState.Success,
    shouldReprocessAll: true,
    expectReconcileFails: false,
    expectForceReloadCalled: false,
    initialLoadPerformed: true,
  },
  {
    desc: 'call reprocessAll, handler returns SyncStateError',
    handlerRes: SyncState.Error,
    shouldReprocessAll: true,
    expectReconcileFails: true,
    expectForceReloadCalled: false,
    initialLoadPerformed: true,
  },
  {
    desc: 'call reprocessAll, handler returns SyncStateErrorNoRetry',
    handlerRes: SyncState.ErrorNoRetry,
    shouldReprocessAll: true,
    expectReconcileFails: false,
    expectForceReloadCalled: false,
    initialLoadPerformed: true,
  },
  {
    desc: 'call reprocessAll, handler returns SyncStateReprocessAll',
    handlerRes: SyncState.ReprocessAll,
    shouldReprocessAll: true,
    expectReconcileFails: true,
    expectForceReloadCalled: false,
    initialLoadPerformed: true,
  },
  {
    desc: 'call reprocessAll, initialLoadPerformed initiated to false',
    handlerRes: SyncState.Success,
    shouldReprocessAll: true,
    expectReconcileFails: false,
    expectForceReloadCalled: false,
    initialLoadPerformed: false,
  },
];

describe('MetalLB service_controller_test.go TestServiceController (as data)', () => {
  for (const row of ROWS) {
    it(row.desc, () => {
      // A Service key is handled only once the first reprocess-all ran; a reprocess-all always is.
      const handled = row.shouldReprocessAll || handlesServiceEvents(row.initialLoadPerformed);
      const r = handled
        ? reactToSync(row.handlerRes, row.shouldReprocessAll)
        : { retry: false, reprocessAll: false, countError: false };
      expect({ fails: r.retry, forceReload: r.reprocessAll }).toEqual({
        fails: row.expectReconcileFails,
        forceReload: row.expectForceReloadCalled,
      });
    });
  }

  it('Service events are ignored until the first reprocess-all', () => {
    expect(handlesServiceEvents(false)).toBe(false);
    expect(handlesServiceEvents(true)).toBe(true);
  });
});

describe('MetalLB service_controller_test.go TestLBClass (as data)', () => {
  const rows: {
    desc: string;
    serviceLBClass?: string;
    metallbLBClass: string;
    shouldFilter: boolean;
  }[] = [
    { desc: 'Empty serviceclass, metallb default', metallbLBClass: '', shouldFilter: false },
    { desc: 'Empty serviceclass, metallb specific', metallbLBClass: 'foo', shouldFilter: true },
    {
      desc: 'Set serviceclass, metallb default',
      serviceLBClass: 'foo',
      metallbLBClass: '',
      shouldFilter: true,
    },
    {
      desc: 'Set serviceclass, metallb different',
      serviceLBClass: 'foo',
      metallbLBClass: 'bar',
      shouldFilter: true,
    },
    {
      desc: 'Set serviceclass, metallb same',
      serviceLBClass: 'foo',
      metallbLBClass: 'foo',
      shouldFilter: false,
    },
  ];
  for (const row of rows) {
    it(row.desc, () => {
      const s = svc({ ...(row.serviceLBClass ? { lbClass: row.serviceLBClass } : {}) });
      expect(!handlesLoadBalancerClass(s, row.metallbLBClass)).toBe(row.shouldFilter);
    });
  }
});
