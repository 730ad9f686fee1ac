import { createArpResponder } from '@ironlb/arp-responder';
import {
  FakeSegment,
  ManualClock,
  MemoryMetrics,
  arpRequestFrame,
} from '@ironlb/arp-responder/testing';

// An in-memory segment stands in for eth0; in production omit `openLink` (an AF_PACKET socket).
const seg = new FakeSegment();
seg.attach('eth0', '02:00:00:00:00:0b');
const clock = new ManualClock();
const metrics = new MemoryMetrics();
const responder = createArpResponder(
  { openLink: seg.opener(), clock, metrics, onEvent: (e) => console.log(e.type, e.address) },
  { iface: 'eth0' },
);
console.log(responder.mac);
responder.announce('198.51.100.10');
const ask = (fromIp: string) =>
  arpRequestFrame({ fromMac: '02:00:00:00:00:0a', fromIp, targetIp: '198.51.100.10' });
seg.inject(ask('198.51.100.1'));
// a request from a multicast sender is ignored and counted, as the kernel ignores it
seg.inject(ask('224.0.0.1'));
clock.advance(10_000); // the rest of the gratuitous burst: 1.1, 2.2, ..., 5.5 s
console.log(responder.counters().get('198.51.100.10'));
console.log(metrics.value('layer2_responses_sent', { ip: '198.51.100.10' }));
responder.close();
