// An in-memory network: Transport instances bound to addresses, connected by duplex pipes that
// deliver bytes on the microtask queue (no sockets, no real time). Lets multi-peer tests run with
// a ManualClock. `await flush()` lets all queued deliveries happen.
import type { BgpSocket, ConnectOptions, Listener, PendingConnect, Transport } from '../io/deps.js';

class MemorySocket implements BgpSocket {
  peer: MemorySocket | null = null;
  private dataFns: ((d: Uint8Array) => void)[] = [];
  private closeFns: ((r: string) => void)[] = [];
  closed = false;
  /** When set, writes vanish (a blackholed link: TCP stays up, nothing arrives). */
  dropping = false;
  /** Every byte chunk written by this side, for assertions. */
  readonly written: Uint8Array[] = [];

  constructor(
    readonly localAddress: string,
    readonly localPort: number,
    readonly remoteAddress: string,
    readonly remotePort: number,
  ) {}

  write(data: Uint8Array): void {
    if (this.closed) return;
    const copy = Uint8Array.from(data);
    this.written.push(copy);
    const p = this.peer;
    if (this.dropping) return;
    queueMicrotask(() => {
      if (p && !p.closed) for (const fn of p.dataFns) fn(copy);
    });
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

  /** Lets every queued delivery run (several microtask rounds). */
  async flush(rounds = 50): Promise<void> {
    for (let i = 0; i < rounds; i++) await Promise.resolve();
  }
}

export type { MemorySocket };
