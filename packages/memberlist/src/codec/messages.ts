/**
 * Typed wire messages. The codec maps these to and from the protobuf schema in memberlist.proto;
 * the state machine only ever sees these plain objects.
 */

/** Current wire version (Packet.version). Bump only for incompatible changes. */
export const WIRE_VERSION = 1;

/** Member state as carried in push/pull NodeState.state. Append-only wire enum. */
export const MemberState = {
  Alive: 0,
  Suspect: 1,
  Dead: 2,
  Left: 3,
} as const;
export type MemberState = (typeof MemberState)[keyof typeof MemberState];

export type Meta = Readonly<Record<string, string>>;

export interface PingMsg {
  type: 'ping';
  seq: number;
  target: string;
  /** A verification ping of a member heard of second hand: answered with a bare ack. */
  verify?: boolean;
}
export interface IndirectPingMsg {
  type: 'indirect-ping';
  seq: number;
  target: string;
  targetAddr: string;
  wantNack: boolean;
}
export interface AckMsg {
  type: 'ack';
  seq: number;
}
export interface NackMsg {
  type: 'nack';
  seq: number;
}
export interface AliveMsg {
  type: 'alive';
  node: string;
  incarnation: number;
  addr: string;
  meta: Meta;
}
export interface SuspectMsg {
  type: 'suspect';
  node: string;
  incarnation: number;
  from: string;
}
export interface DeadMsg {
  type: 'dead';
  node: string;
  incarnation: number;
  from: string;
}
export interface NodeStateEntry {
  node: string;
  incarnation: number;
  addr: string;
  meta: Meta;
  state: MemberState;
}
export interface PushPullMsg {
  type: 'push-pull';
  join: boolean;
  nodes: NodeStateEntry[];
}

export type Message =
  PingMsg | IndirectPingMsg | AckMsg | NackMsg | AliveMsg | SuspectMsg | DeadMsg | PushPullMsg;

/** Gossip (piggybacked, retransmit-limited) messages: the three SWIM membership updates. */
export type GossipMsg = AliveMsg | SuspectMsg | DeadMsg;

export interface Packet {
  version: number;
  from: string;
  messages: Message[];
}
