// The controller's rules one by one, with MetalLB's event reasons and texts (controller/service.go,
// controller/main.go), the pool annotation, the reprocess-all triggers, the restart restore and
// the configuration handler.
import { describe, expect, it } from 'vitest';
import { createAllocator } from '@ironlb/ipam';
import { handleConfig, INVALID_CONFIGURATION_REASON } from '../../src/controller/config-handler.js';
import { SyncState, type ServiceOutcome } from '../../src/controller/outcome.js';
import { reprocessOrder, restoreAssignments } from '../../src/controller/reprocess.js';
import { handleService, type ControllerState } from '../../src/controller/service-handler.js';
import { serviceKey, type ServiceObject } from '../../src/controller/service.js';
import { NS, poolCR, stateWith, svc, type PoolDef, type SvcDef } from './support.js';

const POOL = 'metallb.io/ip-allocated-from-pool';
const ev = (o: ServiceOutcome) => o.events.map((e) => `${e.type} ${e.reason}: ${e.message}`);
const run = (state: ControllerState, d: SvcDef, key = `ns/${d.name ?? 'web'}`) =>
  handleService(state, key, svc({ name: 'web', namespace: 'ns', ...d }));
const v4 = ['198.18.0.1'];

describe('events with MetalLB reasons and texts', () => {
  it('IPAllocated, and the pool annotation', () => {
    const s = stateWith([{ name: 'lan', addresses: ['192.0.2.0/30'] }]);
    const o = run(s, { clusterIPs: v4 });
    expect(ev(o)).toEqual(['Normal IPAllocated: Assigned IP ["192.0.2.0"]']);
    expect(o.update).toEqual({ ingress: ['192.0.2.0'], pool: 'lan' });
    expect(o.converged).toBe(true);
  });

  it('AllocationFailed when the pools are full', () => {
    const s = stateWith([{ name: 'lan', addresses: ['192.0.2.0/32'] }]);
    run(s, { name: 'a', clusterIPs: v4 });
    const o = run(s, { name: 'b', clusterIPs: v4 });
    expect(ev(o)).toEqual([
      'Warning AllocationFailed: Failed to allocate IP for "ns/b": no available IPs',
    ]);
    expect(o.sync).toBe(SyncState.ErrorNoRetry);
    expect(o.update).toBeUndefined();
  });

  it('AllocationFailed for an unknown pool and a port clash on a requested address', () => {
    const s = stateWith([{ name: 'lan', addresses: ['192.0.2.0/30'] }]);
    expect(
      ev(run(s, { clusterIPs: v4, annotations: { 'metallb.io/address-pool': 'nope' } })),
    ).toEqual([
      'Warning AllocationFailed: Failed to allocate IP for "ns/web": unknown pool "nope"',
    ]);
    const share = { 'metallb.io/allow-shared-ip': 'k', 'metallb.io/loadBalancerIPs': '192.0.2.1' };
    run(s, { name: 'a', clusterIPs: v4, annotations: share, ports: ['TCP/80'] });
    expect(
      ev(run(s, { name: 'b', clusterIPs: v4, annotations: share, ports: ['TCP/80'] })),
    ).toEqual([
      'Warning AllocationFailed: Failed to allocate IP for "ns/b": port TCP/80 is already in use on "192.0.2.1"',
    ]);
  });

  it('ClearAssignment when the current address left the pools, then a new one', () => {
    const s = stateWith([{ name: 'lan', addresses: ['192.0.2.0/30'] }]);
    const o = run(s, { clusterIPs: v4, ingress: ['10.0.0.1'] });
    expect(ev(o)).toEqual([
      'Normal ClearAssignment: current IP for "ns/web" not allowed by config, will attempt for new IP assignment: ["10.0.0.1"] is not allowed in config',
      'Normal IPAllocated: Assigned IP ["192.0.2.0"]',
    ]);
    expect(o.update?.ingress).toEqual(['192.0.2.0']);
  });

  it('LoadBalancerFailed for an invalid request while holding an address (kept)', () => {
    const s = stateWith([{ name: 'lan', addresses: ['192.0.2.0/30'] }]);
    const o = run(s, {
      clusterIPs: v4,
      ingress: ['192.0.2.1'],
      loadBalancerIP: '192.0.2.1',
      annotations: { 'metallb.io/loadBalancerIPs': '192.0.2.1', [POOL]: 'lan' },
    });
    expect(ev(o)).toEqual([
      'Warning LoadBalancerFailed: invalid requested loadbalancer IPs: service can not have both metallb.io/loadBalancerIPs and svc.Spec.LoadBalancerIP',
    ]);
    expect(o.update).toBeUndefined();
    expect(o.sync).toBe(SyncState.ErrorNoRetry);
  });

  it('not enough clusterips for RequireDualStack with one cluster IP', () => {
    const s = stateWith([{ name: 'lan', addresses: ['192.0.2.0/30', '2001:db8::/126'] }]);
    expect(ev(run(s, { clusterIPs: v4, policy: 'RequireDualStack' }))).toEqual([
      'Warning not enough clusterips: Service requires dual stack but not enough clusterips [198.18.0.1]',
    ]);
  });

  it('nolbIPsIPFamily and noclusterIPsIPFamily', () => {
    const s = stateWith([{ name: 'lan', addresses: ['192.0.2.0/30'] }]);
    const o = run(s, { clusterIPs: v4, ingress: ['192.0.2.0', '192.0.2.1', 'bogus'] });
    expect(ev(o)[0]).toBe(
      'Warning nolbIPsIPFamily: Failed to retrieve LBIPs IPFamily for ["192.0.2.0" "192.0.2.1" "<nil>"]: IPFamilyForAddresses: invalid ips length 3 ["192.0.2.0" "192.0.2.1" "<nil>"]',
    );
    expect(o.update?.ingress).toEqual(['192.0.2.0']);
    const h = run(s, {
      name: 'h',
      clusterIPs: ['None'],
      clusterIP: 'None',
      ingress: ['192.0.2.2'],
    });
    expect(ev(h)).toEqual([
      'Warning noclusterIPsIPFamily: Failed to retrieve ClusterIPs IPFamily for ["None"] None: IPFamilyForAddresses: Invalid address ["None"]',
    ]);
    expect(h.update).toBeUndefined();
  });

  it('AdditionalAssignFailed, then "Assigned additional IP" once the pool has room', () => {
    const s = stateWith([{ name: 'dual', addresses: ['192.0.2.0/30', '2001:db8::/128'] }]);
    const dual = ['198.18.0.1', '2001:db8:1::1'];
    run(s, { name: 'taker', clusterIPs: ['2001:db8:1::2'] }); // takes the only IPv6 address
    const o = run(s, {
      clusterIPs: dual,
      policy: 'PreferDualStack',
      ingress: ['192.0.2.1'],
      annotations: { [POOL]: 'dual' },
    });
    expect(ev(o)).toEqual([
      'Normal AdditionalAssignFailed: cannot assign additional IP in PreferDualStack: no available IPs in pool dual for ipv6 IPFamily',
    ]);
    expect(o.converged).toBe(false);
    handleService(s, 'ns/taker', undefined);
    const again = run(s, {
      clusterIPs: dual,
      policy: 'PreferDualStack',
      ingress: ['192.0.2.1'],
      annotations: { [POOL]: 'dual' },
    });
    expect(ev(again)).toEqual(['Normal IPAllocated: Assigned additional IP "2001:db8::"']);
    expect(again.update?.ingress).toEqual(['192.0.2.1', '2001:db8::']);
  });

  it('deprecatedAnnotation, only when the Service is written', () => {
    const s = stateWith([{ name: 'lan', addresses: ['192.0.2.0/30'] }]);
    const annotations = {
      'metallb.universe.tf/address-pool': 'lan',
      'metallb.universe.tf/allow-shared-ip': 'x',
    };
    const first = run(s, { clusterIPs: v4, annotations });
    expect(ev(first)).toEqual([
      'Normal IPAllocated: Assigned IP ["192.0.2.0"]',
      'Warning deprecatedAnnotation: Service uses deprecated annotation metallb.universe.tf/address-pool',
      'Warning deprecatedAnnotation: Service uses deprecated annotation metallb.universe.tf/allow-shared-ip',
    ]);
    const settled = run(s, {
      clusterIPs: v4,
      annotations: { ...annotations, [POOL]: 'lan' },
      ingress: ['192.0.2.0'],
    });
    expect(settled.events).toEqual([]);
    expect(settled.update).toBeUndefined();
  });

  it('InternalError when the allocator and the configuration disagree', () => {
    const s = stateWith([{ name: 'lan', addresses: ['192.0.2.0/30'] }]);
    const other = stateWith([{ name: 'elsewhere', addresses: ['198.51.100.0/30'] }]);
    s.config = other.config; // the allocator still has only "lan"
    const o = run(s, { clusterIPs: v4, annotations: { 'metallb.io/address-pool': 'lan' } });
    expect(ev(o)).toContain('Warning InternalError: allocated an IP that has no pool');
    expect(o.update).toBeUndefined();
  });
});

describe('clearing and reprocess-all triggers', () => {
  it('a Service that stops being a LoadBalancer loses address and annotation; others may use it', () => {
    const s = stateWith([{ name: 'lan', addresses: ['192.0.2.0/32'] }]);
    run(s, { clusterIPs: v4 });
    const o = run(s, {
      type: 'ClusterIP',
      clusterIPs: v4,
      ingress: ['192.0.2.0'],
      annotations: { [POOL]: 'lan', keep: 'me' },
    });
    expect(o.update).toEqual({ ingress: [], pool: undefined });
    expect(o.sync).toBe(SyncState.ReprocessAll);
    expect(run(s, { name: 'next', clusterIPs: v4 }).update?.ingress).toEqual(['192.0.2.0']);
  });

  it('a deleted Service frees its address: reprocess all; a deleted unknown one does not', () => {
    const s = stateWith([{ name: 'lan', addresses: ['192.0.2.0/30'] }]);
    run(s, { clusterIPs: v4 });
    expect(handleService(s, 'ns/web', undefined).sync).toBe(SyncState.ReprocessAll);
    expect(handleService(s, 'ns/web', undefined).sync).toBe(SyncState.Success);
  });

  it('a new sharing key changes the allocation key: reprocess all', () => {
    const s = stateWith([{ name: 'lan', addresses: ['192.0.2.0/30'] }]);
    expect(run(s, { clusterIPs: v4 }).sync).toBe(SyncState.Success);
    expect(
      run(s, { name: 'k', clusterIPs: v4, annotations: { 'metallb.io/allow-shared-ip': 'k' } })
        .sync,
    ).toBe(SyncState.ReprocessAll);
  });

  it('when its pool goes away the Service is cleared (no pools at all) or moved', () => {
    const s = stateWith([{ name: 'a', addresses: ['192.0.2.0/30'] }]);
    run(s, { clusterIPs: v4 });
    const held = { clusterIPs: v4, ingress: ['192.0.2.0'], annotations: { [POOL]: 'a' } };
    handleConfig(
      s,
      {
        pools: [poolCR({ name: 'b', addresses: ['198.51.100.0/30'] })],
        communities: [],
        namespaces: [],
      },
      NS,
    );
    const moved = run(s, held);
    expect(moved.update).toEqual({ ingress: ['198.51.100.0'], pool: 'b' });
    handleConfig(s, { pools: [], communities: [], namespaces: [] }, NS);
    const cleared = run(s, {
      clusterIPs: v4,
      ingress: ['198.51.100.0'],
      annotations: { [POOL]: 'b' },
    });
    expect(cleared.update).toEqual({ ingress: [], pool: undefined });
    expect(cleared.events).toEqual([]);
  });

  it('a Service that moves to another load-balancer class gives its address back untouched', () => {
    const s = stateWith([{ name: 'lan', addresses: ['192.0.2.0/32'] }]);
    run(s, { clusterIPs: v4 });
    const o = run(s, { clusterIPs: v4, lbClass: 'other', ingress: ['192.0.2.0'] });
    expect(o).toMatchObject({ sync: SyncState.ReprocessAll, update: undefined, events: [] });
    expect(s.allocator.usersOf('192.0.2.0')).toEqual([]);
    expect(
      handleService(s, 'x', svc({ clusterIPs: v4 }), { loadBalancerClass: 'ironlb' }).update,
    ).toBeUndefined();
  });
});

describe('restart restore', () => {
  it('every held address is re-claimed before any pending Service is reconciled', () => {
    const pools: PoolDef[] = [{ name: 'lan', addresses: ['192.0.2.0/30'] }];
    const s = stateWith(pools);
    // A pending Service sorts first by name, the holders of .0 and .1 after it.
    const services: ServiceObject[] = [
      svc({ name: 'a-pending', namespace: 'ns', clusterIPs: v4 }),
      svc({
        name: 'z-held',
        namespace: 'ns',
        clusterIPs: v4,
        ingress: ['192.0.2.0'],
        annotations: { [POOL]: 'lan' },
      }),
      svc({
        name: 'y-held',
        namespace: 'ns',
        clusterIPs: v4,
        ingress: ['192.0.2.1'],
        annotations: { [POOL]: 'lan' },
      }),
    ];
    expect(restoreAssignments(s, services)).toBe(2);
    const order = reprocessOrder(services).map(serviceKey);
    expect(order).toEqual(['ns/y-held', 'ns/z-held', 'ns/a-pending']);
    const out = order.map((k) =>
      handleService(
        s,
        k,
        services.find((x) => serviceKey(x) === k),
      ),
    );
    expect(out[0]!.update).toBeUndefined();
    expect(out[1]!.update).toBeUndefined();
    expect(out[2]!.update?.ingress).toEqual(['192.0.2.2']);
  });
});

describe('configuration', () => {
  const inputs = (pools: PoolDef[]) => ({
    pools: pools.map(poolCR),
    communities: [],
    namespaces: [],
  });

  it('an invalid configuration never replaces the last valid one, and says why', () => {
    const s: ControllerState = { allocator: createAllocator(), config: undefined };
    const ok = handleConfig(s, inputs([{ name: 'a', addresses: ['192.0.2.0/30'] }]), NS);
    expect(ok).toMatchObject({ sync: SyncState.ReprocessAll, stale: false, reloaded: true });
    expect(ok.condition).toEqual({
      type: 'poolReconcilerValid',
      status: 'True',
      reason: 'Reconciled',
      message: '',
    });
    const before = s.config;
    const bad = handleConfig(
      s,
      inputs([
        { name: 'a', addresses: ['192.0.2.0/30'] },
        { name: 'b', addresses: ['192.0.2.2/31'] },
      ]),
      NS,
    );
    expect(bad).toMatchObject({ sync: SyncState.ErrorNoRetry, stale: true, reloaded: false });
    expect(bad.condition.status).toBe('False');
    expect(bad.condition.reason).toBe('ConfigurationError');
    expect(bad.condition.message).toMatch(
      /^configuration error: .*overlaps with already defined CIDR/,
    );
    expect(bad.events).toEqual([
      expect.objectContaining({
        type: 'Warning',
        reason: INVALID_CONFIGURATION_REASON,
        object: expect.objectContaining({ kind: 'IPAddressPool', name: 'b', namespace: NS }),
      }),
    ]);
    expect(s.config).toBe(before);
    expect(s.allocator.pools.pools.has('b')).toBe(false);
  });

  it('an unchanged configuration (a label, a re-list) is not a reload', () => {
    const s: ControllerState = { allocator: createAllocator(), config: undefined };
    handleConfig(s, inputs([{ name: 'a', addresses: ['192.0.2.0/30'] }]), NS);
    const again = handleConfig(s, inputs([{ name: 'a', addresses: ['192.0.2.0/30'] }]), NS);
    expect(again).toMatchObject({ sync: SyncState.Success, reloaded: false, stale: false });
  });
});
