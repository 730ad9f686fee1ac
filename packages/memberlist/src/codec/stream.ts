/**
 * One message each way on a TCP stream (join, push/pull, TCP ping), with the bytes a peer can make
 * us hold before it has proven anything kept small (issue 14).
 *
 * Without a keyring a message is one frame: [u32 length][packet]. With a keyring it is two: a
 * short sealed header announcing the body's length, then the sealed body:
 *
 *   [u32 33][sealed(u32 bodyLength)] [u32 bodyLength][sealed(packet)]
 *
 * AES-GCM authenticates a frame only once all of it has arrived, so a stranger announcing a 4 MiB
 * frame and trickling bytes could otherwise make us buffer 4 MiB per connection before the tag
 * fails. The header is at most `headerBytes` long and must authenticate before a single body byte
 * is accepted: a peer without the key costs at most 4 + 33 bytes and is then dropped. A replayed
 * header (captured from a real member) buys at most one body of the announced length, which the
 * transport's total-buffer and deadline bounds cover.
 */
import { MemberlistError, MemberlistErrorCode } from '../errors.js';
import { frame, Framer } from './framer.js';

/** Authenticates a stream's first bytes before its body is buffered. */
export interface StreamGuard {
  /** Largest header frame, bytes; a longer first frame is refused from its length prefix alone. */
  readonly headerBytes: number;
  /** The header frame's payload announcing a body of `bodyBytes`. */
  sealHeader(bodyBytes: number): Uint8Array;
  /** The body length a header announces; throws MemberlistError AUTH if it does not authenticate. */
  openHeader(header: Uint8Array): number;
}

/** The bytes to write for one message. */
export function encodeStreamMessage(body: Uint8Array, guard: StreamGuard | null): Uint8Array {
  if (guard === null) return frame(body);
  const head = frame(guard.sealHeader(body.length));
  const out = new Uint8Array(head.length + 4 + body.length);
  out.set(head, 0);
  out.set(frame(body), head.length);
  return out;
}

/**
 * Reads one message from a stream's chunks. push() returns the body once complete, null while more
 * bytes are needed, and throws MemberlistError FRAME_TOO_LARGE (a length over the cap) or AUTH (a
 * header that does not authenticate, or a body of another length than its header announced).
 */
export class StreamMessageReader {
  private readonly framer: Framer;
  /** Body length announced by an authenticated header; -1 before (or without a guard). */
  private announced = -1;
  private body: Uint8Array | null = null;

  constructor(
    private readonly maxBodyBytes: number,
    private readonly guard: StreamGuard | null,
  ) {
    this.framer = new Framer(guard === null ? maxBodyBytes : guard.headerBytes);
  }

  /** Bytes held for an incomplete frame. */
  get pendingBytes(): number {
    return this.framer.pendingBytes;
  }

  /** Bytes the current frame announced (-1 while its prefix is incomplete). */
  get announcedBytes(): number {
    return this.framer.announcedBytes;
  }

  get copiedBytes(): number {
    return this.framer.copiedBytes;
  }

  /** True once the header authenticated (always false without a guard). */
  get authenticated(): boolean {
    return this.announced >= 0;
  }

  push(chunk: Uint8Array): Uint8Array | null {
    if (this.body !== null) return null;
    this.framer.push(chunk, (f) => {
      if (this.body !== null) return; // one message per direction; trailing bytes are ignored
      if (this.guard !== null && this.announced < 0) {
        const len = this.guard.openHeader(f);
        if (len > this.maxBodyBytes)
          throw new MemberlistError(MemberlistErrorCode.FrameTooLarge, 'stream body too large', {
            length: len,
            max: this.maxBodyBytes,
          });
        this.announced = len;
        this.framer.limitNext(len);
        return;
      }
      if (this.guard !== null && f.length !== this.announced)
        throw new MemberlistError(MemberlistErrorCode.Auth, 'stream body length mismatch', {
          length: f.length,
          announced: this.announced,
        });
      this.body = f;
      // Whatever follows in this chunk is ignored (the caller stops reading); never throw for it.
      this.framer.limitNext(Number.MAX_SAFE_INTEGER);
    });
    return this.body;
  }
}
