import { describe, expect, it } from 'vitest';
import { ManualClock } from '@ironlb/clock/testing';
import type { InterfaceChange, InterfaceInfo } from './interfaces.js';
import { IfFlag, createInterfaceWatcher, eligibleInterfaces } from './interfaces.js';

const UP_BCAST = IfFlag.Up | IfFlag.Broadcast;
const info = (name: string, p: Partial<InterfaceInfo> = {}): InterfaceInfo => ({
  name,
  flags: UP_BCAST,
  mac: '02:00:00:00:00:01',
  enslaved: false,
  hasIPv6LinkLocal: true,
  ...p,
});

describe('eligibleInterfaces (MetalLB rules)', () => {
  it('applies the default exclusions, down, enslaved and NOARP', () => {
    const got = eligibleInterfaces([
      info('eth0'),
      info('lo', { flags: IfFlag.Up | IfFlag.Loopback }),
      info('docker0'),
      info('veth1234'),
      info('cali12'),
      info('kube-ipvs0'),
      info('eth1', { flags: IfFlag.Broadcast }),
      info('eth2', { enslaved: true }),
      info('tun0', { flags: IfFlag.Up | IfFlag.NoArp }),
      info('bond0'),
      info('lo0x'),
    ]);
    expect(got.map((i) => i.name)).toEqual(['bond0', 'eth0', 'lo0x']);
  });
  it('ARP needs BROADCAST, NDP needs a link-local address', () => {
    const got = eligibleInterfaces([
      info('a', { hasIPv6LinkLocal: false }),
      info('b', { flags: IfFlag.Up }),
      info('c', { flags: IfFlag.Up, hasIPv6LinkLocal: false }),
    ]);
    expect(got).toEqual([
      { name: 'a', mac: '02:00:00:00:00:01', arp: true, ndp: false },
      { name: 'b', mac: '02:00:00:00:00:01', arp: false, ndp: true },
    ]);
  });
  it('takes a custom exclusion list', () => {
    expect(eligibleInterfaces([info('veth0'), info('eth0')], [/^eth/]).map((i) => i.name)).toEqual([
      'veth0',
    ]);
  });
});

describe('createInterfaceWatcher', () => {
  it('reports appearing and disappearing interfaces on each rescan period', () => {
    const clock = new ManualClock();
    let world = [info('eth0')];
    const changes: InterfaceChange[] = [];
    const w = createInterfaceWatcher(
      { clock, read: () => world },
      { rescanIntervalMs: 10_000 },
      (c) => changes.push(c),
    );
    expect(changes).toHaveLength(1);
    expect(changes[0]?.added.map((i) => i.name)).toEqual(['eth0']);
    world = [info('eth0'), info('eth1')];
    clock.advance(9_999);
    expect(changes).toHaveLength(1);
    clock.advance(1);
    expect(changes[1]?.added.map((i) => i.name)).toEqual(['eth1']);
    world = [info('eth1', { mac: '02:00:00:00:00:02' })];
    clock.advance(10_000);
    expect(changes[2]?.removed.map((i) => i.name).sort()).toEqual(['eth0', 'eth1']);
    expect(changes[2]?.added.map((i) => i.mac)).toEqual(['02:00:00:00:00:02']);
    clock.advance(50_000);
    expect(changes).toHaveLength(3);
    w.close();
    expect(clock.pendingTimers).toBe(0);
  });
  it('survives a failing scan', () => {
    const clock = new ManualClock();
    let fail = false;
    const w = createInterfaceWatcher(
      {
        clock,
        read: () => {
          if (fail) throw new Error('boom');
          return [info('eth0')];
        },
      },
      {},
      () => {},
    );
    fail = true;
    expect(w.rescan().current.map((i) => i.name)).toEqual(['eth0']);
    w.close();
  });
});
