// fast-check generators for Control packets that a correct sender may put on the wire.
import fc from 'fast-check';
import type { AuthSection, ControlPacket } from '../src/index.js';
import { AuthType, State } from '../src/index.js';

const u32 = fc.integer({ min: 0, max: 0xffffffff });

export const authSection: fc.Arbitrary<AuthSection> = fc.oneof(
  fc.record({
    type: fc.constant<number>(AuthType.SimplePassword),
    keyId: fc.integer({ min: 0, max: 255 }),
    password: fc.uint8Array({ minLength: 1, maxLength: 16 }),
  }),
  fc.record({
    type: fc.constantFrom<number>(AuthType.KeyedMd5, AuthType.MeticulousKeyedMd5),
    keyId: fc.integer({ min: 0, max: 255 }),
    sequence: u32,
    digest: fc.uint8Array({ minLength: 16, maxLength: 16 }),
  }),
  fc.record({
    type: fc.constantFrom<number>(AuthType.KeyedSha1, AuthType.MeticulousKeyedSha1),
    keyId: fc.integer({ min: 0, max: 255 }),
    sequence: u32,
    digest: fc.uint8Array({ minLength: 20, maxLength: 20 }),
  }),
);

/** Packets that pass every RFC 5880 §6.8.6 rule. */
export const controlPacket: fc.Arbitrary<ControlPacket> = fc
  .record({
    diag: fc.integer({ min: 0, max: 31 }),
    state: fc.constantFrom<State>(State.AdminDown, State.Down, State.Init, State.Up),
    pf: fc.constantFrom('none', 'poll', 'final'),
    controlPlaneIndependent: fc.boolean(),
    demand: fc.boolean(),
    detectMult: fc.integer({ min: 1, max: 255 }),
    myDiscriminator: fc.integer({ min: 1, max: 0xffffffff }),
    yourDiscriminator: u32,
    desiredMinTxUs: u32,
    requiredMinRxUs: u32,
    requiredMinEchoRxUs: u32,
    auth: fc.option(authSection, { nil: undefined }),
  })
  .map(({ pf, auth, ...p }) => {
    const needsYours = p.state === State.Init || p.state === State.Up;
    return {
      ...p,
      yourDiscriminator: needsYours && p.yourDiscriminator === 0 ? 1 : p.yourDiscriminator,
      poll: pf === 'poll',
      final: pf === 'final',
      ...(auth ? { auth } : {}),
    };
  });
