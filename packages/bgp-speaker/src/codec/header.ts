// RFC 4271 §4.1 / §6.1 header checks, shared by the framer (which applies them as soon as the 19
// header bytes are there, before the body arrives) and decodeMessage (for callers holding a whole
// frame). A header alone is enough to answer 1/2 Bad Message Length or 1/3 Bad Message Type: a
// peer announcing 65535 bytes in OpenSent gets its NOTIFICATION at once (issue 14), instead of us
// buffering up to 64 KiB first.
import { BgpError, BgpErrorCode, wireError } from '../errors.js';
import {
  ErrorCode,
  HEADER_LENGTH,
  HeaderSubcode,
  MAX_MESSAGE_LENGTH,
  MessageType,
} from './constants.js';

/** RFC 4271 §4.2–§4.5, RFC 2918 §3: the smallest frame of each type (KEEPALIVE is exactly 19). */
const MIN_LENGTH: Record<number, number> = {
  [MessageType.Open]: 29,
  [MessageType.Update]: 23,
  [MessageType.Notification]: 21,
  [MessageType.Keepalive]: 19,
  [MessageType.RouteRefresh]: 23,
};

function badLength(length: number, why: string): BgpError {
  return wireError(
    `bad message length ${length}: ${why}`,
    ErrorCode.MessageHeader,
    HeaderSubcode.BadMessageLength,
    Uint8Array.of(length >> 8, length & 0xff),
  );
}

/**
 * Checks a header's length and type against the largest message acceptable on this connection
 * right now (`maxFrameBytes`: 4096, or 65535 once RFC 8654 is negotiated). Throws the BgpError
 * whose NOTIFICATION answers it; returns nothing when the header is acceptable.
 */
export function checkHeader(type: number, length: number, maxFrameBytes: number): void {
  if (length < HEADER_LENGTH) throw badLength(length, `below ${HEADER_LENGTH}`);
  if (length > maxFrameBytes) {
    const e = badLength(length, `over ${maxFrameBytes}`);
    throw new BgpError(BgpErrorCode.FrameTooLarge, e.message, {
      notification: e.notification!,
      detail: { length, maxFrameBytes },
    });
  }
  const min = MIN_LENGTH[type];
  if (min === undefined)
    throw wireError(
      `bad message type ${type}`,
      ErrorCode.MessageHeader,
      HeaderSubcode.BadMessageType,
      Uint8Array.of(type),
    );
  if (length < min) throw badLength(length, `type ${type} needs at least ${min}`);
  if (type === MessageType.Keepalive && length !== HEADER_LENGTH)
    throw badLength(length, 'a KEEPALIVE is exactly 19 bytes');
  // RFC 8654 §4: OPEN (and KEEPALIVE) never exceed 4096, even with extended messages.
  if (type === MessageType.Open && length > MAX_MESSAGE_LENGTH)
    throw badLength(length, `an OPEN is at most ${MAX_MESSAGE_LENGTH} bytes`);
}
