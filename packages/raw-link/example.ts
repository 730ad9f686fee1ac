import { EtherType, decodeEthernet, encodeEthernet, formatMac, parseMac } from '@ironlb/raw-link';
import { FakeSegment } from '@ironlb/raw-link/testing';

const seg = new FakeSegment();
const a = seg.attach('a0', '02:00:00:00:00:0a');
const b = seg.attach('b0', '02:00:00:00:00:0b');
b.onFrame((frame) => {
  const eth = decodeEthernet(frame);
  if (eth.etherType === EtherType.ARP)
    console.log(`b0 got ${frame.length} bytes from ${formatMac(eth.src)}`);
});
a.send(encodeEthernet(parseMac('ff:ff:ff:ff:ff:ff'), a.mac, EtherType.ARP, new Uint8Array(28)));
// prints: b0 got 60 bytes from 02:00:00:00:00:0a
