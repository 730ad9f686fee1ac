// OPEN validation and capability negotiation (RFC 4271 §6.2, RFC 5492, RFC 4760 §8, RFC 6793,
// RFC 8654), pure: the peer's OPEN plus our config → the session's parameters, or why not.
import {
  MAX_EXTENDED_MESSAGE_LENGTH,
  MAX_MESSAGE_LENGTH,
  OpenSubcode,
} from '../codec/constants.js';
import { afiSafiOf, bgpIdToNumber, peerAsOf } from '../codec/open.js';
import type { OpenMessage } from '../codec/open.js';
import type { Negotiated, SessionConfig } from './types.js';

export type NegotiationResult =
  { ok: Negotiated } | { fail: { subcode: number; reason: string; data?: Uint8Array } };

export function negotiate(cfg: SessionConfig, m: OpenMessage): NegotiationResult {
  const peerAs = peerAsOf(m);
  // MetalLB dynamicASN: any ASN of the configured kind, learnt from the OPEN.
  const expected =
    cfg.dynamicAsn === 'internal'
      ? peerAs === cfg.localAs
      : cfg.dynamicAsn === 'external'
        ? peerAs !== cfg.localAs
        : peerAs === cfg.peerAs;
  if (!expected) {
    // RFC 4271 §6.2: data is the 2-octet My AS as received.
    const data = Uint8Array.of(m.myAs >> 8, m.myAs & 0xff);
    const want = cfg.dynamicAsn
      ? `an ${cfg.dynamicAsn} AS (ours is ${cfg.localAs})`
      : String(cfg.peerAs);
    return {
      fail: { subcode: OpenSubcode.BadPeerAs, reason: `peer AS ${peerAs}, expected ${want}`, data },
    };
  }
  const peerId = bgpIdToNumber(m.bgpId);
  // RFC 6286 §2.2: the identifier must be non-zero; within one AS it must differ from ours.
  if (peerId === 0 || (peerAs === cfg.localAs && peerId === bgpIdToNumber(cfg.routerId))) {
    return {
      fail: { subcode: OpenSubcode.BadBgpIdentifier, reason: `bad BGP identifier ${m.bgpId}` },
    };
  }
  // RFC 4271 §6.2: a hold time of 1 or 2 seconds is unacceptable.
  if (m.holdTimeSec === 1 || m.holdTimeSec === 2) {
    return {
      fail: {
        subcode: OpenSubcode.UnacceptableHoldTime,
        reason: `unacceptable hold time ${m.holdTimeSec}`,
      },
    };
  }
  // RFC 4271 §4.2: the smaller hold time wins; keepalive a third of it (RFC 4271 §10), or the
  // configured keepalive when that is smaller (as FRR does), never below 1 s.
  const holdTimeSec = Math.min(cfg.holdTimeSec, m.holdTimeSec);
  const keepaliveSec =
    holdTimeSec === 0
      ? 0
      : Math.max(
          1,
          Math.min(Math.floor(holdTimeSec / 3), cfg.keepaliveTimeSec ?? Number.POSITIVE_INFINITY),
        );
  // RFC 4760 §8: no MP capability at all means IPv4 unicast only.
  const peerFamilies =
    m.capabilities.multiprotocol.length === 0
      ? new Set(['1/1'])
      : new Set(m.capabilities.multiprotocol.map((f) => `${f.afi}/${f.safi}`));
  const families = cfg.families.filter((f) => {
    const a = afiSafiOf(f);
    return peerFamilies.has(`${a.afi}/${a.safi}`);
  });
  // RFC 8654 §3: larger messages only when both sides advertised the capability.
  const extendedMessage = cfg.extendedMessage && m.capabilities.extendedMessage;
  return {
    ok: {
      holdTimeSec,
      keepaliveSec,
      families,
      fourOctetAs: m.capabilities.fourOctetAs !== undefined,
      extendedMessage,
      maxMessageBytes: extendedMessage ? MAX_EXTENDED_MESSAGE_LENGTH : MAX_MESSAGE_LENGTH,
      routeRefresh: m.capabilities.routeRefresh,
      // RFC 7313 §3: both sides must advertise it.
      enhancedRouteRefresh: cfg.enhancedRouteRefresh && m.capabilities.enhancedRouteRefresh,
      // RFC 4724 §3: graceful restart procedures apply when both sides advertised it.
      gracefulRestart: cfg.gracefulRestart ? m.capabilities.gracefulRestart : undefined,
      peerOpen: m,
      peerAs,
    },
  };
}
