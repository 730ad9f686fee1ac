import { describe, expect, it } from 'vitest';
import { decodeFrame } from './decode.ts';
import { netnsSkipReason } from './skip.ts';

describe('decodeFrame', () => {
  it('decodes an ARP request (captured from arping on a veth)', () => {
    const hex =
      'ffffffffffff' +
      '6e5d6b1d4b01' +
      '0806' +
      '0001' +
      '0800' +
      '06' +
      '04' +
      '0001' +
      '6e5d6b1d4b01' +
      'c6336401' +
      '000000000000' +
      'c6336402';
    const f = decodeFrame(Buffer.from(hex, 'hex'));
    expect(f?.etherType).toBe(0x0806);
    expect(f?.arp).toEqual({
      op: 1,
      senderMac: '6e:5d:6b:1d:4b:01',
      senderIp: '198.51.100.1',
      targetMac: '00:00:00:00:00:00',
      targetIp: '198.51.100.2',
    });
  });

  it('decodes an IPv6 neighbour solicitation header and compresses addresses', () => {
    const ip = Buffer.alloc(40 + 24);
    ip[0] = 0x60;
    ip.writeUInt16BE(24, 4);
    ip[6] = 58;
    ip[7] = 255;
    Buffer.from('20010db8010000000000000000000001', 'hex').copy(ip, 8);
    Buffer.from('ff0200000000000000000001ff000002', 'hex').copy(ip, 24);
    ip[40] = 135;
    const frame = Buffer.concat([Buffer.from('3333ff0000026e5d6b1d4b0186dd', 'hex'), ip]);
    const f = decodeFrame(frame);
    expect(f?.ipv6).toEqual({
      src: '2001:db8:100::1',
      dst: 'ff02::1:ff00:2',
      nextHeader: 58,
      hopLimit: 255,
    });
    expect(f?.icmpv6).toEqual({ type: 135, code: 0 });
  });

  it('never throws on short or random input', () => {
    for (let n = 0; n < 200; n++) {
      const b = Buffer.from(Array.from({ length: n % 80 }, (_, i) => (i * 37 + n) & 0xff));
      expect(() => decodeFrame(b)).not.toThrow();
    }
  });
});

describe('netnsSkipReason', () => {
  it('names a missing binary, so a skipped test says why', () => {
    const reason = netnsSkipReason(['ironlb-no-such-binary']);
    expect(reason).toMatch(/ironlb-no-such-binary|root|netns|Linux/);
  });
});
