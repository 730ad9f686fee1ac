// Helpers shared by the machine-level tests.
import { MemberState } from '../src/codec/messages.js';
import type { Message, Packet } from '../src/codec/messages.js';
import type { MembershipMachine } from '../src/machine/machine.js';

export const pkt = (from: string, ...messages: Message[]): Packet => ({
  version: 1,
  from,
  messages,
});

/** Admits `peers` the trusted way: in the reply of a seed we joined through. */
export function admitThroughJoin(
  m: MembershipMachine,
  peers: string[],
  now = 0,
  incarnation = 1,
): void {
  const out = m.handle({ type: 'join', seeds: ['addr-seed'], id: 1 }, now);
  const open = out.find((a) => a.type === 'stream-open');
  if (open?.type !== 'stream-open') throw new Error('no join stream');
  const nodes = peers.map((p) => ({
    node: p,
    incarnation,
    addr: `addr-${p}`,
    meta: {},
    state: MemberState.Alive,
  }));
  m.handle(
    {
      type: 'stream-result',
      token: open.token,
      packet: pkt('seed', { type: 'push-pull', join: false, nodes }),
    },
    now,
  );
}
