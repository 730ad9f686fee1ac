// Shared helpers of the machine tests: a remote's packet, the packets a step sent, and a session
// driven into a given state by packets.
import { State, initialSessionState, step } from '../src/index.js';
import type { ControlPacket, SessionState } from '../src/index.js';
import { config } from './pair.js';

export const half = () => 0.5;

export function remote(p: Partial<ControlPacket> = {}): ControlPacket {
  return {
    diag: 0,
    state: State.Down,
    poll: false,
    final: false,
    controlPlaneIndependent: false,
    demand: false,
    detectMult: 3,
    myDiscriminator: 0x7777,
    yourDiscriminator: 1,
    desiredMinTxUs: 300_000,
    requiredMinRxUs: 300_000,
    requiredMinEchoRxUs: 0,
    ...p,
  };
}

export const sends = (r: ReturnType<typeof step>) =>
  r.actions.filter((a) => a.type === 'send').map((a) => (a as { packet: ControlPacket }).packet);

/** A session driven into `state` by packets (Init: one Down; Up: Down then Init). */
export function inState(state: State, now = 0): SessionState {
  let s = initialSessionState(config(), now);
  if (state === State.AdminDown) return step(s, { type: 'admin-down' }, now, half).state;
  if (state === State.Down) return s;
  s = step(s, { type: 'packet', packet: remote({ state: State.Down }) }, now, half).state;
  if (state === State.Init) return s;
  return step(s, { type: 'packet', packet: remote({ state: State.Init }) }, now, half).state;
}
