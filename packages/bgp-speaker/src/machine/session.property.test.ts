// Property: the session machine never throws and keeps its invariants under arbitrary event
// sequences, including garbage frames, valid OPEN/KEEPALIVE/UPDATE/NOTIFICATION bytes out of order,
// closes of unknown connections and timers at random times.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { encodeKeepalive, encodeNotification } from '../codec/notification.js';
import { encodeOpenBody } from '../codec/open.js';
import { encodeEndOfRib, encodeFrame } from '../codec/update.js';
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
