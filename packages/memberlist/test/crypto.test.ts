import { describe, expect, it } from 'vitest';
import { MemberlistError, MemberlistErrorCode } from '../src/errors.js';
import {
  deriveKey,
  Keyring,
  keyId,
  open,
  seal,
  SealPurpose,
  SEAL_OVERHEAD,
} from '../src/codec/crypto.js';
import { frame, Framer } from '../src/codec/framer.js';

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(MemberlistError);
    return (err as MemberlistError).code;
  }
  return undefined;
}

describe('keys and AES-256-GCM', () => {
  it('derives 32-byte keys from secrets of any length, deterministically', () => {
    const metallbStyle = Buffer.from('0123456789abcdef'); // MetalLB writes 16 random bytes
    const opensslStyle = 'A'.repeat(172); // openssl rand -base64 128
    for (const s of [Buffer.from([1]), metallbStyle, opensslStyle]) {
      const k = deriveKey(s);
      expect(k.length).toBe(32);
      expect(Buffer.from(deriveKey(s)).equals(k)).toBe(true);
    }
    expect(Buffer.from(deriveKey('a')).equals(deriveKey('b'))).toBe(false);
    expect(codeOf(() => deriveKey(''))).toBe(MemberlistErrorCode.InvalidKey);
  });

  it('seals with the primary key and opens with any key of the ring', () => {
    const ring = Keyring.fromSecrets(['old']);
    const sealed = seal(ring, SealPurpose.Packet, Buffer.from('payload'));
    expect(sealed.length).toBe(7 + SEAL_OVERHEAD);
    ring.use(deriveKey('new'));
    expect(keyId(ring.primary)).toBe(keyId(deriveKey('new')));
    expect(Buffer.from(open(ring, SealPurpose.Packet, sealed)).toString()).toBe('payload'); // old key still opens
    const sealedNew = seal(ring, SealPurpose.Packet, Buffer.from('x'));
    const oldOnly = Keyring.fromSecrets(['old']);
    expect(codeOf(() => open(oldOnly, SealPurpose.Packet, sealedNew))).toBe(
      MemberlistErrorCode.Auth,
    );
    ring.remove(deriveKey('old'));
    expect(codeOf(() => open(ring, SealPurpose.Packet, sealed))).toBe(MemberlistErrorCode.Auth);
    expect(codeOf(() => ring.remove(ring.primary))).toBe(MemberlistErrorCode.InvalidKey);
    expect(codeOf(() => ring.add(Buffer.alloc(16)))).toBe(MemberlistErrorCode.InvalidKey);
  });

  it('binds the purpose: a sealed packet does not open as a stream frame', () => {
    const ring = Keyring.fromSecrets(['k']);
    const sealed = seal(ring, SealPurpose.Packet, Buffer.from('p'));
    expect(codeOf(() => open(ring, SealPurpose.Stream, sealed))).toBe(MemberlistErrorCode.Auth);
  });

  it('rejects a flipped bit anywhere', () => {
    const ring = Keyring.fromSecrets(['k']);
    const sealed = seal(ring, SealPurpose.Packet, Buffer.from('some payload'));
    for (let i = 0; i < sealed.length; i++) {
      const t = Buffer.from(sealed);
      t[i] = (t[i] as number) ^ 1;
      expect(codeOf(() => open(ring, SealPurpose.Packet, t))).toBe(MemberlistErrorCode.Auth);
    }
  });
});

describe('stream framer', () => {
  it('returns complete frames and keeps the rest, whatever the chunking', () => {
    const frames = [Buffer.from('a'), Buffer.alloc(0), Buffer.from('hello world')];
    const wire = Buffer.concat(frames.map((b) => frame(b)));
    for (let step = 1; step <= wire.length; step++) {
      const f = new Framer();
      const got: Uint8Array[] = [];
      for (let i = 0; i < wire.length; i += step) got.push(...f.push(wire.subarray(i, i + step)));
      expect(got.map((b) => Buffer.from(b).toString())).toEqual(frames.map((b) => b.toString()));
      expect(f.pendingBytes).toBe(0);
    }
  });

  it('"need more bytes" is an empty result, not an error', () => {
    const f = new Framer();
    expect(f.push(Buffer.from([0, 0]))).toEqual([]);
    expect(f.push(Buffer.from([0, 2, 1]))).toEqual([]);
    expect(f.pendingBytes).toBe(5);
  });

  it('refuses a frame longer than the cap with FRAME_TOO_LARGE', () => {
    const f = new Framer(10);
    expect(codeOf(() => f.push(Buffer.from([0, 0, 0, 11])))).toBe(
      MemberlistErrorCode.FrameTooLarge,
    );
  });
});
