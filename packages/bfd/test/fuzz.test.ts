// Bounded fuzzing of everything that reads bytes from the network (DESIGN.md §4 layer 2): the
// Control packet decoder, and the manager's receive path behind it. Only BfdError may escape the
// decoder; the manager must swallow everything. A crasher found becomes a regression case here.
import fc from 'fast-check';
import { ManualClock, seededRandom } from '@ironlb/clock/testing';
import { describe, expect, it } from 'vitest';
import {
  BfdError,
  checkControl,
  createBfdManager,
  decodeControl,
  encodeControl,
} from '../src/index.js';
import { MemoryBfdNetwork } from '../src/testing/index.js';
import { controlPacket } from './arbitraries.js';

function onlyOurErrors(bytes: Uint8Array): 'ok' | 'rejected' {
  let result: 'ok' | 'rejected';
  try {
    decodeControl(bytes);
    result = 'ok';
  } catch (err) {
    expect(err).toBeInstanceOf(BfdError);
    expect((err as BfdError).reason).toBeDefined();
    result = 'rejected';
  }
  // The allocation-free check agrees with the decoder.
  expect(checkControl(bytes) === null).toBe(result === 'ok');
  return result;
}

const mutate = (bytes: Uint8Array, edits: [number, number][]): Uint8Array => {
  const b = Uint8Array.from(bytes);
  for (const [pos, val] of edits) if (b.length > 0) b[pos % b.length] = val;
  return b;
};

const edits = fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), {
  minLength: 1,
  maxLength: 6,
});

describe('fuzz', () => {
  it('random bytes only ever raise BfdError', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 80 }), (bytes) => {
        onlyOurErrors(bytes);
      }),
      { numRuns: 5000, seed: 7 },
    );
  });

  it('random bytes with a plausible header (version 1, Length = size) only ever raise BfdError', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 24, maxLength: 60 }), (raw) => {
        const b = Uint8Array.from(raw);
        b[0] = (1 << 5) | (b[0]! & 0x1f);
        b[3] = b.length;
        onlyOurErrors(b);
      }),
      { numRuns: 5000, seed: 8 },
    );
  });

  it('mutated and truncated valid packets only ever raise BfdError', () => {
    fc.assert(
      fc.property(controlPacket, edits, fc.nat(), (p, e, cut) => {
        const bytes = mutate(encodeControl(p), e);
        onlyOurErrors(bytes);
        onlyOurErrors(bytes.subarray(0, cut % (bytes.length + 1)));
      }),
      { numRuns: 3000, seed: 11 },
    );
  });

  it('the manager survives anything on its port and keeps its session Up', async () => {
    const clock = new ManualClock(0);
    const net = new MemoryBfdNetwork(clock, { latencyMs: 1 });
    const a = createBfdManager({
      clock,
      random: seededRandom(1),
      transport: net.transport(['198.51.100.1']),
    });
    const b = createBfdManager({
      clock,
      random: seededRandom(2),
      transport: net.transport(['198.51.100.2']),
    });
    await a.addSession({ peerAddress: '198.51.100.2' });
    await b.addSession({ peerAddress: '198.51.100.1' });
    clock.advance(3_000);
    expect(a.sessions()[0]!.state).toBe('Up');
    const yours = a.sessions()[0]!.localDiscriminator;
    fc.assert(
      fc.property(controlPacket, edits, fc.boolean(), (p, e, spoofed) => {
        // Aim at the real session half of the time: our discriminator, from a stranger's address.
        const bytes = mutate(
          encodeControl({ ...p, yourDiscriminator: spoofed ? yours : p.yourDiscriminator }),
          e,
        );
        net.inject({
          from: '203.0.113.9',
          fromPort: 50000,
          to: '198.51.100.1',
          toPort: 3784,
          bytes,
        });
        clock.advance(1);
      }),
      { numRuns: 2000, seed: 13 },
    );
    expect(a.sessions()[0]!.state).toBe('Up');
    expect(a.sessions()[0]!.downEvents).toBe(0);
    const dropped = Object.values(a.stats().packetsDropped).reduce((x, y) => x + y, 0);
    expect(dropped).toBe(2000);
    await a.close();
    await b.close();
  });
});
