// NOTIFICATION (RFC 4271 §4.5) with the RFC 8203 / RFC 9003 shutdown communication on Cease
// subcodes 2 and 4; KEEPALIVE (§4.4); ROUTE-REFRESH (RFC 2918, RFC 7313).
import { wireError } from '../errors.js';
import { CeaseSubcode, ErrorCode, HeaderSubcode, MessageType } from './constants.js';
import { encodeFrame } from './update.js';

export interface NotificationMessage {
  type: 'notification';
  code: number;
  subcode: number;
  data: Uint8Array;
  /** Decoded RFC 9003 shutdown communication, when present and valid UTF-8. */
  shutdownMessage: string | undefined;
}

export interface KeepaliveMessage {
  type: 'keepalive';
}

export interface RouteRefreshMessage {
  type: 'route-refresh';
  afi: number;
  /** RFC 7313 §3.2: 0 request, 1 BoRR, 2 EoRR. */
  subtype: number;
  safi: number;
}

function hasShutdownMessage(code: number, subcode: number): boolean {
  return (
    code === ErrorCode.Cease &&
    (subcode === CeaseSubcode.AdministrativeShutdown ||
      subcode === CeaseSubcode.AdministrativeReset)
  );
}

/** Encodes a NOTIFICATION; for Cease/2 and Cease/4 `shutdownMessage` is sent as RFC 9003 data. */
export function encodeNotification(
  code: number,
  subcode: number,
  data?: Uint8Array,
  shutdownMessage?: string,
): Uint8Array {
  let body: Uint8Array = data ?? new Uint8Array(0);
  if (shutdownMessage !== undefined && hasShutdownMessage(code, subcode)) {
    let text = Buffer.from(shutdownMessage, 'utf8');
    // RFC 9003 §2: at most 255 octets; cut on a character boundary.
    if (text.length > 255)
      text = Buffer.from(
        new TextDecoder().decode(text.subarray(0, 255)).replace(/\uFFFD$/, ''),
        'utf8',
      );
    body = Buffer.concat([Buffer.from([text.length]), text]);
  }
  return encodeFrame(MessageType.Notification, Buffer.concat([Buffer.from([code, subcode]), body]));
}

export function decodeNotificationBody(body: Uint8Array): NotificationMessage {
  if (body.length < 2)
    throw wireError(
      'NOTIFICATION too short',
      ErrorCode.MessageHeader,
      HeaderSubcode.BadMessageLength,
      Uint8Array.of(0, 19 + body.length),
    );
  const code = body[0] as number;
  const subcode = body[1] as number;
  const data = Uint8Array.from(body.subarray(2));
  let shutdownMessage: string | undefined;
  if (
    hasShutdownMessage(code, subcode) &&
    data.length >= 1 &&
    (data[0] as number) + 1 <= data.length
  ) {
    try {
      shutdownMessage = new TextDecoder('utf-8', { fatal: true }).decode(
        data.subarray(1, 1 + (data[0] as number)),
      );
    } catch {
      // RFC 8203 §3: invalid UTF-8 is not an error, the message is just not shown.
      shutdownMessage = undefined;
    }
  }
  return { type: 'notification', code, subcode, data, shutdownMessage };
}

const KEEPALIVE = encodeFrame(MessageType.Keepalive, new Uint8Array(0));

export function encodeKeepalive(): Uint8Array {
  return KEEPALIVE;
}

export function encodeRouteRefresh(afi: number, safi: number, subtype = 0): Uint8Array {
  return encodeFrame(MessageType.RouteRefresh, Uint8Array.of(afi >> 8, afi & 0xff, subtype, safi));
}

export function decodeRouteRefreshBody(body: Uint8Array): RouteRefreshMessage {
  if (body.length !== 4) {
    // RFC 7313 §5: Invalid Message Length, data is the whole message.
    throw wireError('bad ROUTE-REFRESH length', ErrorCode.RouteRefresh, 1, body);
  }
  return {
    type: 'route-refresh',
    afi: ((body[0] as number) << 8) | (body[1] as number),
    subtype: body[2] as number,
    safi: body[3] as number,
  };
}
