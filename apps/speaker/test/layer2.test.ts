// The speaker's Layer 2 side on an in-memory segment: it answers exactly what k8s-glue elected,
// on the chosen interfaces, re-announces on request, follows the excludel2 list, and on a planned
// stop keeps answering until the next node announces, then lets go.
import { describe, expect, it } from 'vitest';
import { ArpOp, decodeArpFrame, encodeArpFrame } from '@ironlb/arp-responder';
import { createL2Announcer } from '@ironlb/l2-announcer';
import {
  FakeSegment,
  IfFlag,
  ManualClock,
  MemoryLogger,
  MemoryMetrics,
  RecordingMembership,
  arpRequestFrame,
  type InterfaceInfo,
} from '@ironlb/l2-announcer/testing';
import { formatMac, parseIPv4, parseMac } from '@ironlb/raw-link';
import type { Layer2Address } from '@ironlb/k8s-glue';
import { createSpeakerLayer2 } from '../src/layer2.js';

const MACS: Record<string, string> = { eth0: '02:00:00:00:00:e0', eth1: '02:00:00:00:00:e1' };
const CLIENT = '02:00:00:00:00:aa';
const OTHER = '02:00:00:00:00:bb';

function world() {
  const segs = Object.fromEntries(Object.keys(MACS).map((n) => [n, new FakeSegment()]));
  const links = Object.fromEntries(
    Object.entries(MACS).map(([n, mac]) => [n, segs[n]!.attach(n, mac)]),
  );
  const clock = new ManualClock();
  const metrics = new MemoryMetrics();
  const logger = new MemoryLogger();
  const info = (name: string): InterfaceInfo => ({
    name,
    flags: IfFlag.Up | IfFlag.Broadcast,
    mac: MACS[name] ?? '02:00:00:00:00:01',
    enslaved: false,
    hasIPv6LinkLocal: true,
  });
  const l2 = createSpeakerLayer2(
    {
      clock,
      logger,
      metrics,
      announcer: (onEvent, options) =>
        createL2Announcer(
          {
            openLink: (iface, o) => segs[iface]!.opener()(iface, o),
            clock,
            metrics,
            membership: new RecordingMembership(),
            onEvent,
            readInterfaces: () => Object.keys(MACS).map(info),
          },
          { rescanIntervalMs: 1_000, ...options },
        ),
    },
    { refreshIntervalMs: 0, handoverLingerMs: 500 },
  );
  /** Replies to one ARP request from the client, by interface. */
  const ask = (iface: string, ip: string) => {
    const before = links[iface]!.sent.length;
    segs[iface]!.inject(arpRequestFrame({ fromMac: CLIENT, fromIp: '198.51.100.1', targetIp: ip }));
    return links[iface]!.sent.slice(before).filter((f) => {
      const d = decodeArpFrame(f);
      return d.arp.op === ArpOp.Reply && formatMac(d.dst) === CLIENT;
    }).length;
  };
  const gratuitous = (iface: string) => links[iface]!.sent.length;
  const announcedElsewhere = (iface: string, ip: string) => {
    const m = parseMac(OTHER);
    segs[iface]!.inject(
      encodeArpFrame(parseMac('ff:ff:ff:ff:ff:ff'), m, {
        op: ArpOp.Request,
        senderMac: m,
        senderIp: parseIPv4(ip),
        targetMac: parseMac('00:00:00:00:00:00'),
        targetIp: parseIPv4(ip),
      }),
    );
  };
  return { l2, clock, metrics, logger, ask, gratuitous, announcedElsewhere };
}

const addr = (ip: string, names?: string[]): Layer2Address => ({
  ip,
  interfaces: names ? { all: false, names } : { all: true },
  services: ['default/web'],
});

describe('createSpeakerLayer2', () => {
  it('answers exactly the elected addresses, on the chosen interfaces, and counts MetalLB’s metrics', () => {
    const w = world();
    const res = w.l2.apply([addr('198.51.100.10'), addr('198.51.100.11', ['eth1'])]);
    expect(res.get('198.51.100.10')).toEqual(['eth0', 'eth1']);
    expect(res.get('198.51.100.11')).toEqual(['eth1']);
    expect(w.ask('eth0', '198.51.100.10')).toBe(1);
    expect(w.ask('eth0', '198.51.100.11')).toBe(0);
    expect(w.ask('eth1', '198.51.100.11')).toBe(1);
    expect(w.metrics.value('layer2_responses_sent', { ip: '198.51.100.10' })).toBe(1);
    // A Layer 2 interface that does not exist here: nothing answers (k8s-glue's announceFailed).
    expect(w.l2.apply([addr('198.51.100.10', ['eth7'])]).get('198.51.100.10')).toEqual([]);
    expect(w.ask('eth0', '198.51.100.10')).toBe(0);
    // Withdrawn.
    w.l2.apply([]);
    expect(w.ask('eth1', '198.51.100.11')).toBe(0);
  });

  it('a new address gets a gratuitous burst; the same decision again sends nothing; reannounce does', () => {
    const w = world();
    w.l2.apply([addr('198.51.100.10', ['eth0'])]);
    w.clock.advance(10_000);
    const after = w.gratuitous('eth0');
    expect(after).toBeGreaterThan(0);
    w.l2.apply([addr('198.51.100.10', ['eth0'])]);
    w.clock.advance(10_000);
    expect(w.gratuitous('eth0')).toBe(after);
    w.l2.apply([addr('198.51.100.10', ['eth0'])], { reannounce: true });
    w.clock.advance(10_000);
    expect(w.gratuitous('eth0')).toBeGreaterThan(after);
  });

  it('excluded interfaces (the metallb-excludel2 list) are never answered on', () => {
    const w = world();
    w.l2.apply([addr('198.51.100.10')]);
    w.l2.setExcludedInterfaces(['^eth1$']);
    expect(w.ask('eth1', '198.51.100.10')).toBe(0);
    expect(w.ask('eth0', '198.51.100.10')).toBe(1);
  });

  it('handover: keeps answering until the next node announces, then stops for that address', async () => {
    const w = world();
    w.l2.apply([addr('198.51.100.10', ['eth0']), addr('198.51.100.11', ['eth0'])]);
    w.clock.advance(10_000);
    let done = false;
    const p = w.l2.handOver(['198.51.100.10'], 30_000).then((left) => {
      done = true;
      return left;
    });
    // No new decisions while draining.
    expect(w.l2.apply([]).size).toBe(0);
    expect(w.ask('eth0', '198.51.100.10')).toBe(1);
    w.announcedElsewhere('eth0', '198.51.100.10');
    await Promise.resolve();
    expect(w.ask('eth0', '198.51.100.10')).toBe(0);
    // The address nobody takes (.11) is still answered, and not waited for.
    expect(w.ask('eth0', '198.51.100.11')).toBe(1);
    for (let i = 0; i < 10 && !done; i++) {
      w.clock.advance(100);
      await Promise.resolve();
    }
    expect(await p).toEqual([]);
    expect(w.logger.find('handed over')).toHaveLength(1);
  });

  it('handover gives up after the timeout and says which addresses nobody took', async () => {
    const w = world();
    w.l2.apply([addr('198.51.100.10', ['eth0'])]);
    const p = w.l2.handOver(['198.51.100.10'], 2_000);
    for (let i = 0; i < 30; i++) {
      w.clock.advance(100);
      await Promise.resolve();
    }
    expect(await p).toEqual(['198.51.100.10']);
    await w.l2.close();
    expect(w.ask('eth0', '198.51.100.10')).toBe(0);
  });
});
