/**
 * Piggyback queue (SWIM §4.1 infection-style dissemination; hashicorp queue.go
 * TransmitLimitedQueue). Each update is sent at most `limit` times; the least-sent go first (newest
 * first among equals), and a newer update about a member replaces any older one still queued, so
 * stale news never travels.
 *
 * The queue holds at most one update per member, so it is bounded by the member table. Updates
 * sit in buckets by transmit count, and take() walks the buckets from the least-sent and stops once
 * the packet is full: the work per packet no longer grows with the queue (issue 14: sorting 33k
 * queued updates for every datagram stalled a flooded member until it was declared dead).
 */
import type { GossipMsg } from '../codec/messages.js';

interface Item {
  msg: GossipMsg;
  transmits: number;
  size: number;
  /** Replaced or dropped; skipped and swept lazily. */
  gone: boolean;
}

/** Smallest estimateSize() of any update: below this budget nothing more fits. */
const MIN_SIZE = 24;
/** Updates too large for the space left that take() looks past in one bucket before giving up. */
const MAX_SKIPPED = 16;

/** Rough encoded size of a gossip message, bytes; deliberately generous. */
export function estimateSize(m: GossipMsg): number {
  let n = 24 + m.node.length * 3;
  if (m.type === 'alive') {
    n += m.addr.length;
    for (const [k, v] of Object.entries(m.meta)) n += 8 + (k.length + v.length) * 3;
  } else {
    n += m.from.length * 3;
  }
  return n;
}

export class BroadcastQueue {
  private readonly byNode = new Map<string, Item>();
  /** buckets[t]: items sent t times, oldest first (take() reads from the end). */
  private buckets: Item[][] = [];
  private goneCount = 0;

  get length(): number {
    return this.byNode.size;
  }

  /** Queues an update, replacing any queued update about the same member. */
  push(msg: GossipMsg): void {
    this.drop(msg.node);
    const it: Item = { msg, transmits: 0, size: estimateSize(msg), gone: false };
    this.byNode.set(msg.node, it);
    (this.buckets[0] ??= []).push(it);
  }

  /** Drops any queued update about `node` (e.g. after we reap it). */
  drop(node: string): void {
    const old = this.byNode.get(node);
    if (old === undefined) return;
    old.gone = true;
    this.byNode.delete(node);
    this.goneCount++;
    if (this.goneCount > 64 && this.goneCount > this.byNode.size) this.sweep();
  }

  has(node: string): boolean {
    return this.byNode.has(node);
  }

  /** The queued update about `node`, if any. */
  get(node: string): GossipMsg | undefined {
    return this.byNode.get(node)?.msg;
  }

  /**
   * Takes updates that fit in `budgetBytes`, least-transmitted first, counting one transmit each;
   * items that reach `limit` transmits leave the queue.
   */
  take(budgetBytes: number, limit: number): GossipMsg[] {
    if (this.byNode.size === 0) return [];
    const out: GossipMsg[] = [];
    const promoted: Item[] = [];
    let left = budgetBytes;
    for (let t = 0; t < this.buckets.length && left >= MIN_SIZE; t++) {
      const b = this.buckets[t];
      if (b === undefined) continue;
      // Pop from the newest end; what does not fit goes back in order. O(taken + skipped).
      const skipped: Item[] = [];
      while (b.length > 0 && left >= MIN_SIZE && skipped.length < MAX_SKIPPED) {
        const it = b.pop() as Item;
        if (it.gone) {
          this.goneCount--;
          continue;
        }
        if (it.size > left) {
          skipped.push(it);
          continue;
        }
        left -= it.size;
        out.push(it.msg);
        it.transmits++;
        if (it.transmits >= limit) {
          it.gone = true;
          this.byNode.delete(it.msg.node);
        } else {
          promoted.push(it); // re-bucketed after the walk, so never taken twice for one packet
        }
      }
      for (let i = skipped.length - 1; i >= 0; i--) b.push(skipped[i] as Item);
    }
    for (const it of promoted) (this.buckets[it.transmits] ??= []).push(it);
    return out;
  }

  private sweep(): void {
    this.buckets = this.buckets.map((b) => b.filter((x) => !x.gone));
    this.goneCount = 0;
  }
}
