import { describe, expect, it } from 'vitest';
import { decodeArpFrame, encodeArpFrame, ArpOp } from '@ironlb/arp-responder';
import { formatMac, parseIPv4, parseMac } from '@ironlb/raw-link';
import type { L2AnnouncerEvent } from '../events.js';
import type { InterfaceInfo, LinkOpener } from '../testing/index.js';
import {
  FakeSegment,
  IfFlag,
  ManualClock,
  MemoryMetrics,
  RecordingMembership,
  arpRequestFrame,
  neighborSolicitationFrame,
} from '../testing/index.js';
import type { L2AnnouncerOptions } from './announcer.js';
import { createL2Announcer } from './announcer.js';

const MACS: Record<string, string> = {
  eth0: '02:00:00:00:00:e0',
  eth1: '02:00:00:00:00:e1',
  docker0: '02:00:00:00:00:d0',
  mgmt0: '02:00:00:00:00:90',
};
const CLIENT = '02:00:00:00:00:aa';

function world(
  options: L2AnnouncerOptions = {},
  infos: Partial<Record<string, Partial<InterfaceInfo>>> = {},
) {
  const segs = Object.fromEntries(Object.keys(MACS).map((n) => [n, new FakeSegment()]));
  const links = Object.fromEntries(
    Object.entries(MACS).map(([n, mac]) => [n, segs[n]!.attach(n, mac)]),
  );
  const opened: string[] = [];
  let refuse = false;
  const openLink: LinkOpener = (iface, o) => {
    if (refuse) throw Object.assign(new Error('no CAP_NET_RAW'), { code: 'OPEN_FAILED' });
    opened.push(`${iface}/${o.etherType.toString(16)}`);
    return segs[iface]!.opener()(iface, o);
  };
  const info = (name: string): InterfaceInfo => ({
    name,
    flags: IfFlag.Up | IfFlag.Broadcast,
    mac: MACS[name] ?? '02:00:00:00:00:01',
    enslaved: false,
    hasIPv6LinkLocal: true,
    ...infos[name],
  });
  let present = ['eth0', 'lo'];
  const clock = new ManualClock();
  const events: L2AnnouncerEvent[] = [];
  const membership = new RecordingMembership();
  const metrics = new MemoryMetrics();
  const ann = createL2Announcer(
    {
      openLink,
      clock,
      membership,
      metrics,
      onEvent: (e) => events.push(e),
      readInterfaces: () => present.map(info),
    },
    { rescanIntervalMs: 1_000, ...options },
  );
  const ask = (iface: string, ip: string) => {
    const before = links[iface]!.sent.length;
    segs[iface]!.inject(arpRequestFrame({ fromMac: CLIENT, fromIp: '198.51.100.1', targetIp: ip }));
    return links[iface]!.sent.slice(before).filter(
      (f) => decodeArpFrame(f).arp.op === 2 && formatMac(decodeArpFrame(f).dst) === CLIENT,
    ).length;
  };
  /** Another node's gratuitous ARP for `ip` on `iface` (the request form MetalLB sends). */
  const announcedElsewhere = (iface: string, ip: string, mac = '02:00:00:00:00:bb') => {
    const m = parseMac(mac);
    const bcast = parseMac('ff:ff:ff:ff:ff:ff');
    segs[iface]!.inject(
      encodeArpFrame(bcast, m, {
        op: ArpOp.Request,
        senderMac: m,
        senderIp: parseIPv4(ip),
        targetMac: bcast,
        targetIp: parseIPv4(ip),
      }),
    );
  };
  const gratuitous = (iface?: string) =>
    events.filter((e) => e.type === 'gratuitous' && (!iface || e.iface === iface)).length;
  return {
    segs,
    links,
    opened,
    clock,
    events,
    membership,
    metrics,
    ann,
    ask,
    announcedElsewhere,
    gratuitous,
    refuse: (v: boolean) => (refuse = v),
    setPresent: (p: string[]) => (present = p),
  };
}

describe('L2 announcer: addresses × discovered interfaces', () => {
  it('announces on every eligible interface by default and follows interfaces that appear and disappear', () => {
    const w = world();
    expect(w.ann.interfaces().map((i) => i.name)).toEqual(['eth0']); // lo is excluded
    expect(w.ann.announce('198.51.100.10')).toMatchObject({
      address: '198.51.100.10',
      family: 4,
      owners: [''],
      requestedInterfaces: null,
      interfaces: ['eth0'],
    });
    expect(w.ask('eth0', '198.51.100.10')).toBe(1);
    w.setPresent(['eth0', 'eth1']);
    w.clock.advance(1_000);
    expect(w.events.find((e) => e.type === 'interfaces' && e.added.includes('eth1'))).toBeTruthy();
    expect(w.ask('eth1', '198.51.100.10')).toBe(1);
    // the new interface got its own gratuitous burst
    expect(w.gratuitous('eth1')).toBeGreaterThan(0);
    w.setPresent(['eth1']);
    w.clock.advance(1_000);
    expect(w.links.eth0!.closed).toBe(true);
    expect(w.ask('eth1', '198.51.100.10')).toBe(1);
    // counters survive the responder that counted them
    expect(w.ann.status('198.51.100.10')[0]?.counters).toMatchObject({ requests: 3, replies: 3 });
    w.ann.close();
    expect(w.links.eth1!.closed).toBe(true);
  });

  it("skips MetalLB's default exclusions, down, enslaved and NOARP interfaces, and the caller's patterns", () => {
    const w = world(
      { excludeInterfaces: ['^mgmt'] },
      {
        eth1: { enslaved: true },
        mgmt0: {},
      },
    );
    w.setPresent(['eth0', 'eth1', 'docker0', 'mgmt0', 'lo']);
    w.ann.rescan();
    expect(w.ann.interfaces().map((i) => i.name)).toEqual(['eth0']);
    const down = world({}, { eth0: { flags: IfFlag.Broadcast } });
    expect(down.ann.interfaces()).toEqual([]);
    const noarp = world({}, { eth0: { flags: IfFlag.Up | IfFlag.Broadcast | IfFlag.NoArp } });
    expect(noarp.ann.interfaces()).toEqual([]);
    // metallb-excludel2 semantics: the given list is the whole list
    const replaced = world({ excludeInterfaces: ['^eth'], replaceDefaultExcludes: true });
    replaced.setPresent(['eth0', 'docker0']);
    replaced.ann.rescan();
    expect(replaced.ann.interfaces().map((i) => i.name)).toEqual(['docker0']);
    expect(() => world({ excludeInterfaces: ['('] })).toThrow(
      expect.objectContaining({ name: 'L2AnnouncerError', code: 'INVALID_OPTION' }),
    );
  });

  it('restricts an address to the requested interfaces, and says when none is eligible', () => {
    const w = world();
    w.setPresent(['eth0', 'eth1']);
    w.ann.rescan();
    expect(w.ann.announce('198.51.100.20', { interfaces: ['eth1'] }).interfaces).toEqual(['eth1']);
    expect(w.ask('eth0', '198.51.100.20')).toBe(0);
    expect(w.ask('eth1', '198.51.100.20')).toBe(1);
    expect(w.ann.announce('198.51.100.21', { interfaces: ['bond7'] }).interfaces).toEqual([]);
    // No address on eth0: no responder open there (no socket, no ring).
    expect(w.ann.responder('eth0', 4)).toBeUndefined();
  });

  it('keeps an address while any owner claims it, on the union of their interfaces, without a new burst', () => {
    const w = world();
    w.setPresent(['eth0', 'eth1']);
    w.ann.rescan();
    w.ann.announce('198.51.100.10', { owner: 'shop/web', interfaces: ['eth0'] });
    w.clock.advance(20_000);
    expect(w.gratuitous()).toBe(6);
    // a second service sharing the IP (allow-shared-ip), wanting eth1 too
    const st = w.ann.announce('198.51.100.10', { owner: 'shop/api', interfaces: ['eth1'] });
    expect(st).toMatchObject({ owners: ['shop/api', 'shop/web'], interfaces: ['eth0', 'eth1'] });
    expect(w.gratuitous('eth0')).toBe(6); // no new burst where it was already announced
    // repeating a claim is idempotent
    w.ann.announce('198.51.100.10', { owner: 'shop/web', interfaces: ['eth0'] });
    w.clock.advance(20_000);
    expect(w.gratuitous('eth0')).toBe(6);
    w.ann.withdraw('198.51.100.10', { owner: 'shop/api' });
    expect(w.ask('eth1', '198.51.100.10')).toBe(0);
    expect(w.ask('eth0', '198.51.100.10')).toBe(1);
    w.ann.withdraw('198.51.100.10', { owner: 'nobody' });
    w.ann.withdraw('198.51.100.10', { owner: 'shop/web' });
    expect(w.ask('eth0', '198.51.100.10')).toBe(0);
    expect(w.ann.status()).toEqual([]);
  });

  it('bursts on takeover and on reannounce, then re-announces every refreshIntervalMs', () => {
    const w = world({ refreshIntervalMs: 30_000 });
    w.ann.announce('198.51.100.10');
    w.clock.advance(6_000);
    expect(w.gratuitous()).toBe(6);
    w.clock.advance(60_000);
    expect(w.gratuitous()).toBe(8);
    w.ann.reannounce('198.51.100.10');
    expect(w.gratuitous()).toBe(9);
    expect(
      w.events
        .filter((e) => e.type === 'gratuitous')
        .map((e) => e.type === 'gratuitous' && e.reason),
    ).toEqual([...Array(6).fill('burst'), 'refresh', 'refresh', 'burst']);
  });

  it("counts into MetalLB's layer2 metrics, labelled by ip", () => {
    const w = world();
    w.ann.announce('198.51.100.10');
    w.ask('eth0', '198.51.100.10');
    w.clock.advance(10_000);
    expect(w.metrics.value('layer2_requests_received', { ip: '198.51.100.10' })).toBe(1);
    expect(w.metrics.value('layer2_responses_sent', { ip: '198.51.100.10' })).toBe(1);
    expect(w.metrics.value('layer2_gratuitous_sent', { ip: '198.51.100.10' })).toBe(12);
  });

  it('handles IPv6 through NDP on the same interfaces, joining the solicited-node group', () => {
    const w = world();
    expect(w.ann.announce('2001:db8::10').interfaces).toEqual(['eth0']);
    expect(w.opened).toEqual(['eth0/86dd']);
    expect(w.membership.log).toEqual(['join ff02::1:ff00:10%eth0']);
    const before = w.links.eth0!.sent.length;
    w.segs.eth0!.inject(
      neighborSolicitationFrame({ fromMac: CLIENT, fromIp: '2001:db8::1', target: '2001:db8::10' }),
    );
    expect(w.links.eth0!.sent.length).toBe(before + 1);
    expect(w.ann.status('2001:db8::10')[0]?.counters.replies).toBe(1);
    w.ann.withdraw('2001:db8::10');
    expect(w.membership.log.at(-1)).toBe('leave ff02::1:ff00:10%eth0');
  });

  it('reports a responder that cannot open once, and opens it when it can', () => {
    const w = world();
    w.refuse(true);
    expect(w.ann.announce('198.51.100.10').interfaces).toEqual([]);
    w.ann.announce('198.51.100.11');
    expect(w.events.filter((e) => e.type === 'open-failed')).toEqual([
      expect.objectContaining({ iface: 'eth0', family: 4, code: 'OPEN_FAILED' }),
    ]);
    w.refuse(false);
    w.ann.announce('198.51.100.12');
    expect(w.ann.status().map((s) => s.interfaces)).toEqual([['eth0'], ['eth0'], ['eth0']]);
  });

  it('rejects malformed addresses and options with L2AnnouncerError', () => {
    const w = world();
    for (const bad of ['198.51.100.300', '2001:db8::zz', 'not-an-ip', '224.0.0.1', 'ff02::1'])
      expect(() => w.ann.announce(bad), bad).toThrow(
        expect.objectContaining({ name: 'L2AnnouncerError', code: 'INVALID_ADDRESS' }),
      );
    expect(() => world({ refreshIntervalMs: -1 })).toThrow(
      expect.objectContaining({ code: 'INVALID_OPTION' }),
    );
  });
});

describe('L2 announcer: planned handover (drain)', () => {
  it('keeps answering until another node announces each address, then stops for that address', async () => {
    const w = world();
    w.ann.announce('198.51.100.10');
    w.ann.announce('198.51.100.11');
    w.clock.advance(10_000);
    const done = w.ann.drain({ maxWaitMs: 30_000 });
    expect(() => w.ann.announce('198.51.100.12')).toThrow(
      expect.objectContaining({ code: 'STOPPED' }),
    );
    // still answering both while nobody else has announced
    expect(w.ask('eth0', '198.51.100.10')).toBe(1);
    w.announcedElsewhere('eth0', '198.51.100.10');
    await Promise.resolve();
    expect(w.ask('eth0', '198.51.100.10')).toBe(0);
    expect(w.ask('eth0', '198.51.100.11')).toBe(1);
    expect(w.events.filter((e) => e.type === 'handover')).toEqual([
      { type: 'handover', address: '198.51.100.10', iface: 'eth0', toMac: '02:00:00:00:00:bb' },
    ]);
    w.announcedElsewhere('eth0', '198.51.100.11', '02:00:00:00:00:cc');
    expect(await done).toEqual({
      handedOver: [
        { address: '198.51.100.10', toMac: '02:00:00:00:00:bb' },
        { address: '198.51.100.11', toMac: '02:00:00:00:00:cc' },
      ],
      remaining: [],
    });
    w.ann.close();
  });

  it('gives up waiting after maxWaitMs and answers the rest until close()', async () => {
    const w = world();
    w.ann.announce('198.51.100.10');
    const done = w.ann.drain({ maxWaitMs: 5_000 });
    w.clock.advance(5_000);
    expect(await done).toEqual({ handedOver: [], remaining: ['198.51.100.10'] });
    expect(w.ask('eth0', '198.51.100.10')).toBe(1);
    w.ann.close();
    expect(w.ask('eth0', '198.51.100.10')).toBe(0);
    expect(await w.ann.drain()).toEqual({ handedOver: [], remaining: [] });
  });

  it('does not give an address up for a probe, and outside a drain only reports conflicts', async () => {
    const w = world();
    w.ann.announce('198.51.100.10');
    w.announcedElsewhere('eth0', '198.51.100.10');
    await Promise.resolve();
    expect(w.events.some((e) => e.type === 'conflict')).toBe(true);
    expect(w.ask('eth0', '198.51.100.10')).toBe(1);
    const done = w.ann.drain({ maxWaitMs: 1_000 });
    // an RFC 5227 probe from another host is answered, not a handover
    w.segs.eth0!.inject(
      arpRequestFrame({
        fromMac: '02:00:00:00:00:cc',
        fromIp: '0.0.0.0',
        targetIp: '198.51.100.10',
      }),
    );
    w.clock.advance(1_000);
    expect(await done).toEqual({ handedOver: [], remaining: ['198.51.100.10'] });
  });
});
