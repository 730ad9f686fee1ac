// An in-memory network: Transport instances bound to addresses, connected by duplex pipes that
// deliver bytes on the microtask queue (no sockets, no real time). Lets multi-peer tests run with
// a ManualClock. `await flush()` lets all queued deliveries happen.
//
// A reader can be paused (`pauseReading`): bytes written to it then queue on the writer's side,
// `write()` returns false past the high-water mark and `onDrain` fires once the reader has taken
// everything (`readSome` / `resumeReading`) — a slow or never-reading peer, for backpressure tests.
import type { BgpSocket, ConnectOptions, Listener, PendingConnect, Transport } from '../deps.js';

/** node:net's default high-water mark (Node ≥ 22). */
const HIGH_WATER_MARK = 64 * 1024;

class MemorySocket implements BgpSocket {
  peer: MemorySocket | null = null;
  private dataFns: ((d: Uint8Array) => void)[] = [];
  private closeFns: ((r: string) => void)[] = [];
  private drainFns: (() => void)[] = [];
  closed = false;
  /** When set, writes vanish (a blackholed link: TCP stays up, nothing arrives). */
  dropping = false;
  /** When set, this side does not read: bytes sent to it wait in the writer's queue. */
  paused = false;
  /** Every byte chunk written by this side, for assertions. */
  readonly written: Uint8Array[] = [];
  /** Chunks written by this side that the (paused) reader has not taken yet. */
  private readonly queue: Uint8Array[] = [];
  private queued = 0;
  private needDrain = false;
  readonly highWaterMark = HIGH_WATER_MARK;
  /** The largest `bufferedBytes` ever seen on this side. */
  maxBufferedBytes = 0;

  constructor(
    readonly localAddress: string,
    readonly localPort: number,
    readonly remoteAddress: string,
    readonly remotePort: number,
  ) {}

  get bufferedBytes(): number {
    return this.queued;
  }

  write(data: Uint8Array): boolean {
    if (this.closed) return false;
    const copy = Uint8Array.from(data);
    this.written.push(copy);
    const p = this.peer;
    if (this.dropping) return true;
    if (p?.paused) {
      this.queue.push(copy);
      this.queued += copy.length;
      this.maxBufferedBytes = Math.max(this.maxBufferedBytes, this.queued);
      if (this.queued >= this.highWaterMark) this.needDrain = true;
      return !this.needDrain;
    }
    this.deliver(copy);
    return true;
  }

  private deliver(copy: Uint8Array): void {
    const p = this.peer;
    queueMicrotask(() => {
      if (p && !p.closed) for (const fn of p.dataFns) fn(copy);
    });
  }

  /** Hands up to `maxBytes` of queued chunks (whole chunks, at least one) to the reader. */
  release(maxBytes: number): number {
    let n = 0;
    while (this.queue.length && (n === 0 || n + (this.queue[0] as Uint8Array).length <= maxBytes)) {
      const c = this.queue.shift() as Uint8Array;
      this.queued -= c.length;
      n += c.length;
      this.deliver(c);
    }
    if (this.queued === 0 && this.needDrain) {
      this.needDrain = false;
      queueMicrotask(() => {
        if (!this.closed) for (const fn of this.drainFns) fn();
      });
    }
    return n;
  }

  onDrain(fn: () => void): void {
    this.drainFns.push(fn);
  }

  end(): void {
    if (this.closed) return;
    // Deliver already-queued bytes first, like a TCP FIN after data.
    queueMicrotask(() => this.close('closed locally', true));
  }

  close(reason: string, propagate: boolean): void {
    if (this.closed) return;
    this.closed = true;
    for (const fn of this.closeFns) fn(reason);
    this.closeFns = [];
    if (propagate && this.peer) {
      const p = this.peer;
      queueMicrotask(() => p.close('closed by peer', false));
    }
  }

  onData(fn: (d: Uint8Array) => void): void {
    this.dataFns.push(fn);
  }

  onClose(fn: (r: string) => void): void {
    if (this.closed) fn('closed');
    else this.closeFns.push(fn);
  }
}

export class MemoryNetwork {
  private listeners = new Map<string, (s: BgpSocket) => void>();
  private nextPort = 40000;
  /** Addresses whose packets are silently dropped (a blackholed link). */
  readonly blackholed = new Set<string>();
  /** Addresses that do not read what is sent to them (see pauseReading). */
  readonly notReading = new Set<string>();
  readonly sockets: MemorySocket[] = [];

  /** A Transport whose connections come from `address`. */
  transport(address: string): Transport {
    return {
      connect: (o: ConnectOptions, onConnect, onError): PendingConnect => {
        let cancelled = false;
        queueMicrotask(() => {
          if (cancelled) return;
          const l = this.listeners.get(`${o.host}|${o.port}`) ?? this.listeners.get(`::|${o.port}`);
          if (!l || this.blackholed.has(o.host)) {
            onError('ECONNREFUSED');
            return;
          }
          const port = this.nextPort++;
          const a = new MemorySocket(o.localAddress ?? address, port, o.host, o.port);
          const b = new MemorySocket(o.host, o.port, o.localAddress ?? address, port);
          a.peer = b;
          b.peer = a;
          a.paused = this.notReading.has(a.localAddress);
          b.paused = this.notReading.has(b.localAddress);
          this.sockets.push(a, b);
          l(b);
          onConnect(a);
        });
        return { cancel: () => (cancelled = true) };
      },
      listen: async (o, onConnection): Promise<Listener> => {
        const host = o.host === '0.0.0.0' ? '::' : o.host;
        const key = `${host === '::' ? '::' : host}|${o.port}`;
        this.listeners.set(key, onConnection);
        return { address: host, port: o.port, close: async () => void this.listeners.delete(key) };
      },
    };
  }

  /** Silently drops all traffic to and from `address` on existing and future connections. */
  blackhole(address: string): void {
    this.blackholed.add(address);
    for (const s of this.sockets)
      if (s.localAddress === address || s.remoteAddress === address) s.dropping = true;
  }

  /**
   * `address` stops reading on existing and future connections: what others write to it queues
   * on their side (their `bufferedBytes` grows, `write()` returns false past the high-water mark).
   */
  pauseReading(address: string): void {
    this.notReading.add(address);
    for (const s of this.sockets) if (s.localAddress === address) s.paused = true;
  }

  /**
   * A paused `address` reads up to `maxBytes` (whole chunks, at least one per connection) of what
   * waits for it; the writer's drain callbacks fire once its queue is empty. Returns bytes read.
   */
  readSome(address: string, maxBytes: number): number {
    let n = 0;
    for (const s of this.sockets)
      if (s.remoteAddress === address && s.peer?.paused) n += s.release(maxBytes);
    return n;
  }

  /** `address` reads everything waiting for it and keeps reading from now on. */
  resumeReading(address: string): void {
    this.notReading.delete(address);
    for (const s of this.sockets) {
      if (s.localAddress === address) s.paused = false;
      if (s.remoteAddress === address) s.release(Number.POSITIVE_INFINITY);
    }
  }

  /** Lets every queued delivery run (several microtask rounds). */
  async flush(rounds = 50): Promise<void> {
    for (let i = 0; i < rounds; i++) await Promise.resolve();
  }
}

export type { MemorySocket };
