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
import type { AdjRibOut } from './adj-rib-out.js';

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
  /** What the Adj-RIB-Out stores for these prefixes once their UPDATEs are encoded. */
  stored: string;
  prefixes: Prefix[];
  keys: string[];
  slots: number[];
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
  const keys: Iterable<string> =
    dirty instanceof Set
      ? dirty
      : dirty
        ? new Set(dirty)
        : new Set([...desired.keys(), ...adjOut.keys()]);
  const ks: string[] = [];
  const rs: (Route | undefined)[] = [];
  for (const k of keys) {
    ks.push(k);
    rs.push(desired.get(k));
  }
  return planEntries(ks, rs, adjOut, ctx, options.force ?? false);
}

/**
 * planUpdates for routes already at hand: distinct `keys`, each with its desired route at the same
 * index of `routes` (undefined: withdraw it). A resend pass gives the routes straight from its
 * cursor, so planning 100k of them costs no lookups in the desired table, and with `force` none in
 * the Adj-RIB-Out either.
 */
export function planEntries(
  keys: readonly string[],
  routes: readonly (Route | undefined)[],
  adjOut: AdjRibOut,
  ctx: PeerExportContext,
  force: boolean,
): Plan {
  const withdraw: Record<AddressFamily, Prefix[]> = { ipv4: [], ipv6: [] };
  const groups: Group[] = [];
  const skipped: string[] = [];
  const withdrawnKeys: string[] = [];
  // Effective attributes depend only on (family, attributes, peer): memoised per plan and family,
  // keyed by the route's attributesKey (a shared string: no key is built per route). Routes of
  // one set usually come in runs, so the last lookup is kept too.
  const memo: Record<AddressFamily, Map<string, Effective | null>> = {
    ipv4: new Map(),
    ipv6: new Map(),
  };
  let lastFam: AddressFamily | undefined;
  let lastKey: string | undefined;
  let lastEff: Effective | null = null;
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i] as string;
    const r = routes[i];
    let eff: Effective | null = null;
    const fam = r?.prefix.family;
    if (r !== undefined && fam !== undefined && ctx.families.has(fam)) {
      const ak = r.attributesKey ?? attributesKeyOf(r.attributes);
      if (ak === lastKey && fam === lastFam) eff = lastEff;
      else {
        const m = memo[fam];
        const cached = m.get(ak);
        if (cached !== undefined) eff = cached;
        else {
          const e = effectiveAttributes(r, ctx);
          // One `stored` string per attribute set, shared by every prefix that uses it.
          eff = e
            ? {
                ...e,
                stored: `${fam === 'ipv4' ? '4' : '6'}${signature(e.attrs, e.nextHops)}`,
                group: null,
              }
            : null;
          m.set(ak, eff);
        }
        lastKey = ak;
        lastFam = fam;
        lastEff = eff;
      }
      if (!eff) skipped.push(formatPrefix(r.prefix));
    }
    if (!eff) {
      const had = adjOut.get(key);
      if (had !== undefined) {
        withdraw[had.startsWith('4') ? 'ipv4' : 'ipv6'].push(r?.prefix ?? parsePrefix(key));
        adjOut.delete(key);
        withdrawnKeys.push(key);
      }
      continue;
    }
    const slot = (r as Route).slot ?? adjOut.slots.slot(key);
    // Unchanged for the peer: nothing to send (unless this is a resend).
    if (!force && adjOut.getSlot(slot) === eff.stored) continue;
    let g = eff.group;
    if (!g) {
      g = eff.group = {
        family: fam as AddressFamily,
        attrs: eff.attrs,
        nextHops: eff.nextHops,
        stored: eff.stored,
        prefixes: [],
        keys: [],
        slots: [],
      };
      groups.push(g);
    }
    g.prefixes.push((r as Route).prefix);
    g.keys.push(key);
    g.slots.push(slot);
  }
  const messages: Uint8Array[] = [];
  for (const fam of ['ipv4', 'ipv6'] as const) {
    if (withdraw[fam].length)
      messages.push(...packWithdrawals(fam, withdraw[fam], ctx.maxMessageBytes));
  }
  const failed: Plan['failed'] = [];
  const announcedKeys: string[] = [];
  for (const g of groups) {
    let packed: Uint8Array[];
    try {
      packed = packAnnouncements(
        { family: g.family, attributes: g.attrs, mpNextHops: g.nextHops, prefixes: g.prefixes },
        { fourOctetAs: ctx.fourOctetAs },
        ctx.maxMessageBytes,
      );
    } catch (err) {
      // One group that cannot be encoded must not stop the others (nor crash the flush). The
      // Adj-RIB-Out is only written once a group is encoded, so it still says what the peer has.
      failed.push({
        prefixes: g.prefixes.map(formatPrefix),
        reason: err instanceof Error ? err.message : String(err),
        ...(err instanceof BgpError ? { code: err.code } : {}),
      });
      continue;
    }
    for (const m of packed) messages.push(m);
    for (const slot of g.slots) adjOut.setSlot(slot, g.stored);
    for (const k of g.keys) announcedKeys.push(k);
  }
  return { messages, announced: announcedKeys, withdrawn: withdrawnKeys, skipped, failed };
}
