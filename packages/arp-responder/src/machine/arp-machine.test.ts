import { describe, expect, it } from 'vitest';
import type { L2Event } from '@ironlb/raw-link';
import { PacketType, formatIPv4, formatMac, parseIPv4, parseMac, runBpf } from '@ironlb/raw-link';
import { ArpOp, decodeArpFrame, encodeArpFrame } from '../codec/arp.js';
import { createArpResponder } from '../io/arp-responder.js';
import { FakeSegment, ManualClock, MemoryMetrics, arpRequestFrame } from '../testing/index.js';
import { ARP_FILTER_MAX_ADDRESSES, arpFilter } from './arp-machine.js';

const OUR = '02:00:00:00:00:0b';
const CLIENT = '02:00:00:00:00:0a';
const VIP = '198.51.100.10';

function setup(opts: { refreshIntervalMs?: number } = {}) {
  const seg = new FakeSegment();
  const link = seg.attach('eth0', OUR);
  const clock = new ManualClock(1_000);
  const events: L2Event[] = [];
  const metrics = new MemoryMetrics();
  const r = createArpResponder(
    { openLink: seg.opener(), clock, metrics, onEvent: (e) => events.push(e) },
    { iface: 'eth0', ...opts },
  );
  const repliesTo = (mac: string) =>
    link.sent
      .map((f) => decodeArpFrame(f))
      .filter((f) => f.arp.op === ArpOp.Reply && formatMac(f.dst) === mac);
  return { seg, link, clock, events, metrics, r, repliesTo };
}

const request = (fromIp: string, targetIp = VIP, fromMac = CLIENT) =>
  arpRequestFrame({ fromMac, fromIp, targetIp });

describe('ARP responder (machine + io on a fake segment)', () => {
  it('opens an ARP link whose kernel filter follows the announced set', () => {
    const { link, r } = setup();
    expect(link.etherType).toBe(0x0806);
    const passes = (f: Uint8Array, packetType: number = PacketType.Broadcast) =>
      runBpf(link.filter!, f, { packetType }) > 0;
    // Nothing announced: nothing wakes the process.
    expect(passes(request('198.51.100.1'))).toBe(false);
    r.announce(VIP);
    expect(passes(request('198.51.100.1'))).toBe(true);
    // requests for other hosts, our own frames, other stations' unicast, tagged frames: dropped
    expect(passes(request('198.51.100.1', '198.51.100.77'))).toBe(false);
    expect(passes(request('198.51.100.1', VIP, OUR))).toBe(false);
    expect(passes(request('198.51.100.1'), PacketType.OtherHost)).toBe(false);
    expect(runBpf(link.filter!, request('198.51.100.1'), { vlanTagPresent: true })).toBe(0);
    // someone else speaking for our address (SPA = VIP) passes: that is a conflict to report
    expect(passes(request(VIP, '198.51.100.1', '02:00:00:00:00:cc'))).toBe(true);
    r.withdraw(VIP);
    expect(passes(request('198.51.100.1'))).toBe(false);
    expect(link.filters).toHaveLength(3);
  });

  it('lists up to ARP_FILTER_MAX_ADDRESSES addresses in the filter, then passes all ARP', () => {
    const mac = parseMac(OUR);
    const many = (n: number) => Array.from({ length: n }, (_, i) => `10.0.${i >> 8}.${i & 255}`);
    const listed = arpFilter(mac, many(ARP_FILTER_MAX_ADDRESSES));
    expect(listed.length).toBeLessThanOrEqual(4096);
    expect(runBpf(listed, request('198.51.100.1', '10.0.0.255'))).toBeGreaterThan(0);
    expect(runBpf(listed, request('198.51.100.1', '10.0.1.0'))).toBe(0);
    const open = arpFilter(mac, many(ARP_FILTER_MAX_ADDRESSES + 1));
    expect(runBpf(open, request('198.51.100.1', '198.51.100.99'))).toBeGreaterThan(0);
    expect(runBpf(open, request('198.51.100.1', '198.51.100.99', OUR))).toBe(0);
  });

  it('ignores and counts requests from sender addresses no host can have, as the kernel does (issue 14)', () => {
    const { seg, r, events, metrics, repliesTo } = setup();
    r.announce(VIP);
    const martians = ['255.255.255.255', '224.0.0.1', '239.1.2.3', '127.0.0.1', '127.255.0.9'];
    for (const spa of martians) seg.inject(request(spa));
    expect(repliesTo(CLIENT)).toHaveLength(0);
    expect(events.filter((e) => e.type === 'request' || e.type === 'reply')).toEqual([]);
    expect(r.counters().get(VIP)).toMatchObject({ requests: 0, replies: 0, ignored: 5 });
    expect(metrics.value('layer2_requests_ignored', { ip: VIP, reason: 'bad-sender' })).toBe(5);
    // a probe (0.0.0.0, RFC 5227) and senders the kernel answers too are answered
    for (const spa of ['0.0.0.0', '198.51.100.1', '0.1.2.3', '240.0.0.1', '169.254.1.1'])
      seg.inject(request(spa));
    expect(repliesTo(CLIENT)).toHaveLength(5);
    expect(r.counters().get(VIP)).toMatchObject({ requests: 5, replies: 5, ignored: 5 });
  });

  it("counts into MetalLB's layer2 metrics, labelled by ip, and shows its MAC as text", () => {
    const { seg, r, metrics, clock } = setup();
    expect(r.mac).toBe(OUR);
    expect([...r.macBytes]).toEqual([...parseMac(OUR)]);
    r.announce(VIP);
    seg.inject(request('198.51.100.1'));
    clock.advance(10_000);
    expect(metrics.value('layer2_requests_received', { ip: VIP })).toBe(1);
    expect(metrics.value('layer2_responses_sent', { ip: VIP })).toBe(1);
    expect(metrics.value('layer2_gratuitous_sent', { ip: VIP })).toBe(12);
    expect(metrics.value('layer2_conflicts_detected', { ip: VIP })).toBe(0);
  });

  it('answers a broadcast request for an announced address with our MAC, unicast to the requester', () => {
    const { seg, r, events, repliesTo } = setup();
    r.announce(VIP);
    seg.inject(arpRequestFrame({ fromMac: CLIENT, fromIp: '198.51.100.1', targetIp: VIP }));
    const replies = repliesTo(CLIENT);
    expect(replies).toHaveLength(1);
    const rep = replies[0]!;
    expect(formatMac(rep.src)).toBe(OUR);
    expect(formatMac(rep.arp.senderMac)).toBe(OUR);
    expect(formatIPv4(rep.arp.senderIp)).toBe(VIP);
    expect(formatMac(rep.arp.targetMac)).toBe(CLIENT);
    expect(formatIPv4(rep.arp.targetIp)).toBe('198.51.100.1');
    expect(
      events.filter((e) => e.type === 'request' || e.type === 'reply').map((e) => e.type),
    ).toEqual(['request', 'reply']);
    expect(r.counters().get(VIP)).toMatchObject({ requests: 1, replies: 1, conflicts: 0 });
  });

  it('answers unicast requests to our MAC, ignores unicast requests to another MAC', () => {
    const { seg, r, repliesTo } = setup();
    r.announce(VIP);
    seg.inject(
      arpRequestFrame({ fromMac: CLIENT, fromIp: '198.51.100.1', targetIp: VIP, dstMac: OUR }),
    );
    seg.inject(
      arpRequestFrame({
        fromMac: CLIENT,
        fromIp: '198.51.100.1',
        targetIp: VIP,
        dstMac: '02:00:00:00:00:99',
      }),
    );
    expect(repliesTo(CLIENT)).toHaveLength(1);
  });

  it('stays silent for unannounced addresses, after withdrawal, for replies and for its own frames', () => {
    const { seg, link, r, repliesTo, events } = setup();
    seg.inject(arpRequestFrame({ fromMac: CLIENT, fromIp: '198.51.100.1', targetIp: VIP }));
    r.announce(VIP);
    r.withdraw(VIP);
    seg.inject(arpRequestFrame({ fromMac: CLIENT, fromIp: '198.51.100.1', targetIp: VIP }));
    r.announce('198.51.100.11');
    // our own request (as the kernel would send it from our MAC) must not be answered
    seg.inject(
      arpRequestFrame({ fromMac: OUR, fromIp: '198.51.100.2', targetIp: '198.51.100.11' }),
    );
    // garbage and other EtherTypes are ignored
    seg.inject(new Uint8Array(60));
    seg.inject(new Uint8Array(5));
    expect(repliesTo(CLIENT)).toHaveLength(0);
    expect(link.sent.every((f) => formatMac(decodeArpFrame(f).dst) === 'ff:ff:ff:ff:ff:ff')).toBe(
      true,
    );
    expect(events.filter((e) => e.type === 'request')).toHaveLength(0);
  });

  it('reference-counts announcements: answers until the last owner withdraws', () => {
    const { seg, r, repliesTo } = setup();
    r.announce(VIP);
    r.announce('198.51.100.010'.replace('010', '10'));
    r.withdraw(VIP);
    seg.inject(arpRequestFrame({ fromMac: CLIENT, fromIp: '198.51.100.1', targetIp: VIP }));
    expect(repliesTo(CLIENT)).toHaveLength(1);
    r.withdraw(VIP);
    seg.inject(arpRequestFrame({ fromMac: CLIENT, fromIp: '198.51.100.1', targetIp: VIP }));
    expect(repliesTo(CLIENT)).toHaveLength(1);
    expect(r.announced()).toEqual([]);
  });

  it('sends the gratuitous burst (request + reply form) at once and every 1.1 s for 5 s', () => {
    const { link, clock, r, events } = setup();
    r.announce(VIP);
    clock.advance(30_000);
    const garps = link.sent.map((f) => decodeArpFrame(f));
    expect(garps).toHaveLength(12);
    for (const g of garps) {
      expect(formatMac(g.dst)).toBe('ff:ff:ff:ff:ff:ff');
      expect(formatIPv4(g.arp.senderIp)).toBe(VIP);
      expect(formatIPv4(g.arp.targetIp)).toBe(VIP);
      expect(formatMac(g.arp.targetMac)).toBe('ff:ff:ff:ff:ff:ff');
    }
    expect(garps.map((g) => g.arp.op)).toEqual(Array.from({ length: 6 }, () => [1, 2]).flat());
    expect(events.filter((e) => e.type === 'gratuitous')).toHaveLength(6);
    expect(r.counters().get(VIP)?.gratuitous).toBe(12);
    expect(clock.pendingTimers).toBe(0);
  });

  it('keeps bursting when the timer fires a little before its deadline (libuv rounds to ms)', () => {
    const seg = new FakeSegment();
    const link = seg.attach('eth0', OUR);
    const manual = new ManualClock(1_000);
    // Timers that fire 1 ms early: the first tick finds nothing due and must re-arm.
    const early = {
      now: () => manual.now(),
      setTimeout: (fn: () => void, delayMs: number) =>
        manual.setTimeout(fn, delayMs > 1 ? delayMs - 1 : delayMs),
      clearTimeout: (h: unknown) => manual.clearTimeout(h),
    };
    const r = createArpResponder({ openLink: seg.opener(), clock: early }, { iface: 'eth0' });
    r.announce(VIP);
    manual.advance(30_000);
    expect(link.sent).toHaveLength(12);
  });

  it('refreshes periodically when refreshIntervalMs is set, and stops after withdrawal', () => {
    const { link, clock, r } = setup({ refreshIntervalMs: 60_000 });
    r.announce(VIP);
    clock.advance(6_000);
    expect(link.sent).toHaveLength(12);
    clock.advance(60_000);
    expect(link.sent).toHaveLength(14);
    r.withdraw(VIP);
    clock.advance(600_000);
    expect(link.sent).toHaveLength(14);
    expect(clock.pendingTimers).toBe(0);
  });

  it("reports another MAC's reply, announcement or probe for our address as a conflict", () => {
    const { seg, link, r, events, repliesTo } = setup();
    r.announce(VIP);
    const other = parseMac('02:00:00:00:00:cc');
    const vip = parseIPv4(VIP);
    const bcast = parseMac('ff:ff:ff:ff:ff:ff');
    // A reply unicast to another station is that station's business: a switch would not even
    // deliver it, and on a hub the kernel filter drops it (another host's traffic).
    const filtered = link.filtered;
    seg.inject(
      encodeArpFrame(parseMac(CLIENT), other, {
        op: ArpOp.Reply,
        senderMac: other,
        senderIp: vip,
        targetMac: parseMac(CLIENT),
        targetIp: parseIPv4('198.51.100.1'),
      }),
    );
    expect(link.filtered).toBe(filtered + 1);
    seg.inject(
      encodeArpFrame(bcast, other, {
        op: ArpOp.Reply,
        senderMac: other,
        senderIp: vip,
        targetMac: parseMac(CLIENT),
        targetIp: parseIPv4('198.51.100.1'),
      }),
    );
    seg.inject(
      encodeArpFrame(bcast, other, {
        op: ArpOp.Request,
        senderMac: other,
        senderIp: vip,
        targetMac: bcast,
        targetIp: vip,
      }),
    );
    seg.inject(
      encodeArpFrame(bcast, other, {
        op: ArpOp.Request,
        senderMac: other,
        senderIp: parseIPv4('0.0.0.0'),
        targetMac: new Uint8Array(6),
        targetIp: vip,
      }),
    );
    const conflicts = events.filter((e) => e.type === 'conflict');
    expect(conflicts.map((c) => c.type === 'conflict' && [c.kind, c.otherMac, c.address])).toEqual([
      ['reply', '02:00:00:00:00:cc', VIP],
      ['announcement', '02:00:00:00:00:cc', VIP],
      ['probe', '02:00:00:00:00:cc', VIP],
    ]);
    expect(r.counters().get(VIP)?.conflicts).toBe(3);
    // the probe is answered (as the kernel does) so the prober backs off
    expect(repliesTo('02:00:00:00:00:cc')).toHaveLength(1);
  });

  it('rejects non-IPv4 and non-unicast addresses with ArpError INVALID_ADDRESS', () => {
    const { r } = setup();
    for (const bad of [
      '2001:db8::1',
      '198.51.100',
      'eth0',
      '',
      '0.0.0.0',
      '127.0.0.1',
      '224.0.0.5',
      '255.255.255.255',
    ])
      expect(() => r.announce(bad)).toThrow(
        expect.objectContaining({ name: 'ArpError', code: 'INVALID_ADDRESS' }),
      );
  });

  it('close() stops answering, cancels timers and closes the link', () => {
    const { seg, link, clock, r, repliesTo } = setup();
    r.announce(VIP);
    r.close();
    expect(link.closed).toBe(true);
    expect(clock.pendingTimers).toBe(0);
    const before = link.sent.length;
    seg.inject(arpRequestFrame({ fromMac: CLIENT, fromIp: '198.51.100.1', targetIp: VIP }));
    clock.advance(10_000);
    expect(link.sent.length).toBe(before);
    expect(repliesTo(CLIENT)).toHaveLength(0);
  });
});
