// Mistakes a stranger makes get a typed error naming the option (issue 12), never a TypeError
// or a silent wrong result.
import { describe, expect, it } from 'vitest';
import { IpamError, createAllocator, parsePools, reconcile } from './index.js';
import type { AllocationRequest, PoolSpec } from './index.js';

const pools: PoolSpec[] = [{ name: 'lan', addresses: ['192.0.2.0/30'] }];

function thrown(f: () => unknown): IpamError {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(IpamError);
    return e as IpamError;
  }
  throw new Error('expected an IpamError');
}

describe('createAllocator(deps, options)', () => {
  it('pools passed in the deps argument: a typed error that says where they go', () => {
    const e = thrown(() => createAllocator({ pools } as never));
    expect(e.code).toBe('IPAM_INVALID_OPTIONS');
    expect(e.message).toContain('`pools` is an option');
    expect(e.message).toContain('createAllocator({}, { pools })');
  });

  it('unknown dependencies and options are named', () => {
    expect(thrown(() => createAllocator({ clock: {} } as never)).message).toContain('"clock"');
    expect(thrown(() => createAllocator({}, { pool: pools } as never)).message).toContain('"pool"');
  });

  it('wrong types are refused with the option name', () => {
    const a = thrown(() => createAllocator({ onCountersChanged: 3 } as never));
    expect([a.code, a.message]).toEqual([
      'IPAM_INVALID_OPTIONS',
      'createAllocator(deps, options): deps.onCountersChanged must be a function',
    ]);
    const b = thrown(() => createAllocator({}, { pools: 'lan' as never }));
    expect(b.code).toBe('IPAM_INVALID_OPTIONS');
    expect(b.message).toContain('options.pools must be a PoolSpec[] or a PoolSet');
    expect(thrown(() => createAllocator({}, null as never)).code).toBe('IPAM_INVALID_OPTIONS');
  });

  it('the right call still works, with specs or a PoolSet', () => {
    for (const p of [pools, parsePools(pools)]) {
      const a = createAllocator({}, { pools: p });
      expect(a.allocate({ service: 'a/b', ipFamilies: ['IPv4'] })).toMatchObject({
        ok: true,
        addresses: ['192.0.2.0'],
      });
    }
  });
});

describe('requests', () => {
  const a = createAllocator({}, { pools });
  it('a missing ipFamilies is a typed error naming it, from allocate and from reconcile', () => {
    const req = { service: 'a/b' } as unknown as AllocationRequest;
    for (const f of [() => a.allocate(req), () => reconcile(a, req, [])]) {
      const e = thrown(f);
      expect(e.code).toBe('IPAM_INVALID_REQUEST');
      expect(e.message).toContain('request.ipFamilies is required');
    }
  });
  it('a request that is not an object is a typed error', () => {
    expect(thrown(() => a.allocate(undefined as never)).code).toBe('IPAM_INVALID_REQUEST');
  });
});

describe('pool messages', () => {
  it('name the entry once: no "invalid CIDR x in pool p: invalid CIDR x"', () => {
    const e = thrown(() =>
      createAllocator({}, { pools: [{ name: 'bad', addresses: ['203.0.113.0/33'] }] }),
    );
    expect(e.code).toBe('IPAM_INVALID_POOLS');
    expect(e.issues).toEqual([
      { path: 'pools[0].addresses[0]', message: 'invalid CIDR "203.0.113.0/33" in pool "bad"' },
    ]);
    expect(e.message).toBe(
      'invalid address pools: pools[0].addresses[0]: invalid CIDR "203.0.113.0/33" in pool "bad"',
    );
  });
  it('a long list of problems is cut in the message, never in `issues`', () => {
    const addresses = Array.from({ length: 50 }, (_, i) => `x${i}`);
    const e = thrown(() => parsePools([{ name: 'p', addresses }]));
    expect(e.issues).toHaveLength(50);
    expect(e.message).toMatch(/; and 30 more$/);
  });
  it('a malformed spec (addresses not a list) is reported, not a TypeError', () => {
    const e = thrown(() => parsePools([{ name: 'p', addresses: '192.0.2.0/24' as never }]));
    expect(e.issues).toEqual([
      { path: 'pools[0].addresses', message: 'addresses of pool "p" must be a list of strings' },
    ]);
  });
});
