import { describe, expect, it } from 'vitest';
import { IpamError, parsePoolEntry, parsePools, validatePools } from './index.js';
import type { PoolSpec } from './index.js';
import { formatAddress } from './addr.js';

function range(text: string): [string, string] | string {
  const p = parsePoolEntry(text);
  return 'error' in p ? p.error : [formatAddress(p.lo), formatAddress(p.hi)];
}

describe('pool entry syntax (MetalLB ParseCIDR)', () => {
  it.each([
    ['192.0.2.0/24', ['192.0.2.0', '192.0.2.255']],
    ['192.0.2.77/24', ['192.0.2.0', '192.0.2.255']], // host bits masked
    ['192.0.2.7/32', ['192.0.2.7', '192.0.2.7']],
    ['192.0.2.7', ['192.0.2.7', '192.0.2.7']], // single address
    ['0.0.0.0/0', ['0.0.0.0', '255.255.255.255']],
    ['2001:db8::77/64', ['2001:db8::', '2001:db8::ffff:ffff:ffff:ffff']],
    ['2001:db8::1', ['2001:db8::1', '2001:db8::1']],
    ['192.0.2.10-192.0.2.20', ['192.0.2.10', '192.0.2.20']],
    ['192.0.2.10 - 192.0.2.20', ['192.0.2.10', '192.0.2.20']], // spaces trimmed
    ['  192.0.2.10-192.0.2.10 ', ['192.0.2.10', '192.0.2.10']],
    ['2001:db8::1-2001:db8::1:0', ['2001:db8::1', '2001:db8::1:0']],
  ])('%s', (text, want) => {
    expect(range(text)).toEqual(want);
  });

  it.each([
    ['192.0.2.0/33', 'invalid CIDR "192.0.2.0/33"'],
    ['192.0.2.0/', 'invalid CIDR "192.0.2.0/"'],
    ['192.0.2/24', 'invalid CIDR "192.0.2/24"'],
    [' 192.0.2.0/24', 'invalid CIDR " 192.0.2.0/24"'], // CIDRs are not trimmed (Go ParseCIDR)
    ['2001:db8::/129', 'invalid CIDR "2001:db8::/129"'],
    ['banana', 'invalid CIDR "banana"'],
    [
      '192.0.2.20-192.0.2.10',
      'invalid IP range "192.0.2.20-192.0.2.10": start IP "192.0.2.20" is after the end IP "192.0.2.10"',
    ],
    ['x-192.0.2.10', 'invalid IP range "x-192.0.2.10": invalid start IP "x"'],
    ['192.0.2.1-y', 'invalid IP range "192.0.2.1-y": invalid end IP "y"'],
    [
      '192.0.2.1-2001:db8::1',
      'invalid IP range "192.0.2.1-2001:db8::1": start IP "192.0.2.1" and end IP "2001:db8::1" are of different families',
    ],
  ])('%s is refused', (text, message) => {
    expect(range(text)).toBe(message);
  });
});

describe('pool set validation', () => {
  it('reports every problem at once, naming both sides of each overlap', () => {
    const specs: PoolSpec[] = [
      { name: 'a', addresses: ['192.0.2.0/24', '192.0.2.128/25', 'nope'] },
      { name: 'b', addresses: ['192.0.2.10-192.0.2.12', '2001:db8::/64'] },
      { name: 'a', addresses: ['198.51.100.0/24', '198.51.100.0/33'] },
      { name: '', addresses: ['203.0.113.0/24'] },
      { name: 'c', addresses: [] },
      { name: 'd', addresses: ['2001:db8::5', '203.0.113.9-203.0.113.1'] },
    ];
    const issues = validatePools(specs);
    expect(issues).toEqual([
      {
        path: 'pools[0].addresses[2]',
        message: 'invalid CIDR "nope" in pool "a"',
      },
      { path: 'pools[2].name', message: 'duplicate definition of pool "a"' },
      // The duplicate's own bad addresses are reported too (issue 12).
      { path: 'pools[2].addresses[1]', message: 'invalid CIDR "198.51.100.0/33" in pool "a"' },
      { path: 'pools[3].name', message: 'missing pool name' },
      { path: 'pools[4].addresses', message: 'pool has no prefixes defined' },
      {
        path: 'pools[5].addresses[1]',
        message:
          'invalid IP range "203.0.113.9-203.0.113.1" in pool "d": start IP "203.0.113.9" is after the end IP "203.0.113.1"',
      },
      {
        path: 'pools[0].addresses[1]',
        message:
          'CIDR "192.0.2.128/25" in pool "a" overlaps with already defined CIDR "192.0.2.0/24" in pool "a"',
      },
      {
        path: 'pools[1].addresses[0]',
        message:
          'CIDR "192.0.2.10-192.0.2.12" in pool "b" overlaps with already defined CIDR "192.0.2.0/24" in pool "a"',
      },
      {
        path: 'pools[5].addresses[0]',
        message:
          'CIDR "2001:db8::5" in pool "d" overlaps with already defined CIDR "2001:db8::/64" in pool "b"',
      },
    ]);
    try {
      parsePools(specs);
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(IpamError);
      expect((e as IpamError).code).toBe('IPAM_INVALID_POOLS');
      expect((e as IpamError).issues).toHaveLength(9);
    }
  });

  it('accepts adjacent ranges and mixed families, with defaults', () => {
    const set = parsePools([
      { name: 'x', addresses: ['192.0.2.0/25', '192.0.2.128-192.0.2.255', '2001:db8::/120'] },
      {
        name: 'y',
        autoAssign: false,
        avoidBuggyIPs: true,
        serviceAllocation: { priority: 5 },
        addresses: ['198.51.100.0/24'],
      },
    ]);
    const x = set.pools.get('x')!;
    expect([x.autoAssign, x.avoidBuggyIPs, x.pinned, x.priority]).toEqual([true, false, false, 0]);
    expect([x.capacityIPv4, x.capacityIPv6]).toEqual([256n, 256n]);
    const y = set.pools.get('y')!;
    expect([y.autoAssign, y.avoidBuggyIPs, y.pinned, y.priority]).toEqual([false, true, true, 5]);
    expect(y.capacityIPv4).toBe(254n);
  });

  it('keeps memory independent of pool size (a /8 and a /32-bit IPv6 prefix parse instantly)', () => {
    const set = parsePools([{ name: 'big', addresses: ['10.0.0.0/8', '2001:db8::/32'] }]);
    expect(set.pools.get('big')!.capacityIPv6).toBe(1n << 96n);
    expect(set.byAddress).toHaveLength(2);
  });
});
