import { describe, expect, it } from 'vitest';
import type { EligibleInterface } from '@ironlb/raw-link';
import type { Claims } from './plan.js';
import { planInterfaces, wantedInterfaces } from './plan.js';

const iface = (name: string, arp = true, ndp = true): EligibleInterface => ({
  name,
  mac: '02:00:00:00:00:01',
  arp,
  ndp,
});

describe('planInterfaces', () => {
  it('puts each address on the union of its owners’ interfaces, by family and capability', () => {
    const claims: Claims = new Map([
      [
        '198.51.100.10',
        {
          family: 4,
          owners: new Map([
            ['a', { interfaces: ['eth0'] }],
            ['b', { interfaces: ['eth2'] }],
          ]),
        },
      ],
      ['2001:db8::10', { family: 6, owners: new Map([['a', { interfaces: null }]]) }],
      ['198.51.100.11', { family: 4, owners: new Map() }],
    ]);
    const plan = planInterfaces(claims, [
      iface('eth0'),
      iface('eth1', true, false),
      iface('eth2', false, true),
    ]);
    const sets = Object.fromEntries(
      [...plan].map(([n, p]) => [n, { arp: [...p.arp], ndp: [...p.ndp] }]),
    );
    expect(sets).toEqual({
      eth0: { arp: ['198.51.100.10'], ndp: ['2001:db8::10'] },
      // not requested for the IPv4 address; no link-local for NDP
      eth1: { arp: [], ndp: [] },
      // requested, but not BROADCAST: no ARP there
      eth2: { arp: [], ndp: ['2001:db8::10'] },
    });
  });

  it('treats an owner without interfaces (or with an empty list) as every interface', () => {
    expect(
      wantedInterfaces(
        new Map([
          ['a', { interfaces: ['eth0'] }],
          ['b', { interfaces: [] }],
        ]),
      ),
    ).toBeNull();
    expect([
      ...(wantedInterfaces(new Map([['a', { interfaces: ['eth1', 'eth0'] }]])) ?? []),
    ]).toEqual(['eth1', 'eth0']);
  });
});
