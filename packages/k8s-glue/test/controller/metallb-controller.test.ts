// MetalLB's controller tests (controller/controller_test.go at metallb/metallb 7938d3f) ported as
// data against the pure Service handler: TestControllerMutation (the table, run in shuffled
// orders against one service key: the handler must behave as a pure function of its input),
// TestControllerConfig, TestDeleteRecyclesIP, TestControllerReassign, TestControllerDualStackConfig.
//
// One deliberate change to the data: MetalLB's table defines pool5 as the union of pool1
// (1.2.3.0/31) and pool3 (1000::/127) — overlapping pools, which its own configuration parser
// rejects and IronLB's too. pool5 here is 1.2.3.2/31 + 1000::2/127; the rows that land in pool5
// expect its addresses (marked "pool5" below). Every other row is MetalLB's.
import { describe, expect, it } from 'vitest';
import { seededRandom } from '@ironlb/clock/testing';
import { handleService, type ControllerState } from '../../src/controller/service-handler.js';
import { SyncState } from '../../src/controller/outcome.js';
import { handleConfig } from '../../src/controller/config-handler.js';
import { createAllocator } from '@ironlb/ipam';
import { NS, poolCR, stateWith, svc, type PoolDef, type SvcDef } from './support.js';

const team = { team: 'metallb' };
const POOLS: PoolDef[] = [
  { name: 'pool1', addresses: ['1.2.3.0/31'] },
  { name: 'pool2', addresses: ['3.4.5.6/32'], autoAssign: false },
  { name: 'pool3', addresses: ['1000::/127'] },
  { name: 'pool4', addresses: ['2000::1/128'], autoAssign: false },
  { name: 'pool5', addresses: ['1.2.3.2/31', '1000::2/127'] },
  { name: 'pool6', addresses: ['7.8.9.0/31'], namespaces: ['test-ns1'], priority: 10 },
  { name: 'pool7', addresses: ['10.11.12.0/31'], namespaces: ['test-ns1'], priority: 11 },
  { name: 'pool8', addresses: ['13.14.15.0/31'], serviceLabels: team, priority: 9 },
  { name: 'pool9', addresses: ['16.17.18.0/31'], namespaces: ['test-ns2'] },
  { name: 'pool10', addresses: ['19.20.21.0/31'], serviceLabels: team, priority: 8 },
  {
    name: 'pool11',
    addresses: ['22.23.24.0/31'],
    namespaces: ['test-ns1'],
    serviceLabels: team,
    priority: 8,
  },
  {
    name: 'pool12',
    addresses: ['25.26.27.0/31'],
    namespaces: ['test-ns1'],
    serviceLabels: team,
    priority: 5,
  },
];

interface Row {
  desc: string;
  /** undefined: the Service was deleted. */
  in?: SvcDef;
  /** Expected status.loadBalancer.ingress after the write; undefined: no write at all. */
  want?: string[];
  /** A Warning event is expected (MetalLB's loggedWarning). */
  wantErr?: boolean;
}

const lbIPs = 'metallb.io/loadBalancerIPs';
const pool = 'metallb.io/address-pool';
const v4 = ['1.2.3.4'];
const dual = ['1.2.3.4', '3000::1'];
const RDS = 'RequireDualStack';
const PDS = 'PreferDualStack';

const TABLE: Row[] = [
  { desc: 'deleted balancer' },
  { desc: 'simple non-LoadBalancer', in: { type: 'ClusterIP', clusterIPs: v4 } },
  { desc: 'simple LoadBalancer', in: { clusterIPs: v4 }, want: ['1.2.3.0'] },
  {
    desc: 'request specific IP',
    in: { clusterIPs: v4, loadBalancerIP: '1.2.3.1' },
    want: ['1.2.3.1'],
  },
  {
    desc: 'request specific IP via custom annotation',
    in: { clusterIPs: v4, annotations: { [lbIPs]: '1.2.3.1' } },
    want: ['1.2.3.1'],
  },
  {
    desc: 'request IP from both svc.spec.LoadBalancerIP and custom annotation',
    in: { clusterIPs: v4, loadBalancerIP: '1.2.3.2', annotations: { [lbIPs]: '1.2.3.1' } },
    wantErr: true,
  },
  {
    desc: 'request invalid IP',
    in: { clusterIPs: v4, loadBalancerIP: 'please sir may I have an IP address thank you' },
    wantErr: true,
  },
  {
    desc: 'incompatible ip and address pool annotations',
    in: { clusterIPs: v4, annotations: { [lbIPs]: '1.2.3.1', [pool]: 'pool2' } },
    wantErr: true,
  },
  {
    desc: 'request invalid IP via custom annotation',
    in: {
      clusterIPs: v4,
      annotations: { [lbIPs]: 'please sir may I have an IP address thank you' },
    },
    wantErr: true,
  },
  {
    desc: 'request two IPs from same ip family via custom annotation',
    in: { clusterIPs: v4, annotations: { [lbIPs]: '1.2.3.1,1.2.3.2' } },
    wantErr: true,
  },
  {
    desc: 'request infeasible IP',
    in: { clusterIPs: v4, loadBalancerIP: '1.2.3.4', ingress: ['1.2.3.1'] },
    want: [],
    wantErr: true,
  },
  {
    desc: 'request IP from specific pool',
    in: { clusterIPs: v4, annotations: { [pool]: 'pool1' } },
    want: ['1.2.3.0'],
  },
  {
    desc: 'switch to a different specific pool',
    in: { clusterIPs: v4, annotations: { [pool]: 'pool2' }, ingress: ['1.2.3.0'] },
    want: ['3.4.5.6'],
  },
  {
    desc: 'unknown pool requested',
    in: { clusterIPs: v4, annotations: { [pool]: 'does-not-exist' } },
    wantErr: true,
  },
  { desc: 'invalid IP assigned', in: { clusterIPs: v4, ingress: ['2.3.4.5'] }, want: ['1.2.3.0'] },
  {
    desc: 'invalid ingress state',
    in: { clusterIPs: v4, ingress: [{ hostname: 'foo.bar.local' }, '10.10.10.10'] },
    want: ['1.2.3.0'],
  },
  {
    desc: 'former LoadBalancer, now NodePort',
    in: { type: 'NodePort', clusterIPs: v4, ingress: ['1.2.3.0'] },
    want: [],
  },
  {
    desc: 'request layer2 service',
    in: { clusterIPs: v4, loadBalancerIP: '3.4.5.6' },
    want: ['3.4.5.6'],
  },
  {
    desc: 'Layer2 service with local traffic policy',
    in: { clusterIPs: v4, loadBalancerIP: '3.4.5.6', etp: 'Local' },
    want: ['3.4.5.6'],
  },
  { desc: 'No ClusterIP', in: {}, wantErr: false },
  {
    desc: 'request IP from wrong ip-family (ipv4)',
    in: { clusterIPs: ['3000::1'], loadBalancerIP: '1.2.3.1' },
    wantErr: true,
  },
  {
    desc: 'request IP from wrong ip-family (ipv4) via custom annotation',
    in: { clusterIPs: ['3000::1'], annotations: { [lbIPs]: '1.2.3.1' } },
    wantErr: true,
  },
  {
    desc: 'request IP from wrong ip-family (ipv6)',
    in: { clusterIPs: v4, loadBalancerIP: '1000::' },
    wantErr: true,
  },
  {
    desc: 'request IP from wrong ip-family (ipv6) via custom annotation',
    in: { clusterIPs: v4, annotations: { [lbIPs]: '1000::' } },
    wantErr: true,
  },
  {
    desc: 'IP from wrong ip-family (ipv6) assigned',
    in: { clusterIPs: v4, ingress: ['1000::'] },
    want: ['1.2.3.0'],
  },
  {
    desc: 'IP from wrong ip-family (ipv4) assigned',
    in: { clusterIPs: ['3000::1'], ingress: ['1.2.3.0'] },
    want: ['1000::'],
  },
  // dual-stack test cases
  { desc: 'deleted balancer (dual-stack section)' },
  {
    desc: 'simple dual-stack LoadBalancer (pool5)',
    in: { clusterIPs: dual, policy: RDS },
    want: ['1.2.3.2', '1000::2'],
  },
  {
    desc: 'request IPs from specific pool (pool5)',
    in: { clusterIPs: dual, policy: RDS, annotations: { [pool]: 'pool5' } },
    want: ['1.2.3.2', '1000::2'],
  },
  {
    desc: 'simple dual-stack LoadBalancer with PreferDualStack policy (pool5)',
    in: { clusterIPs: dual, policy: PDS },
    want: ['1.2.3.2', '1000::2'],
  },
  {
    desc: 'single-stack LoadBalancer with PreferDualStack policy',
    in: { namespace: 'test-ns1', clusterIPs: v4, policy: PDS },
    want: ['7.8.9.0'],
  },
  {
    desc: 'request IPs from dualstack pool with PreferDualStack policy (pool5)',
    in: { clusterIPs: dual, policy: PDS, annotations: { [pool]: 'pool5' } },
    want: ['1.2.3.2', '1000::2'],
  },
  {
    desc: 'request IP from single-stack ipv4 pool with PreferDualStack policy',
    in: { clusterIPs: ['1.2.3.4', '1000::'], policy: PDS, annotations: { [pool]: 'pool1' } },
    want: ['1.2.3.0'],
  },
  {
    desc: 'request IP from single-stack ipv6 pool with PreferDualStack policy',
    in: { clusterIPs: ['1000::1'], policy: PDS, annotations: { [pool]: 'pool3' } },
    want: ['1000::'],
  },
  {
    desc: 'request IPs from dualstack pool with PreferDualStack policy but single stack clusterip (pool5)',
    in: { clusterIPs: v4, policy: PDS, annotations: { [pool]: 'pool5' } },
    want: ['1.2.3.2'],
  },
  {
    desc: 'request IPs from dualstack pool with RequireDualStack policy but single stack clusterip',
    in: { clusterIPs: v4, policy: RDS, annotations: { [pool]: 'pool5' } },
    wantErr: true,
  },
  {
    desc: 'request specific loadbalancer IP with dual-stack',
    in: { clusterIPs: dual, loadBalancerIP: '1.2.3.1' },
    wantErr: true,
  },
  {
    desc: 'request specific loadbalancer IPv4 address via custom annotation for dual-stack config',
    in: { clusterIPs: dual, annotations: { [lbIPs]: '1.2.3.1' } },
    wantErr: true,
  },
  {
    desc: 'request dual-stack loadbalancer IPs via custom annotation (pool5)',
    in: { clusterIPs: dual, policy: RDS, annotations: { [lbIPs]: '1.2.3.2,1000::2' } },
    want: ['1.2.3.2', '1000::2'],
  },
  {
    desc: 'request dual-stack loadbalancer with invalid ingress (pool5)',
    in: {
      clusterIPs: ['3000::1', '5.6.7.8'],
      policy: RDS,
      ingress: [{ hostname: 'foo.bar.local' }, '1000::'],
    },
    want: ['1.2.3.2', '1000::2'],
  },
  {
    desc: 'request dual-stack loadbalancer IPs via custom annotation in a single stack cluster',
    in: { clusterIP: '1.2.3.4', annotations: { [lbIPs]: '1.2.3.0,1000::' } },
    wantErr: true,
  },
  {
    desc: 'request IP for service from namespace specific ip pool',
    in: { namespace: 'test-ns1', clusterIPs: v4 },
    want: ['7.8.9.0'],
  },
  {
    desc: 'request IP for service from no priority namespace specific ip pool',
    in: { namespace: 'test-ns2', clusterIPs: v4 },
    want: ['16.17.18.0'],
  },
  {
    desc: 'request IP for service from service label specific ip pool',
    in: { labels: team, clusterIPs: v4 },
    want: ['19.20.21.0'],
  },
  {
    desc: 'request IP for service from ip pool having both namespace and service label',
    in: { namespace: 'test-ns1', labels: team, clusterIPs: v4 },
    want: ['25.26.27.0'],
  },
  {
    desc: "simple LoadBalancer, ips already assigned but can't determine family",
    in: { clusterIPs: v4, ingress: ['1.2.3.0', '1.2.3.1', '1.2.3.2'] },
    want: ['1.2.3.0'],
    wantErr: true,
  },
];

function runRow(state: ControllerState, row: Row): void {
  const out = handleService(state, 'test', row.in ? svc(row.in) : undefined);
  const warned = out.events.some((e) => e.type === 'Warning');
  expect({ desc: row.desc, warned }).toEqual({ desc: row.desc, warned: row.wantErr ?? false });
  expect(out.sync, row.desc).not.toBe(SyncState.Error);
  if (row.want === undefined) {
    expect(out.update, `${row.desc}: unexpectedly mutated`).toBeUndefined();
  } else {
    expect(out.update?.ingress, row.desc).toEqual(row.want);
  }
}

describe('MetalLB controller_test.go TestControllerMutation (as data)', () => {
  it('every row, in table order and in 20 seeded shuffles, with one service key', () => {
    const state = stateWith(POOLS);
    const rows = [...TABLE];
    const random = seededRandom(42);
    for (let round = 0; round < 21; round++) {
      for (const row of rows) runRow(state, row);
      // Fisher-Yates, as MetalLB reshuffles between rounds.
      for (let i = rows.length - 1; i > 0; i--) {
        const j = Math.floor(random() * (i + 1));
        [rows[i], rows[j]] = [rows[j]!, rows[i]!];
      }
    }
  });
});

describe('MetalLB controller_test.go sequences', () => {
  const noConfig = (): ControllerState => ({ allocator: createAllocator(), config: undefined });
  const setPools = (state: ControllerState, pools: PoolDef[]) =>
    handleConfig(state, { pools: pools.map(poolCR), communities: [], namespaces: [] }, NS);

  it('TestControllerConfig: nothing happens without configuration; an empty one clears', () => {
    const state = noConfig();
    const s = svc({ clusterIPs: ['1.2.3.4'] });
    let out = handleService(state, 'test', s);
    expect(out.update).toBeUndefined();
    expect(out.events).toEqual([]);
    setPools(state, []);
    setPools(state, [{ name: 'default', addresses: ['1.2.3.0/24'] }]);
    out = handleService(state, 'test', s);
    expect(out.update?.ingress).toEqual(['1.2.3.0']);
    const got = svc({ clusterIPs: ['1.2.3.4'], ingress: ['1.2.3.0'] });
    // Removing the pool is accepted even though an address is allocated: reprocess all.
    expect(setPools(state, []).sync).toBe(SyncState.ReprocessAll);
    // The balancer clears the service; no reprocess, since the address is in no pool any more.
    out = handleService(state, 'test', got);
    expect(out.sync).toBe(SyncState.ErrorNoRetry);
    expect(out.update?.ingress).toEqual([]);
  });

  it('TestDeleteRecyclesIP: deleting a balancer reprocesses all, and the address goes to the next', () => {
    const state = stateWith([{ name: 'default', addresses: ['1.2.3.0/32'] }]);
    const s1 = handleService(state, 'test', svc({ name: 'test', clusterIPs: ['1.2.3.4'] }));
    expect(s1.update?.ingress).toEqual(['1.2.3.0']);
    const s2 = handleService(state, 'test2', svc({ name: 'test2', clusterIPs: ['1.2.3.4'] }));
    expect(s2.update).toBeUndefined();
    expect(s2.events.some((e) => e.type === 'Warning' && e.reason === 'AllocationFailed')).toBe(
      true,
    );
    expect(handleService(state, 'test', undefined).sync).toBe(SyncState.ReprocessAll);
    const again = handleService(state, 'test2', svc({ name: 'test2', clusterIPs: ['1.2.3.4'] }));
    expect(again.update?.ingress).toEqual(['1.2.3.0']);
  });

  it('TestControllerReassign: a pool change keeps the address; deleting the pool moves the service', () => {
    const state = noConfig();
    const pools1: PoolDef[] = [{ name: 'default', addresses: ['1.2.3.0/24', '1000::1/127'] }];
    expect(setPools(state, pools1).sync).toBe(SyncState.ReprocessAll);
    const s = svc({ clusterIPs: ['1.2.3.4'] });
    let out = handleService(state, 'test', s);
    expect(out.sync).toBe(SyncState.Success);
    expect(out.update?.ingress).toEqual(['1.2.3.0']);
    const got = svc({ clusterIPs: ['1.2.3.4'], ingress: ['1.2.3.0'] });
    got.metadata.annotations = { 'metallb.io/ip-allocated-from-pool': 'default' };
    setPools(state, [...pools1, { name: 'second', addresses: ['4.5.6.0/24'] }]);
    out = handleService(state, 'test', got);
    expect(out.sync).toBe(SyncState.Success);
    expect(out.update).toBeUndefined();
    expect(setPools(state, [{ name: 'second', addresses: ['4.5.6.0/24'] }]).sync).toBe(
      SyncState.ReprocessAll,
    );
    out = handleService(state, 'test', got);
    expect(out.sync).toBe(SyncState.Success);
    expect(out.update).toEqual({ ingress: ['4.5.6.0'], pool: 'second' });
  });

  it('TestControllerDualStackConfig', () => {
    const state = noConfig();
    const s = svc({ clusterIPs: ['1.2.3.4', '1000::'], policy: 'RequireDualStack' });
    expect(handleService(state, 'test', s).update).toBeUndefined();
    setPools(state, []);
    setPools(state, [{ name: 'default', addresses: ['1.2.3.0/24', '1000::1/127'] }]);
    const out = handleService(state, 'test', s);
    expect(out.update?.ingress).toEqual(['1.2.3.0', '1000::']);
  });
});
