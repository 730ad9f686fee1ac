// A driver for the pure session machine in unit tests: feeds events at a manual time and keeps
// the actions. Test support only (not exported from the package).
import { decodeMessage } from '../codec/message.js';
import { encodeKeepalive } from '../codec/notification.js';
import { encodeOpenBody } from '../codec/open.js';
import type { GracefulRestartCapability } from '../codec/open.js';
import { encodeFrame } from '../codec/update.js';
import { DEFAULT_SESSION_CONFIG, initialSessionState, nextDeadline, step } from './session.js';
import type { SessionAction, SessionConfig, SessionEvent, SessionState } from './types.js';

export const cfg: SessionConfig = {
  ...DEFAULT_SESSION_CONFIG,
  localAs: 64512,
  peerAs: 64513,
  routerId: '198.51.100.1',
  holdTimeSec: 9,
  connectRetrySec: 120,
};

export function peerOpen(
  o: { asn?: number; hold?: number; id?: string; gracefulRestart?: GracefulRestartCapability } = {},
): Uint8Array {
  return encodeFrame(
    1,
    encodeOpenBody({
      asn: o.asn ?? 64513,
      holdTimeSec: o.hold ?? 90,
      bgpId: o.id ?? '198.51.100.2',
      families: [
        { afi: 1, safi: 1 },
        { afi: 2, safi: 1 },
      ],
      ...(o.gracefulRestart ? { gracefulRestart: o.gracefulRestart } : {}),
    }),
  );
}

export class Harness {
  s: SessionState;
  now = 0;
  rnd = 0.5;
  log: SessionAction[] = [];
  constructor(c: Partial<SessionConfig> = {}) {
    this.s = initialSessionState({ ...cfg, ...c });
  }
  ev(e: SessionEvent): SessionAction[] {
    const r = step(this.s, e, { now: this.now, random: this.rnd });
    this.s = r.state;
    this.log.push(...r.actions);
    return r.actions;
  }
  advance(ms: number): SessionAction[] {
    const out: SessionAction[] = [];
    const end = this.now + ms;
    for (let d = nextDeadline(this.s); d !== null && d <= end; d = nextDeadline(this.s)) {
      this.now = d;
      out.push(...this.ev({ type: 'timer' }));
    }
    this.now = end;
    return out;
  }
  sent(actions: SessionAction[], kind?: string) {
    return actions.filter(
      (a): a is Extract<SessionAction, { type: 'send' }> =>
        a.type === 'send' && (!kind || a.kind === kind),
    );
  }
  notification(actions: SessionAction[]) {
    const n = this.sent(actions, 'notification')[0];
    return n ? decodeMessage(n.bytes, { fourOctetAs: true }) : undefined;
  }
  establish(conn = 1, open: Uint8Array = peerOpen()): void {
    if (!this.s.running) this.ev({ type: 'start' });
    this.ev({ type: 'connected', conn });
    this.ev({ type: 'frame', conn, bytes: open });
    this.ev({ type: 'frame', conn, bytes: encodeKeepalive() });
  }
}
