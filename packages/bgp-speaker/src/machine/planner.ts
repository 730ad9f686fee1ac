// The pure planner: "desired routes" minus "what this peer already has" (its Adj-RIB-Out, RFC 4271
// §3.2) becomes packed UPDATEs. Export policy (RFC 4271 §5.1, MetalLB parity): ORIGIN IGP; AS_PATH
// [own AS] to eBGP, empty to iBGP; LOCAL_PREF only to iBGP (§5.1.5); next hop self unless the route
// names one; MED only when set.
//
// A Planner takes one route at a time (add) and encodes at the end (finish), so the resend pass of
// a 100k-prefix dump plans straight from its cursor: no key or route arrays are built to be walked
// again, attribute sets are resolved once per run of routes sharing one, and the UPDATEs of a whole
// chunk go into one buffer (codec/update-writer.ts).
import { AsPathSegmentType, Origin } from '../codec/constants.js';
import type { PathAttributes } from '../codec/attributes.js';
import { formatPrefix, parsePrefix, prefixKey } from '../codec/prefix.js';
import type { AddressFamily, Prefix } from '../codec/prefix.js';
import { packWithdrawals } from '../codec/update.js';
import { UpdateWriter, announceTemplate } from '../codec/update-writer.js';
import type { AnnounceTemplate } from '../codec/update-writer.js';
import { BgpError } from '../errors.js';
import type { AdjRibOut } from './adj-rib-out.js';
import { attributesKeyOf } from './rib.js';
import type { PeerExportContext, Plan, PlanOptions, Route } from './rib.js';

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

/** One attribute set as this peer gets it. */
interface Effective {
  family: AddressFamily;
  attrs: PathAttributes;
  nextHops: string[];
  /** What the Adj-RIB-Out stores for a prefix sent with these attributes. */
  stored: string;
  /** The UPDATE group collecting prefixes with these attributes in this plan. */
  group: Group | null;
}

interface Group {
  eff: Effective;
  prefixes: Prefix[];
  keys: string[];
  slots: number[];
}

function signature(attrs: PathAttributes, nextHops: string[]): string {
  return JSON.stringify([attrs, nextHops]);
}

/** What a plan produced besides its messages (those went into the writer). */
export type PlanResult = Omit<Plan, 'messages'>;

export class Planner {
  private readonly withdraw: Record<AddressFamily, Prefix[]> = { ipv4: [], ipv6: [] };
  private readonly groups: Group[] = [];
  // Effective attributes depend only on (family, attributes, peer): memoised per plan and family,
  // keyed by the route's attributesKey (a shared string: no key is built per route). Routes of
  // one set usually come in runs, so the last lookup is kept too.
  private readonly memo: Record<AddressFamily, Map<string, Effective | null>> = {
    ipv4: new Map(),
    ipv6: new Map(),
  };
  private lastFam: AddressFamily | undefined;
  private lastKey: string | undefined;
  private lastEff: Effective | null = null;
  private readonly skipped: string[] = [];
  private readonly withdrawnKeys: string[] = [];
  /** Distinct attribute sets seen: each needs UPDATEs of its own, so they bound a chunk too. */
  sets = 0;

  /** `force`: announce even what the Adj-RIB-Out says the peer has (a resend, RFC 2918). */
  constructor(
    private readonly adjOut: AdjRibOut,
    private readonly ctx: PeerExportContext,
    private readonly force: boolean,
  ) {}

  /**
   * Plans prefix `key`: announce `route` when it is exported to this peer and differs from what the
   * peer has (or always, with force); otherwise withdraw what the peer has. Withdrawals are
   * recorded in the Adj-RIB-Out at once, announcements once finish() has encoded them.
   */
  add(key: string, route: Route | undefined): void {
    let eff: Effective | null = null;
    const fam = route?.prefix.family;
    if (route !== undefined && fam !== undefined && this.ctx.families.has(fam)) {
      const ak = route.attributesKey ?? attributesKeyOf(route.attributes);
      if (ak === this.lastKey && fam === this.lastFam) eff = this.lastEff;
      else {
        eff = this.effective(fam, ak, route);
        this.lastKey = ak;
        this.lastFam = fam;
        this.lastEff = eff;
      }
      if (!eff) this.skipped.push(formatPrefix(route.prefix));
    }
    if (!eff) {
      const had = this.adjOut.get(key);
      if (had !== undefined) {
        this.withdraw[had.startsWith('4') ? 'ipv4' : 'ipv6'].push(
          route?.prefix ?? parsePrefix(key),
        );
        this.adjOut.delete(key);
        this.withdrawnKeys.push(key);
      }
      return;
    }
    const r = route as Route;
    const slot = r.slot ?? this.adjOut.slots.slot(key);
    // Unchanged for the peer: nothing to send (unless this is a resend).
    if (!this.force && this.adjOut.getSlot(slot) === eff.stored) return;
    let g = eff.group;
    if (!g) {
      g = eff.group = { eff, prefixes: [], keys: [], slots: [] };
      this.groups.push(g);
    }
    g.prefixes.push(r.prefix);
    g.keys.push(key);
    g.slots.push(slot);
  }

  /**
   * A resend pass's bulk path: plans up to `limit` routes of the wanted families from `cursor`,
   * stopping early once `maxSets` attribute sets are in the plan; `done` once the cursor is
   * exhausted. The same as add(route.key, route) per route (this planner must have `force`), with
   * the common case — the next route of the current attribute set's run — inline in the loop: the
   * one loop runs 100k times on a session's first dump, on code that is still cold.
   */
  resend(
    cursor: Iterator<Route>,
    want4: boolean,
    want6: boolean,
    limit: number,
    maxSets: number,
  ): { taken: number; done: boolean } {
    let taken = 0;
    while (taken < limit && this.sets < maxSets) {
      const r = cursor.next();
      if (r.done) return { taken, done: true };
      const route = r.value;
      const fam = route.prefix.family;
      if (!(fam === 'ipv4' ? want4 : want6)) continue;
      taken++;
      const g = this.lastEff?.group;
      const { key, slot } = route;
      if (
        g &&
        this.force &&
        route.attributesKey === this.lastKey &&
        fam === this.lastFam &&
        key !== undefined &&
        slot !== undefined
      ) {
        g.prefixes.push(route.prefix);
        g.keys.push(key);
        g.slots.push(slot);
      } else this.add(key ?? prefixKey(route.prefix), route);
    }
    return { taken, done: false };
  }

  private effective(fam: AddressFamily, ak: string, route: Route): Effective | null {
    const m = this.memo[fam];
    const cached = m.get(ak);
    if (cached !== undefined) return cached;
    this.sets++;
    const e = effectiveAttributes(route, this.ctx);
    // One `stored` string per attribute set, shared by every prefix that uses it.
    const eff = e
      ? {
          family: fam,
          ...e,
          stored: `${fam === 'ipv4' ? '4' : '6'}${signature(e.attrs, e.nextHops)}`,
          group: null,
        }
      : null;
    m.set(ak, eff);
    return eff;
  }

  /**
   * Encodes the plan into `out`: withdrawals first, then the announcements of each attribute set,
   * packed. A group that cannot be encoded for this peer is reported in `failed` and leaves its
   * Adj-RIB-Out entries as they were (nothing claims it was sent); the other groups go out.
   */
  finish(out: UpdateWriter): PlanResult {
    const ctx = this.ctx;
    for (const fam of ['ipv4', 'ipv6'] as const) {
      if (this.withdraw[fam].length)
        for (const m of packWithdrawals(fam, this.withdraw[fam], ctx.maxMessageBytes))
          out.append(m);
    }
    const failed: Plan['failed'] = [];
    let announced: string[] = [];
    for (const g of this.groups) {
      const e = g.eff;
      let t: AnnounceTemplate;
      try {
        t = announceTemplate(
          { family: e.family, attributes: e.attrs, mpNextHops: e.nextHops },
          { fourOctetAs: ctx.fourOctetAs },
          ctx.maxMessageBytes,
        );
        out.announce(t, g.prefixes);
      } catch (err) {
        // One group that cannot be encoded must not stop the others (nor crash the flush).
        failed.push({
          prefixes: g.prefixes.map(formatPrefix),
          reason: err instanceof Error ? err.message : String(err),
          ...(err instanceof BgpError ? { code: err.code } : {}),
        });
        continue;
      }
      this.adjOut.setSlots(g.slots, e.stored);
      // The common case, one attribute set: its key list is the chunk's, no copy.
      announced = announced.length === 0 ? g.keys : announced.concat(g.keys);
    }
    return { announced, withdrawn: this.withdrawnKeys, skipped: this.skipped, failed };
  }
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
  const p = new Planner(adjOut, ctx, options.force ?? false);
  for (const k of keys) p.add(k, desired.get(k));
  return finishPlan(p);
}

/**
 * planUpdates for routes already at hand: distinct `keys`, each with its desired route at the same
 * index of `routes` (undefined: withdraw it).
 */
export function planEntries(
  keys: readonly string[],
  routes: readonly (Route | undefined)[],
  adjOut: AdjRibOut,
  ctx: PeerExportContext,
  force: boolean,
): Plan {
  const p = new Planner(adjOut, ctx, force);
  for (let i = 0; i < keys.length; i++) p.add(keys[i] as string, routes[i]);
  return finishPlan(p);
}

function finishPlan(p: Planner): Plan {
  const w = new UpdateWriter();
  const r = p.finish(w);
  return { ...r, messages: w.finish().messages };
}
