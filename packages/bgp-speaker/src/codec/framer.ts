// Stream framing, kept apart from decoding (DESIGN.md §3). RFC 4271 §4.1: every message starts with
// a 16-octet all-ones marker and a 2-octet length (19..4096, or ..65535 after RFC 8654). The framer
// only finds message boundaries; "need more bytes" is the normal result (null / no frames).
//
// Headers are checked as soon as their 19 bytes are buffered (checkHeader: marker, length against
// the current maximum, per-type length, type), so a bad header is answered before its body arrives.
// `next()` hands out one frame at a time so the caller can raise `maxFrameBytes` between frames: a
// large UPDATE right behind the KEEPALIVE that completes RFC 8654 negotiation is then accepted,
// while the same length in OpenSent is refused at once.
import { BgpError, BgpErrorCode, wireError } from '../errors.js';
import {
  ErrorCode,
  HEADER_LENGTH,
  HeaderSubcode,
  MAX_EXTENDED_MESSAGE_LENGTH,
  MAX_MESSAGE_LENGTH,
} from './constants.js';
import { checkHeader } from './header.js';

export interface FramerOptions {
  /** Largest acceptable message in bytes. Default 4096 (RFC 4271); 65535 once RFC 8654 is negotiated. */
  maxFrameBytes?: number;
  /** Hard cap on buffered-but-unframed bytes. Default 4 × 65535 bytes. */
  maxBacklogBytes?: number;
}

const EMPTY = new Uint8Array(0);

export class BgpFramer {
  /** Unconsumed bytes are buf[off..]. */
  private buf: Uint8Array = EMPTY;
  private off = 0;
  /** May be raised or lowered between next() calls (per-connection negotiated maximum). */
  maxFrameBytes: number;
  readonly maxBacklogBytes: number;

  constructor(options: FramerOptions = {}) {
    this.maxFrameBytes = options.maxFrameBytes ?? MAX_MESSAGE_LENGTH;
    this.maxBacklogBytes = options.maxBacklogBytes ?? 4 * MAX_EXTENDED_MESSAGE_LENGTH;
  }

  get backlogBytes(): number {
    return this.buf.length - this.off;
  }

  /** Buffers bytes. Throws BACKLOG_OVERFLOW (with Cease/8) when the peer outruns the cap. */
  append(data: Uint8Array): void {
    if (data.length === 0) return;
    const rest = this.buf.length - this.off;
    if (rest + data.length > this.maxBacklogBytes) {
      throw new BgpError(BgpErrorCode.BacklogOverflow, 'receive backlog over cap', {
        notification: { code: ErrorCode.Cease, subcode: 8, data: new Uint8Array(0) },
        detail: { backlogBytes: rest + data.length, maxBacklogBytes: this.maxBacklogBytes },
      });
    }
    if (rest === 0) {
      this.buf = data;
    } else {
      // At most one partial frame is left over between appends, so this copy stays small.
      const merged = new Uint8Array(rest + data.length);
      merged.set(this.buf.subarray(this.off));
      merged.set(data, rest);
      this.buf = merged;
    }
    this.off = 0;
  }

  /**
   * The next complete frame (header included, copied so it never pins the receive buffer), or null
   * when more bytes are needed. Throws BgpError with the RFC 4271 §6.1 NOTIFICATION as soon as a
   * buffered header is bad, whether or not its body has arrived.
   */
  next(): Uint8Array | null {
    const b = this.buf;
    const off = this.off;
    if (b.length - off < HEADER_LENGTH) return null;
    for (let i = 0; i < 16; i++) {
      if (b[off + i] !== 0xff) {
        throw wireError(
          'marker not all ones',
          ErrorCode.MessageHeader,
          HeaderSubcode.ConnectionNotSynchronized,
        );
      }
    }
    const length = ((b[off + 16] as number) << 8) | (b[off + 17] as number);
    checkHeader(b[off + 18] as number, length, this.maxFrameBytes);
    if (b.length - off < length) return null;
    const frame = b.slice(off, off + length);
    this.off = off + length;
    if (this.off === b.length) {
      this.buf = EMPTY;
      this.off = 0;
    }
    return frame;
  }

  /** append() then every complete frame at the current maximum (for tools reading a capture). */
  push(data: Uint8Array): Uint8Array[] {
    this.append(data);
    const frames: Uint8Array[] = [];
    for (let f = this.next(); f; f = this.next()) frames.push(f);
    return frames;
  }
}
