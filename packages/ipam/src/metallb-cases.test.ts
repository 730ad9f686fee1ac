// MetalLB's allocator test cases (metallb/metallb internal/allocator/allocator_test.go:
// TestAssignment, TestPoolAllocation, TestAllocation, TestBuggyIPs, TestConfigReload, TestAutoAssign,
// TestPoolCount, TestPoolMetrics) re-expressed as data tables. Where MetalLB only checks "one of
// these addresses", we assert the exact address: our pool order is deterministic (by priority, then
// name). Pinned-pool matching is k8s-glue's job, so those rows state `matching` directly.
// MetalLB's TestPoolAllocation uses overlapping pools (its unit tests bypass config validation);
// ours cannot exist, so the PreferDualStack rows run against separate, non-overlapping pools.
import { describe, expect, it } from 'vitest';
import { createAllocator, describeFailure } from './index.js';
import type { Allocator, AllocationRequest, FailureReason, PoolSpec } from './index.js';
import { ports, req } from './test-support/helpers.js';
import type { Fam } from './test-support/helpers.js';

interface AssignRow {
  desc: string;
  svc: string;
  ips: string[]; // [] = release
  ports?: string[];
  share?: string;
  backend?: string;
  matching?: string[];
  fail?: FailureReason;
}

function runAssignTable(a: Allocator, rows: AssignRow[]) {
  for (const row of rows) {
    if (row.ips.length === 0) {
      a.release(row.svc);
      expect(a.allocationOf(row.svc), row.desc).toBeUndefined();
      continue;
    }
    const before = a.allocationOf(row.svc);
    const fam: Fam = row.ips.length === 2 ? 'dual' : row.ips[0]!.includes(':') ? 'v6' : 'v4';
    const r = a.assign(
      req(row.svc, fam, {
        ports: ports(...(row.ports ?? [])),
        sharingKey: row.share ?? '',
        backendKey: row.backend ?? '',
        matchingPools: row.matching ?? [],
      }),
      row.ips,
    );
    if (row.fail) {
      expect(r.ok, row.desc).toBe(false);
      if (!r.ok) expect(r.failure.reason, row.desc).toBe(row.fail);
      // A failed Assign records nothing.
      expect(a.allocationOf(row.svc), row.desc).toEqual(before);
    } else {
      expect(r, row.desc).toMatchObject({ ok: true });
      expect(a.allocationOf(row.svc)?.addresses, row.desc).toEqual(row.ips);
    }
  }
}

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

interface AllocRow {
  desc: string;
  svc: string;
  fam?: Fam;
  policy?: AllocationRequest['ipFamilyPolicy'];
  pool?: string;
  ports?: string[];
  share?: string;
  release?: true;
  want?: string[];
  fail?: FailureReason;
}

function runAllocTable(a: Allocator, rows: AllocRow[], defaultPool?: string) {
  for (const row of rows) {
    if (row.release) {
      a.release(row.svc);
      continue;
    }
    const pool = row.pool ?? defaultPool;
    const r = a.allocate(
      req(row.svc, row.fam ?? 'v4', {
        ...(row.policy ? { ipFamilyPolicy: row.policy } : {}),
        ...(pool ? { requestedPool: pool } : {}),
        ports: ports(...(row.ports ?? [])),
        sharingKey: row.share ?? '',
      }),
    );
    if (row.fail) {
      expect(r.ok, row.desc).toBe(false);
      if (!r.ok)
        expect(r.failure.reason, `${row.desc}: ${describeFailure(r.failure)}`).toBe(row.fail);
    } else {
      expect(r.ok ? r.addresses : describeFailure(r.failure), row.desc).toEqual(row.want);
    }
  }
}

/** The fill / exhaust / release / share sequence MetalLB repeats for each family. */
function fillRows(fam: Fam, addrs: string[][], none: FailureReason): AllocRow[] {
  const [a1, a2, a3, a4] = addrs;
  const policy = fam === 'dual' ? ('RequireDualStack' as const) : undefined;
  const base = { fam, ...(policy ? { policy } : {}) };
  return [
    { desc: 's1 gets', svc: 's1', ...base, want: a1 },
    { desc: 's2 gets', svc: 's2', ...base, want: a2 },
    { desc: 's3 gets', svc: 's3', ...base, want: a3 },
    { desc: 's4 gets', svc: 's4', ...base, want: a4 },
    { desc: "s5 can't get", svc: 's5', ...base, fail: none },
    { desc: "s6 can't get", svc: 's6', ...base, fail: none },
    { desc: 's1 releases', svc: 's1', release: true },
    { desc: "s5 grabs s1's former", svc: 's5', ...base, want: a1 },
    { desc: "s6 still can't get", svc: 's6', ...base, fail: none },
    { desc: 's5 unassigns', svc: 's5', release: true },
    { desc: 's5 enables sharing', svc: 's5', ...base, ports: ['tcp/80'], share: 'share', want: a1 },
    {
      desc: 's6 gets it with sharing',
      svc: 's6',
      ...base,
      ports: ['tcp/443'],
      share: 'share',
      want: a1,
    },
    ...['s1', 's2', 's3', 's4', 's5', 's6'].map((svc) => ({
      desc: `${svc} clears`,
      svc,
      release: true as const,
    })),
  ];
}

describe('TestPoolAllocation (AllocateFromPool)', () => {
  const a = createAllocator(
    {},
    {
      pools: [
        { name: 'not_this_one', addresses: ['192.168.0.0/16', 'fc00::1:0/112'] },
        { name: 'test', addresses: ['1.2.3.4/31', '1.2.3.10/31', '1000::/127', '2000::/127'] },
        { name: 'test2', addresses: ['10.20.30.0/24', 'fc00::2:0/120'] },
      ],
    },
  );
  const none = 'no-available-ips-in-pool';
  it('IPv4', () =>
    runAllocTable(
      a,
      fillRows('v4', [['1.2.3.4'], ['1.2.3.5'], ['1.2.3.10'], ['1.2.3.11']], none),
      'test',
    ));
  it('IPv6', () =>
    runAllocTable(
      a,
      fillRows('v6', [['1000::'], ['1000::1'], ['2000::'], ['2000::1']], none),
      'test',
    ));
  it('wrong family already assigned', () =>
    runAllocTable(
      a,
      [
        { desc: 's1 gets an IPv4', svc: 's1', want: ['1.2.3.4'] },
        { desc: 's1 asks for an IPv6', svc: 's1', fam: 'v6', fail: 'wrong-family-assigned' },
        { desc: 's1 clears', svc: 's1', release: true },
      ],
      'test',
    ));
  it('RequireDualStack', () =>
    runAllocTable(
      a,
      fillRows(
        'dual',
        [
          ['1.2.3.4', '1000::'],
          ['1.2.3.5', '1000::1'],
          ['1.2.3.10', '2000::'],
          ['1.2.3.11', '2000::1'],
        ],
        none,
      ),
      'test',
    ));
  it('non-existent pool', () =>
    runAllocTable(a, [
      { desc: 'unknown', svc: 's5', pool: 'nonexistentpool', fail: 'unknown-pool' },
    ]));

  it('PreferDualStack', () => {
    const b = createAllocator(
      {},
      {
        pools: [
          { name: 'test', addresses: ['1.2.5.4/31', '1005::/127'] },
          { name: 'test-v4', addresses: ['1.2.3.4/31', '1.2.3.10/31'] },
          { name: 'test-v6', addresses: ['1000::/127', '2000::/127'] },
          { name: 'test-dualstack', addresses: ['1.2.4.4/31', '3000::/127'] },
        ],
      },
    );
    const p = 'PreferDualStack' as const;
    runAllocTable(b, [
      {
        desc: 's1 gets dual-stack IPs',
        svc: 's1',
        fam: 'dual',
        policy: p,
        pool: 'test',
        want: ['1.2.5.4', '1005::'],
      },
      {
        desc: 's2 gets ipv4 IP',
        svc: 's2',
        fam: 'v4',
        policy: p,
        pool: 'test-v4',
        want: ['1.2.3.4'],
      },
      {
        desc: 's3 gets ipv6 IP',
        svc: 's3',
        fam: 'v6',
        policy: p,
        pool: 'test-v6',
        want: ['1000::'],
      },
      { desc: 's2 clears', svc: 's2', release: true },
      // MetalLB keeps s3's address here (its AllocateFromPool ignores the pool of a held address,
      // the controller clears it first); allocate() includes that clearing.
      {
        desc: 's3 gets dualstack',
        svc: 's3',
        fam: 'dual',
        policy: p,
        pool: 'test-dualstack',
        want: ['1.2.4.4', '3000::'],
      },
      {
        desc: 'dual-stack service, v4-only pool: one address',
        svc: 's4',
        fam: 'dual',
        policy: p,
        pool: 'test-v4',
        want: ['1.2.3.4'],
      },
      {
        desc: 'dual-stack service, v6-only pool: one address',
        svc: 's5',
        fam: 'dual6',
        policy: p,
        pool: 'test-v6',
        want: ['1000::'],
      },
      {
        desc: 'RequireDualStack from a v4-only pool fails',
        svc: 's6',
        fam: 'dual',
        policy: 'RequireDualStack',
        pool: 'test-v4',
        fail: 'no-available-ips-in-pool',
      },
    ]);
  });
});

describe('TestAllocation (Allocate over all pools)', () => {
  const a = createAllocator(
    {},
    {
      pools: [
        { name: 'test1', addresses: ['1.2.3.4/31', '1000::4/127'] },
        { name: 'test2', addresses: ['1.2.3.10/31', '1000::10/127'] },
      ],
    },
  );
  const none = 'no-available-ips';
  it('IPv4', () =>
    runAllocTable(a, fillRows('v4', [['1.2.3.4'], ['1.2.3.5'], ['1.2.3.10'], ['1.2.3.11']], none)));
  it('IPv6', () =>
    runAllocTable(a, fillRows('v6', [['1000::4'], ['1000::5'], ['1000::10'], ['1000::11']], none)));
  it('RequireDualStack', () =>
    runAllocTable(
      a,
      fillRows(
        'dual',
        [
          ['1.2.3.4', '1000::4'],
          ['1.2.3.5', '1000::5'],
          ['1.2.3.10', '1000::10'],
          ['1.2.3.11', '1000::11'],
        ],
        none,
      ),
    ));
});

describe('TestBuggyIPs', () => {
  it('skips .0 and .255 only in avoidBuggyIPs pools', () => {
    const a = createAllocator(
      {},
      {
        pools: [
          { name: 'test', addresses: ['1.2.3.0/31'] },
          { name: 'test2', addresses: ['1.2.3.254/31'] },
          { name: 'test3', avoidBuggyIPs: true, addresses: ['1.2.4.0/31'] },
          { name: 'test4', avoidBuggyIPs: true, addresses: ['1.2.4.254/31'] },
        ],
      },
    );
    const want = ['1.2.3.0', '1.2.3.1', '1.2.3.254', '1.2.3.255', '1.2.4.1', '1.2.4.254'];
    runAllocTable(a, [
      ...want.map((w, i) => ({ desc: `#${i + 1}`, svc: `s${i + 1}`, want: [w] })),
      { desc: '#7', svc: 's7', fail: 'no-available-ips' },
    ]);
  });
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

describe('TestAutoAssign', () => {
  it('never auto-assigns from autoAssign=false pools', () => {
    const a = createAllocator(
      {},
      {
        pools: [
          { name: 'test1', autoAssign: false, addresses: ['1.2.3.4/31', '1000::4/127'] },
          { name: 'test2', addresses: ['1.2.3.10/31', '1000::10/127'] },
        ],
      },
    );
    runAllocTable(a, [
      { desc: 's1', svc: 's1', want: ['1.2.3.10'] },
      { desc: 's2', svc: 's2', want: ['1.2.3.11'] },
      { desc: 's3', svc: 's3', fail: 'no-available-ips' },
      { desc: 's4', svc: 's4', fail: 'no-available-ips' },
      ...['s1', 's2', 's3', 's4', 's5', 's6'].map((svc) => ({
        desc: `${svc} clears`,
        svc,
        release: true as const,
      })),
      { desc: 's1 v6', svc: 's1', fam: 'v6', want: ['1000::10'] },
      { desc: 's2 v6', svc: 's2', fam: 'v6', want: ['1000::11'] },
      { desc: 's3 v6', svc: 's3', fam: 'v6', fail: 'no-available-ips' },
      {
        desc: 's5 dual RequireDualStack',
        svc: 's5',
        fam: 'dual',
        policy: 'RequireDualStack',
        fail: 'no-available-ips',
      },
      // Explicit requests still reach an autoAssign=false pool.
      { desc: 's6 requested pool', svc: 's6', pool: 'test1', want: ['1.2.3.4'] },
    ]);
  });
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
