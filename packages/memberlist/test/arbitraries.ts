// fast-check generators of valid packets, shared by the codec property and fuzz tests.
import fc from 'fast-check';
import { MemberState, WIRE_VERSION } from '../src/codec/messages.js';
import type { Message, NodeStateEntry, Packet } from '../src/codec/messages.js';

const name = fc.string({ minLength: 1, maxLength: 20 });
const u32 = fc.integer({ min: 0, max: 0xffff_ffff });
const addr = fc
  .tuple(fc.integer({ min: 0, max: 255 }), fc.integer({ min: 1, max: 65535 }))
  .map(([o, p]) => `198.51.100.${o}:${p}`);
const meta = fc.dictionary(
  fc.string({ minLength: 1, maxLength: 8 }).filter((k) => k !== '__proto__'),
  fc.string({ maxLength: 16 }),
  { maxKeys: 4 },
);
const nodeState: fc.Arbitrary<NodeStateEntry> = fc.record({
  node: name,
  incarnation: u32,
  addr,
  meta,
  state: fc.constantFrom(
    MemberState.Alive,
    MemberState.Suspect,
    MemberState.Dead,
    MemberState.Left,
  ),
});

export const arbMessage: fc.Arbitrary<Message> = fc.oneof(
  fc.record({ type: fc.constant('ping' as const), seq: u32, target: name }),
  fc.record({
    type: fc.constant('ping' as const),
    seq: u32,
    target: name,
    verify: fc.constant(true),
  }),
  fc.record({
    type: fc.constant('indirect-ping' as const),
    seq: u32,
    target: name,
    targetAddr: addr,
    wantNack: fc.boolean(),
  }),
  fc.record({ type: fc.constant('ack' as const), seq: u32 }),
  fc.record({ type: fc.constant('nack' as const), seq: u32 }),
  fc.record({ type: fc.constant('alive' as const), node: name, incarnation: u32, addr, meta }),
  fc.record({ type: fc.constant('suspect' as const), node: name, incarnation: u32, from: name }),
  fc.record({ type: fc.constant('dead' as const), node: name, incarnation: u32, from: name }),
  fc.record({
    type: fc.constant('push-pull' as const),
    join: fc.boolean(),
    nodes: fc.array(nodeState, { maxLength: 5 }),
  }),
);

export const arbPacket: fc.Arbitrary<Packet> = fc.record({
  version: fc.constant(WIRE_VERSION),
  from: name,
  messages: fc.array(arbMessage, { maxLength: 6 }),
});
