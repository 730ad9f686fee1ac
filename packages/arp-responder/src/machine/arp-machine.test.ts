import { describe, expect, it } from 'vitest';
import type { L2Event } from '@ironlb/raw-link';
import { formatIPv4, formatMac, parseIPv4, parseMac } from '@ironlb/raw-link';
import { FakeSegment, ManualClock } from '@ironlb/raw-link/testing';
import { ArpOp, decodeArpFrame, encodeArpFrame } from '../codec/arp.js';
import { createArpResponder } from '../io/arp-responder.js';
import { arpRequestFrame } from '../testing/frames.js';

const OUR = '02:00:00:00:00:0b';
const CLIENT = '02:00:00:00:00:0a';
const VIP = '198.51.100.10';

function setup(opts: { refreshIntervalMs?: number } = {}) {
  const seg = new FakeSegment();
  const link = seg.attach('eth0', OUR);
  const clock = new ManualClock(1_000);
  const events: L2Event[] = [];
  const r = createArpResponder(
    { openLink: seg.opener(), clock, onEvent: (e) => events.push(e) },
    { iface: 'eth0', ...opts },
  );
  const repliesTo = (mac: string) =>
    link.sent
      .map((f) => decodeArpFrame(f))
      .filter((f) => f.arp.op === ArpOp.Reply && formatMac(f.dst) === mac);
  return { seg, link, clock, events, r, repliesTo };
}

describe('ARP responder (machine + io on a fake segment)', () => {
  it('opens the link with a tight filter that excludes our own frames', () => {
    const { link } = setup();
    expect(link.filter).toBe(`arp and not ether src ${OUR}`);
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
    const { seg, r, events, repliesTo } = setup();
    r.announce(VIP);
    const other = parseMac('02:00:00:00:00:cc');
    const vip = parseIPv4(VIP);
    const bcast = parseMac('ff:ff:ff:ff:ff:ff');
    seg.inject(
      encodeArpFrame(parseMac(CLIENT), other, {
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

  it('rejects non-IPv4 addresses with ArpError INVALID_ADDRESS', () => {
    const { r } = setup();
    for (const bad of ['2001:db8::1', '198.51.100', 'eth0', ''])
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
