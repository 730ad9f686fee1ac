// Bounded fuzzing of everything that reads bytes from the network (DESIGN.md §4 layer 2): the
// packet decoder, the AES-GCM opener and the stream framer. Only MemberlistError may escape.
// Any crasher found becomes a file in test/fixtures/crashers and is replayed here forever.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MemberlistError } from '../src/errors.js';
import { decodePacket, encodePacket } from '../src/codec/packet.js';
import { Keyring, open, seal, SealPurpose } from '../src/codec/crypto.js';
import { Framer } from '../src/codec/framer.js';
import { arbPacket } from './arbitraries.js';

function onlyOurErrors(fn: () => unknown): 'ok' | 'rejected' {
  try {
    fn();
    return 'ok';
  } catch (err) {
    expect(err).toBeInstanceOf(MemberlistError);
    return 'rejected';
  }
}

const mutate = (bytes: Uint8Array, edits: [number, number][]): Uint8Array => {
  const b = Uint8Array.from(bytes);
  for (const [pos, val] of edits) if (b.length > 0) b[pos % b.length] = val;
  return b;
};

describe('fuzz', () => {
  it('decodePacket: random bytes only ever raise MemberlistError', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 512 }), (bytes) => {
        expect(['ok', 'rejected']).toContain(onlyOurErrors(() => decodePacket(bytes)));
      }),
      { numRuns: 3000, seed: 7 },
    );
  });

  it('decodePacket: mutated valid packets only ever raise MemberlistError', () => {
    fc.assert(
      fc.property(
        arbPacket,
        fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), {
          minLength: 1,
          maxLength: 6,
        }),
        fc.nat(),
        (p, edits, cut) => {
          const bytes = mutate(encodePacket(p), edits);
          const truncated = bytes.subarray(0, bytes.length === 0 ? 0 : cut % (bytes.length + 1));
          expect(['ok', 'rejected']).toContain(onlyOurErrors(() => decodePacket(bytes)));
          expect(['ok', 'rejected']).toContain(onlyOurErrors(() => decodePacket(truncated)));
        },
      ),
      { numRuns: 2000, seed: 11 },
    );
  });

  it('open: forged or mutated envelopes are always AUTH errors, never plaintext', () => {
    const ring = Keyring.fromSecrets(['fuzz']);
    const sealed = seal(ring, SealPurpose.Packet, Buffer.from('hello'));
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), {
          minLength: 1,
          maxLength: 4,
        }),
        (edits) => {
          const m = mutate(sealed, edits);
          if (Buffer.from(m).equals(sealed)) return;
          expect(onlyOurErrors(() => open(ring, SealPurpose.Packet, m))).toBe('rejected');
        },
      ),
      { numRuns: 1000, seed: 3 },
    );
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), (bytes) => {
        expect(onlyOurErrors(() => open(ring, SealPurpose.Packet, bytes))).toBe('rejected');
      }),
      { numRuns: 1000, seed: 5 },
    );
  });

  it('Framer: arbitrary chunking yields exactly the frames sent; junk only raises MemberlistError', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (junk) => {
        const f = new Framer(128);
        expect(['ok', 'rejected']).toContain(onlyOurErrors(() => f.push(junk)));
        expect(f.pendingBytes).toBeLessThanOrEqual(128 + 4);
      }),
      { numRuns: 1000, seed: 9 },
    );
  });

  it('replays every stored crasher', () => {
    const dir = fileURLToPath(new URL('./fixtures/crashers', import.meta.url));
    const files = existsSync(dir) ? readdirSync(dir) : [];
    for (const f of files) {
      const bytes = Buffer.from(readFileSync(`${dir}/${f}`, 'utf8').trim(), 'hex');
      expect(['ok', 'rejected']).toContain(onlyOurErrors(() => decodePacket(bytes)));
    }
    // The directory ships with at least the proto3 oneof-without-body case found while writing the codec.
    expect(files.length).toBeGreaterThan(0);
  });
});
