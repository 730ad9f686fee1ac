// step() must not throw even when the decoder fails in a way nobody planned for (a TypeError, a
// BgpError without NOTIFICATION): the connection is closed with Cease/0 instead (RFC 4271 §4.5).
import { describe, expect, it, vi } from 'vitest';
import { encodeKeepalive } from '../codec/notification.js';
import { encodeOpenBody } from '../codec/open.js';
import { encodeFrame } from '../codec/update.js';
import { DEFAULT_SESSION_CONFIG, initialSessionState, step } from './session.js';
import type { SessionEvent, SessionState } from './types.js';

const boom = vi.hoisted(() => ({ on: false }));
vi.mock('../codec/message.js', async (importOriginal) => {
  const m = await importOriginal<typeof import('../codec/message.js')>();
  return {
    ...m,
    decodeMessage: (...args: Parameters<typeof m.decodeMessage>) => {
      if (boom.on) throw new TypeError('decoder bug');
      return m.decodeMessage(...args);
    },
  };
});

describe('step() with a decoder that throws something unexpected', () => {
  it('closes that connection with Cease/0 and does not throw', () => {
    let s: SessionState = initialSessionState({
      ...DEFAULT_SESSION_CONFIG,
      localAs: 64512,
      peerAs: 64513,
      routerId: '198.51.100.1',
    });
    const open = encodeFrame(
      1,
      encodeOpenBody({ asn: 64513, holdTimeSec: 90, bgpId: '198.51.100.2', families: [] }),
    );
    for (const e of [
      { type: 'start' },
      { type: 'connected', conn: 1 },
      { type: 'frame', conn: 1, bytes: open },
      { type: 'frame', conn: 1, bytes: encodeKeepalive() },
    ] as SessionEvent[])
      s = step(s, e, { now: 0, random: 0.5 }).state;
    expect(s.name).toBe('Established');
    boom.on = true;
    const r = step(
      s,
      { type: 'frame', conn: 1, bytes: encodeKeepalive() },
      { now: 1, random: 0.5 },
    );
    boom.on = false;
    expect(r.actions).toContainEqual(
      expect.objectContaining({ type: 'notification-sent', conn: 1, code: 6, subcode: 0 }),
    );
    expect(r.actions).toContainEqual({ type: 'close', conn: 1 });
    expect(r.state.name).toBe('Active');
  });
});
