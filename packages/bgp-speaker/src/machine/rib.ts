// The desired routes, what a peer is told about them (the types the planner in planner.ts works
// on), and the announce-time check that a route can be encoded at all.
//
// Export policy (RFC 4271 §5.1, MetalLB parity): ORIGIN IGP; AS_PATH [own AS] to eBGP, empty to
// iBGP; LOCAL_PREF only to iBGP (§5.1.5); next hop self unless the route names one; MED only when
// set. Received routes are never in the desired table, so they are never re-exported.
import { AsPathSegmentType, Origin } from '../codec/constants.js';
import type { PathAttributes } from '../codec/attributes.js';
import type { LargeCommunity } from '../codec/communities.js';
import { formatPrefix } from '../codec/prefix.js';
import type { AddressFamily, Prefix } from '../codec/prefix.js';
import { MAX_MESSAGE_LENGTH } from '../codec/constants.js';
import { encodeAttributes } from '../codec/attributes-encode.js';
import { announcementFixedBytes } from '../codec/update.js';
import { prefixWireLength } from '../codec/prefix.js';
import { BgpError, BgpErrorCode } from '../errors.js';

/** Attributes a user attaches to an announced prefix. */
export interface RouteAttributes {
  communities?: number[];
  largeCommunities?: LargeCommunity[];
  /** Sent to iBGP peers only; iBGP default 100. */
  localPref?: number;
  med?: number;
  /** Overrides next-hop-self for this route (must match the prefix family). */
  nextHop?: string;
}

export interface Route {
  prefix: Prefix;
  attributes: RouteAttributes;
  /**
   * A stable text key of `attributes` (routes with equal keys share attributes). Computed once at
   * announce time so planning 10k routes does not serialise 10k attribute sets; derived if absent.
   */
  attributesKey?: string;
  /** The route's key in the desired table (its prefix in text form), when the table set it. */
  key?: string;
  /** Its slot in the speaker's SlotTable (see adj-rib-out.ts), when the table set it. */
  slot?: number;
}

export function attributesKeyOf(a: RouteAttributes): string {
  return JSON.stringify(a);
}

/**
 * Checks at announce time that a route can go to any peer: the UPDATE carrying it, with the largest
 * attribute set any session could add (AS_PATH [localAs] plus AS4_PATH towards a 2-octet peer,
 * LOCAL_PREF, a 32-byte IPv6 next hop), must fit 4096 bytes — the limit without RFC 8654, which a
 * peer may not offer. Throws BgpError ENCODE_ERROR otherwise (e.g. ~1000 communities), so a route
 * that could never be sent is refused up front instead of failing inside a later flush.
 */
export function checkRouteEncodable(prefix: Prefix, a: RouteAttributes, localAs: number): void {
  const attrs: PathAttributes = {
    origin: Origin.Igp,
    asPath: [{ type: AsPathSegmentType.AsSequence, asns: [localAs] }],
    localPref: a.localPref ?? 100,
  };
  if (prefix.family === 'ipv4') attrs.nextHop = '255.255.255.255';
  if (a.med !== undefined) attrs.med = a.med;
  if (a.communities?.length) attrs.communities = [...new Set(a.communities)];
  if (a.largeCommunities?.length) attrs.largeCommunities = a.largeCommunities;
  const bytes = Math.max(
    encodeAttributes(attrs, { fourOctetAs: true }).length,
    encodeAttributes(attrs, { fourOctetAs: false }).length,
  );
  const size = announcementFixedBytes(prefix.family, bytes, 32) + prefixWireLength(prefix);
  if (size > MAX_MESSAGE_LENGTH) {
    throw new BgpError(
      BgpErrorCode.EncodeError,
      `route ${formatPrefix(prefix)} needs a ${size}-byte UPDATE, over ${MAX_MESSAGE_LENGTH}`,
      { detail: { prefix: formatPrefix(prefix), bytes: size, max: MAX_MESSAGE_LENGTH } },
    );
  }
}

/** Per-peer facts the planner needs. */
export interface PeerExportContext {
  localAs: number;
  ebgp: boolean;
  families: ReadonlySet<AddressFamily>;
  fourOctetAs: boolean;
  maxMessageBytes: number;
  /** Next hop for IPv4 routes (next-hop self), when we have one. */
  nextHopIpv4: string | undefined;
  /** Next hop(s) for IPv6 routes: global, optionally link-local (RFC 2545 §3). */
  nextHopIpv6: string[] | undefined;
  /** LOCAL_PREF for iBGP routes that set none. Default 100. */
  defaultLocalPref?: number;
}

export { AdjRibOut } from './adj-rib-out.js';
// The planner (planUpdates, planEntries, Planner) lives in planner.ts.

export interface Plan {
  messages: Uint8Array[];
  /** Prefix keys announced (new or changed attributes) and withdrawn by these messages. */
  announced: string[];
  withdrawn: string[];
  /** Prefixes of a negotiated family that could not be sent (no next hop for that family). */
  skipped: string[];
  /**
   * Groups whose UPDATE could not be encoded for this peer (e.g. a configured next hop that is not
   * an address). Their Adj-RIB-Out entries are left as they were, so nothing claims they were sent.
   */
  failed: { prefixes: string[]; reason: string; code?: string }[];
}

export interface PlanOptions {
  /**
   * Announce every desired key even when the Adj-RIB-Out says the peer already has it with these
   * attributes: a re-send (RFC 2918 route refresh, RFC 7313 enhanced route refresh).
   */
  force?: boolean;
}
