import { createL2Announcer } from '@ironlb/l2-announcer';
import {
  FakeSegment,
  IfFlag,
  ManualClock,
  MemoryMetrics,
  announcementFrame,
  arpRequestFrame,
} from '@ironlb/l2-announcer/testing';

// Two in-memory segments stand in for the node's NICs; in production omit `openLink` and
// `readInterfaces` (AF_PACKET sockets; sysfs and getifaddrs of the network namespace).
const macs = { eth0: '02:00:00:00:00:e0', eth1: '02:00:00:00:00:e1', docker0: '02:00:00:00:00:d0' };
const segments = { eth0: new FakeSegment(), eth1: new FakeSegment() };
segments.eth0.attach('eth0', macs.eth0);
segments.eth1.attach('eth1', macs.eth1);
const metrics = new MemoryMetrics();
const announcer = createL2Announcer(
  {
    openLink: (iface, o) => segments[iface as 'eth0' | 'eth1'].opener()(iface, o),
    readInterfaces: () =>
      Object.entries(macs).map(([name, mac]) => ({
        name,
        mac,
        flags: IfFlag.Up | IfFlag.Broadcast,
        enslaved: false,
        hasIPv6LinkLocal: true,
      })),
    clock: new ManualClock(),
    metrics,
    onEvent: (e) => {
      if (e.type === 'reply' || e.type === 'handover') console.log(e.type, e.address, e.iface);
    },
  },
  { refreshIntervalMs: 60_000 },
);
console.log(announcer.interfaces().map((i) => i.name)); // docker0: MetalLB's default exclusions

// A Service whose L2Advertisement names eth1: answered there only.
const web = announcer.announce('198.51.100.10', { owner: 'shop/web', interfaces: ['eth1'] });
console.log(web.interfaces);
const client = { fromMac: '02:00:00:00:00:aa', fromIp: '198.51.100.1', targetIp: '198.51.100.10' };
segments.eth1.inject(arpRequestFrame(client));
segments.eth0.inject(arpRequestFrame(client)); // not announced on eth0: no answer

// Planned handover: keep answering until the next node announces the address, then stop.
const done = announcer.drain({ maxWaitMs: 30_000 });
segments.eth1.inject(arpRequestFrame(client)); // still answered
segments.eth1.inject(announcementFrame({ fromMac: '02:00:00:00:00:bb', ip: '198.51.100.10' }));
console.log(await done);
console.log(metrics.value('layer2_responses_sent', { ip: '198.51.100.10' }));
announcer.close();
