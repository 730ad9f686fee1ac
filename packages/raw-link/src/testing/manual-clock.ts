import type { Clock } from '../deps.js';

interface Pending {
  id: number;
  atMs: number;
  fn: () => void;
}

/** A clock that moves only when the test says so. Timers fire in deadline order during advance(). */
export class ManualClock implements Clock {
  private nowMs: number;
  private nextId = 1;
  private pending: Pending[] = [];

  constructor(startMs = 0) {
    this.nowMs = startMs;
  }

  now(): number {
    return this.nowMs;
  }

  setTimeout(fn: () => void, delayMs: number): unknown {
    const id = this.nextId++;
    this.pending.push({ id, atMs: this.nowMs + Math.max(0, delayMs), fn });
    return id;
  }

  clearTimeout(handle: unknown): void {
    this.pending = this.pending.filter((p) => p.id !== handle);
  }

  /** Number of armed timers. */
  get pendingTimers(): number {
    return this.pending.length;
  }

  /** Moves time forward by `ms`, firing due timers in order (timers they arm fire too if due). */
  advance(ms: number): void {
    const target = this.nowMs + ms;
    for (;;) {
      this.pending.sort((a, b) => a.atMs - b.atMs || a.id - b.id);
      const first = this.pending[0];
      if (!first || first.atMs > target) break;
      this.pending.shift();
      this.nowMs = first.atMs;
      first.fn();
    }
    this.nowMs = target;
  }
}
