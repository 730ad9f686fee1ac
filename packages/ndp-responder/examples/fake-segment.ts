import { createNdpResponder } from '@ironlb/ndp-responder';
import {
  FakeSegment,
  ManualClock,
  RecordingMembership,
  neighborSolicitationFrame,
} from '@ironlb/ndp-responder/testing';

// In production omit `openLink` and `membership` (an AF_PACKET socket, an unprivileged udp6 socket).
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
responder.announce('2001:db8::10');
console.log(membership.log);
// a unicast NUD probe without a Source Link-Layer option (MetalLB #2920) is answered too
const probe = {
  fromMac: '02:00:00:00:00:0a',
  target: '2001:db8::10',
  unicast: true,
  dstMac: '02:00:00:00:00:0b',
};
seg.inject(neighborSolicitationFrame({ ...probe, fromIp: '2001:db8::1' }));
// one from a multicast source is not (RFC 4291 §2.7): ignored and counted, as the kernel does
seg.inject(neighborSolicitationFrame({ ...probe, fromIp: 'ff02::1' }));
console.log(responder.counters().get('2001:db8::10'));
responder.close();
console.log(membership.log.at(-1));
