import { describe, expect, it } from 'vitest';
import { BgpError, BgpErrorCode } from '../errors.js';
import {
  AS_TRANS,
  AttrType,
  CapabilityCode,
  ErrorCode,
  HeaderSubcode,
  OpenSubcode,
  UpdateSubcode,
} from './constants.js';
import { BgpFramer } from './framer.js';
import { decodeMessage } from './message.js';
import { encodeNotification, encodeKeepalive, encodeRouteRefresh } from './notification.js';
import { decodeOpenBody, encodeOpenBody } from './open.js';
import { parseCommunity, formatCommunity, parseLargeCommunity } from './communities.js';
import { encodeEndOfRib, encodeFrame, packAnnouncements, packWithdrawals } from './update.js';
import { parsePrefix, formatPrefix } from './prefix.js';
import type { UpdateMessage } from './update.js';

const hex = (s: string) => Buffer.from(s.replace(/\s+/g, ''), 'hex');
const M = 'ffffffffffffffffffffffffffffffff';

function expectBgpError(
  fn: () => unknown,
  code: number,
  subcode: number,
  handling = 'session-reset',
): BgpError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(BgpError);
    const e = err as BgpError;
    expect(e.notification?.code).toBe(code);
    expect(e.notification?.subcode).toBe(subcode);
    expect(e.handling).toBe(handling);
    return e;
  }
  throw new Error('expected a BgpError');
}

function update(attrs: string, nlri = '', withdrawn = ''): Uint8Array {
  const w = hex(withdrawn);
  const a = hex(attrs);
  const n = hex(nlri);
  const body = Buffer.concat([
    Buffer.from([w.length >> 8, w.length & 0xff]),
    w,
    Buffer.from([a.length >> 8, a.length & 0xff]),
    a,
    n,
  ]);
  return encodeFrame(2, body);
}

const ORIGIN = '40 01 01 00';
const ASPATH2 = '40 02 04 02 01 fc 00'; // AS_SEQUENCE [64512] 2-octet
const ASPATH4 = '40 02 06 02 01 00 00 fc 00'; // AS_SEQUENCE [64512] 4-octet
const NH = '40 03 04 c6 33 64 01'; // 198.51.100.1
const NLRI = '18 cb 00 71'; // 203.0.113.0/24

describe('framer', () => {
  it('returns nothing until a frame is complete, then frames across chunk boundaries', () => {
    const f = new BgpFramer();
    const ka = encodeKeepalive();
    const two = Buffer.concat([ka, ka]);
    expect(f.push(two.subarray(0, 10))).toEqual([]);
    expect(f.push(two.subarray(10, 25))).toHaveLength(1);
    expect(f.backlogBytes).toBe(6);
    expect(f.push(two.subarray(25))).toHaveLength(1);
    expect(f.backlogBytes).toBe(0);
  });

  it('rejects a bad marker with 1/1 and a bad length with 1/2', () => {
    expectBgpError(
      () => new BgpFramer().push(hex('00'.repeat(16) + '0013 04')),
      ErrorCode.MessageHeader,
      HeaderSubcode.ConnectionNotSynchronized,
    );
    const e = expectBgpError(
      () => new BgpFramer().push(hex(M + '0012 04')),
      ErrorCode.MessageHeader,
      HeaderSubcode.BadMessageLength,
    );
    expect(Buffer.from(e.notification!.data).toString('hex')).toBe('0012');
  });

  it('caps frame size (4096 until RFC 8654 is negotiated) and backlog size', () => {
    const e = expectBgpError(
      () => new BgpFramer().push(hex(M + '1001 02')),
      ErrorCode.MessageHeader,
      HeaderSubcode.BadMessageLength,
    );
    expect(e.code).toBe(BgpErrorCode.FrameTooLarge);
    expect(new BgpFramer({ maxFrameBytes: 65535 }).push(hex(M + '1001 02'))).toEqual([]);
    const f = new BgpFramer({ maxFrameBytes: 65535, maxBacklogBytes: 100 });
    try {
      f.push(Buffer.alloc(101, 0xff));
      throw new Error('no throw');
    } catch (err) {
      expect((err as BgpError).code).toBe(BgpErrorCode.BacklogOverflow);
    }
  });
});

describe('framer: a header alone is enough to refuse a message (issue 14)', () => {
  // Only the 19 header bytes arrive: the answer must not wait for the body.
  const header = (length: number, type: number) =>
    hex(M + length.toString(16).padStart(4, '0') + type.toString(16).padStart(2, '0'));

  it('a header claiming 4097 or 65535 bytes is 1/2 Bad Message Length before its body arrives', () => {
    for (const length of [4097, 65535]) {
      for (const type of [1, 2, 3, 5]) {
        const f = new BgpFramer(); // 4096: nothing negotiated yet (OpenSent)
        const e = expectBgpError(
          () => f.push(header(length, type)),
          ErrorCode.MessageHeader,
          HeaderSubcode.BadMessageLength,
        );
        expect(e.code).toBe(BgpErrorCode.FrameTooLarge);
        expect(Buffer.from(e.notification!.data).readUInt16BE(0)).toBe(length);
      }
    }
  });

  it('a KEEPALIVE header whose length is not 19 is 1/2 at once; so are short OPEN/UPDATE/NOTIFICATION headers', () => {
    for (const [length, type] of [
      [20, 4],
      [4096, 4],
      [28, 1],
      [22, 2],
      [20, 3],
      [22, 5],
      [18, 2],
    ] as const) {
      expectBgpError(
        () => new BgpFramer({ maxFrameBytes: 65535 }).push(header(length, type)),
        ErrorCode.MessageHeader,
        HeaderSubcode.BadMessageLength,
      );
    }
  });

  it('an OPEN over 4096 is refused even once extended messages are negotiated (RFC 8654 §4)', () => {
    expectBgpError(
      () => new BgpFramer({ maxFrameBytes: 65535 }).push(header(5000, 1)),
      ErrorCode.MessageHeader,
      HeaderSubcode.BadMessageLength,
    );
  });

  it('an unknown type is 1/3 Bad Message Type from the header alone', () => {
    const e = expectBgpError(
      () => new BgpFramer().push(header(19, 9)),
      ErrorCode.MessageHeader,
      HeaderSubcode.BadMessageType,
    );
    expect(Array.from(e.notification!.data)).toEqual([9]);
  });

  it('next() hands out one frame at a time, so the maximum can rise after the KEEPALIVE that completes negotiation', () => {
    const big = packAnnouncements(
      {
        family: 'ipv4',
        attributes: { origin: 0, asPath: [], nextHop: '198.51.100.1' },
        prefixes: Array.from({ length: 1500 }, (_, i) =>
          parsePrefix(`198.18.${i >> 8}.${i & 255}/32`),
        ),
      },
      { fourOctetAs: true },
      65535,
    );
    expect(big).toHaveLength(1);
    expect(big[0]!.length).toBeGreaterThan(4096);
    const f = new BgpFramer();
    f.append(Buffer.concat([encodeKeepalive(), big[0]!]));
    expect(Array.from(f.next() ?? [])).toEqual(Array.from(encodeKeepalive()));
    f.maxFrameBytes = 65535;
    expect(f.next()?.length).toBe(big[0]!.length);
    expect(f.next()).toBeNull();
    // The same bytes with the maximum left at 4096 are refused at the UPDATE's header.
    const g = new BgpFramer();
    g.append(Buffer.concat([encodeKeepalive(), big[0]!.subarray(0, 19)]));
    expect(g.next()).not.toBeNull();
    expect(() => g.next()).toThrow(BgpError);
  });
});

describe('OPEN', () => {
  it('round-trips our OPEN with 4-octet AS, MP v4+v6, route refresh, extended message and GR', () => {
    const body = encodeOpenBody({
      asn: 4200000001,
      holdTimeSec: 90,
      bgpId: '198.51.100.1',
      families: [
        { afi: 1, safi: 1 },
        { afi: 2, safi: 1 },
      ],
      routeRefresh: true,
      extendedMessage: true,
      gracefulRestart: {
        restarting: true,
        notification: true,
        restartTimeSec: 120,
        families: [{ afi: 1, safi: 1, forwardingPreserved: true }],
      },
    });
    const m = decodeMessage(encodeFrame(1, body), { fourOctetAs: false });
    expect(m.type).toBe('open');
    if (m.type !== 'open') return;
    expect(m.myAs).toBe(AS_TRANS);
    expect(m.capabilities.fourOctetAs).toBe(4200000001);
    expect(m.holdTimeSec).toBe(90);
    expect(m.bgpId).toBe('198.51.100.1');
    expect(m.capabilities.multiprotocol).toEqual([
      { afi: 1, safi: 1 },
      { afi: 2, safi: 1 },
    ]);
    expect(m.capabilities.routeRefresh).toBe(true);
    expect(m.capabilities.extendedMessage).toBe(true);
    expect(m.capabilities.gracefulRestart).toEqual({
      restarting: true,
      notification: true,
      restartTimeSec: 120,
      families: [{ afi: 1, safi: 1, forwardingPreserved: true }],
    });
  });

  it('accepts capabilities spread over several parameters, ignores unknown ones, parses ADD-PATH', () => {
    // version 4, AS 64513, hold 180, id 198.51.100.2, three params: MP v4; ADD-PATH v4 rx + FQDN(73); cap 200 unknown
    const params =
      '02 06 01 04 00 01 00 01' + '02 0a 45 04 00 01 01 01 49 02 00 00' + '02 03 c8 01 aa';
    const body = hex(
      '04 fc01 00b4 c6336402' +
        (params.replace(/\s/g, '').length / 2).toString(16).padStart(2, '0') +
        params,
    );
    const m = decodeOpenBody(body);
    expect(m.capabilities.multiprotocol).toEqual([{ afi: 1, safi: 1 }]);
    expect(m.capabilities.addPath).toEqual([{ afi: 1, safi: 1, sendReceive: 1 }]);
    expect(m.capabilities.unknown.map((u) => u.code)).toEqual([CapabilityCode.Fqdn, 200]);
  });

  it('parses RFC 9072 extended optional parameters', () => {
    // Opt Param Len 255, type 255, ext length 0x0009, then param type 2 with 2-byte length 6: MP v6.
    const body = hex('04 fc01 005a c6336402 ff ff 0009 02 0006 01 04 00 02 00 01');
    const m = decodeOpenBody(body);
    expect(m.capabilities.multiprotocol).toEqual([{ afi: 2, safi: 1 }]);
  });

  it('rejects version 3 with 2/1 and an unknown parameter type with 2/4', () => {
    expectBgpError(
      () => decodeOpenBody(hex('03 fc01 005a c6336402 00')),
      ErrorCode.OpenMessage,
      OpenSubcode.UnsupportedVersion,
    );
    expectBgpError(
      () => decodeOpenBody(hex('04 fc01 005a c6336402 03 01 01 00')),
      ErrorCode.OpenMessage,
      OpenSubcode.UnsupportedOptionalParameter,
    );
  });
});

describe('UPDATE decode and RFC 7606', () => {
  it('decodes a plain IPv4 announcement', () => {
    const m = decodeMessage(
      update(ORIGIN + ASPATH2 + NH + '80 04 04 00 00 00 05' + 'c0 08 04 fc 00 00 64', NLRI),
      { fourOctetAs: false },
    ) as UpdateMessage;
    expect(m.nlri.map(formatPrefix)).toEqual(['203.0.113.0/24']);
    expect(m.attributes.asPath).toEqual([{ type: 2, asns: [64512] }]);
    expect(m.attributes.nextHop).toBe('198.51.100.1');
    expect(m.attributes.med).toBe(5);
    expect(m.attributes.communities?.map(formatCommunity)).toEqual(['64512:100']);
    expect(m.treatAsWithdraw).toBe(false);
  });

  it('accepts the extended-length flag on any attribute (FRR does this)', () => {
    const m = decodeMessage(update('50 01 0001 00' + '50 02 0006 02 01 00 00 fc 00' + NH, NLRI), {
      fourOctetAs: true,
    }) as UpdateMessage;
    expect(m.attributes.origin).toBe(0);
    expect(m.attributes.asPath).toEqual([{ type: 2, asns: [64512] }]);
  });

  it('treat-as-withdraw: bad ORIGIN, bad COMMUNITIES length, bad large community length, missing NEXT_HOP', () => {
    for (const attrs of [
      '40 01 01 07' + ASPATH4 + NH,
      ORIGIN + ASPATH4 + NH + 'c0 08 03 00 00 01',
      ORIGIN + ASPATH4 + NH + 'c0 20 0b' + '00'.repeat(11),
      ORIGIN + ASPATH4,
      ORIGIN + '40 02 03 02 02 00' + NH,
      '80 01 01 00' + ASPATH4 + NH,
    ]) {
      const m = decodeMessage(update(attrs, NLRI), { fourOctetAs: true }) as UpdateMessage;
      expect(m.treatAsWithdraw).toBe(true);
      expect(m.nlri).toEqual([]);
      expect(m.withdrawn.map(formatPrefix)).toEqual(['203.0.113.0/24']);
    }
  });

  it('attribute-discard: malformed ATOMIC_AGGREGATE and AGGREGATOR keep the route', () => {
    const m = decodeMessage(
      update(ORIGIN + ASPATH4 + NH + '40 06 01 00' + 'c0 07 03 00 00 00', NLRI),
      { fourOctetAs: true },
    ) as UpdateMessage;
    expect(m.treatAsWithdraw).toBe(false);
    expect(m.nlri).toHaveLength(1);
    expect(m.problems.map((p) => p.handling)).toEqual(['attribute-discard', 'attribute-discard']);
  });

  it('keeps the first copy of a repeated attribute', () => {
    const m = decodeMessage(update(ORIGIN + '40 01 01 02' + ASPATH4 + NH, NLRI), {
      fourOctetAs: true,
    }) as UpdateMessage;
    expect(m.attributes.origin).toBe(0);
    expect(m.nlri).toHaveLength(1);
  });

  it('session reset: attribute overrun, repeated MP_REACH, bad NLRI, unknown well-known attribute', () => {
    expectBgpError(
      () => decodeMessage(update(ORIGIN + '40 02 20 02', NLRI), { fourOctetAs: true }),
      ErrorCode.UpdateMessage,
      UpdateSubcode.AttributeLengthError,
    );
    const mp = '90 0e 0015 0002 01 10 20010db8000000000000000000000001 00';
    expectBgpError(
      () => decodeMessage(update(mp + mp), { fourOctetAs: true }),
      ErrorCode.UpdateMessage,
      UpdateSubcode.MalformedAttributeList,
    );
    expectBgpError(
      () =>
        decodeMessage(update(ORIGIN + ASPATH4 + NH, '21 cb 00 71 00 00'), { fourOctetAs: true }),
      ErrorCode.UpdateMessage,
      UpdateSubcode.InvalidNetworkField,
    );
    expectBgpError(
      () => decodeMessage(update('40 63 00' + ORIGIN), { fourOctetAs: true }),
      ErrorCode.UpdateMessage,
      UpdateSubcode.UnrecognizedWellKnownAttribute,
    );
  });

  it('decodes MP_REACH with 16- and 32-byte IPv6 next hops, and MP_UNREACH', () => {
    const nh16 = '20010db8020000000000000000000001';
    const nh32 = nh16 + 'fe800000000000000000000000000001';
    for (const nh of [nh16, nh32]) {
      const len = nh.length / 2;
      const mpBody = `0002 01 ${len.toString(16).padStart(2, '0')} ${nh} 00 30 20010db80001`;
      const mpLen = hex(mpBody).length;
      const m = decodeMessage(
        update(`80 0e ${mpLen.toString(16).padStart(2, '0')} ${mpBody}` + ORIGIN + ASPATH4),
        { fourOctetAs: true },
      ) as UpdateMessage;
      expect(m.nlri.map(formatPrefix)).toEqual(['2001:db8:1::/48']);
      expect(m.attributes.mpReach?.nextHops[0]).toBe('2001:db8:200::1');
      expect(m.attributes.mpReach?.nextHops).toHaveLength(len / 16);
    }
    const un = decodeMessage(update('80 0f 0a 0002 01 30 20010db80001'), {
      fourOctetAs: true,
    }) as UpdateMessage;
    expect(un.withdrawn.map(formatPrefix)).toEqual(['2001:db8:1::/48']);
  });

  it('MP_REACH with a bad next-hop length is a session reset with 3/9 (RFC 7606 §7.11: the NLRI cannot be located)', () => {
    for (const [hex, attr] of [
      ['80 0e 11 0002 01 05 0102030405 00 30 20010db80001', '800e11'],
      // A 4-byte next hop for IPv6 (what we used to send for ::ffff:a.b.c.d).
      ['80 0e 10 0002 01 04 c6336401 00 30 20010db80001', '800e10'],
    ] as const) {
      let err: unknown;
      try {
        decodeMessage(update(hex + ORIGIN + ASPATH4), { fourOctetAs: true });
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(BgpError);
      expect(err).toMatchObject({
        code: BgpErrorCode.MalformedMessage,
        handling: 'session-reset',
        attributeType: 14,
        notification: { code: 3, subcode: 9 },
      });
      // NOTIFICATION data is the offending attribute (RFC 4271 §6.3).
      expect(
        Buffer.from((err as BgpError).notification!.data)
          .toString('hex')
          .startsWith(attr),
      ).toBe(true);
    }
  });

  it('recognises End-of-RIB for IPv4 and IPv6', () => {
    expect(
      (decodeMessage(encodeEndOfRib('ipv4'), { fourOctetAs: true }) as UpdateMessage).endOfRib,
    ).toBe('ipv4');
    expect(
      (decodeMessage(encodeEndOfRib('ipv6'), { fourOctetAs: true }) as UpdateMessage).endOfRib,
    ).toBe('ipv6');
  });
});

describe('UPDATE encode', () => {
  const attrs = {
    origin: 0,
    asPath: [{ type: 2, asns: [4200000001] }],
    nextHop: '198.51.100.1',
    communities: [parseCommunity('64512:100'), parseCommunity('no-export')],
    largeCommunities: [parseLargeCommunity('64512:1:2')],
  };

  it('uses AS_TRANS in AS_PATH and the real path in AS4_PATH towards a 2-octet peer', () => {
    const [msg] = packAnnouncements(
      { family: 'ipv4', attributes: attrs, prefixes: [parsePrefix('203.0.113.0/24')] },
      { fourOctetAs: false },
      4096,
    );
    const m = decodeMessage(msg!, { fourOctetAs: false }) as UpdateMessage;
    expect(m.attributes.asPath).toEqual([{ type: 2, asns: [AS_TRANS] }]);
    expect(m.attributes.as4Path).toEqual([{ type: 2, asns: [4200000001] }]);
    const m4 = decodeMessage(
      packAnnouncements(
        { family: 'ipv4', attributes: attrs, prefixes: [parsePrefix('203.0.113.0/24')] },
        { fourOctetAs: true },
        4096,
      )[0]!,
      { fourOctetAs: true },
    ) as UpdateMessage;
    expect(m4.attributes.asPath).toEqual([{ type: 2, asns: [4200000001] }]);
    expect(m4.attributes.as4Path).toBeUndefined();
    expect(m4.attributes.communities?.map(formatCommunity)).toEqual(['64512:100', 'NO_EXPORT']);
    expect(m4.attributes.largeCommunities).toEqual([{ global: 64512, local1: 1, local2: 2 }]);
  });

  it('packs many prefixes into messages no larger than the limit, MP_REACH first for IPv6', () => {
    const v6 = Array.from({ length: 2000 }, (_, i) =>
      parsePrefix(`2001:db8:${(i >> 8).toString(16)}:${(i & 0xff).toString(16)}::/64`),
    );
    for (const max of [4096, 65535]) {
      const msgs = packAnnouncements(
        {
          family: 'ipv6',
          attributes: { origin: 0, asPath: [] },
          mpNextHops: ['2001:db8:200::1'],
          prefixes: v6,
        },
        { fourOctetAs: true },
        max,
      );
      expect(msgs.every((b) => b.length <= max)).toBe(true);
      const got = msgs.flatMap((b) =>
        (decodeMessage(b, { fourOctetAs: true }) as UpdateMessage).nlri.map(formatPrefix),
      );
      expect(got).toEqual(v6.map(formatPrefix));
      expect(msgs[0]![19 + 4 + 1]).toBe(AttrType.MpReachNlri);
    }
    const w = packWithdrawals('ipv6', v6, 4096);
    expect(
      w.flatMap((b) =>
        (decodeMessage(b, { fourOctetAs: true }) as UpdateMessage).withdrawn.map(formatPrefix),
      ),
    ).toEqual(v6.map(formatPrefix));
  });
});

describe('UPDATE encode limits', () => {
  const v4 = (communities: number[]) => ({
    family: 'ipv4' as const,
    attributes: { origin: 0, asPath: [], nextHop: '192.0.2.1', communities },
    prefixes: [parsePrefix('203.0.113.0/24')],
  });
  const codeOf = (fn: () => unknown) => {
    try {
      fn();
    } catch (err) {
      return err instanceof BgpError ? err.code : `not a BgpError: ${String(err)}`;
    }
    return 'no error';
  };

  it('attributes that leave less room than one prefix: ENCODE_ERROR, not an endless run of empty UPDATEs', () => {
    // 1013 communities: 4052 + 7 + 23 bytes before the NLRI, room 1..3 < a /24's 4 bytes.
    expect(codeOf(() => packAnnouncements(v4(range(1013)), { fourOctetAs: true }, 4096))).toBe(
      BgpErrorCode.EncodeError,
    );
    expect(
      codeOf(() =>
        packAnnouncements(
          {
            // 1008 communities and a 16-byte next hop: room 5 < a /48's 7 bytes.
            ...v4(range(1008)),
            family: 'ipv6',
            mpNextHops: ['2001:db8::1'],
            prefixes: [parsePrefix('2001:db8::/48')],
          },
          { fourOctetAs: true },
          4096,
        ),
      ),
    ).toBe(BgpErrorCode.EncodeError);
  });

  it('attributes larger than the message: ENCODE_ERROR, not a RangeError', () => {
    expect(codeOf(() => packAnnouncements(v4(range(1100)), { fourOctetAs: true }, 4096))).toBe(
      BgpErrorCode.EncodeError,
    );
    expect(codeOf(() => packWithdrawals('ipv6', [parsePrefix('2001:db8::/48')], 20))).toBe(
      BgpErrorCode.EncodeError,
    );
  });

  it('the largest attribute set that fits still packs every prefix, one UPDATE each at most', () => {
    const prefixes = ['203.0.113.0/24', '198.51.100.0/24'].map(parsePrefix);
    const msgs = packAnnouncements({ ...v4(range(1012)), prefixes }, { fourOctetAs: true }, 4096);
    expect(msgs.every((m) => m.length <= 4096)).toBe(true);
    expect(
      msgs.flatMap((m) => (decodeMessage(m, { fourOctetAs: true }) as UpdateMessage).nlri),
    ).toHaveLength(2);
  });

  it('a 4-octet field out of range is ENCODE_ERROR instead of wrapping (MED 2^32 would be 0)', () => {
    for (const med of [2 ** 32, -1, 1.5]) {
      expect(
        codeOf(() =>
          packAnnouncements(
            { ...v4([]), attributes: { origin: 0, asPath: [], nextHop: '192.0.2.1', med } },
            { fourOctetAs: true },
            4096,
          ),
        ),
      ).toBe(BgpErrorCode.EncodeError);
    }
    expect(
      codeOf(() =>
        packAnnouncements(
          { ...v4([]), attributes: { origin: 0, asPath: [], nextHop: '::ffff:192.0.2.1' } },
          { fourOctetAs: true },
          4096,
        ),
      ),
    ).toBe(BgpErrorCode.EncodeError);
  });
});

function range(n: number): number[] {
  return Array.from({ length: n }, (_, i) => 0x10000 + i);
}

describe('NOTIFICATION, KEEPALIVE, ROUTE-REFRESH', () => {
  it('carries an RFC 9003 shutdown message on Cease/2, truncated to 255 bytes', () => {
    const m = decodeMessage(encodeNotification(6, 2, undefined, 'maintenance ✓'), {
      fourOctetAs: true,
    });
    expect(m).toMatchObject({
      type: 'notification',
      code: 6,
      subcode: 2,
      shutdownMessage: 'maintenance ✓',
    });
    const long = decodeMessage(encodeNotification(6, 2, undefined, 'é'.repeat(200)), {
      fourOctetAs: true,
    });
    expect(
      long.type === 'notification' && Buffer.byteLength(long.shutdownMessage ?? ''),
    ).toBeLessThanOrEqual(255);
  });

  it('KEEPALIVE must be exactly 19 bytes; ROUTE-REFRESH round-trips; unknown type is 1/3', () => {
    expect(decodeMessage(encodeKeepalive(), { fourOctetAs: true })).toEqual({ type: 'keepalive' });
    expectBgpError(
      () => decodeMessage(encodeFrame(4, hex('00')), { fourOctetAs: true }),
      ErrorCode.MessageHeader,
      HeaderSubcode.BadMessageLength,
    );
    expect(decodeMessage(encodeRouteRefresh(2, 1), { fourOctetAs: true })).toEqual({
      type: 'route-refresh',
      afi: 2,
      subtype: 0,
      safi: 1,
    });
    expectBgpError(
      () => decodeMessage(encodeFrame(9, hex('')), { fourOctetAs: true }),
      ErrorCode.MessageHeader,
      HeaderSubcode.BadMessageType,
    );
  });
});

describe('text forms', () => {
  it('parses communities, well-known names and large communities; rejects junk', () => {
    expect(parseCommunity('65535:65281')).toBe(0xffffff01);
    expect(parseCommunity('no-export')).toBe(0xffffff01);
    expect(formatCommunity(0xffff029a)).toBe('BLACKHOLE');
    expect(parseLargeCommunity('4200000001:1:2')).toEqual({
      global: 4200000001,
      local1: 1,
      local2: 2,
    });
    for (const bad of ['65536:1', 'a:b', '1:2:3'])
      expect(() => parseCommunity(bad)).toThrow(BgpError);
    expect(() => parseLargeCommunity('1:2')).toThrow(BgpError);
    expect(formatPrefix(parsePrefix('198.51.100.77/24'))).toBe('198.51.100.0/24');
    expect(() => parsePrefix('198.51.100.0/33')).toThrow(BgpError);
  });
});
