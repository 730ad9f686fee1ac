// MetalLB's allocator test cases (metallb/metallb internal/allocator/allocator_test.go:
// TestAssignment, TestPoolAllocation, TestAllocation, TestBuggyIPs, TestConfigReload, TestAutoAssign,
// TestPoolCount, TestPoolMetrics) re-expressed as data tables. Where MetalLB only checks "one of
// these addresses", we assert the exact address: our pool order is deterministic (by priority, then
// name). Pinned-pool matching is k8s-glue's job, so those rows state `matching` directly.
// MetalLB's TestPoolAllocation uses overlapping pools (its unit tests bypass config validation);
// ours cannot exist, so the PreferDualStack rows run against separate, non-overlapping pools.
import { describe, it } from 'vitest';
import { createAllocator } from './index.js';
import { fillRows, runAllocTable } from './test-support/metallb-tables.js';

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
