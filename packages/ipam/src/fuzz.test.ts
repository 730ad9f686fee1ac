// Bounded fuzzing (DESIGN.md §4): whatever text or request shape arrives from k8s-glue, ipam either
// answers (a result, a list of config issues) or throws its own IpamError — never anything else,
// and never leaves its state inconsistent.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  IpamError,
  createAllocator,
  parseAddress,
  parsePoolEntry,
  parsePools,
  validatePools,
} from './index.js';
import type { AllocationRequest, PoolSpec } from './index.js';

/** Runs f; an IpamError is fine, anything else fails the test. */
function onlyIpamError(f: () => unknown): void {
  try {
    f();
  } catch (e) {
    if (!(e instanceof IpamError)) throw e;
  }
}

// Text built from the characters addresses are made of, so the parser's edges are reached.
const addrish = fc
  .array(fc.constantFrom(...'0123456789abcdefABCDEF:.-/ %x'.split('')), { maxLength: 48 })
  .map((cs) => cs.join(''));
const mutatedValid = fc
  .tuple(
    fc.constantFrom(
      '192.0.2.0/24',
      '2001:db8::/64',
      '192.0.2.1-192.0.2.9',
      '::ffff:192.0.2.1',
      '2001:db8::1:2:3',
    ),
    fc.integer({ min: 0, max: 20 }),
    fc.constantFrom('', ':', '.', '/', '-', '0', 'ff', ' '),
  )
  .map(([s, at, ins]) => s.slice(0, at) + ins + s.slice(at + 1));
const text = fc.oneof(addrish, mutatedValid, fc.string({ maxLength: 40 }));

describe('fuzz', () => {
  it('address and entry parsing never throw', () => {
    fc.assert(
      fc.property(text, (t) => {
        parseAddress(t);
        const p = parsePoolEntry(t);
        if (!('error' in p)) expect(p.lo <= p.hi).toBe(true);
      }),
      { numRuns: 5000 },
    );
  });

  it('pool validation returns issues; parsePools throws only IpamError', () => {
    const spec = fc.record({
      name: fc.constantFrom('', 'a', 'b', 'c'),
      addresses: fc.array(text, { maxLength: 4 }),
      autoAssign: fc.boolean(),
      avoidBuggyIPs: fc.boolean(),
    });
    fc.assert(
      fc.property(fc.array(spec, { maxLength: 4 }), (specs) => {
        const issues = validatePools(specs);
        for (const i of issues) expect(typeof i.message).toBe('string');
        onlyIpamError(() => parsePools(specs));
      }),
      { numRuns: 2000 },
    );
  });

  it('allocation with hostile requests answers or throws IpamError, and stays consistent', () => {
    const pools: PoolSpec[] = [
      { name: 'p', avoidBuggyIPs: true, addresses: ['192.0.2.0/29', '2001:db8::/126'] },
      { name: 'q', serviceAllocation: {}, addresses: ['198.51.100.0/31'] },
    ];
    const anyReq = fc.record({
      service: fc.constantFrom('', 'ns/a', 'ns/b', 'ns/c'),
      ipFamilies: fc.array(fc.constantFrom('IPv4', 'IPv6', 'IPv5', ''), { maxLength: 3 }),
      ipFamilyPolicy: fc.constantFrom(
        'SingleStack',
        'PreferDualStack',
        'RequireDualStack',
        'Bogus',
      ),
      requestedAddresses: fc.array(text, { maxLength: 3 }),
      requestedPool: fc.constantFrom('', 'p', 'q', 'zz'),
      sharingKey: fc.constantFrom('', 'k'),
      ports: fc.array(
        fc.record({
          protocol: fc.constantFrom('TCP', '', 'UDP'),
          port: fc.oneof(fc.integer(), fc.double()),
        }),
        { maxLength: 2 },
      ),
      matchingPools: fc.array(fc.constantFrom('q', 'zz'), { maxLength: 2 }),
    });
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.nat(3), anyReq), { maxLength: 20 }), (ops) => {
        const a = createAllocator({}, { pools });
        for (const [kind, r] of ops) {
          const req = r as unknown as AllocationRequest;
          onlyIpamError(() => {
            if (kind === 0) a.allocate(req);
            else if (kind === 1) a.assign(req, r.requestedAddresses);
            else if (kind === 2) a.allocateAdditionalFamily(req);
            else a.release(r.service);
          });
        }
        for (const al of a.allocations()) {
          for (const addr of al.addresses) {
            expect(a.poolOfAddress(addr)).toBe(al.pool);
            expect(a.usersOf(addr)).toContain(al.service);
          }
        }
      }),
      { numRuns: 1000 },
    );
  });
});
