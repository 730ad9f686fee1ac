// Stream framing, kept apart from decoding (DESIGN.md §3). RFC 4271 §4.1: every message starts with
// a 16-octet all-ones marker and a 2-octet length (19..4096, or ..65535 after RFC 8654). The framer
// only finds message boundaries; "need more bytes" is the normal result of push() with no frames.
import { BgpError, BgpErrorCode, wireError } from '../errors.js';
import {
  ErrorCode,
  HEADER_LENGTH,
  HeaderSubcode,
  MAX_EXTENDED_MESSAGE_LENGTH,
  MAX_MESSAGE_LENGTH,
} from './constants.js';

export interface FramerOptions {
  /** Largest acceptable message in bytes. Default 4096 (RFC 4271); 65535 once RFC 8654 is negotiated. */
  maxFrameBytes?: number;
  /** Hard cap on buffered-but-unframed bytes. Default 4 × 65535 bytes. */
  maxBacklogBytes?: number;
}

export class BgpFramer {
  private chunks: Buffer[] = [];
  private buffered = 0;
  maxFrameBytes: number;
  readonly maxBacklogBytes: number;

  constructor(options: FramerOptions = {}) {
    this.maxFrameBytes = options.maxFrameBytes ?? MAX_MESSAGE_LENGTH;
    this.maxBacklogBytes = options.maxBacklogBytes ?? 4 * MAX_EXTENDED_MESSAGE_LENGTH;
  }

  get backlogBytes(): number {
    return this.buffered;
  }

  /**
   * Adds bytes; returns every complete frame (header included). Throws BgpError with the RFC 4271
   * §6.1 NOTIFICATION when a header is bad, or BACKLOG_OVERFLOW when the peer outruns the cap.
   */
  push(data: Uint8Array): Buffer[] {
    if (data.length > 0) {
      this.chunks.push(Buffer.from(data.buffer, data.byteOffset, data.byteLength));
      this.buffered += data.length;
    }
    if (this.buffered > this.maxBacklogBytes) {
      throw new BgpError(BgpErrorCode.BacklogOverflow, 'receive backlog over cap', {
        notification: { code: ErrorCode.Cease, subcode: 8, data: new Uint8Array(0) },
        detail: { backlogBytes: this.buffered, maxBacklogBytes: this.maxBacklogBytes },
      });
    }
    const frames: Buffer[] = [];
    if (this.buffered < HEADER_LENGTH) return frames;
    let buf = this.chunks.length === 1 ? (this.chunks[0] as Buffer) : Buffer.concat(this.chunks);
    let off = 0;
    while (buf.length - off >= HEADER_LENGTH) {
      for (let i = 0; i < 16; i++) {
        if (buf[off + i] !== 0xff) {
          throw wireError(
            'marker not all ones',
            ErrorCode.MessageHeader,
            HeaderSubcode.ConnectionNotSynchronized,
          );
        }
      }
      const length = buf.readUInt16BE(off + 16);
      if (length < HEADER_LENGTH || length > this.maxFrameBytes) {
        const err = wireError(
          `bad message length ${length}`,
          ErrorCode.MessageHeader,
          HeaderSubcode.BadMessageLength,
          Uint8Array.of(length >> 8, length & 0xff),
        );
        if (length > this.maxFrameBytes) {
          throw new BgpError(BgpErrorCode.FrameTooLarge, err.message, {
            notification: err.notification!,
            detail: { length, maxFrameBytes: this.maxFrameBytes },
          });
        }
        throw err;
      }
      if (buf.length - off < length) break;
      // Copy so a frame never pins the whole receive buffer.
      frames.push(Buffer.from(buf.subarray(off, off + length)));
      off += length;
    }
    buf = buf.subarray(off);
    this.chunks = buf.length ? [buf] : [];
    this.buffered = buf.length;
    return frames;
  }
}
