// Property tests (fast-check): random sequences of reconcile / delete / pool change / restart, with a
// controller-like harness that re-processes every service after each step (MetalLB reprocess-all).
// Properties:
//  1. no address ever has two owners that may not share it (same non-empty sharing key, same
//     backend key, disjoint ports), every address sits in its pool, counters match the allocations;
//  2. a restart — a new allocator restoring every service from its status, services with addresses
//     first — reproduces exactly the same assignments;
//  3. the fast allocator hands out exactly what the naive first-free scan hands out.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createAllocator, reconcile, restartOrder, restore } from './index.js';
import type { AllocationRequest, Allocator, IpFamilyPolicy, Port, PoolSpec } from './index.js';
import { NaiveAllocator } from './testing/index.js';

const POOL_VARIANTS: PoolSpec[][] = [
  [
    { name: 'p1', addresses: ['192.0.2.0/30', '2001:db8:1::/126'] },
    { name: 'p2', addresses: ['192.0.2.8-192.0.2.10'] },
    { name: 'p6', addresses: ['2001:db8:6::/127'] },
  ],
  [
    { name: 'p1', addresses: ['192.0.2.0/31', '2001:db8:1::/127'] },
    { name: 'p2', addresses: ['192.0.2.8-192.0.2.10'] },
  ],
  [
    { name: 'q1', addresses: ['192.0.2.0/30', '2001:db8:1::/126'] },
    { name: 'p2', avoidBuggyIPs: true, addresses: ['192.0.2.254-192.0.3.1', '192.0.2.8/32'] },
    { name: 'p6', addresses: ['2001:db8:6::/127'] },
  ],
  [
    {
      name: 'p1',
      serviceAllocation: { priority: 1 },
      addresses: ['192.0.2.0/30', '2001:db8:1::/126'],
    },
    { name: 'p2', autoAssign: false, addresses: ['192.0.2.8-192.0.2.10'] },
    { name: 'p6', serviceAllocation: {}, addresses: ['2001:db8:6::/127', '192.0.2.12/31'] },
  ],
  [],
];

const ALL_PORTS: Port[] = [
  { protocol: 'TCP', port: 80 },
  { protocol: 'TCP', port: 443 },
  { protocol: 'UDP', port: 53 },
];

const famArb = fc.constantFrom(
  ['IPv4'] as const,
  ['IPv6'] as const,
  ['IPv4', 'IPv6'] as const,
  ['IPv6', 'IPv4'] as const,
);

// Requested addresses mostly match the service's family (so that explicit requests really compete
// for the same addresses), sometimes not (to exercise the family checks).
const REQUESTED: Record<string, string[][]> = {
  IPv4: [['192.0.2.1'], ['192.0.2.9'], ['192.0.2.255'], ['192.0.2.13'], ['2001:db8:1::1']],
  IPv6: [['2001:db8:1::1'], ['2001:db8:6::'], ['192.0.2.1']],
  dual: [
    ['192.0.2.1', '2001:db8:1::'],
    ['192.0.2.13', '2001:db8:6::1'],
    ['192.0.2.1', '192.0.2.2'],
  ],
};

/** null `weight` times out of weight + 1. */
function rarely<T>(arb: fc.Arbitrary<T>, weight: number): fc.Arbitrary<T | null> {
  return fc.oneof({ weight, arbitrary: fc.constant(null) }, { weight: 1, arbitrary: arb });
}

const requestArb = (svc: number) =>
  famArb.chain((ipFamilies) =>
    fc
      .record({
        ipFamilyPolicy: fc.constantFrom<IpFamilyPolicy>(
          'SingleStack',
          'PreferDualStack',
          'RequireDualStack',
        ),
        sharingKey: fc.constantFrom('', '', 'k1', 'k2'),
        backendKey: fc.constantFrom('', '', 'b'),
        ports: fc.subarray(ALL_PORTS, { minLength: 1 }),
        requestedPool: rarely(fc.constantFrom('p1', 'p2', 'p6', 'q1', 'zz'), 5),
        requestedAddresses: rarely(
          fc.constantFrom(...REQUESTED[ipFamilies.length === 2 ? 'dual' : ipFamilies[0]]!),
          2,
        ),
        matchingPools: fc.subarray(['p1', 'p6']),
      })
      .map((r): AllocationRequest => {
        const out: AllocationRequest = {
          service: `ns/s${svc}`,
          ipFamilies,
          ipFamilyPolicy: ipFamilies.length === 1 ? 'SingleStack' : r.ipFamilyPolicy,
          sharingKey: r.sharingKey,
          backendKey: r.backendKey,
          ports: r.ports,
          matchingPools: r.matchingPools,
        };
        if (r.requestedPool !== null) out.requestedPool = r.requestedPool;
        if (r.requestedAddresses !== null) out.requestedAddresses = r.requestedAddresses;
        return out;
      }),
  );

type Op =
  | { kind: 'ensure'; req: AllocationRequest }
  | { kind: 'delete'; svc: string }
  | { kind: 'pools'; variant: number }
  | { kind: 'restart' };

const opArb: fc.Arbitrary<Op> = fc.oneof(
  {
    weight: 6,
    arbitrary: fc
      .integer({ min: 0, max: 7 })
      .chain((i) => requestArb(i).map((req) => ({ kind: 'ensure' as const, req }))),
  },
  {
    weight: 2,
    arbitrary: fc
      .integer({ min: 0, max: 7 })
      .map((i) => ({ kind: 'delete' as const, svc: `ns/s${i}` })),
  },
  {
    weight: 1,
    arbitrary: fc
      .integer({ min: 0, max: POOL_VARIANTS.length - 1 })
      .map((variant) => ({ kind: 'pools' as const, variant })),
  },
  { weight: 1, arbitrary: fc.constant({ kind: 'restart' as const }) },
);

interface Svc {
  request: AllocationRequest;
  addresses: readonly string[];
}

/** Re-processes every service until nothing changes (MetalLB's reprocess-all), bounded. */
function reprocessAll(alloc: Allocator, services: Map<string, Svc>): void {
  for (let pass = 0; pass < 8; pass++) {
    let changed = false;
    for (const s of restartOrder([...services.values()])) {
      const r = reconcile(alloc, s.request, s.addresses);
      if (r.changed) changed = true;
      s.addresses = r.addresses;
      checkInvariants(alloc);
    }
    if (!changed) return;
  }
  throw new Error('reprocess-all did not converge in 8 passes');
}

function checkInvariants(alloc: Allocator): void {
  const byAddr = new Map<
    string,
    { service: string; sharingKey: string; backendKey: string; ports: readonly Port[] }[]
  >();
  for (const a of alloc.allocations()) {
    for (const addr of a.addresses) {
      expect(alloc.poolOfAddress(addr), `${addr} of ${a.service}`).toBe(a.pool);
      const list = byAddr.get(addr) ?? [];
      list.push(a);
      byAddr.set(addr, list);
    }
  }
  for (const [addr, users] of byAddr) {
    if (users.length < 2) continue;
    const first = users[0]!;
    const seen = new Set<string>();
    for (const u of users) {
      expect(u.sharingKey, `sharing key on ${addr}`).not.toBe('');
      expect(u.sharingKey, `sharing key on ${addr}`).toBe(first.sharingKey);
      expect(u.backendKey, `backend key on ${addr}`).toBe(first.backendKey);
      for (const p of u.ports) {
        const k = `${p.protocol}/${p.port}`;
        expect(seen.has(k), `${k} twice on ${addr}`).toBe(false);
        seen.add(k);
      }
    }
  }
  for (const name of alloc.pools.pools.keys()) {
    const c = alloc.counters(name)!;
    const mine = [...byAddr.keys()].filter((x) => alloc.poolOfAddress(x) === name);
    expect(c.assignedIPv4 + c.assignedIPv6).toBe(BigInt(mine.length));
    expect(c.assignedIPv6).toBe(BigInt(mine.filter((x) => x.includes(':')).length));
  }
}

function restartAndCompare(
  pools: PoolSpec[],
  alloc: Allocator,
  services: Map<string, Svc>,
): Allocator {
  const before = alloc
    .allocations()
    .map((a) => ({ service: a.service, pool: a.pool, addresses: a.addresses }));
  const fresh = createAllocator({}, { pools });
  const results = restore(
    fresh,
    [...services.values()].map((s) => ({ request: s.request, addresses: s.addresses })),
  );
  for (const r of results) {
    expect(r.addresses, `${r.service} after restart`).toEqual(services.get(r.service)!.addresses);
    expect(r.changed).toBe(false);
  }
  const after = fresh
    .allocations()
    .map((a) => ({ service: a.service, pool: a.pool, addresses: a.addresses }));
  expect(after).toEqual(before);
  return fresh;
}

describe('allocator properties', () => {
  it('never double-owns an address, and a restart reproduces every assignment', () => {
    fc.assert(
      fc.property(fc.array(opArb, { minLength: 10, maxLength: 40, size: 'max' }), (ops) => {
        let pools = POOL_VARIANTS[0]!;
        let alloc = createAllocator({}, { pools });
        const services = new Map<string, Svc>();
        for (const op of ops) {
          if (op.kind === 'ensure') {
            const s = services.get(op.req.service);
            services.set(op.req.service, { request: op.req, addresses: s?.addresses ?? [] });
          } else if (op.kind === 'delete') {
            services.delete(op.svc);
            alloc.release(op.svc);
          } else if (op.kind === 'pools') {
            pools = POOL_VARIANTS[op.variant]!;
            const res = alloc.setPools(pools);
            for (const l of res.lost) expect(alloc.allocationOf(l.service)).toBeUndefined();
          } else {
            reprocessAll(alloc, services);
            alloc = restartAndCompare(pools, alloc, services);
            continue;
          }
          reprocessAll(alloc, services);
          for (const [svc, s] of services) {
            expect(s.addresses).toEqual(alloc.allocationOf(svc)?.addresses ?? []);
          }
        }
        reprocessAll(alloc, services);
        restartAndCompare(pools, alloc, services);
      }),
      { numRuns: 200 },
    );
  });

  it('hands out exactly what the naive first-free scan hands out', () => {
    const specArb = fc.record({
      ipFamilies: famArb,
      ipFamilyPolicy: fc.constantFrom<IpFamilyPolicy>(
        'SingleStack',
        'PreferDualStack',
        'RequireDualStack',
      ),
      sharingKey: fc.constantFrom('', 'k1', 'k2'),
      backendKey: fc.constantFrom('', 'b'),
      ports: fc.subarray(ALL_PORTS, { minLength: 1 }),
      matchingPools: fc.subarray(['p1', 'p6']),
    });
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 3 }),
        fc.array(specArb, { minLength: 12, maxLength: 12 }),
        fc.array(fc.tuple(fc.boolean(), fc.integer({ min: 0, max: 11 })), { maxLength: 60 }),
        (variant, specs, ops) => {
          const pools = POOL_VARIANTS[variant]!;
          const fast = createAllocator({}, { pools });
          const naive = new NaiveAllocator(pools);
          for (const [alloc, i] of ops) {
            const svc = `ns/s${i}`;
            const r: AllocationRequest = { service: svc, ...specs[i]! };
            if (!alloc) {
              fast.release(svc);
              naive.release(svc);
              continue;
            }
            const a = fast.allocate(r);
            const b = naive.allocate(r);
            expect(a.ok, svc).toBe(b.ok);
            if (a.ok) expect(a.addresses, svc).toEqual(b.addresses);
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  it('fills big pools in the same order as the naive scan (avoidBuggyIPs across /24s)', () => {
    const pools: PoolSpec[] = [
      {
        name: 'p',
        avoidBuggyIPs: true,
        addresses: ['10.0.0.250-10.0.3.3', '2001:db8::fffe/127', '2001:db8::1:0/120'],
      },
    ];
    const fast = createAllocator({}, { pools });
    const naive = new NaiveAllocator(pools);
    const order: string[] = [];
    for (let i = 0; i < 600; i++) {
      const r: AllocationRequest = {
        service: `ns/${i}`,
        ipFamilies: i % 3 === 0 ? ['IPv6'] : ['IPv4'],
      };
      const a = fast.allocate(r);
      const b = naive.allocate(r);
      expect(a.ok).toBe(b.ok);
      if (a.ok) {
        expect(a.addresses).toEqual(b.addresses);
        order.push(a.addresses[0]!);
      }
      if (i % 7 === 3) {
        fast.release(`ns/${i - 2}`);
        naive.release(`ns/${i - 2}`);
      }
    }
    expect(order).not.toContain('10.0.1.0');
    expect(order).not.toContain('10.0.0.255');
  });
});
