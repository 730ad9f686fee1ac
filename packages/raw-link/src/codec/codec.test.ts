import fc from 'fast-check';
import { isIPv6 } from 'node:net';
import { describe, expect, it } from 'vitest';
import { RawLinkError } from '../errors.js';
import { EtherType, decodeEthernet, encodeEthernet } from './ethernet.js';
import { canonicalIp, formatIPv4, formatIPv6, parseIPv4, parseIPv6 } from './ip.js';
import {
  formatMac,
  ipv6MulticastMac,
  isBroadcastMac,
  isMulticastMac,
  macEquals,
  parseMac,
} from './mac.js';

describe('MAC helpers', () => {
  it('parses and formats both separators', () => {
    expect(formatMac(parseMac('AA-bb-0C-dd-ee-0f'))).toBe('aa:bb:0c:dd:ee:0f');
    expect(isBroadcastMac(parseMac('ff:ff:ff:ff:ff:ff'))).toBe(true);
    expect(isMulticastMac(parseMac('33:33:00:00:00:01'))).toBe(true);
    expect(isMulticastMac(parseMac('02:00:00:00:00:01'))).toBe(false);
  });
  it('rejects malformed text with INVALID', () => {
    for (const bad of ['', 'aa:bb:cc:dd:ee', 'aa:bb:cc:dd:ee:fg', 'aa:bb:cc:dd:ee:ff:00'])
      expect(() => parseMac(bad)).toThrow(
        expect.objectContaining({ name: 'RawLinkError', code: 'INVALID' }),
      );
  });
  it('maps IPv6 multicast groups per RFC 2464 §7', () => {
    expect(formatMac(ipv6MulticastMac(parseIPv6('ff02::1:ff00:1234')))).toBe('33:33:ff:00:12:34');
  });
  it('round-trips any 6 bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 6, maxLength: 6 }), (b) => {
        expect(macEquals(parseMac(formatMac(b)), b)).toBe(true);
      }),
    );
  });
});

describe('Ethernet codec', () => {
  it('pads to the 60-byte minimum and decodes back', () => {
    const f = encodeEthernet(
      parseMac('ff:ff:ff:ff:ff:ff'),
      parseMac('02:00:00:00:00:01'),
      EtherType.ARP,
      new Uint8Array(28).fill(7),
    );
    expect(f.length).toBe(60);
    const d = decodeEthernet(f);
    expect(d.etherType).toBe(EtherType.ARP);
    expect(formatMac(d.src)).toBe('02:00:00:00:00:01');
    expect(d.payload.length).toBe(46);
    expect(d.vlanId).toBeUndefined();
  });
  it('reads one 802.1Q tag', () => {
    const f = Uint8Array.from([...new Array(12).fill(1), 0x81, 0x00, 0x20, 0x0a, 0x08, 0x06, 9, 9]);
    const d = decodeEthernet(f);
    expect(d.vlanId).toBe(10);
    expect(d.etherType).toBe(0x0806);
    expect([...d.payload]).toEqual([9, 9]);
  });
  it('throws only RawLinkError TRUNCATED on short input', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 40 }), (b) => {
        try {
          decodeEthernet(b);
        } catch (e) {
          expect(e).toBeInstanceOf(RawLinkError);
          expect((e as RawLinkError).code).toBe('TRUNCATED');
        }
      }),
      { numRuns: 2000 },
    );
  });
});

describe('IP text', () => {
  it('formats IPv6 per RFC 5952', () => {
    expect(formatIPv6(parseIPv6('2001:DB8:0:0:0:0:0:1'))).toBe('2001:db8::1');
    expect(formatIPv6(parseIPv6('2001:db8:0:1:0:0:0:1'))).toBe('2001:db8:0:1::1');
    expect(formatIPv6(parseIPv6('2001:db8:0:0:1:0:0:1'))).toBe('2001:db8::1:0:0:1');
    expect(formatIPv6(parseIPv6('2001:db8:1:1:1:1:0:1'))).toBe('2001:db8:1:1:1:1:0:1');
    expect(formatIPv6(parseIPv6('::'))).toBe('::');
    // RFC 5952 §5: IPv4-mapped addresses in mixed notation, however they were written.
    expect(formatIPv6(parseIPv6('::ffff:198.51.100.7'))).toBe('::ffff:198.51.100.7');
    expect(formatIPv6(parseIPv6('::ffff:c000:201'))).toBe('::ffff:192.0.2.1');
    expect(formatIPv6(parseIPv6('0:0:0:0:0:FFFF:C000:0201'))).toBe('::ffff:192.0.2.1');
    // Only ::ffff:0:0/96: neighbours keep the hex form.
    expect(formatIPv6(parseIPv6('::fffe:c000:201'))).toBe('::fffe:c000:201');
    expect(formatIPv6(parseIPv6('1::ffff:c000:201'))).toBe('1::ffff:c000:201');
    expect(formatIPv6(parseIPv6('::c000:201'))).toBe('::c000:201');
    expect(canonicalIp('198.51.100.010'.replace('010', '10'))).toBe('198.51.100.10');
  });
  it('rejects malformed addresses with INVALID', () => {
    for (const bad of ['198.51.100', '198.51.100.256', 'fe80::1%eth0', '2001:db8:::1', 'x'])
      expect(() => canonicalIp(bad)).toThrow(expect.objectContaining({ code: 'INVALID' }));
  });
  it('round-trips random IPv4 and IPv6 addresses', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 4, maxLength: 4 }), (b) => {
        expect([...parseIPv4(formatIPv4(b))]).toEqual([...b]);
      }),
    );
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 16, maxLength: 16 }), (b) => {
        const t = formatIPv6(b);
        expect(isIPv6(t)).toBe(true);
        expect([...parseIPv6(t)]).toEqual([...b]);
      }),
    );
  });
});
