import { createNdpResponder } from '@ironlb/ndp-responder';
import { RecordingMembership, neighborSolicitationFrame } from '@ironlb/ndp-responder/testing';
import { FakeSegment, ManualClock } from '@ironlb/raw-link/testing';

// In production omit `openLink` and `membership` (libpcap and an unprivileged udp6 socket).
const seg = new FakeSegment();
seg.attach('eth0', '02:00:00:00:00:0b');
const membership = new RecordingMembership();
const responder = createNdpResponder(
  {
    openLink: seg.opener(),
    clock: new ManualClock(),
    membership,
    onEvent: (e) => console.log(e.type, e.address),
  },
  { iface: 'eth0' },
);
responder.announce('2001:db8::10'); // prints: gratuitous 2001:db8::10
console.log(membership.log); // prints: [ 'join ff02::1:ff00:10%eth0' ]
// a unicast NUD probe without a Source Link-Layer option (MetalLB #2920) is answered too
seg.inject(
  neighborSolicitationFrame({
    fromMac: '02:00:00:00:00:0a',
    fromIp: '2001:db8::1',
    target: '2001:db8::10',
    unicast: true,
    dstMac: '02:00:00:00:00:0b',
  }),
);
// prints: request 2001:db8::10, then: reply 2001:db8::10
responder.close();
