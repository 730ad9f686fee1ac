/**
 * Stream framing (DESIGN.md §3: framing is not decoding). A frame on a TCP stream is a 4-byte
 * big-endian length followed by that many bytes (a sealed or plain Packet). push() returns the
 * complete frames so far and keeps the rest; "need more bytes" is an empty array, never an error.
 * A length beyond the cap throws FRAME_TOO_LARGE so a peer cannot make us buffer without bound.
 *
 * The bytes of an incomplete frame are kept as the chunks they arrived in and copied once, when
 * the frame completes (issue 14: concatenating the backlog on every chunk made a peer trickling a
 * 4 MiB frame cost O(n²) copying and stalled the event loop). `copiedBytes` counts the copies so
 * tests can assert the bound.
 */
import { MemberlistError, MemberlistErrorCode } from '../errors.js';

/** Default cap: 4 MiB holds a push/pull of the largest member table (see LIMITS.pushPullBytes). */
export const DEFAULT_MAX_FRAME_BYTES = 4 * 1024 * 1024;

/** Length prefix + payload. */
export function frame(payload: Uint8Array): Uint8Array {
  const out = new Uint8Array(4 + payload.length);
  new DataView(out.buffer).setUint32(0, payload.length, false);
  out.set(payload, 4);
  return out;
}

export class Framer {
  private readonly head = new Uint8Array(4);
  private headLen = 0;
  /** Length of the frame being read; -1 while the 4-byte prefix is incomplete. */
  private want = -1;
  private chunks: Uint8Array[] = [];
  private got = 0;
  private copied = 0;

  /** `maxFrameBytes` may be lowered between frames with `limitNext` (stream headers). */
  constructor(private maxFrameBytes: number = DEFAULT_MAX_FRAME_BYTES) {}

  /** Bytes held waiting for the rest of a frame (never more than the cap + 4). */
  get pendingBytes(): number {
    return this.headLen + this.got;
  }

  /** Length announced by the frame being read, or -1 while its prefix is incomplete. */
  get announcedBytes(): number {
    return this.want;
  }

  /** Bytes copied so far: each completed frame once, nothing per chunk. */
  get copiedBytes(): number {
    return this.copied;
  }

  /** Sets the cap for frames whose length prefix has not been read yet. */
  limitNext(maxFrameBytes: number): void {
    this.maxFrameBytes = maxFrameBytes;
  }

  /**
   * Consumes a chunk. Complete frames are returned, or — when `each` is given — handed to it one by
   * one as they complete, before the next length prefix is read (so `each` may call limitNext).
   */
  push(chunk: Uint8Array, each?: (frame: Uint8Array) => void): Uint8Array[] {
    const out: Uint8Array[] = [];
    let off = 0;
    while (off < chunk.length) {
      if (this.want < 0) {
        const n = Math.min(4 - this.headLen, chunk.length - off);
        this.head.set(chunk.subarray(off, off + n), this.headLen);
        this.headLen += n;
        off += n;
        if (this.headLen < 4) break;
        const len = new DataView(this.head.buffer).getUint32(0, false);
        if (len > this.maxFrameBytes)
          throw new MemberlistError(MemberlistErrorCode.FrameTooLarge, 'stream frame too large', {
            length: len,
            max: this.maxFrameBytes,
          });
        this.want = len;
      }
      const n = Math.min(this.want - this.got, chunk.length - off);
      if (n > 0) {
        // A view, not a copy: the chunk stays referenced until the frame completes.
        this.chunks.push(chunk.subarray(off, off + n));
        this.got += n;
        off += n;
      }
      if (this.got < this.want) break;
      const f = this.complete();
      if (each === undefined) out.push(f);
      else each(f);
    }
    return out;
  }

  private complete(): Uint8Array {
    const body = new Uint8Array(this.want);
    let at = 0;
    for (const c of this.chunks) {
      body.set(c, at);
      at += c.length;
    }
    this.copied += body.length;
    this.chunks = [];
    this.got = 0;
    this.want = -1;
    this.headLen = 0;
    return body;
  }
}
