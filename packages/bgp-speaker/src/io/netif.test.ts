import { describe, expect, it } from 'vitest';
import type { NetworkInterfaceInfo } from 'node:os';
import { linkLocalFor } from './netif.js';

const ifs = (): NodeJS.Dict<NetworkInterfaceInfo[]> => ({
  v1: [
    {
      address: '2001:db8:200::1',
      netmask: 'ffff:ffff:ffff:ffff::',
      family: 'IPv6',
      mac: '02:00:00:00:00:01',
      internal: false,
      cidr: '2001:db8:200::1/64',
      scopeid: 0,
    },
    {
      address: 'fe80::1',
      netmask: 'ffff:ffff:ffff:ffff::',
      family: 'IPv6',
      mac: '02:00:00:00:00:01',
      internal: false,
      cidr: 'fe80::1/64',
      scopeid: 2,
    },
  ],
});

describe('link-local next hop (RFC 2545 §3)', () => {
  it('pairs the global next hop with the interface link-local only when the peer shares the subnet', () => {
    expect(linkLocalFor('2001:db8:200::1', '2001:db8:200::2', ifs)).toBe('fe80::1');
    expect(linkLocalFor('2001:db8:200::1', '2001:db8:999::2', ifs)).toBeUndefined();
    expect(linkLocalFor('198.51.100.1', '198.51.100.2', ifs)).toBeUndefined();
    expect(linkLocalFor('2001:db8:300::1', '2001:db8:300::2', ifs)).toBeUndefined();
  });
});
