import { describe, expect, it } from 'vitest';
import type { L2Event } from '@ironlb/raw-link';
import { PacketType, formatIPv6, formatMac, parseIPv6, parseMac, runBpf } from '@ironlb/raw-link';
import { NdpOptionType, decodeNdpFrame, linkLayerOption } from '../codec/ndp.js';
import { createNdpResponder } from '../io/ndp-responder.js';
import {
  FakeSegment,
  ManualClock,
  MemoryMetrics,
  RecordingMembership,
  neighborSolicitationFrame,
} from '../testing/index.js';
import { NDP_FILTER_MAX_ADDRESSES, buildAdvertisement, ndpFilter } from './ndp-machine.js';

const OUR = '02:00:00:00:00:0b';
const CLIENT = '02:00:00:00:00:0a';
const CLIENT_IP = '2001:db8:1::1';
const VIP = '2001:db8:1::10';

function setup(opts: { refreshIntervalMs?: number } = {}) {
  const seg = new FakeSegment();
  const link = seg.attach('eth0', OUR);
  const clock = new ManualClock(5_000);
  const events: L2Event[] = [];
  const membership = new RecordingMembership();
  const metrics = new MemoryMetrics();
  const r = createNdpResponder(
    { openLink: seg.opener(), clock, membership, metrics, onEvent: (e) => events.push(e) },
    { iface: 'eth0', ...opts },
  );
  const sentNas = () => link.sent.map((f) => decodeNdpFrame(f));
  const solicitedTo = (mac: string) =>
    sentNas().filter(
      (p) => p.message.kind === 'na' && p.message.solicited && formatMac(p.dstMac) === mac,
    );
  return { seg, link, clock, events, metrics, r, membership, sentNas, solicitedTo };
}

const ns = (fromIp: string, target = VIP, extra: { hopLimit?: number } = {}) =>
  neighborSolicitationFrame({ fromMac: CLIENT, fromIp, target, ...extra });

describe('NDP responder (machine + io on a fake segment)', () => {
  it('opens an IPv6 link whose kernel filter passes only NS/NA for announced targets', () => {
    const { link, r, seg } = setup();
    expect(link.etherType).toBe(0x86dd);
    const passes = (f: Uint8Array, packetType: number = PacketType.Multicast) =>
      runBpf(link.filter!, f, { packetType }) > 0;
    expect(passes(ns(CLIENT_IP))).toBe(false);
    r.announce(VIP);
    expect(passes(ns(CLIENT_IP))).toBe(true);
    expect(passes(ns(CLIENT_IP, '2001:db8:1::77'))).toBe(false);
    expect(passes(ns(CLIENT_IP), PacketType.OtherHost)).toBe(false);
    expect(runBpf(link.filter!, ns(CLIENT_IP), { vlanTagPresent: true })).toBe(0);
    // our own frames never come back
    const ownNa = buildAdvertisement(
      parseMac(OUR),
      parseIPv6(VIP),
      { ip: parseIPv6(CLIENT_IP), mac: parseMac(CLIENT) },
      { solicited: true, override: true },
    );
    expect(passes(ownNa, PacketType.Host)).toBe(false);
    // another station's NA for our target passes: a conflict to report
    const otherNa = buildAdvertisement(
      parseMac('02:00:00:00:00:cc'),
      parseIPv6(VIP),
      { ip: parseIPv6('ff02::1'), mac: parseMac('33:33:00:00:00:01') },
      { solicited: false, override: true },
    );
    expect(passes(otherNa)).toBe(true);
    r.withdraw(VIP);
    expect(passes(ns(CLIENT_IP))).toBe(false);
    void seg;
  });

  it('lists up to NDP_FILTER_MAX_ADDRESSES targets in the filter, then passes all NS/NA', () => {
    const mac = parseMac(OUR);
    const many = (n: number) =>
      Array.from({ length: n }, (_, i) => `2001:db8:2::${(i + 1).toString(16)}`);
    const listed = ndpFilter(mac, many(NDP_FILTER_MAX_ADDRESSES));
    expect(listed.length).toBeLessThanOrEqual(4096);
    expect(runBpf(listed, ns(CLIENT_IP, '2001:db8:2::100'))).toBeGreaterThan(0);
    expect(runBpf(listed, ns(CLIENT_IP, '2001:db8:2::101'))).toBe(0);
    const open = ndpFilter(mac, many(NDP_FILTER_MAX_ADDRESSES + 1));
    expect(runBpf(open, ns(CLIENT_IP, '2001:db8:9::1'))).toBeGreaterThan(0);
  });

  it('ignores and counts solicitations the kernel ignores: multicast or loopback source, bad hop limit (issue 14)', () => {
    const { seg, r, solicitedTo, metrics, events } = setup();
    r.announce(VIP);
    seg.inject(ns('ff02::1'));
    seg.inject(ns('ff05::1:3'));
    seg.inject(ns('::1'));
    seg.inject(ns(CLIENT_IP, VIP, { hopLimit: 64 }));
    expect(solicitedTo(CLIENT)).toHaveLength(0);
    expect(events.filter((e) => e.type === 'request')).toEqual([]);
    expect(r.counters().get(VIP)).toMatchObject({ requests: 0, ignored: 4 });
    expect(metrics.value('layer2_requests_ignored', { ip: VIP, reason: 'invalid' })).toBe(4);
    // link-local, global and IPv4-mapped sources are answered (the kernel answers all three)
    for (const src of ['fe80::1', CLIENT_IP, '::ffff:192.0.2.1']) seg.inject(ns(src));
    expect(solicitedTo(CLIENT)).toHaveLength(3);
    expect(metrics.value('layer2_responses_sent', { ip: VIP })).toBe(3);
  });

  it('answers a multicast NS with a solicited NA: S=1, O=1, Target LLA = our MAC, to the SLLA', () => {
    const { seg, r, solicitedTo, events } = setup();
    r.announce(VIP);
    seg.inject(neighborSolicitationFrame({ fromMac: CLIENT, fromIp: CLIENT_IP, target: VIP }));
    const nas = solicitedTo(CLIENT);
    expect(nas).toHaveLength(1);
    const na = nas[0]!;
    expect(na.message).toMatchObject({
      kind: 'na',
      solicited: true,
      override: true,
      router: false,
    });
    expect(formatIPv6(na.message.target)).toBe(VIP);
    expect(formatIPv6(na.src)).toBe(VIP);
    expect(formatIPv6(na.dst)).toBe(CLIENT_IP);
    expect(
      formatMac(linkLayerOption(na.message.options, NdpOptionType.TargetLinkLayerAddress)!),
    ).toBe(OUR);
    expect(events.filter((e) => e.type !== 'gratuitous').map((e) => e.type)).toEqual([
      'request',
      'reply',
    ]);
    expect(r.counters().get(VIP)).toMatchObject({ requests: 1, replies: 1 });
  });

  it('answers a unicast NUD probe without a Source LLA option, to the Ethernet source (MetalLB #2920)', () => {
    const { seg, r, solicitedTo } = setup();
    r.announce(VIP);
    seg.inject(
      neighborSolicitationFrame({
        fromMac: CLIENT,
        fromIp: CLIENT_IP,
        target: VIP,
        unicast: true,
        dstMac: OUR,
      }),
    );
    expect(solicitedTo(CLIENT)).toHaveLength(1);
    // the same probe sent to another station's MAC is not ours to answer
    seg.inject(
      neighborSolicitationFrame({
        fromMac: CLIENT,
        fromIp: CLIENT_IP,
        target: VIP,
        unicast: true,
        dstMac: '02:00:00:00:00:99',
      }),
    );
    expect(solicitedTo(CLIENT)).toHaveLength(1);
  });

  it('ignores unannounced targets, withdrawn targets, invalid hop limits and NS to a wrong group', () => {
    const { seg, r, solicitedTo } = setup();
    seg.inject(neighborSolicitationFrame({ fromMac: CLIENT, fromIp: CLIENT_IP, target: VIP }));
    r.announce('2001:db8:1::11');
    seg.inject(
      neighborSolicitationFrame({
        fromMac: CLIENT,
        fromIp: CLIENT_IP,
        target: '2001:db8:1::11',
        hopLimit: 64,
      }),
    );
    r.announce(VIP);
    r.withdraw(VIP);
    seg.inject(neighborSolicitationFrame({ fromMac: CLIENT, fromIp: CLIENT_IP, target: VIP }));
    seg.inject(new Uint8Array(90));
    expect(solicitedTo(CLIENT)).toHaveLength(0);
  });

  it('joins each solicited-node group once (reference-counted) and leaves with the last address', () => {
    const { r, membership } = setup();
    r.announce('2001:db8:1::10');
    r.announce('2001:db8:2::10'); // same low 24 bits → same group
    r.announce('2001:db8:1::10');
    expect(membership.log).toEqual(['join ff02::1:ff00:10%eth0']);
    r.withdraw('2001:db8:1::10');
    r.withdraw('2001:db8:1::10');
    expect(membership.log).toHaveLength(1);
    r.withdraw('2001:db8:2::10');
    expect(membership.log).toEqual(['join ff02::1:ff00:10%eth0', 'leave ff02::1:ff00:10%eth0']);
    r.announce('2001:db8:1::abcd');
    r.close();
    expect(membership.groups.size).toBe(0);
  });

  it('sends unsolicited NAs (O=1, to ff02::1) at once and every 1.1 s for 5 s, then refreshes if asked', () => {
    const { link, clock, r, sentNas } = setup({ refreshIntervalMs: 20_000 });
    r.announce(VIP);
    clock.advance(6_000);
    const nas = sentNas();
    expect(nas).toHaveLength(6);
    for (const na of nas) {
      expect(formatIPv6(na.dst)).toBe('ff02::1');
      expect(formatMac(na.dstMac)).toBe('33:33:00:00:00:01');
      expect(na.message).toMatchObject({ kind: 'na', solicited: false, override: true });
    }
    clock.advance(20_000);
    expect(link.sent).toHaveLength(7);
    expect(r.counters().get(VIP)?.gratuitous).toBe(7);
  });

  it('defends against a DAD probe for our address and reports it as a conflict', () => {
    const { seg, r, events, sentNas } = setup();
    r.announce(VIP);
    const before = sentNas().length;
    seg.inject(
      neighborSolicitationFrame({ fromMac: '02:00:00:00:00:cc', fromIp: '::', target: VIP }),
    );
    const after = sentNas().slice(before);
    expect(after).toHaveLength(1);
    expect(formatIPv6(after[0]!.dst)).toBe('ff02::1');
    expect(after[0]!.message).toMatchObject({ solicited: false, override: true });
    const c = events.find((e) => e.type === 'conflict');
    expect(c).toMatchObject({
      type: 'conflict',
      kind: 'probe',
      otherMac: '02:00:00:00:00:cc',
      address: VIP,
    });
  });

  it("reports another MAC's NA for our address as a conflict, ignores NAs naming our MAC", () => {
    const { seg, link, r, events } = setup();
    r.announce(VIP);
    const other = parseMac('02:00:00:00:00:cc');
    // Another station's answer to a client is not ours to see: the kernel filter drops it.
    const filtered = link.filtered;
    seg.inject(
      buildAdvertisement(
        other,
        parseIPv6(VIP),
        { ip: parseIPv6(CLIENT_IP), mac: parseMac(CLIENT) },
        { solicited: true, override: true },
      ),
    );
    expect(link.filtered).toBe(filtered + 1);
    // ...one that reaches us names another MAC for our address: a conflict
    seg.inject(
      buildAdvertisement(
        other,
        parseIPv6(VIP),
        { ip: parseIPv6('2001:db8:1::2'), mac: parseMac(OUR) },
        { solicited: true, override: true },
      ),
    );
    seg.inject(
      buildAdvertisement(
        other,
        parseIPv6(VIP),
        { ip: parseIPv6('ff02::1'), mac: parseMac('33:33:00:00:00:01') },
        { solicited: false, override: true },
      ),
    );
    const conflicts = events.filter((e) => e.type === 'conflict');
    expect(conflicts.map((c) => c.type === 'conflict' && c.kind)).toEqual([
      'reply',
      'announcement',
    ]);
    expect(r.counters().get(VIP)?.conflicts).toBe(2);
  });

  it('rejects IPv4, multicast, unspecified and zoned addresses with NdpError INVALID_ADDRESS', () => {
    const { r } = setup();
    for (const bad of ['198.51.100.1', 'ff02::1', '::', 'fe80::1%eth0', 'nope'])
      expect(() => r.announce(bad)).toThrow(
        expect.objectContaining({ name: 'NdpError', code: 'INVALID_ADDRESS' }),
      );
  });
});
