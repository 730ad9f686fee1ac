/**
 * Stream framing (DESIGN.md §3: framing is not decoding). A frame on a TCP stream is a 4-byte
 * big-endian length followed by that many bytes (a sealed or plain Packet). push() returns the
 * complete frames so far and keeps the rest; "need more bytes" is an empty array, never an error.
 * A length beyond the cap throws FRAME_TOO_LARGE so a peer cannot make us buffer without bound.
 */
import { MemberlistError, MemberlistErrorCode } from '../errors.js';

/** Default cap: 4 MiB holds a push/pull of ~10k members with full metadata. */
export const DEFAULT_MAX_FRAME_BYTES = 4 * 1024 * 1024;

export function frame(payload: Uint8Array): Buffer {
  const head = Buffer.alloc(4);
  head.writeUInt32BE(payload.length, 0);
  return Buffer.concat([head, payload]);
}

export class Framer {
  private backlog: Buffer = Buffer.alloc(0);

  constructor(private readonly maxFrameBytes: number = DEFAULT_MAX_FRAME_BYTES) {}

  /** Bytes held waiting for the rest of a frame (never more than maxFrameBytes + 4). */
  get pendingBytes(): number {
    return this.backlog.length;
  }

  push(chunk: Uint8Array): Buffer[] {
    this.backlog =
      this.backlog.length === 0 ? Buffer.from(chunk) : Buffer.concat([this.backlog, chunk]);
    const out: Buffer[] = [];
    for (;;) {
      if (this.backlog.length < 4) break;
      const len = this.backlog.readUInt32BE(0);
      if (len > this.maxFrameBytes)
        throw new MemberlistError(MemberlistErrorCode.FrameTooLarge, 'stream frame too large', {
          length: len,
          max: this.maxFrameBytes,
        });
      if (this.backlog.length < 4 + len) break;
      out.push(Buffer.from(this.backlog.subarray(4, 4 + len)));
      this.backlog = this.backlog.subarray(4 + len);
    }
    return out;
  }
}
