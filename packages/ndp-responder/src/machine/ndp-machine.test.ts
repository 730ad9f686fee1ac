import { describe, expect, it } from 'vitest';
import type { L2Event } from '@ironlb/raw-link';
import { formatIPv6, formatMac, parseIPv6, parseMac } from '@ironlb/raw-link';
import { FakeSegment, ManualClock } from '@ironlb/raw-link/testing';
import { NdpOptionType, decodeNdpFrame, linkLayerOption } from '../codec/ndp.js';
import { createNdpResponder } from '../io/ndp-responder.js';
import { RecordingMembership } from '../testing/membership.js';
import { neighborSolicitationFrame } from '../testing/frames.js';
import { buildAdvertisement } from './ndp-machine.js';

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
  const r = createNdpResponder(
    { openLink: seg.opener(), clock, membership, onEvent: (e) => events.push(e) },
    { iface: 'eth0', ...opts },
  );
  const sentNas = () => link.sent.map((f) => decodeNdpFrame(f));
  const solicitedTo = (mac: string) =>
    sentNas().filter(
      (p) => p.message.kind === 'na' && p.message.solicited && formatMac(p.dstMac) === mac,
    );
  return { seg, link, clock, events, r, membership, sentNas, solicitedTo };
}

describe('NDP responder (machine + io on a fake segment)', () => {
  it('filters NS/NA only, excluding our own frames', () => {
    const { link } = setup();
    expect(link.filter).toBe(
      `icmp6 and ip6[6] = 58 and (ip6[40] = 135 or ip6[40] = 136) and not ether src ${OUR}`,
    );
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
    const { seg, r, events } = setup();
    r.announce(VIP);
    const other = parseMac('02:00:00:00:00:cc');
    seg.inject(
      buildAdvertisement(
        other,
        parseIPv6(VIP),
        { ip: parseIPv6(CLIENT_IP), mac: parseMac(CLIENT) },
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
