// Property: the session machine never throws and keeps its invariants under arbitrary event
// sequences, including garbage frames, valid OPEN/KEEPALIVE/UPDATE/NOTIFICATION bytes out of order,
// closes of unknown connections and timers at random times.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { encodeKeepalive, encodeNotification } from '../codec/notification.js';
import { encodeOpenBody } from '../codec/open.js';
import { encodeEndOfRib, encodeFrame, packAnnouncements } from '../codec/update.js';
import { BgpFramer } from '../codec/framer.js';
import { parsePrefix } from '../codec/prefix.js';
import { BgpError, BgpErrorCode } from '../errors.js';
import { DEFAULT_SESSION_CONFIG, initialSessionState, nextDeadline, step } from './session.js';
import type { SessionEvent, SessionState } from './types.js';

const open = (hold: number, asn = 64513) =>
  encodeFrame(
    1,
    encodeOpenBody({
      asn,
      holdTimeSec: hold,
      bgpId: '198.51.100.2',
      families: [{ afi: 1, safi: 1 }],
    }),
  );

const frameArb = fc.oneof(
  fc.constant(open(90)),
  fc.constant(open(3)),
  fc.constant(open(2)),
  fc.constant(open(90, 1)),
  fc.constant(encodeKeepalive()),
  fc.constant(encodeEndOfRib('ipv4')),
  fc.constant(encodeNotification(6, 2, undefined, 'bye')),
  fc.uint8Array({ minLength: 19, maxLength: 60 }),
);

const eventArb: fc.Arbitrary<SessionEvent> = fc.oneof(
  fc.constant<SessionEvent>({ type: 'start' }),
  fc.constant<SessionEvent>({ type: 'stop' }),
  fc.constant<SessionEvent>({ type: 'timer' }),
  fc.integer({ min: 1, max: 4 }).map<SessionEvent>((conn) => ({ type: 'connected', conn })),
  fc.constant<SessionEvent>({ type: 'connect-failed', reason: 'ECONNREFUSED' }),
  fc.integer({ min: 1, max: 4 }).map<SessionEvent>((conn) => ({ type: 'incoming', conn })),
  fc
    .integer({ min: 1, max: 4 })
    .map<SessionEvent>((conn) => ({ type: 'closed', conn, reason: 'x' })),
  fc
    .tuple(fc.integer({ min: 1, max: 4 }), frameArb)
    .map<SessionEvent>(([conn, bytes]) => ({ type: 'frame', conn, bytes })),
  fc.integer({ min: 1, max: 4 }).map<SessionEvent>((conn) => ({ type: 'update-sent', conn })),
  fc.integer({ min: 1, max: 10 }).map<SessionEvent>((subcode) => ({ type: 'reset', subcode })),
);

describe('session machine under random event sequences', () => {
  it('never throws; at most one Established connection; Idle iff stopped with no connections', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(eventArb, fc.integer({ min: 0, max: 200_000 })), { maxLength: 60 }),
        fc.boolean(),
        (events, passive) => {
          let s: SessionState = initialSessionState({
            ...DEFAULT_SESSION_CONFIG,
            localAs: 64512,
            peerAs: 64513,
            routerId: '198.51.100.1',
            passive,
          });
          let now = 0;
          for (const [e, dt] of events) {
            now += dt;
            const r = step(s, e, { now, random: 0.5 });
            s = r.state;
            expect(s.conns.filter((c) => c.phase === 'Established').length).toBeLessThanOrEqual(1);
            expect(new Set(s.conns.map((c) => c.id)).size).toBe(s.conns.length);
            if (s.name === 'Idle') expect(s.conns).toEqual([]);
            const d = nextDeadline(s);
            if (d !== null) expect(Number.isFinite(d)).toBe(true);
            // Every NOTIFICATION we send is followed by closing that connection.
            for (const a of r.actions) {
              if (a.type === 'send' && a.kind === 'notification')
                expect(r.actions).toContainEqual({ type: 'close', conn: a.conn });
            }
          }
        },
      ),
      { numRuns: 500 },
    );
  });
});

/** A session of ours (4-octet AS both ways) in Established on connection 1. */
function establishedState(): SessionState {
  let s = initialSessionState({
    ...DEFAULT_SESSION_CONFIG,
    localAs: 64512,
    peerAs: 64513,
    routerId: '198.51.100.1',
  });
  for (const e of [
    { type: 'start' },
    { type: 'connected', conn: 1 },
    { type: 'frame', conn: 1, bytes: open(90) },
    { type: 'frame', conn: 1, bytes: encodeKeepalive() },
  ] as SessionEvent[])
    s = step(s, e, { now: 0, random: 0.5 }).state;
  expect(s.name).toBe('Established');
  return s;
}

// A valid UPDATE (IPv4 NLRI, COMMUNITIES, MP_REACH IPv6) to mutate.
const updateSeed = Buffer.concat([
  ...packAnnouncements(
    {
      family: 'ipv4',
      attributes: {
        origin: 0,
        asPath: [{ type: 2, asns: [64513] }],
        nextHop: '198.51.100.2',
        communities: [1, 2],
      },
      prefixes: [parsePrefix('203.0.113.0/24')],
    },
    { fourOctetAs: true },
    4096,
  ),
  ...packAnnouncements(
    {
      family: 'ipv6',
      attributes: { origin: 0, asPath: [{ type: 2, asns: [64513] }] },
      mpNextHops: ['2001:db8::2', 'fe80::2'],
      prefixes: [parsePrefix('2001:db8:1::/48')],
    },
    { fourOctetAs: true },
    4096,
  ),
]);

const wireArb = fc.oneof(
  // Random bodies behind a valid header of any message type.
  fc
    .tuple(fc.integer({ min: 0, max: 6 }), fc.uint8Array({ maxLength: 200 }))
    .map(([type, body]) => {
      const len = 19 + body.length;
      return Buffer.concat([
        Buffer.alloc(16, 0xff),
        Buffer.from([len >> 8, len & 0xff, type]),
        body,
      ]);
    }),
  // Mutations of real UPDATEs (header included: bad markers and lengths reach the framer).
  fc
    .array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 6 })
    .map((muts) => {
      const b = Buffer.from(updateSeed);
      for (const [pos, val] of muts) b[pos % b.length] = val;
      return b;
    }),
  // Truncations (the length field fixed up) and raw garbage.
  fc.integer({ min: 19, max: updateSeed.length - 1 }).map((cut) => {
    const b = Buffer.from(updateSeed.subarray(0, cut));
    b.writeUInt16BE(cut, 16);
    return b;
  }),
  fc.uint8Array({ maxLength: 80 }).map((u) => Buffer.from(u)),
);

describe('session machine fuzz: bytes from the wire through the framer and step()', () => {
  it('step() never throws, and every error closes the connection with a NOTIFICATION', () => {
    const base = establishedState();
    fc.assert(
      fc.property(fc.array(wireArb, { minLength: 1, maxLength: 4 }), (chunks) => {
        let s = base;
        const framer = new BgpFramer({ maxFrameBytes: 65535 });
        const events: SessionEvent[] = [];
        for (const chunk of chunks) {
          try {
            for (const f of framer.push(chunk)) events.push({ type: 'frame', conn: 1, bytes: f });
          } catch (err) {
            expect(err).toBeInstanceOf(BgpError);
            events.push({ type: 'decode-error', conn: 1, error: err as BgpError });
            break;
          }
        }
        for (const e of events) {
          const r = step(s, e, { now: 1000, random: 0.5 });
          s = r.state;
          const closed = r.actions.some((a) => a.type === 'close' && a.conn === 1);
          if (!closed) continue;
          // The peer's own NOTIFICATION ends the session without one from us; anything else is an
          // error on our side of the wire and must be answered (RFC 4271 §6).
          if (!r.actions.some((a) => a.type === 'notification-received'))
            expect(r.actions).toContainEqual(
              expect.objectContaining({ type: 'send', conn: 1, kind: 'notification' }),
            );
          break;
        }
      }),
      { numRuns: 3000 },
    );
  });

  it('a decode error without a NOTIFICATION of its own is answered with Cease/0 (RFC 4271 §4.5)', () => {
    const r = step(
      establishedState(),
      { type: 'decode-error', conn: 1, error: new BgpError(BgpErrorCode.MalformedMessage, 'x') },
      { now: 1000, random: 0.5 },
    );
    expect(r.actions).toContainEqual(
      expect.objectContaining({ type: 'notification-sent', conn: 1, code: 6, subcode: 0 }),
    );
    expect(r.actions).toContainEqual({ type: 'close', conn: 1 });
    expect(r.state.conns).toEqual([]);
  });
});
