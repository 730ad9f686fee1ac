import { createArpResponder } from '@ironlb/arp-responder';
import { arpRequestFrame } from '@ironlb/arp-responder/testing';
import { FakeSegment, ManualClock } from '@ironlb/raw-link/testing';

// An in-memory segment stands in for eth0; in production omit `openLink` (libpcap is the default).
const seg = new FakeSegment();
seg.attach('eth0', '02:00:00:00:00:0b');
const clock = new ManualClock();
const responder = createArpResponder(
  { openLink: seg.opener(), clock, onEvent: (e) => console.log(e.type, e.address) },
  { iface: 'eth0', refreshIntervalMs: 60_000 },
);
responder.announce('198.51.100.10'); // prints: gratuitous 198.51.100.10
seg.inject(
  arpRequestFrame({
    fromMac: '02:00:00:00:00:0a',
    fromIp: '198.51.100.1',
    targetIp: '198.51.100.10',
  }),
);
// prints: request 198.51.100.10, then: reply 198.51.100.10
console.log(responder.counters().get('198.51.100.10'));
// prints: { requests: 1, replies: 1, gratuitous: 2, conflicts: 0 }
responder.close();
