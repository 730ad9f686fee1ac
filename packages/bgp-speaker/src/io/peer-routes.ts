// What a peer driver derives from its socket and from the machine's actions, kept out of peer.ts:
// the next-hop-self addresses of a session, and the events it reports (`received` with loop
// detection, `notification`, `graceful-restart`).
import { formatAddress, formatPrefix, parseAddress } from '../codec/prefix.js';
import type { AddressFamily } from '../codec/prefix.js';
import type { UpdateMessage } from '../codec/update.js';
import type { BgpSocket } from '../deps.js';
import type { SessionAction } from '../machine/types.js';
import type { SpeakerEvent } from './events.js';

/** The session's local address when it is of `family` (a dual-stack ::ffff: address is IPv4). */
export function selfNextHop(family: AddressFamily, s: BgpSocket): string | undefined {
  if (!s.localAddress) return undefined;
  const a = parseAddress(s.localAddress);
  return a.family === family ? formatAddress(a.bytes) : undefined;
}

/**
 * IPv6 next-hop-self: the local IPv6 address, plus our link-local one when the peer shares the
 * subnet (RFC 2545 §3, a 32-byte next hop); over an IPv4 session the IPv4-mapped form.
 */
export function selfNextHopV6(
  s: BgpSocket,
  linkLocal: (local: string, peer: string) => string | undefined,
): string[] | undefined {
  const v6 = selfNextHop('ipv6', s);
  if (v6) {
    const ll = s.remoteAddress ? linkLocal(v6, s.remoteAddress) : undefined;
    return ll ? [v6, ll] : [v6];
  }
  // RFC 4291 §2.5.5.2 IPv4-mapped form is what FRR and GoBGP accept for IPv6 over an IPv4 session
  // (encoded as 16 bytes, RFC 2545 §3; BIRD on a direct session does not, see the README).
  const v4 = selfNextHop('ipv4', s);
  return v4 ? [`::ffff:${v4}`] : undefined;
}

/**
 * The `received` event of one UPDATE. Routes carrying our own AS are a loop (RFC 4271 §9.1.2; FRR
 * reflects ours back): they go in `droppedOwnAs`, never in `announced`, which lists only the
 * routes we accepted.
 */
export function receivedEvent(
  peer: string,
  m: UpdateMessage,
  localAs: number,
): Extract<SpeakerEvent, { type: 'received' }> {
  const paths = [...(m.attributes.asPath ?? []), ...(m.attributes.as4Path ?? [])];
  const loop = m.nlri.length > 0 && paths.some((seg) => seg.asns.includes(localAs));
  const prefixes = m.nlri.map(formatPrefix);
  return {
    type: 'received',
    peer,
    announced: loop ? [] : prefixes,
    withdrawn: m.withdrawn.map(formatPrefix),
    treatAsWithdraw: m.treatAsWithdraw,
    problems: m.problems.map((p) => `${p.handling}: ${p.reason} (type ${p.attributeType})`),
    droppedOwnAs: loop ? prefixes : [],
    ...(m.endOfRib ? { endOfRib: m.endOfRib } : {}),
  };
}

/** The `notification` event of a NOTIFICATION we sent or received. */
export function notificationEvent(
  peer: string,
  a: Extract<SessionAction, { type: 'notification-sent' | 'notification-received' }>,
): Extract<SpeakerEvent, { type: 'notification' }> {
  if (a.type === 'notification-received') {
    const m = a.message;
    return {
      type: 'notification',
      peer,
      direction: 'received',
      code: m.code,
      subcode: m.subcode,
      reason: 'received',
      ...(m.shutdownMessage !== undefined ? { shutdownMessage: m.shutdownMessage } : {}),
    };
  }
  return {
    type: 'notification',
    peer,
    direction: 'sent',
    code: a.code,
    subcode: a.subcode,
    reason: a.reason,
    ...(a.shutdownMessage !== undefined ? { shutdownMessage: a.shutdownMessage } : {}),
  };
}

/** The `graceful-restart` event of the receiving speaker's phases (RFC 4724 §4.2). */
export function gracefulRestartEvent(
  peer: string,
  a: Extract<SessionAction, { type: 'graceful-restart' }>,
): Extract<SpeakerEvent, { type: 'graceful-restart' }> {
  return {
    type: 'graceful-restart',
    peer,
    phase: a.phase,
    families: a.families,
    reason: a.reason,
    ...(a.restartTimeSec !== undefined ? { restartTimeSec: a.restartTimeSec } : {}),
  };
}
