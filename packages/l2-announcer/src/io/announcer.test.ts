import { describe, expect, it } from 'vitest';
import type { InterfaceInfo, L2Event, LinkOpener } from '@ironlb/raw-link';
import { IfFlag, formatMac } from '@ironlb/raw-link';
import { FakeSegment, ManualClock } from '@ironlb/raw-link/testing';
import { RecordingMembership, neighborSolicitationFrame } from '@ironlb/ndp-responder/testing';
import { decodeArpFrame } from '../codec/arp.js';
import { arpRequestFrame } from '../testing/frames.js';
import { createL2Announcer } from './l2-announcer.js';

function world() {
  const segs = { eth0: new FakeSegment(), eth1: new FakeSegment() };
  const links = {
    eth0: segs.eth0.attach('eth0', '02:00:00:00:00:e0'),
    eth1: segs.eth1.attach('eth1', '02:00:00:00:00:e1'),
  };
  const openLink: LinkOpener = (iface, o) => {
    const seg = segs[iface as keyof typeof segs];
    if (!seg) throw new Error(`no ${iface}`);
    return seg.opener()(iface, o);
  };
  const info = (name: string): InterfaceInfo => ({
    name,
    flags: IfFlag.Up | IfFlag.Broadcast,
    mac: name === 'eth0' ? '02:00:00:00:00:e0' : '02:00:00:00:00:e1',
    enslaved: false,
    hasIPv6LinkLocal: true,
  });
  let present = ['eth0', 'lo'];
  const clock = new ManualClock();
  const events: L2Event[] = [];
  const membership = new RecordingMembership();
  const ann = createL2Announcer(
    {
      openLink,
      clock,
      membership,
      onEvent: (e) => events.push(e),
      readInterfaces: () => present.map(info),
    },
    { rescanIntervalMs: 1_000 },
  );
  const ask = (iface: 'eth0' | 'eth1', ip: string) => {
    const before = links[iface].sent.length;
    segs[iface].inject(
      arpRequestFrame({ fromMac: '02:00:00:00:00:aa', fromIp: '198.51.100.1', targetIp: ip }),
    );
    return links[iface].sent
      .slice(before)
      .filter(
        (f) =>
          decodeArpFrame(f).arp.op === 2 &&
          formatMac(decodeArpFrame(f).dst) === '02:00:00:00:00:aa',
      ).length;
  };
  return {
    segs,
    links,
    clock,
    events,
    membership,
    ann,
    ask,
    setPresent: (p: string[]) => (present = p),
  };
}

describe('L2 announcer: addresses × discovered interfaces', () => {
  it('announces on every eligible interface by default and follows interfaces that appear and disappear', () => {
    const w = world();
    expect(w.ann.interfaces().map((i) => i.name)).toEqual(['eth0']); // lo is excluded
    expect(w.ann.announce('198.51.100.10')).toEqual({
      address: '198.51.100.10',
      interfaces: ['eth0'],
    });
    expect(w.ask('eth0', '198.51.100.10')).toBe(1);
    w.setPresent(['eth0', 'eth1']);
    w.clock.advance(1_000);
    expect(w.ask('eth1', '198.51.100.10')).toBe(1);
    // the new interface got its own gratuitous burst
    expect(w.events.some((e) => e.type === 'gratuitous' && e.iface === 'eth1')).toBe(true);
    w.setPresent(['eth1']);
    w.clock.advance(1_000);
    expect(w.links.eth0.closed).toBe(true);
    expect(w.ask('eth1', '198.51.100.10')).toBe(1);
    w.ann.close();
    expect(w.links.eth1.closed).toBe(true);
  });

  it('restricts an address to the requested interfaces and reports when none is eligible', () => {
    const w = world();
    w.setPresent(['eth0', 'eth1']);
    w.ann.rescan();
    expect(w.ann.announce('198.51.100.20', ['eth1']).interfaces).toEqual(['eth1']);
    expect(w.ask('eth0', '198.51.100.20')).toBe(0);
    expect(w.ask('eth1', '198.51.100.20')).toBe(1);
    expect(w.ann.announce('198.51.100.21', ['bond7']).interfaces).toEqual([]);
  });

  it('reference-counts addresses and re-triggers the burst on a repeated announce', () => {
    const w = world();
    w.ann.announce('198.51.100.10');
    w.clock.advance(20_000);
    const bursts = () => w.events.filter((e) => e.type === 'gratuitous').length;
    expect(bursts()).toBe(6);
    w.ann.announce('198.51.100.10');
    expect(bursts()).toBe(7);
    w.ann.withdraw('198.51.100.10');
    expect(w.ask('eth0', '198.51.100.10')).toBe(1);
    w.ann.withdraw('198.51.100.10');
    expect(w.ask('eth0', '198.51.100.10')).toBe(0);
    expect(w.ann.responder('eth0', 4)?.announced()).toEqual([]);
  });

  it('handles IPv6 through NDP on the same interfaces, joining the solicited-node group', () => {
    const w = world();
    expect(w.ann.announce('2001:db8::10').interfaces).toEqual(['eth0']);
    expect(w.membership.log).toEqual(['join ff02::1:ff00:10%eth0']);
    const before = w.links.eth0.sent.length;
    w.segs.eth0.inject(
      neighborSolicitationFrame({
        fromMac: '02:00:00:00:00:aa',
        fromIp: '2001:db8::1',
        target: '2001:db8::10',
      }),
    );
    expect(w.links.eth0.sent.length).toBe(before + 1);
    expect(w.ann.responder('eth0', 6)?.counters().get('2001:db8::10')?.replies).toBe(1);
    w.ann.withdraw('2001:db8::10');
    expect(w.membership.log.at(-1)).toBe('leave ff02::1:ff00:10%eth0');
  });

  it("rejects malformed addresses with the family's error", () => {
    const w = world();
    expect(() => w.ann.announce('198.51.100.300')).toThrow(
      expect.objectContaining({ name: 'ArpError', code: 'INVALID_ADDRESS' }),
    );
    expect(() => w.ann.announce('2001:db8::zz')).toThrow(
      expect.objectContaining({ name: 'NdpError', code: 'INVALID_ADDRESS' }),
    );
    expect(() => w.ann.announce('not-an-ip')).toThrow(
      expect.objectContaining({ name: 'ArpError' }),
    );
  });
});
