// MetalLB's allocator test cases (metallb/metallb internal/allocator/allocator_test.go:
// TestAssignment, TestPoolAllocation, TestAllocation, TestBuggyIPs, TestConfigReload, TestAutoAssign,
// TestPoolCount, TestPoolMetrics) re-expressed as data tables. Where MetalLB only checks "one of
// these addresses", we assert the exact address: our pool order is deterministic (by priority, then
// name). Pinned-pool matching is k8s-glue's job, so those rows state `matching` directly.
// MetalLB's TestPoolAllocation uses overlapping pools (its unit tests bypass config validation);
// ours cannot exist, so the PreferDualStack rows run against separate, non-overlapping pools.
import { describe, expect, it } from 'vitest';
import { createAllocator } from './index.js';
import type { PoolSpec } from './index.js';
import { ports, req } from './test-support/helpers.js';
import { runAssignTable } from './test-support/metallb-tables.js';
import type { AssignRow } from './test-support/metallb-tables.js';

describe('TestAssignment', () => {
  const pools: PoolSpec[] = [
    { name: 'test', addresses: ['1.2.3.4/31', '1000::4/127'] },
    { name: 'test2', avoidBuggyIPs: true, addresses: ['1.2.4.0/24', '1000::4:0/120'] },
    {
      name: 'test3',
      avoidBuggyIPs: true,
      serviceAllocation: {},
      addresses: ['1.2.5.0/24', '1000::5:0/120'],
    },
    {
      name: 'test4',
      avoidBuggyIPs: true,
      serviceAllocation: {},
      addresses: ['1.2.6.0/24', '1000::6:0/120'],
    },
    {
      name: 'test5',
      avoidBuggyIPs: true,
      serviceAllocation: { priority: 20 },
      addresses: ['1.2.7.0/24', '1000::7:0/120'],
    },
    {
      name: 'test6',
      avoidBuggyIPs: true,
      serviceAllocation: { priority: 20 },
      addresses: ['1.2.8.0/24', '1000::9:0/120'],
    },
  ];
  const sharingRows = (v6: boolean): AssignRow[] => {
    const [x4, x5, b0, b255, b254, b3] = v6
      ? ['1000::4', '1000::4:5', '', '', '1000::4:ff', '1000::4:3']
      : ['1.2.3.4', '1.2.3.5', '1.2.4.0', '1.2.4.255', '1.2.4.254', '1.2.4.3'];
    return [
      { desc: 'assign s1', svc: 's1', ips: [x4] },
      { desc: 's1 idempotent reassign', svc: 's1', ips: [x4] },
      { desc: "s2 can't grab s1's IP", svc: 's2', ips: [x4], fail: 'sharing-conflict' },
      { desc: 's2 can get the other IP', svc: 's2', ips: [x5] },
      { desc: "s1 now can't grab s2's IP", svc: 's1', ips: [x5], fail: 'sharing-conflict' },
      { desc: 's1 frees its IP', svc: 's1', ips: [] },
      { desc: "s2 can grab s1's former IP", svc: 's2', ips: [x4] },
      { desc: "s1 can now grab s2's former IP", svc: 's1', ips: [x5] },
      ...(v6
        ? []
        : ([
            {
              desc: 's3 cannot grab a 0 buggy IP',
              svc: 's3',
              ips: [b0],
              fail: 'not-allowed-in-config',
            },
            {
              desc: 's3 cannot grab a 255 buggy IP',
              svc: 's3',
              ips: [b255],
              fail: 'not-allowed-in-config',
            },
          ] satisfies AssignRow[])),
      { desc: 's3 can grab another IP in that pool', svc: 's3', ips: [b254] },
      {
        desc: 's4 takes an IP, with sharing',
        svc: 's4',
        ips: [b3],
        ports: ['tcp/80'],
        share: 'sharing',
        backend: 'backend',
      },
      {
        desc: 's4 changes its sharing key in place',
        svc: 's4',
        ips: [b3],
        ports: ['tcp/80'],
        share: 'share',
        backend: 'backend',
      },
      {
        desc: "s3 can't share with s4 (port conflict)",
        svc: 's3',
        ips: [b3],
        ports: ['tcp/80'],
        share: 'share',
        backend: 'backend',
        fail: 'port-in-use',
      },
      {
        desc: "s3 can't share with s4 (wrong sharing key)",
        svc: 's3',
        ips: [b3],
        ports: ['tcp/443'],
        share: 'othershare',
        backend: 'backend',
        fail: 'sharing-conflict',
      },
      {
        desc: "s3 can't share with s4 (wrong backend key)",
        svc: 's3',
        ips: [b3],
        ports: ['tcp/443'],
        share: 'share',
        backend: 'otherbackend',
        fail: 'sharing-conflict',
      },
      {
        desc: 's3 takes the same IP as s4',
        svc: 's3',
        ips: [b3],
        ports: ['tcp/443'],
        share: 'share',
        backend: 'backend',
      },
      {
        desc: 's3 can change its ports while keeping the same IP',
        svc: 's3',
        ips: [b3],
        ports: ['udp/53'],
        share: 'share',
        backend: 'backend',
      },
      {
        desc: "s3 can't change its sharing key while keeping the same IP",
        svc: 's3',
        ips: [b3],
        ports: ['tcp/443'],
        share: 'othershare',
        backend: 'backend',
        fail: 'sharing-conflict',
      },
      {
        desc: "s3 can't change its backend key while keeping the same IP",
        svc: 's3',
        ips: [b3],
        ports: ['tcp/443'],
        share: 'share',
        backend: 'otherbackend',
        fail: 'sharing-conflict',
      },
      { desc: "s4 takes s3's former IP", svc: 's4', ips: [b254] },
    ];
  };
  const a = createAllocator({}, { pools });
  it('IPv4 rows', () => runAssignTable(a, sharingRows(false)));
  it('IPv6 rows', () => runAssignTable(a, sharingRows(true)));
  it('dual-stack rows', () =>
    runAssignTable(a, [
      { desc: 's2 frees its IP', svc: 's2', ips: [] },
      { desc: 'ip dual-stack assign s1', svc: 's1', ips: ['1.2.3.4', '1000::4'] },
      {
        desc: 'ip dual-stack assign s1 from different pools',
        svc: 's1',
        ips: ['1.2.4.5', '1000::4'],
        fail: 'not-allowed-in-config',
      },
    ]));
  it('pool compatibility rows', () =>
    runAssignTable(a, [
      { desc: 'pinned on same namespace', svc: 's1', ips: ['1.2.5.10'], matching: ['test3'] },
      {
        desc: 'pinned on different namespace',
        svc: 's1',
        ips: ['1.2.5.10'],
        matching: [],
        fail: 'pool-not-compatible',
      },
      { desc: 'pinned with same service label', svc: 's1', ips: ['1.2.6.10'], matching: ['test4'] },
      {
        desc: 'pinned with different service label',
        svc: 's1',
        ips: ['1.2.6.10'],
        matching: [],
        fail: 'pool-not-compatible',
      },
      {
        desc: 'pinned with namespace and service label',
        svc: 's1',
        ips: ['1.2.7.10'],
        matching: ['test3', 'test4', 'test5'],
      },
      {
        desc: 'namespace and incompatible label',
        svc: 's1',
        ips: ['1.2.8.10'],
        matching: ['test4'],
        fail: 'pool-not-compatible',
      },
      {
        desc: 'label and incompatible namespace',
        svc: 's1',
        ips: ['1.2.8.10'],
        matching: [],
        fail: 'pool-not-compatible',
      },
    ]));
});

describe('TestConfigReload', () => {
  const base: PoolSpec[] = [
    { name: 'test', addresses: ['1.2.3.0/30', '1000::/126'] },
    { name: 'unused', addresses: ['1.2.4.0/30', '1001::/126'] },
  ];
  const rows: { desc: string; pools: PoolSpec[]; s1?: string; s2?: string }[] = [
    {
      desc: 'set same config is no-op',
      pools: [{ name: 'test', addresses: ['1.2.3.0/30', '1000::/126'] }],
      s1: 'test',
      s2: 'test',
    },
    {
      desc: 'expand pool',
      pools: [{ name: 'test', addresses: ['1.2.3.0/24', '1000::/120'] }],
      s1: 'test',
      s2: 'test',
    },
    {
      desc: "can't shrink further, removing s1",
      pools: [{ name: 'test', addresses: ['1.2.3.2/31', '1000::0/126'] }],
      s2: 'test',
    },
    {
      desc: "can't shrink further ipv6, removing s2",
      pools: [{ name: 'test', addresses: ['1.2.3.0/30', '1000::2/127'] }],
      s1: 'test',
    },
    {
      desc: 'rename the pool',
      pools: [{ name: 'test2', addresses: ['1.2.3.0/30', '1000::0/126'] }],
      s1: 'test2',
      s2: 'test2',
    },
    {
      desc: 'split pool',
      pools: [
        { name: 'test', addresses: ['1.2.3.0/31', '1000::2/127'] },
        { name: 'test2', addresses: ['1.2.3.2/31', '1000::/127'] },
      ],
      s1: 'test',
      s2: 'test2',
    },
    {
      desc: 'enable buggy IPs not allowed',
      pools: [{ name: 'test2', avoidBuggyIPs: true, addresses: ['1.2.3.0/31', '1000::/127'] }],
      s2: 'test2',
    },
  ];
  for (const row of rows) {
    it(row.desc, () => {
      const a = createAllocator({}, { pools: base });
      expect(a.assign(req('s1'), ['1.2.3.0']).ok).toBe(true);
      expect(a.assign(req('s2', 'v6'), ['1000::']).ok).toBe(true);
      const res = a.setPools(row.pools);
      expect(a.allocationOf('s1')?.pool).toBe(row.s1);
      expect(a.allocationOf('s2')?.pool).toBe(row.s2);
      const lost = res.lost.map((l) => l.service).sort();
      expect(lost).toEqual(['s1', 's2'].filter((s) => !(s === 's1' ? row.s1 : row.s2)));
      const moved = res.moved.map((m) => `${m.service}:${m.fromPool}->${m.toPool}`).sort();
      const wantMoved = [
        ...(row.s1 && row.s1 !== 'test' ? [`s1:test->${row.s1}`] : []),
        ...(row.s2 && row.s2 !== 'test' ? [`s2:test->${row.s2}`] : []),
      ];
      expect(moved).toEqual(wantMoved);
    });
  }
});

describe('TestPoolCount', () => {
  const rows: { desc: string; pool: Omit<PoolSpec, 'name'>; v4: bigint; v6: bigint }[] = [
    { desc: '/24', pool: { addresses: ['1.2.3.0/24'] }, v4: 256n, v6: 0n },
    { desc: '/24 and /25', pool: { addresses: ['1.2.3.0/24', '2.3.4.128/25'] }, v4: 384n, v6: 0n },
    {
      desc: '/24 and /25, no buggy IPs',
      pool: { addresses: ['1.2.3.0/24', '2.3.4.128/25'], avoidBuggyIPs: true },
      v4: 381n,
      v6: 0n,
    },
    // MetalLB saturates any ≥ 62-host-bit CIDR to MaxInt64 (and then overflows sums, PR #3140);
    // our counters are exact.
    {
      desc: 'a BIG ipv6 range',
      pool: { addresses: ['1.2.3.0/24', '2.3.4.128/25', '1000::/64'], avoidBuggyIPs: true },
      v4: 381n,
      v6: 1n << 64n,
    },
    {
      desc: 'ipv4 and ipv6 range',
      pool: { addresses: ['1.2.3.0/31', '1000::/127'], avoidBuggyIPs: true },
      v4: 1n,
      v6: 2n,
    },
    {
      desc: 'two /64s sum exactly',
      pool: { addresses: ['2001:db8::/64', '2001:db8:0:1::/64'] },
      v4: 0n,
      v6: 1n << 65n,
    },
    {
      desc: 'a /8 with avoidBuggyIPs',
      pool: { addresses: ['10.0.0.0/8'], avoidBuggyIPs: true },
      v4: 65536n * 254n,
      v6: 0n,
    },
    {
      desc: 'range crossing /24s with avoidBuggyIPs',
      pool: { addresses: ['10.0.0.250-10.0.2.5'], avoidBuggyIPs: true },
      v4: 5n + 254n + 5n,
      v6: 0n,
    },
  ];
  for (const row of rows) {
    it(row.desc, () => {
      const a = createAllocator({}, { pools: [{ name: 'p', ...row.pool }] });
      expect(a.counters('p')).toEqual({
        assignedIPv4: 0n,
        assignedIPv6: 0n,
        availableIPv4: row.v4,
        availableIPv6: row.v6,
        capacityIPv4: row.v4,
        capacityIPv6: row.v6,
      });
    });
  }
});

describe('TestPoolMetrics', () => {
  it('counts distinct addresses in use and calls back once per change', () => {
    const changed: string[] = [];
    const a = createAllocator(
      { onCountersChanged: (p) => changed.push(p) },
      { pools: [{ name: 'test', addresses: ['1.2.3.4/30', '1000::4/126'] }] },
    );
    const rows: { svc: string; ips?: string[]; share?: string; port?: string; inUse: bigint }[] = [
      { svc: 's1', ips: ['1.2.3.4'], inUse: 1n },
      { svc: 's2', ips: ['1.2.3.5'], inUse: 2n },
      { svc: 's1', inUse: 1n },
      { svc: 's2', inUse: 0n },
      { svc: 's1', ips: ['1.2.3.4'], share: 'key', port: 'tcp/80', inUse: 1n },
      { svc: 's2', ips: ['1.2.3.4'], share: 'key', port: 'tcp/443', inUse: 1n },
      { svc: 's3', ips: ['1.2.3.4'], share: 'key', port: 'tcp/23', inUse: 1n },
      { svc: 's1', inUse: 1n },
      { svc: 's2', inUse: 1n },
      { svc: 's3', inUse: 0n },
    ];
    let calls = 0;
    for (const row of rows) {
      if (row.ips) {
        const r = a.assign(
          req(row.svc, 'v4', {
            sharingKey: row.share ?? '',
            ports: row.port ? ports(row.port) : [],
          }),
          row.ips,
        );
        expect(r.ok).toBe(true);
      } else a.release(row.svc);
      calls++;
      expect(changed.length).toBe(calls);
      expect(a.counters('test')).toMatchObject({
        assignedIPv4: row.inUse,
        availableIPv4: 4n - row.inUse,
        assignedIPv6: 0n,
        availableIPv6: 4n,
      });
    }
    expect(a.assign(req('s1'), ['1.2.3.4']).ok).toBe(true);
    const res = a.setPools([]);
    expect(res.lost).toEqual([{ service: 's1', pool: 'test', addresses: ['1.2.3.4'] }]);
    expect(a.counters('test')).toBeUndefined();
    expect(changed.at(-1)).toBe('test');
  });
});
