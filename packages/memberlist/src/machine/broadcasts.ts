/**
 * Piggyback queue (SWIM §4.1 infection-style dissemination; hashicorp queue.go
 * TransmitLimitedQueue). Each update is sent at most `limit` times; the least-sent go first, and a
 * newer update about a member replaces any older one still queued, so stale news never travels.
 */
import type { GossipMsg } from '../codec/messages.js';

interface Item {
  msg: GossipMsg;
  transmits: number;
  /** Insertion order, for a stable tie-break (newer first among equally-sent items). */
  id: number;
}

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
  private items = new Map<string, Item>();
  private nextId = 0;

  get length(): number {
    return this.items.size;
  }

  /** Queues an update, replacing any queued update about the same member. */
  push(msg: GossipMsg): void {
    this.items.set(msg.node, { msg, transmits: 0, id: this.nextId++ });
  }

  /** Drops any queued update about `node` (e.g. after we reap it). */
  drop(node: string): void {
    this.items.delete(node);
  }

  has(node: string): boolean {
    return this.items.has(node);
  }

  /**
   * Takes updates that fit in `budgetBytes`, least-transmitted first, counting one transmit each;
   * items that reach `limit` transmits leave the queue.
   */
  take(budgetBytes: number, limit: number): GossipMsg[] {
    if (this.items.size === 0) return [];
    const sorted = [...this.items.values()].sort(
      (a, b) => a.transmits - b.transmits || b.id - a.id,
    );
    const out: GossipMsg[] = [];
    let used = 0;
    for (const it of sorted) {
      const size = estimateSize(it.msg);
      if (used + size > budgetBytes) continue;
      used += size;
      out.push(it.msg);
      it.transmits++;
      if (it.transmits >= limit) this.items.delete(it.msg.node);
    }
    return out;
  }
}
