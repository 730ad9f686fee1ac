// Frame → typed message. The framer has already checked marker and length bounds; here each type
// gets its RFC 4271 §6.1 minimum/exact length check and its body decoder.
import { wireError } from '../errors.js';
import {
  ErrorCode,
  HEADER_LENGTH,
  HeaderSubcode,
  MAX_MESSAGE_LENGTH,
  MessageType,
} from './constants.js';
import type { DecodeContext } from './attributes.js';
import { decodeNotificationBody, decodeRouteRefreshBody } from './notification.js';
import type { KeepaliveMessage, NotificationMessage, RouteRefreshMessage } from './notification.js';
import { decodeOpenBody } from './open.js';
import type { OpenMessage } from './open.js';
import { decodeUpdateBody } from './update.js';
import type { UpdateMessage } from './update.js';

export type BgpMessage =
  OpenMessage | UpdateMessage | NotificationMessage | KeepaliveMessage | RouteRefreshMessage;

const MIN_LENGTH: Record<number, number> = {
  [MessageType.Open]: 29,
  [MessageType.Update]: 23,
  [MessageType.Notification]: 21,
  [MessageType.Keepalive]: 19,
  [MessageType.RouteRefresh]: 23,
};

/** Decodes one complete frame (header included) from the framer. */
export function decodeMessage(frame: Uint8Array, ctx: DecodeContext): BgpMessage {
  const type = frame[18] as number;
  const length = frame.length;
  const min = MIN_LENGTH[type];
  if (min === undefined)
    throw wireError(
      `bad message type ${type}`,
      ErrorCode.MessageHeader,
      HeaderSubcode.BadMessageType,
      Uint8Array.of(type),
    );
  const badLength =
    length < min ||
    (type === MessageType.Keepalive && length !== 19) ||
    // RFC 8654 §4: OPEN and KEEPALIVE never exceed 4096.
    (type === MessageType.Open && length > MAX_MESSAGE_LENGTH);
  if (badLength)
    throw wireError(
      `bad length ${length} for type ${type}`,
      ErrorCode.MessageHeader,
      HeaderSubcode.BadMessageLength,
      Uint8Array.of(length >> 8, length & 0xff),
    );
  const body = frame.subarray(HEADER_LENGTH);
  switch (type) {
    case MessageType.Open:
      return decodeOpenBody(body);
    case MessageType.Update:
      return decodeUpdateBody(body, ctx);
    case MessageType.Notification:
      return decodeNotificationBody(body);
    case MessageType.Keepalive:
      return { type: 'keepalive' };
    default:
      return decodeRouteRefreshBody(body);
  }
}
