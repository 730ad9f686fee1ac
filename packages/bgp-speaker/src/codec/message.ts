// Frame → typed message: the RFC 4271 §6.1 header checks (shared with the framer), then the body
// decoder of its type.
import { HEADER_LENGTH, MAX_EXTENDED_MESSAGE_LENGTH, MessageType } from './constants.js';
import { checkHeader } from './header.js';
import type { DecodeContext } from './attributes.js';
import { decodeNotificationBody, decodeRouteRefreshBody } from './notification.js';
import type { KeepaliveMessage, NotificationMessage, RouteRefreshMessage } from './notification.js';
import { decodeOpenBody } from './open.js';
import type { OpenMessage } from './open.js';
import { decodeUpdateBody } from './update.js';
import type { UpdateMessage } from './update.js';

export type BgpMessage =
  OpenMessage | UpdateMessage | NotificationMessage | KeepaliveMessage | RouteRefreshMessage;

/**
 * Decodes one complete frame (header included). The header is checked as the framer checks it
 * (checkHeader, with the RFC 8654 maximum, since the framer has applied the negotiated one).
 */
export function decodeMessage(frame: Uint8Array, ctx: DecodeContext): BgpMessage {
  const type = frame[18] as number;
  checkHeader(type, frame.length, MAX_EXTENDED_MESSAGE_LENGTH);
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
