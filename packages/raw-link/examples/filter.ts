import {
  BPF_ACCEPT,
  BpfBuilder,
  BpfOp,
  EtherType,
  decodeEthernet,
  encodeEthernet,
  formatIPv6,
  formatMac,
  parseIPv6,
  parseMac,
} from '@ironlb/raw-link';
import { FakeSegment } from '@ironlb/raw-link/testing';

// A kernel filter (classic BPF) that passes ARP frames only; the in-memory segment runs it on
// every frame as the kernel would run it on an AF_PACKET socket.
const arpOnly = new BpfBuilder()
  .load(BpfOp.LdAbsH, 12)
  .jump(BpfOp.JeqK, EtherType.ARP, null, 'drop')
  .ret(BPF_ACCEPT)
  .label('drop')
  .ret(0)
  .build();

const seg = new FakeSegment();
const a = seg.attach('a0', '02:00:00:00:00:0a');
seg.attach('b0', '02:00:00:00:00:0b');
const b = seg.opener()('b0', { etherType: EtherType.ARP, filter: arpOnly });
b.onFrame((frame) =>
  console.log(`b0 got ${frame.length} bytes from ${formatMac(decodeEthernet(frame).src)}`),
);

const broadcast = parseMac('ff:ff:ff:ff:ff:ff');
a.send(encodeEthernet(broadcast, a.mac, EtherType.ARP, new Uint8Array(28)));
a.send(encodeEthernet(broadcast, a.mac, EtherType.IPv6, new Uint8Array(40))); // filtered out
console.log(b.stats());
console.log(formatIPv6(parseIPv6('::ffff:c000:201')));
