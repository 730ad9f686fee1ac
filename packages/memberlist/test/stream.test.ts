// Issue 14 "memory before authentication" at the codec: what a stream can make us hold before it
// has proven anything, and that a trickled frame is copied once, not once per chunk.
import { describe, expect, it } from 'vitest';
import { Keyring, STREAM_HEADER_BYTES, streamGuard } from '../src/codec/crypto.js';
import { frame, Framer } from '../src/codec/framer.js';
import { encodeStreamMessage, StreamMessageReader } from '../src/codec/stream.js';
import { MemberlistError, MemberlistErrorCode } from '../src/errors.js';

const MiB = 1024 * 1024;

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(MemberlistError);
    return (err as MemberlistError).code;
  }
  return undefined;
}

/** Feeds `bytes` in chunks of `size`; returns the body or the error code, and bytes fed. */
function feed(
  r: StreamMessageReader,
  bytes: Uint8Array,
  size: number,
): { body: Uint8Array | null; code?: string; fed: number; peakPending: number } {
  let peakPending = 0;
  for (let i = 0; i < bytes.length; i += size) {
    let body: Uint8Array | null;
    try {
      body = r.push(bytes.subarray(i, i + size));
    } catch (err) {
      return { body: null, code: (err as MemberlistError).code, fed: i + size, peakPending };
    }
    peakPending = Math.max(peakPending, r.pendingBytes);
    if (body !== null) return { body, fed: Math.min(bytes.length, i + size), peakPending };
  }
  return { body: null, fed: bytes.length, peakPending };
}

describe('Framer: no copy per chunk', () => {
  it('a 256 KiB frame trickled one byte at a time is copied exactly once', () => {
    const payload = new Uint8Array(256 * 1024).map((_, i) => i & 0xff);
    const wire = frame(payload);
    const f = new Framer();
    const got: Uint8Array[] = [];
    for (let i = 0; i < wire.length; i++) got.push(...f.push(wire.subarray(i, i + 1)));
    expect(got).toHaveLength(1);
    expect(Buffer.from(got[0] as Uint8Array).equals(payload)).toBe(true);
    expect(f.copiedBytes).toBe(payload.length); // was Σ backlog per chunk: ~34 GB copied here
  });

  it('a 4 MiB frame in 1 KiB chunks: copied once, pending never above the frame', () => {
    const wire = frame(new Uint8Array(4 * MiB));
    const f = new Framer();
    let peak = 0;
    for (let i = 0; i < wire.length; i += 1024) {
      f.push(wire.subarray(i, i + 1024));
      peak = Math.max(peak, f.pendingBytes);
    }
    expect(f.copiedBytes).toBe(4 * MiB);
    expect(peak).toBeLessThanOrEqual(4 * MiB + 4);
    expect(f.pendingBytes).toBe(0);
  });
});

describe('stream messages with a keyring: the header authenticates first', () => {
  const ring = Keyring.fromSecrets(['stream secret']);
  const guard = streamGuard(ring);
  const body = new Uint8Array(100_000).fill(7);

  it('round-trips whatever the chunking, header and body in one chunk or byte by byte', () => {
    const wire = encodeStreamMessage(body, guard);
    expect(wire.length).toBe(4 + STREAM_HEADER_BYTES + 4 + body.length);
    for (const size of [1, 7, 37, 4096, wire.length]) {
      const r = new StreamMessageReader(4 * MiB, guard);
      const out = feed(r, wire, size);
      expect(out.code).toBeUndefined();
      expect(out.body?.length).toBe(body.length);
    }
  });

  it('a stranger announcing a 4 MiB frame is refused after its 4-byte length prefix', () => {
    const r = new StreamMessageReader(4 * MiB, guard);
    const wire = frame(new Uint8Array(4 * MiB));
    const out = feed(r, wire, 1);
    expect(out.code).toBe(MemberlistErrorCode.FrameTooLarge);
    expect(out.fed).toBe(4);
    expect(out.peakPending).toBeLessThanOrEqual(4);
  });

  it('a header sealed with another key is refused after 4 + 33 bytes, before any body byte', () => {
    const other = streamGuard(Keyring.fromSecrets(['some other secret']));
    const wire = encodeStreamMessage(body, other);
    const r = new StreamMessageReader(4 * MiB, guard);
    const out = feed(r, wire, 1);
    expect(out.code).toBe(MemberlistErrorCode.Auth);
    expect(out.fed).toBe(4 + STREAM_HEADER_BYTES);
    expect(r.authenticated).toBe(false);
  });

  it('a body of another length than its header announced is AUTH', () => {
    const wire = encodeStreamMessage(body, guard);
    const lying = new Uint8Array(wire.length);
    lying.set(wire);
    // Rewrite the body's own length prefix to 10 bytes.
    new DataView(lying.buffer).setUint32(4 + STREAM_HEADER_BYTES, 10, false);
    const r = new StreamMessageReader(4 * MiB, guard);
    expect(codeOf(() => r.push(lying))).toBe(MemberlistErrorCode.Auth);
  });

  it('an authenticated header may not announce more than the cap', () => {
    const wire = encodeStreamMessage(new Uint8Array(2048), guard);
    const r = new StreamMessageReader(1024, guard);
    expect(codeOf(() => r.push(wire))).toBe(MemberlistErrorCode.FrameTooLarge);
  });

  it('without a keyring a message is one plain frame', () => {
    const wire = encodeStreamMessage(body, null);
    expect(wire.length).toBe(4 + body.length);
    const out = feed(new StreamMessageReader(4 * MiB, null), wire, 999);
    expect(out.body?.length).toBe(body.length);
  });
});
