// One test per allocation rule of metallb-behaviour.md §2/§3 and the issue.
import { describe, expect, it } from 'vitest';
import { IpamError, createAllocator, describeFailure } from './index.js';
import type { AllocationFailure, AllocationResult, PoolSpec } from './index.js';
import { ports, req } from './test-support/helpers.js';

function addrs(r: AllocationResult): readonly string[] | string {
  return r.ok ? r.addresses : `${r.failure.reason}: ${describeFailure(r.failure)}`;
}
function failure(r: AllocationResult): AllocationFailure {
  if (r.ok) throw new Error(`expected a failure, got ${r.addresses.join(',')}`);
  return r.failure;
}

const basic: PoolSpec[] = [
  { name: 'a', addresses: ['192.0.2.0/30', '2001:db8:a::/126'] },
  { name: 'b', addresses: ['198.51.100.0/30', '2001:db8:b::/126'] },
  { name: 'manual', autoAssign: false, addresses: ['203.0.113.0/30'] },
  { name: 'buggy', autoAssign: false, avoidBuggyIPs: true, addresses: ['203.0.113.252/30'] },
];

describe('requested addresses come first', () => {
  it('assigns exactly the requested address, from any pool, autoAssign or not', () => {
    const a = createAllocator({}, { pools: basic });
    expect(addrs(a.allocate(req('ns/x', 'v4', { requestedAddresses: ['203.0.113.2'] })))).toEqual([
      '203.0.113.2',
    ]);
    expect(a.allocationOf('ns/x')?.pool).toBe('manual');
  });

  it('refuses addresses outside every pool and buggy ones, in MetalLB words', () => {
    const a = createAllocator({}, { pools: basic });
    const out = a.allocate(req('ns/x', 'v4', { requestedAddresses: ['192.0.2.200'] }));
    expect(describeFailure(failure(out))).toBe('["192.0.2.200"] is not allowed in config');
    const bug = a.allocate(req('ns/x', 'v4', { requestedAddresses: ['203.0.113.255'] }));
    expect(failure(bug).reason).toBe('not-allowed-in-config');
    expect(addrs(a.allocate(req('ns/x', 'v4', { requestedAddresses: ['203.0.113.254'] })))).toEqual(
      ['203.0.113.254'],
    );
  });

  it('checks the family and the number of requested addresses', () => {
    const a = createAllocator({}, { pools: basic });
    const fam = a.allocate(req('ns/x', 'v6', { requestedAddresses: ['192.0.2.1'] }));
    expect(describeFailure(failure(fam))).toBe(
      'requested loadBalancer IP(s) ["192.0.2.1"] does not match the ipFamily of the service',
    );
    const same = a.allocate(
      req('ns/x', 'dual', { requestedAddresses: ['192.0.2.1', '192.0.2.2'] }),
    );
    expect(describeFailure(failure(same))).toBe(
      'IPFamilyForAddresses: same address family ["192.0.2.1" "192.0.2.2"]',
    );
    const many = a.allocate(
      req('ns/x', 'dual', { requestedAddresses: ['192.0.2.1', '2001:db8:a::', '192.0.2.2'] }),
    );
    expect(failure(many).reason).toBe('requested-too-many');
    const bad = a.allocate(req('ns/x', 'v4', { requestedAddresses: ['192.0.2.x'] }));
    expect(failure(bad)).toEqual({ reason: 'invalid-address', address: '192.0.2.x' });
    const dual = a.allocate(
      req('ns/x', 'dual', { requestedAddresses: ['2001:db8:a::1', '192.0.2.1'] }),
    );
    expect(addrs(dual)).toEqual(['2001:db8:a::1', '192.0.2.1']);
  });

  it('must agree with a requested pool, else nothing is kept', () => {
    const a = createAllocator({}, { pools: basic });
    const r = a.allocate(
      req('ns/x', 'v4', { requestedAddresses: ['192.0.2.1'], requestedPool: 'b' }),
    );
    expect(describeFailure(failure(r))).toBe(
      'requested loadBalancer IP(s) ["192.0.2.1"] is not compatible with requested address pool b',
    );
    expect(a.allocationOf('ns/x')).toBeUndefined();
    const ok = a.allocate(
      req('ns/x', 'v4', { requestedAddresses: ['192.0.2.1'], requestedPool: 'a' }),
    );
    expect(addrs(ok)).toEqual(['192.0.2.1']);
  });

  it('moves the service when the requested address changes', () => {
    const a = createAllocator({}, { pools: basic });
    a.allocate(req('ns/x', 'v4', { requestedAddresses: ['192.0.2.1'] }));
    expect(addrs(a.allocate(req('ns/x', 'v4', { requestedAddresses: ['192.0.2.2'] })))).toEqual([
      '192.0.2.2',
    ]);
    expect(a.usersOf('192.0.2.1')).toEqual([]);
  });
});

describe('requested pool', () => {
  it('allocates only from that pool, even when autoAssign is false', () => {
    const a = createAllocator({}, { pools: basic });
    expect(addrs(a.allocate(req('ns/x', 'v4', { requestedPool: 'manual' })))).toEqual([
      '203.0.113.0',
    ]);
    expect(addrs(a.allocate(req('ns/y', 'v4', { requestedPool: 'buggy' })))).toEqual([
      '203.0.113.252',
    ]);
    expect(describeFailure(failure(a.allocate(req('ns/z', 'v4', { requestedPool: 'nope' }))))).toBe(
      'unknown pool "nope"',
    );
  });

  it('reports exhaustion with the pool and family', () => {
    const a = createAllocator({}, { pools: [{ name: 'one', addresses: ['192.0.2.1/32'] }] });
    a.allocate(req('ns/x', 'v4', { requestedPool: 'one' }));
    const r = a.allocate(req('ns/y', 'v4', { requestedPool: 'one' }));
    expect(describeFailure(failure(r))).toBe('no available IPs in pool one for ipv4 IPFamily');
    const v6 = a.allocate(req('ns/z', 'v6', { requestedPool: 'one' }));
    expect(describeFailure(failure(v6))).toBe('no available IPs in pool one for ipv6 IPFamily');
  });

  it('moves the service when the requested pool changes', () => {
    const a = createAllocator({}, { pools: basic });
    a.allocate(req('ns/x', 'v4'));
    expect(a.allocationOf('ns/x')?.pool).toBe('a');
    expect(addrs(a.allocate(req('ns/x', 'v4', { requestedPool: 'b' })))).toEqual(['198.51.100.0']);
  });

  it('still respects pinning', () => {
    const a = createAllocator(
      {},
      { pools: [{ name: 'p', serviceAllocation: {}, addresses: ['192.0.2.0/30'] }] },
    );
    const r = a.allocate(req('ns/x', 'v4', { requestedPool: 'p' }));
    expect(describeFailure(failure(r))).toBe('pool p not compatible for ip assignment');
    expect(
      addrs(a.allocate(req('ns/x', 'v4', { requestedPool: 'p', matchingPools: ['p'] }))),
    ).toEqual(['192.0.2.0']);
  });
});

describe('pool order', () => {
  const pinned: PoolSpec[] = [
    { name: 'zz-any', addresses: ['192.0.2.0/32'] },
    { name: 'aa-any', addresses: ['192.0.2.1/32'] },
    { name: 'p0', serviceAllocation: {}, addresses: ['198.51.100.0/32'] },
    { name: 'p2', serviceAllocation: { priority: 2 }, addresses: ['198.51.100.2/32'] },
    { name: 'p1b', serviceAllocation: { priority: 1 }, addresses: ['198.51.100.11/32'] },
    { name: 'p1a', serviceAllocation: { priority: 1 }, addresses: ['198.51.100.10/32'] },
    {
      name: 'p-manual',
      autoAssign: false,
      serviceAllocation: { priority: 1 },
      addresses: ['198.51.100.20/32'],
    },
  ];
  const all = ['p0', 'p2', 'p1b', 'p1a', 'p-manual'];

  it('tries matching pinned pools by priority (0 last, ties by name), then unpinned pools by name', () => {
    const a = createAllocator({}, { pools: pinned });
    const got = [1, 2, 3, 4, 5, 6, 7].map((i) =>
      addrs(a.allocate(req(`ns/s${i}`, 'v4', { matchingPools: all }))),
    );
    expect(got).toEqual([
      ['198.51.100.10'], // p1a
      ['198.51.100.11'], // p1b
      ['198.51.100.2'], // p2
      ['198.51.100.0'], // p0 (priority unset sorts last)
      ['192.0.2.1'], // aa-any (fallback, by name)
      ['192.0.2.0'], // zz-any
      'no-available-ips: no available IPs',
    ]);
  });

  it('never uses a pinned pool the service does not match, not even as a fallback', () => {
    const a = createAllocator({}, { pools: pinned });
    const got = [1, 2, 3].map((i) =>
      addrs(a.allocate(req(`ns/s${i}`, 'v4', { matchingPools: ['p2'] }))),
    );
    expect(got).toEqual([['198.51.100.2'], ['192.0.2.1'], ['192.0.2.0']]);
    expect(failure(a.allocate(req('ns/s4', 'v4'))).reason).toBe('no-available-ips');
  });

  it('walks entries in listed order, lowest address first within each', () => {
    const a = createAllocator(
      {},
      { pools: [{ name: 'p', addresses: ['192.0.2.200/31', '192.0.2.0/31'] }] },
    );
    const got = [1, 2, 3].map((i) => addrs(a.allocate(req(`ns/s${i}`))));
    expect(got).toEqual([['192.0.2.200'], ['192.0.2.201'], ['192.0.2.0']]);
    a.release('ns/s1');
    expect(addrs(a.allocate(req('ns/s4')))).toEqual(['192.0.2.200']);
  });
});

describe('sharing', () => {
  const pool: PoolSpec[] = [{ name: 'p', addresses: ['192.0.2.0/29'] }];
  it('shares only with the same non-empty key, same backend key and disjoint ports', () => {
    const a = createAllocator({}, { pools: pool });
    const s = (svc: string, key: string, backend: string, ...p: string[]) =>
      addrs(
        a.allocate(req(svc, 'v4', { sharingKey: key, backendKey: backend, ports: ports(...p) })),
      );
    expect(s('ns/dns-tcp', 'k', '', 'TCP/53')).toEqual(['192.0.2.0']);
    expect(s('ns/dns-udp', 'k', '', 'UDP/53')).toEqual(['192.0.2.0']); // TCP/53 ≠ UDP/53
    expect(s('ns/dns-tcp2', 'k', '', 'TCP/53')).toEqual(['192.0.2.1']); // port taken: next address
    expect(s('ns/web', 'k', 'app=web', 'TCP/80')).toEqual(['192.0.2.2']); // other backend key
    expect(s('ns/plain', '', '', 'TCP/81')).toEqual(['192.0.2.3']); // no key never shares
    expect(s('ns/other', 'other', '', 'TCP/82')).toEqual(['192.0.2.4']);
    expect(s('ns/web2', 'k', 'app=web', 'TCP/443')).toEqual(['192.0.2.2']);
    expect(a.usersOf('192.0.2.0')).toEqual(['ns/dns-tcp', 'ns/dns-udp']);
    expect(a.counters('p')).toMatchObject({ assignedIPv4: 5n, availableIPv4: 3n });
  });

  it('lets a sole user change its key but not a sharing one, with MetalLB texts', () => {
    const a = createAllocator({}, { pools: pool });
    a.allocate(req('ns/a', 'v4', { sharingKey: 'k', ports: ports('TCP/80') }));
    expect(
      addrs(a.allocate(req('ns/a', 'v4', { sharingKey: 'k2', ports: ports('TCP/80') }))),
    ).toEqual(['192.0.2.0']);
    a.allocate(req('ns/b', 'v4', { sharingKey: 'k2', ports: ports('TCP/81') }));
    const r = a.allocate(req('ns/a', 'v4', { sharingKey: 'k3', ports: ports('TCP/80') }));
    const f = failure(r);
    expect(describeFailure(f)).toBe(
      `can't change sharing key for "ns/a", address also in use by ns/b`,
    );
    expect(f).toMatchObject({ detail: 'sharing-key', sharingKey: 'k3', existingSharingKey: 'k2' });
    expect(a.allocationOf('ns/a')?.sharingKey).toBe('k2'); // failed re-validation keeps the old state
    const p = failure(
      a.assign(req('ns/c', 'v4', { sharingKey: 'k2', ports: ports('TCP/81') }), ['192.0.2.0']),
    );
    expect(describeFailure(p)).toBe('port TCP/81 is already in use on "192.0.2.0"');
    expect(p).toMatchObject({ usedBy: 'ns/b' });
  });
});

describe('dual-stack', () => {
  const pools: PoolSpec[] = [
    { name: 'a-v4', addresses: ['192.0.2.0/31'] },
    { name: 'b-v6', addresses: ['2001:db8:b::/127'] },
    { name: 'c-dual', addresses: ['198.51.100.0/31', '2001:db8:c::/127'] },
  ];
  it('RequireDualStack takes the first pool offering both families', () => {
    const a = createAllocator({}, { pools });
    expect(addrs(a.allocate(req('ns/x', 'dual6', { ipFamilyPolicy: 'RequireDualStack' })))).toEqual(
      ['198.51.100.0', '2001:db8:c::'],
    );
  });
  it('PreferDualStack prefers a dual pool, else the primary family, else the other', () => {
    const a = createAllocator({}, { pools });
    const p = { ipFamilyPolicy: 'PreferDualStack' as const };
    expect(addrs(a.allocate(req('ns/1', 'dual6', p)))).toEqual(['198.51.100.0', '2001:db8:c::']);
    expect(addrs(a.allocate(req('ns/2', 'dual6', p)))).toEqual(['198.51.100.1', '2001:db8:c::1']);
    expect(addrs(a.allocate(req('ns/3', 'dual6', p)))).toEqual(['2001:db8:b::']); // primary IPv6
    expect(addrs(a.allocate(req('ns/4', 'dual', p)))).toEqual(['192.0.2.0']); // primary IPv4
    expect(addrs(a.allocate(req('ns/5', 'dual', p)))).toEqual(['192.0.2.1']);
    expect(addrs(a.allocate(req('ns/6', 'dual', p)))).toEqual(['2001:db8:b::1']); // secondary
    expect(failure(a.allocate(req('ns/7', 'dual', p))).reason).toBe('no-available-ips');
  });
  it('a single cluster IP gets a single address whatever the policy; SingleStack + two families fails', () => {
    const a = createAllocator({}, { pools });
    expect(addrs(a.allocate(req('ns/1', 'v6', { ipFamilyPolicy: 'PreferDualStack' })))).toEqual([
      '2001:db8:b::',
    ]);
    expect(failure(a.allocate(req('ns/2', 'dual', { ipFamilyPolicy: 'SingleStack' }))).reason).toBe(
      'no-available-ips',
    );
  });
  it('adds the missing family from the same pool (AllocateFromPoolForAdditionalFamily)', () => {
    const a = createAllocator({}, { pools });
    const r = req('ns/x', 'dual', { ipFamilyPolicy: 'PreferDualStack' });
    a.assign(r, ['198.51.100.1']);
    expect(addrs(a.allocateAdditionalFamily(r))).toEqual(['198.51.100.1', '2001:db8:c::']);
    const only = req('ns/y', 'dual', { ipFamilyPolicy: 'PreferDualStack' });
    a.assign(only, ['192.0.2.0']);
    expect(describeFailure(failure(a.allocateAdditionalFamily(only)))).toBe(
      'no available IPs in pool a-v4 for ipv6 IPFamily',
    );
    expect(failure(a.allocateAdditionalFamily(req('ns/none'))).reason).toBe('not-allocated');
  });
  it('refuses two addresses of one family or from two pools on assign', () => {
    const a = createAllocator({}, { pools });
    expect(
      describeFailure(failure(a.assign(req('ns/x', 'dual'), ['198.51.100.0', '198.51.100.1']))),
    ).toBe('"198.51.100.0" "198.51.100.1" has the same family');
    expect(failure(a.assign(req('ns/x', 'dual'), ['192.0.2.0', '2001:db8:c::'])).reason).toBe(
      'not-allowed-in-config',
    );
  });
});

describe('idempotence, release and large pools', () => {
  it('confirms a held allocation and re-validates it with new ports', () => {
    const a = createAllocator({}, { pools: basic });
    const r1 = a.allocate(req('ns/x', 'v4', { sharingKey: 'k', ports: ports('TCP/80') }));
    expect(a.allocate(req('ns/x', 'v4', { sharingKey: 'k', ports: ports('TCP/80') }))).toEqual(r1);
    a.allocate(req('ns/y', 'v4', { sharingKey: 'k', ports: ports('TCP/443') }));
    const clash = a.allocate(req('ns/x', 'v4', { sharingKey: 'k', ports: ports('TCP/443') }));
    expect(failure(clash).reason).toBe('port-in-use');
    expect(a.allocationOf('ns/x')?.ports).toEqual(ports('TCP/80'));
    expect(a.release('ns/x')?.addresses).toEqual(['192.0.2.0']);
    expect(a.release('ns/x')).toBeUndefined();
  });

  it('hands out the first addresses of a /8 and a /64 and counts them exactly', () => {
    const a = createAllocator(
      {},
      { pools: [{ name: 'big', avoidBuggyIPs: true, addresses: ['10.0.0.0/8', '2001:db8::/64'] }] },
    );
    for (let i = 0; i < 300; i++) a.allocate(req(`ns/v4-${i}`));
    for (let i = 0; i < 300; i++) a.allocate(req(`ns/v6-${i}`, 'v6'));
    expect(a.allocationOf('ns/v4-0')?.addresses).toEqual(['10.0.0.1']);
    expect(a.allocationOf('ns/v4-253')?.addresses).toEqual(['10.0.0.254']);
    expect(a.allocationOf('ns/v4-254')?.addresses).toEqual(['10.0.1.1']);
    expect(a.allocationOf('ns/v6-299')?.addresses).toEqual(['2001:db8::12b']);
    expect(a.counters('big')).toEqual({
      assignedIPv4: 300n,
      assignedIPv6: 300n,
      availableIPv4: 65536n * 254n - 300n,
      availableIPv6: (1n << 64n) - 300n,
      capacityIPv4: 65536n * 254n,
      capacityIPv6: 1n << 64n,
    });
  });

  it('throws IpamError IPAM_INVALID_REQUEST for malformed requests', () => {
    const a = createAllocator({}, { pools: basic });
    const bad = [
      { service: '', ipFamilies: ['IPv4'] as const },
      { service: 'x', ipFamilies: [] as const },
      { service: 'x', ipFamilies: ['IPv4', 'IPv4'] as const },
      { service: 'x', ipFamilies: ['IPv4'] as const, ports: [{ protocol: 'TCP', port: 70000 }] },
    ];
    for (const r of bad) {
      try {
        a.allocate(r);
        expect.unreachable();
      } catch (e) {
        expect(e).toBeInstanceOf(IpamError);
        expect((e as IpamError).code).toBe('IPAM_INVALID_REQUEST');
      }
    }
  });
});

describe('replacing the pool set', () => {
  it('reports lost and moved services, keeps sharing, and rebuilds the free-address index', () => {
    const changed: string[] = [];
    const a = createAllocator(
      { onCountersChanged: (p) => changed.push(p) },
      { pools: [{ name: 'old', addresses: ['192.0.2.0/30', '2001:db8::/127'] }] },
    );
    const share = { sharingKey: 'k', ports: ports('TCP/80') };
    a.allocate(req('ns/a', 'v4', share)); // 192.0.2.0
    a.allocate(req('ns/b', 'v4', { sharingKey: 'k', ports: ports('TCP/443') })); // shares .0
    a.allocate(req('ns/c')); // .1
    a.allocate(req('ns/d')); // .2
    a.allocate(req('ns/e', 'v6')); // 2001:db8::
    expect(a.usersOf('192.0.2.0')).toEqual(['ns/a', 'ns/b']);
    changed.length = 0;

    const res = a.setPools([
      { name: 'new', avoidBuggyIPs: true, addresses: ['192.0.2.0/31', '192.0.2.3/32'] },
      { name: 'v6', addresses: ['2001:db8::/126'] },
    ]);
    // .0 is now a buggy address in an avoidBuggyIPs pool, .2 is outside every pool.
    expect(res.lost.map((l) => `${l.service}:${l.addresses.join()}`).sort()).toEqual([
      'ns/a:192.0.2.0',
      'ns/b:192.0.2.0',
      'ns/d:192.0.2.2',
    ]);
    expect(res.moved).toEqual([
      { service: 'ns/c', fromPool: 'old', toPool: 'new', addresses: ['192.0.2.1'] },
      { service: 'ns/e', fromPool: 'old', toPool: 'v6', addresses: ['2001:db8::'] },
    ]);
    expect(changed).toEqual(['new', 'old', 'v6']);
    expect(a.counters('new')).toMatchObject({
      assignedIPv4: 1n,
      availableIPv4: 1n,
      capacityIPv4: 2n,
    });
    expect(addrs(a.allocate(req('ns/f')))).toEqual(['192.0.2.3']);
    expect(failure(a.allocate(req('ns/g'))).reason).toBe('no-available-ips');

    // Growing back: the shared pair can return to .0 together, and the index knows .2 is free.
    a.setPools([{ name: 'old', addresses: ['192.0.2.0/30', '2001:db8::/127'] }]);
    expect(addrs(a.allocate(req('ns/a', 'v4', share)))).toEqual(['192.0.2.0']);
    expect(
      addrs(a.allocate(req('ns/b', 'v4', { sharingKey: 'k', ports: ports('TCP/443') }))),
    ).toEqual(['192.0.2.0']);
    expect(addrs(a.allocate(req('ns/d')))).toEqual(['192.0.2.2']);
    expect(a.counters('old')).toMatchObject({
      assignedIPv4: 4n,
      availableIPv4: 0n,
      assignedIPv6: 1n,
    });
  });

  it('rejects an invalid pool set as a whole and keeps the current one', () => {
    const a = createAllocator({}, { pools: basic });
    a.allocate(req('ns/x'));
    try {
      a.setPools([
        { name: 'a', addresses: ['192.0.2.0/24'] },
        { name: 'b', addresses: ['192.0.2.5'] },
      ]);
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(IpamError);
      expect((e as IpamError).code).toBe('IPAM_INVALID_POOLS');
    }
    expect(a.allocationOf('ns/x')?.addresses).toEqual(['192.0.2.0']);
    expect([...a.pools.pools.keys()]).toEqual(['a', 'b', 'manual', 'buggy']);
  });
});
