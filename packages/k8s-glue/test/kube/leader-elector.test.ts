// The leader elector's loop on a scripted API and a manual clock: it creates or takes over the
// Lease, renews it every retry period, steps down at the renew deadline when it cannot renew
// (even while a request hangs), and releases the Lease when stopped.
import { describe, expect, it } from 'vitest';
import { ManualClock, ManualWallClock } from '@ironlb/clock/testing';
import { LeaderElector } from '../../src/kube/leader-elector.js';
import type { LeaseSpec } from '../../src/reconcile/leader.js';
import type { KubeRequest } from '../../src/kube/rest.js';
import { FakeRest, apiError, flush } from './fake-rest.js';

interface LeaseObj {
  metadata: { name: string; namespace: string; resourceVersion: string };
  spec: LeaseSpec;
}

function setup(identity = 'me') {
  const rest = new FakeRest();
  const clock = new ManualClock();
  const wall = new ManualWallClock(Date.UTC(2026, 0, 1));
  let lease: LeaseObj | undefined;
  let rv = 1;
  let down = false;
  let hang = false;
  rest.handler = (req: KubeRequest) => {
    if (hang) return new Promise(() => undefined);
    if (down) throw new Error('ECONNREFUSED');
    if (req.method === 'GET') {
      if (!lease) throw apiError(404, 'NotFound');
      return lease;
    }
    const body = req.body as LeaseObj;
    if (req.method === 'POST') {
      if (lease) throw apiError(409, 'AlreadyExists');
    } else if (body.metadata.resourceVersion !== lease?.metadata.resourceVersion) {
      throw apiError(409, 'Conflict');
    }
    lease = { ...body, metadata: { ...body.metadata, resourceVersion: String(++rv) } };
    return lease;
  };
  const events: string[] = [];
  const el = new LeaderElector(
    {
      rest,
      clock,
      wallClock: wall,
      random: () => 0,
      onStartedLeading: () => events.push('started'),
      onStoppedLeading: () => events.push('stopped'),
    },
    {
      namespace: 'metallb-system',
      identity,
      leaseDurationMs: 15_000,
      renewDeadlineMs: 10_000,
      retryPeriodMs: 2_000,
    },
  );
  const step = async (ms: number) => {
    for (let t = 0; t < ms; t += 100) {
      clock.advance(100);
      await flush(20);
    }
  };
  return {
    rest,
    clock,
    el,
    events,
    step,
    lease: () => lease,
    setLease: (l: LeaseObj) => (lease = l),
    down: (v: boolean) => (down = v),
    hang: (v: boolean) => (hang = v),
  };
}

describe('LeaderElector', () => {
  it('creates the Lease, leads, and renews every retry period', async () => {
    const t = setup();
    t.el.start();
    await t.step(100);
    expect(t.events).toEqual(['started']);
    expect(t.el.canWrite()).toBe(true);
    expect(t.lease()?.spec).toMatchObject({ holderIdentity: 'me', leaseDurationSeconds: 15 });
    const renewals = () => t.rest.requests.filter((r) => r.method === 'PUT').length;
    await t.step(6_000);
    expect(renewals()).toBe(3);
    expect(t.events).toEqual(['started']);
  });

  it('waits for another holder, and takes over once its record stayed unchanged for the lease duration', async () => {
    const t = setup();
    t.setLease({
      metadata: { name: 'ironlb-controller', namespace: 'metallb-system', resourceVersion: '1' },
      spec: {
        holderIdentity: 'other',
        leaseDurationSeconds: 15,
        renewTime: 'x',
        leaseTransitions: 4,
      },
    });
    t.el.start();
    await t.step(14_000);
    expect(t.events).toEqual([]);
    expect(t.el.canWrite()).toBe(false);
    await t.step(4_000);
    expect(t.events).toEqual(['started']);
    expect(t.lease()?.spec).toMatchObject({ holderIdentity: 'me', leaseTransitions: 5 });
  });

  it('unable to renew (API server down): stops leading at the renew deadline', async () => {
    const t = setup();
    t.el.start();
    await t.step(100);
    const leadSince = t.clock.now();
    t.down(true);
    await t.step(9_000);
    expect(t.el.canWrite()).toBe(true);
    await t.step(1_500);
    expect(t.events).toEqual(['started', 'stopped']);
    expect(t.el.canWrite()).toBe(false);
    // The last successful renew was sent at ≤ leadSince; writes are cut at renew + lease - margin.
    expect(t.el.deadlineMs()).toBeLessThanOrEqual(leadSince + 15_000);
  });

  it('a hanging request cannot keep a leader alive past its deadline', async () => {
    const t = setup();
    t.el.start();
    await t.step(100);
    t.hang(true);
    await t.step(10_500);
    expect(t.events).toEqual(['started', 'stopped']);
  });

  it('stop() releases the Lease so a successor need not wait', async () => {
    const t = setup();
    t.el.start();
    await t.step(100);
    await t.el.stop();
    expect(t.events).toEqual(['started', 'stopped']);
    expect(t.lease()?.spec).toMatchObject({ holderIdentity: '', leaseDurationSeconds: 1 });
  });
});
