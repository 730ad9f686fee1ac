// The controller's per-service convergence (MetalLB controller/service.go) and restart ordering.
import { describe, expect, it } from 'vitest';
import { createAllocator, describeFailure, reconcile, restartOrder, restore } from './index.js';
import type { AllocationFailure, PoolSpec } from './index.js';
import { ports, req } from './test-support/helpers.js';

const pools: PoolSpec[] = [
  { name: 'a', addresses: ['192.0.2.0/30', '2001:db8:a::/126'] },
  { name: 'b', addresses: ['198.51.100.0/30'] },
  { name: 'pinned', serviceAllocation: { priority: 1 }, addresses: ['203.0.113.0/30'] },
];

describe('reconcile', () => {
  it('allocates a new service and reports one IPAllocated event', () => {
    const a = createAllocator({}, { pools });
    const r = reconcile(a, req('ns/x'), []);
    expect(r).toMatchObject({
      addresses: ['192.0.2.0'],
      pool: 'a',
      changed: true,
      failure: undefined,
    });
    expect(r.events).toEqual([{ type: 'allocated', pool: 'a', addresses: ['192.0.2.0'] }]);
    expect(reconcile(a, req('ns/x'), r.addresses)).toMatchObject({ changed: false, events: [] });
  });

  it('keeps the address from status even when a lower one is free (no reshuffle)', () => {
    const a = createAllocator({}, { pools });
    const r = reconcile(a, req('ns/x'), ['192.0.2.3']);
    expect(r).toMatchObject({ addresses: ['192.0.2.3'], changed: false, events: [] });
  });

  it('clears an address that is no longer allowed, with the ClearAssignment reason, and re-allocates', () => {
    const a = createAllocator({}, { pools });
    const r = reconcile(a, req('ns/x'), ['203.0.113.1']); // pinned pool, service does not match
    const cleared = r.events[0] as { type: 'cleared'; why: string; failure?: AllocationFailure };
    expect(cleared).toMatchObject({
      type: 'cleared',
      why: 'not-allowed',
      addresses: ['203.0.113.1'],
    });
    expect(describeFailure(cleared.failure!)).toBe('pool pinned not compatible for ip assignment');
    expect(r).toMatchObject({ addresses: ['192.0.2.0'], changed: true });
  });

  it('moves to the requested pool or addresses when they change', () => {
    const a = createAllocator({}, { pools });
    reconcile(a, req('ns/x'), []);
    const r = reconcile(a, req('ns/x', 'v4', { requestedPool: 'b' }), ['192.0.2.0']);
    expect(r.events.map((e) => e.type)).toEqual(['cleared', 'allocated']);
    expect(r.addresses).toEqual(['198.51.100.0']);
    const r2 = reconcile(
      a,
      req('ns/x', 'v4', { requestedAddresses: ['198.51.100.3'] }),
      r.addresses,
    );
    expect(r2.addresses).toEqual(['198.51.100.3']);
    expect(r2.events[0]).toMatchObject({ type: 'cleared', why: 'addresses-changed' });
  });

  it('clears addresses whose family no longer matches the service', () => {
    const a = createAllocator({}, { pools });
    const r = reconcile(a, req('ns/x', 'v6'), ['192.0.2.1']);
    expect(r.events[0]).toMatchObject({ type: 'cleared', why: 'family-changed' });
    expect(r.addresses).toEqual(['2001:db8:a::']);
  });

  it('adds the missing family to a dual-stack PreferDualStack service from the same pool', () => {
    const a = createAllocator({}, { pools });
    const r = reconcile(a, req('ns/x', 'dual', { ipFamilyPolicy: 'PreferDualStack' }), [
      '192.0.2.2',
    ]);
    expect(r.addresses).toEqual(['192.0.2.2', '2001:db8:a::']);
    expect(r.events).toEqual([{ type: 'additional-allocated', address: '2001:db8:a::' }]);
    const b = reconcile(a, req('ns/y', 'dual', { ipFamilyPolicy: 'PreferDualStack' }), [
      '198.51.100.1',
    ]);
    expect(b.addresses).toEqual(['198.51.100.1']);
    expect(b.events[0]).toMatchObject({ type: 'additional-failed' });
    // A single-stack cluster IP never gets a second address (MetalLB would flip-flop here).
    const c = reconcile(a, req('ns/z', 'v4', { ipFamilyPolicy: 'PreferDualStack' }), ['192.0.2.3']);
    expect(c).toMatchObject({ addresses: ['192.0.2.3'], events: [] });
  });

  it('clears without events when there are no pools at all', () => {
    const a = createAllocator({}, { pools });
    reconcile(a, req('ns/x'), []);
    a.setPools([]);
    const r = reconcile(a, req('ns/x'), ['192.0.2.0']);
    expect(r).toMatchObject({
      addresses: [],
      changed: true,
      events: [],
      failure: { reason: 'no-pools' },
    });
  });

  it('reports AllocationFailed data when nothing is free', () => {
    const a = createAllocator({}, { pools: [{ name: 'one', addresses: ['192.0.2.1/32'] }] });
    reconcile(a, req('ns/x'), []);
    const r = reconcile(a, req('ns/y'), []);
    expect(r.addresses).toEqual([]);
    expect(describeFailure(r.failure!)).toBe('no available IPs');
  });
});

describe('restart', () => {
  it('orders services with addresses first (more first), then by key', () => {
    const s = (service: string, addresses: string[]) => ({ request: req(service), addresses });
    const order = restartOrder([
      s('ns/c', []),
      s('ns/b', ['192.0.2.1']),
      s('ns/a', []),
      s('ns/d', ['1', '2']),
    ]);
    expect(order.map((x) => x.request.service)).toEqual(['ns/d', 'ns/b', 'ns/a', 'ns/c']);
  });

  it('gives every service its old address back even when pending services sort first by name', () => {
    const before = createAllocator({}, { pools: [{ name: 'p', addresses: ['192.0.2.0/31'] }] });
    const x = reconcile(before, req('ns/z-old'), []);
    const y = reconcile(
      before,
      req('ns/y-old', 'v4', { sharingKey: 'k', ports: ports('TCP/80') }),
      [],
    );
    expect([x.addresses, y.addresses]).toEqual([['192.0.2.0'], ['192.0.2.1']]);
    const after = createAllocator({}, { pools: [{ name: 'p', addresses: ['192.0.2.0/31'] }] });
    const results = restore(after, [
      { request: req('ns/a-new'), addresses: [] },
      { request: req('ns/z-old'), addresses: x.addresses },
      {
        request: req('ns/y-old', 'v4', { sharingKey: 'k', ports: ports('TCP/80') }),
        addresses: y.addresses,
      },
    ]);
    expect(results.map((r) => [r.service, r.addresses, r.changed])).toEqual([
      ['ns/y-old', ['192.0.2.1'], false],
      ['ns/z-old', ['192.0.2.0'], false],
      ['ns/a-new', [], false],
    ]);
  });
});
