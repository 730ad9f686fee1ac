// Keeps one peer's Adj-RIB-Out in step with the desired routes, one bounded chunk at a time, so the
// driver can stop asking while the socket is full (issue 14: backpressure). Pure: no sockets, no
// timers. What is owed to the peer is kept as state whose size never depends on how often the peer
// asks:
//   - `dirty`: prefixes changed since they were last sent (a Set: a prefix changed 1000 times while
//     the peer does not read is one entry);
//   - one resend pass: a cursor over the desired routes, for the initial dump (then End-of-RIB,
//     RFC 4724 §2) or a route refresh (RFC 2918 §4; inside BoRR … EoRR with RFC 7313 §4);
//   - refresh requests that arrive while a pass runs are coalesced into one more pass per family.
// A peer that sends 100k ROUTE-REFRESH messages and never reads therefore costs one flag, not 100k
// copies of the table (it cost 1.9 GB of RSS before).
import { RouteRefreshSubtype } from '../codec/constants.js';
import { encodeRouteRefresh } from '../codec/notification.js';
import { afiSafiOf } from '../codec/open.js';
import { prefixKey } from '../codec/prefix.js';
import type { AddressFamily } from '../codec/prefix.js';
import { encodeEndOfRib } from '../codec/update.js';
import { attributesKeyOf, planEntries, planUpdates } from './rib.js';
import type { PeerExportContext, Plan, Route } from './rib.js';
import { AdjRibOut } from './adj-rib-out.js';
import type { SlotTable } from './adj-rib-out.js';

export interface RibSyncOptions {
  /** Negotiated families, in the order End-of-RIB markers go out. */
  families: readonly AddressFamily[];
  /** RFC 7313 was negotiated: wrap each refresh resend in BoRR … EoRR. */
  enhancedRouteRefresh: boolean;
  /** Prefixes planned per chunk. Default 4096 (a few tens of KB of UPDATEs). */
  batchPrefixes?: number;
  /**
   * Distinct attribute sets per chunk. Default 64. Each set needs UPDATEs of its own (up to 4096
   * bytes of attributes each), so this bounds a chunk's bytes: 64 × 4 KiB plus the prefixes.
   */
  batchAttributeSets?: number;
  /** The speaker's slot table, shared by its peers (see adj-rib-out.ts). Default: a new one. */
  slots?: SlotTable;
}

/** What one call to next() produced, in wire order in `messages`. */
export interface SyncChunk {
  messages: Uint8Array[];
  /** Prefix keys announced and withdrawn by these messages. */
  announced: string[];
  withdrawn: string[];
  /** Prefixes of a negotiated family that have no next hop on this session. */
  skipped: string[];
  /** Route groups that could not be encoded for this peer. */
  failed: Plan['failed'];
  /** End-of-RIB markers in this chunk (the initial dump of that family is complete). */
  endOfRib: AddressFamily[];
  /** RFC 7313 markers in this chunk. */
  refresh: { family: AddressFamily; marker: 'BoRR' | 'EoRR' }[];
}

interface Pass {
  families: Set<AddressFamily>;
  /** The initial dump after Established (ends with End-of-RIB) rather than a refresh. */
  initial: boolean;
  cursor: Iterator<Route>;
  /** Routes of these families when the pass started, and how many of them were visited. */
  total: number;
  visited: number;
}

export class RibSync {
  readonly adjOut: AdjRibOut;
  private readonly dirty = new Set<string>();
  private pass: Pass | null = null;
  private readonly queuedRefresh = new Set<AddressFamily>();
  private readonly batch: number;
  private readonly maxSets: number;
  private readonly families: Set<AddressFamily>;

  constructor(
    private readonly routes: ReadonlyMap<string, Route>,
    private readonly ctx: PeerExportContext,
    private readonly options: RibSyncOptions,
  ) {
    this.adjOut = new AdjRibOut(options.slots);
    this.batch = Math.max(1, options.batchPrefixes ?? 4096);
    this.maxSets = Math.max(1, options.batchAttributeSets ?? 64);
    this.families = new Set(options.families);
    this.pass = this.startPass(this.families, true);
  }

  /** These prefix keys changed (announced, re-announced or withdrawn) in the desired table. */
  markDirty(keys: Iterable<string>): void {
    for (const k of keys) this.dirty.add(k);
  }

  /**
   * A ROUTE-REFRESH request (RFC 2918) for `family`. Returns false when the family was not
   * negotiated (ignored, RFC 2918 §4). A request for a family whose resend is running or already
   * queued costs nothing more: they are coalesced into one resend after the current one.
   */
  refresh(family: AddressFamily): boolean {
    if (!this.families.has(family)) return false;
    this.queuedRefresh.add(family);
    return true;
  }

  /**
   * Prefixes that should be advertised but are not yet: changes not sent, plus what the initial
   * dump has not reached (a refresh resend re-sends what the peer already has, so it owes nothing).
   */
  get pendingPrefixes(): number {
    const p = this.pass;
    return this.dirty.size + (p?.initial ? Math.max(0, p.total - p.visited) : 0);
  }

  /** Nothing owed: no changes, no pass running, no refresh queued. */
  get idle(): boolean {
    return this.dirty.size === 0 && this.pass === null && this.queuedRefresh.size === 0;
  }

  /** True while the initial dump of this session has not finished (End-of-RIB not yet sent). */
  get initialDumpRunning(): boolean {
    return this.pass?.initial === true;
  }

  /**
   * The next chunk of messages owed to the peer, at most `batchPrefixes` prefixes, or null when
   * nothing is owed. Changes go first; the resend cursor only advances when no change is waiting.
   * Updates the Adj-RIB-Out as if the returned messages were sent (the caller sends them).
   */
  next(): SyncChunk | null {
    for (;;) {
      const c: SyncChunk = {
        messages: [],
        announced: [],
        withdrawn: [],
        skipped: [],
        failed: [],
        endOfRib: [],
        refresh: [],
      };
      if (this.dirty.size > 0) {
        this.merge(c, planUpdates(this.routes, this.adjOut, this.ctx, this.takeDirty()));
      } else if (this.pass) {
        this.advancePass(this.pass, c);
      } else if (this.queuedRefresh.size > 0) {
        const fams = new Set(this.queuedRefresh);
        this.queuedRefresh.clear();
        this.pass = this.startPass(fams, false);
        // RFC 7313 §4: BoRR before the resend of each family.
        if (this.options.enhancedRouteRefresh)
          for (const f of this.ordered(fams)) {
            const { afi, safi } = afiSafiOf(f);
            c.messages.push(encodeRouteRefresh(afi, safi, RouteRefreshSubtype.BeginOfRefresh));
            c.refresh.push({ family: f, marker: 'BoRR' });
          }
      } else {
        return null;
      }
      if (c.messages.length || c.skipped.length || c.failed.length) return c;
    }
  }

  private ordered(fams: ReadonlySet<AddressFamily>): AddressFamily[] {
    return this.options.families.filter((f) => fams.has(f));
  }

  private startPass(families: Set<AddressFamily>, initial: boolean): Pass {
    let total = 0;
    if (initial) for (const r of this.routes.values()) if (families.has(r.prefix.family)) total++;
    return { families, initial, cursor: this.routes.values(), total, visited: 0 };
  }

  /** True when a chunk holding `keys` prefixes and attribute sets `sets` has room for no more. */
  private full(keys: number, sets: Set<string>): boolean {
    return keys >= this.batch || sets.size >= this.maxSets;
  }

  private takeDirty(): Set<string> {
    const keys = new Set<string>();
    const sets = new Set<string>();
    for (const k of this.dirty) {
      if (this.full(keys.size, sets)) break;
      keys.add(k);
      this.dirty.delete(k);
      const r = this.routes.get(k);
      if (r) sets.add(r.attributesKey ?? attributesKeyOf(r.attributes));
    }
    return keys;
  }

  private advancePass(p: Pass, c: SyncChunk): void {
    // The cursor yields distinct routes with their keys: no lookups needed to plan them.
    const keys: string[] = [];
    const routes: Route[] = [];
    const sets = new Set<string>();
    let last: string | undefined;
    let done = false;
    while (!this.full(keys.length, sets)) {
      const r = p.cursor.next();
      if (r.done) {
        done = true;
        break;
      }
      const route = r.value;
      if (!p.families.has(route.prefix.family)) continue;
      p.visited++;
      keys.push(route.key ?? prefixKey(route.prefix));
      routes.push(route);
      const ak = route.attributesKey ?? attributesKeyOf(route.attributes);
      if (ak !== last) sets.add((last = ak));
    }
    if (keys.length) this.merge(c, planEntries(keys, routes, this.adjOut, this.ctx, true));
    if (!done) return;
    this.pass = null;
    for (const f of this.ordered(p.families)) {
      if (p.initial) {
        // RFC 4724 §2: End-of-RIB per family once its initial update is complete.
        c.messages.push(encodeEndOfRib(f));
        c.endOfRib.push(f);
      } else if (this.options.enhancedRouteRefresh) {
        const { afi, safi } = afiSafiOf(f);
        c.messages.push(encodeRouteRefresh(afi, safi, RouteRefreshSubtype.EndOfRefresh));
        c.refresh.push({ family: f, marker: 'EoRR' });
      }
    }
  }

  private merge(c: SyncChunk, p: Plan): void {
    const join = <T>(a: T[], b: T[]) => (a.length === 0 ? b : b.length === 0 ? a : a.concat(b));
    c.messages = join(c.messages, p.messages);
    c.announced = join(c.announced, p.announced);
    c.withdrawn = join(c.withdrawn, p.withdrawn);
    c.skipped = join(c.skipped, p.skipped);
    c.failed = join(c.failed, p.failed);
  }
}
