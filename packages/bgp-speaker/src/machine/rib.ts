// Adj-RIB-Out per peer (RFC 4271 §3.2) and the pure planner that turns "desired routes" minus
// "what this peer already has" into packed UPDATE messages.
//
// Export policy (RFC 4271 §5.1, MetalLB parity): ORIGIN IGP; AS_PATH [own AS] to eBGP, empty to
// iBGP; LOCAL_PREF only to iBGP (§5.1.5); next hop self unless the route names one; MED only when
// set. Received routes are never in the desired table, so they are never re-exported.
import { AsPathSegmentType, Origin } from '../codec/constants.js';
import type { PathAttributes } from '../codec/attributes.js';
import type { LargeCommunity } from '../codec/communities.js';
import { formatPrefix, parsePrefix } from '../codec/prefix.js';
import type { AddressFamily, Prefix } from '../codec/prefix.js';
import { MAX_MESSAGE_LENGTH } from '../codec/constants.js';
import { encodeAttributes } from '../codec/attributes-encode.js';
import { announcementFixedBytes, packAnnouncements, packWithdrawals } from '../codec/update.js';
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

/** Signature of what was sent for each prefix key; equal signature → nothing to send. */
export type AdjRibOut = Map<string, string>;

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

function effectiveAttributes(
  r: Route,
  ctx: PeerExportContext,
): { attrs: PathAttributes; nextHops: string[] } | null {
  const fam = r.prefix.family;
  let nextHops: string[] | undefined;
  if (r.attributes.nextHop !== undefined) nextHops = [r.attributes.nextHop];
  else
    nextHops =
      fam === 'ipv4'
        ? ctx.nextHopIpv4 !== undefined
          ? [ctx.nextHopIpv4]
          : undefined
        : ctx.nextHopIpv6;
  if (!nextHops || nextHops.length === 0) return null;
  const attrs: PathAttributes = {
    origin: Origin.Igp,
    asPath: ctx.ebgp ? [{ type: AsPathSegmentType.AsSequence, asns: [ctx.localAs] }] : [],
  };
  if (fam === 'ipv4') attrs.nextHop = nextHops[0] as string;
  if (r.attributes.med !== undefined) attrs.med = r.attributes.med;
  if (!ctx.ebgp) attrs.localPref = r.attributes.localPref ?? ctx.defaultLocalPref ?? 100;
  if (r.attributes.communities?.length) attrs.communities = [...new Set(r.attributes.communities)];
  if (r.attributes.largeCommunities?.length) {
    const seen = new Set<string>();
    attrs.largeCommunities = r.attributes.largeCommunities.filter((c) => {
      const k = `${c.global}:${c.local1}:${c.local2}`;
      return seen.has(k) ? false : (seen.add(k), true);
    });
  }
  return { attrs, nextHops };
}

interface Group {
  family: AddressFamily;
  attrs: PathAttributes;
  nextHops: string[];
  prefixes: Prefix[];
  /** Adj-RIB-Out key and its value before this plan, to roll back if encoding fails. */
  keys: string[];
  before: (string | undefined)[];
}

interface Effective {
  attrs: PathAttributes;
  nextHops: string[];
  /** What the Adj-RIB-Out stores for a prefix sent with these attributes. */
  stored: string;
  /** The UPDATE group collecting prefixes with these attributes in this plan. */
  group: Group | null;
}

function signature(attrs: PathAttributes, nextHops: string[]): string {
  return JSON.stringify([attrs, nextHops]);
}

export interface PlanOptions {
  /**
   * Announce every desired key even when the Adj-RIB-Out says the peer already has it with these
   * attributes: a re-send (RFC 2918 route refresh, RFC 7313 enhanced route refresh).
   */
  force?: boolean;
}

/**
 * Plans the UPDATEs that bring `adjOut` in line with `desired` for the given keys (all keys of both
 * when `dirty` is undefined). Mutates `adjOut` to the new state. Withdrawals come first, then
 * announcements grouped by identical attributes and packed.
 */
export function planUpdates(
  desired: ReadonlyMap<string, Route>,
  adjOut: AdjRibOut,
  ctx: PeerExportContext,
  dirty?: Iterable<string>,
  options: PlanOptions = {},
): Plan {
  const keys = dirty ? new Set(dirty) : new Set([...desired.keys(), ...adjOut.keys()]);
  const withdraw: Record<AddressFamily, Prefix[]> = { ipv4: [], ipv6: [] };
  const groups: Group[] = [];
  const skipped: string[] = [];
  const withdrawnKeys: string[] = [];
  const memo = new Map<string, Effective | null>();
  const announcedKeys: string[] = [];
  for (const key of keys) {
    const r = desired.get(key);
    const had = adjOut.get(key);
    // Effective attributes depend only on (family, attributes, peer): memoise per plan.
    let eff: Effective | null = null;
    if (r && ctx.families.has(r.prefix.family)) {
      const memoKey = `${r.prefix.family}|${r.attributesKey ?? attributesKeyOf(r.attributes)}`;
      const cached = memo.get(memoKey);
      if (cached !== undefined) eff = cached;
      else {
        const e = effectiveAttributes(r, ctx);
        // One `stored` string per attribute set, shared by every prefix that uses it.
        eff = e
          ? {
              ...e,
              stored: `${r.prefix.family === 'ipv4' ? '4' : '6'}${signature(e.attrs, e.nextHops)}`,
              group: null,
            }
          : null;
        memo.set(memoKey, eff);
      }
    }
    if (r && ctx.families.has(r.prefix.family) && !eff) skipped.push(formatPrefix(r.prefix));
    if (!eff) {
      if (had !== undefined) {
        withdraw[had.startsWith('4') ? 'ipv4' : 'ipv6'].push(r?.prefix ?? parsePrefix(key));
        adjOut.delete(key);
        withdrawnKeys.push(key);
      }
      continue;
    }
    const fam = (r as Route).prefix.family;
    if (had === eff.stored && !options.force) continue;
    adjOut.set(key, eff.stored);
    if (!eff.group) {
      eff.group = {
        family: fam,
        attrs: eff.attrs,
        nextHops: eff.nextHops,
        prefixes: [],
        keys: [],
        before: [],
      };
      groups.push(eff.group);
    }
    eff.group.prefixes.push((r as Route).prefix);
    eff.group.keys.push(key);
    eff.group.before.push(had);
  }
  const messages: Uint8Array[] = [];
  for (const fam of ['ipv4', 'ipv6'] as const) {
    if (withdraw[fam].length)
      messages.push(...packWithdrawals(fam, withdraw[fam], ctx.maxMessageBytes));
  }
  const failed: Plan['failed'] = [];
  for (const g of groups) {
    let packed: Uint8Array[];
    try {
      packed = packAnnouncements(
        { family: g.family, attributes: g.attrs, mpNextHops: g.nextHops, prefixes: g.prefixes },
        { fourOctetAs: ctx.fourOctetAs },
        ctx.maxMessageBytes,
      );
    } catch (err) {
      // One group that cannot be encoded must not stop the others (nor crash the flush): keep
      // the peer's Adj-RIB-Out as it was for these keys and report them.
      g.keys.forEach((k, i) => {
        const b = g.before[i];
        if (b === undefined) adjOut.delete(k);
        else adjOut.set(k, b);
      });
      failed.push({
        prefixes: g.prefixes.map(formatPrefix),
        reason: err instanceof Error ? err.message : String(err),
        ...(err instanceof BgpError ? { code: err.code } : {}),
      });
      continue;
    }
    messages.push(...packed);
    for (const k of g.keys) announcedKeys.push(k);
  }
  return { messages, announced: announcedKeys, withdrawn: withdrawnKeys, skipped, failed };
}
