// A small frame decoder for captures, so tests can assert on what crossed the wire (who sent an
// ARP reply, which ICMPv6 type, which TCP port) without each package writing its own. It decodes
// headers only and never throws: what it cannot read it leaves out.

export interface DecodedFrame {
  srcMac: string;
  dstMac: string;
  etherType: number;
  arp?: { op: number; senderMac: string; senderIp: string; targetMac: string; targetIp: string };
  ipv4?: { src: string; dst: string; protocol: number; ttl: number };
  ipv6?: { src: string; dst: string; nextHeader: number; hopLimit: number };
  icmpv6?: { type: number; code: number };
  tcp?: { srcPort: number; dstPort: number; flags: number; payload: Buffer };
  udp?: { srcPort: number; dstPort: number; payload: Buffer };
}

const mac = (b: Buffer, o: number) =>
  [...b.subarray(o, o + 6)].map((x) => x.toString(16).padStart(2, '0')).join(':');
const ip4 = (b: Buffer, o: number) => [...b.subarray(o, o + 4)].join('.');
function ip6(b: Buffer, o: number): string {
  const groups: string[] = [];
  for (let i = 0; i < 8; i++) groups.push(b.readUInt16BE(o + i * 2).toString(16));
  // Compress the longest run of zero groups (RFC 5952 §4.2).
  let best = -1;
  let bestLen = 0;
  for (let i = 0; i < 8;) {
    if (groups[i] !== '0') {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === '0') j++;
    if (j - i > bestLen && j - i > 1) {
      best = i;
      bestLen = j - i;
    }
    i = j;
  }
  if (best < 0) return groups.join(':');
  return `${groups.slice(0, best).join(':')}::${groups.slice(best + bestLen).join(':')}`;
}

function l4(frame: DecodedFrame, b: Buffer, off: number, proto: number): void {
  if (proto === 6 && b.length >= off + 20) {
    const dataOff = ((b[off + 12] ?? 0) >> 4) * 4;
    frame.tcp = {
      srcPort: b.readUInt16BE(off),
      dstPort: b.readUInt16BE(off + 2),
      flags: b[off + 13] ?? 0,
      payload: b.subarray(off + dataOff),
    };
  } else if (proto === 17 && b.length >= off + 8) {
    frame.udp = {
      srcPort: b.readUInt16BE(off),
      dstPort: b.readUInt16BE(off + 2),
      payload: b.subarray(off + 8),
    };
  } else if (proto === 58 && b.length >= off + 2) {
    frame.icmpv6 = { type: b[off] ?? 0, code: b[off + 1] ?? 0 };
  }
}

export function decodeFrame(b: Buffer): DecodedFrame | null {
  if (b.length < 14) return null;
  let etherType = b.readUInt16BE(12);
  let off = 14;
  if (etherType === 0x8100 && b.length >= 18) {
    etherType = b.readUInt16BE(16);
    off = 18;
  }
  const frame: DecodedFrame = { dstMac: mac(b, 0), srcMac: mac(b, 6), etherType };
  if (etherType === 0x0806 && b.length >= off + 28) {
    frame.arp = {
      op: b.readUInt16BE(off + 6),
      senderMac: mac(b, off + 8),
      senderIp: ip4(b, off + 14),
      targetMac: mac(b, off + 18),
      targetIp: ip4(b, off + 24),
    };
  } else if (etherType === 0x0800 && b.length >= off + 20) {
    const ihl = ((b[off] ?? 0) & 0x0f) * 4;
    frame.ipv4 = {
      src: ip4(b, off + 12),
      dst: ip4(b, off + 16),
      protocol: b[off + 9] ?? 0,
      ttl: b[off + 8] ?? 0,
    };
    l4(frame, b, off + ihl, frame.ipv4.protocol);
  } else if (etherType === 0x86dd && b.length >= off + 40) {
    frame.ipv6 = {
      src: ip6(b, off + 8),
      dst: ip6(b, off + 24),
      nextHeader: b[off + 6] ?? 0,
      hopLimit: b[off + 7] ?? 0,
    };
    l4(frame, b, off + 40, frame.ipv6.nextHeader);
  }
  return frame;
}
