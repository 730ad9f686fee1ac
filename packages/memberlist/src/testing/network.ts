/**
 * In-memory network for multi-member tests on a manual clock (the idea of hashicorp's
 * MockNetwork, extended with per-link loss, delay and partitions). Every delivery goes through
 * the clock, never synchronously, so ordering is reproducible from the seed.
 *
 * Streams model TCP coarsely: delivered reliably unless the link is partitioned or blackholed, but
 * each direction that would have lost a segment pays a 1 s retransmission (Linux's initial RTO),
 * which is what makes TCP fallback probes slow under loss on a real network too.
 */
import type { Clock } from '@ironlb/clock';
import type { StreamReply, Transport } from '../deps.js';

export interface InMemoryNetworkOptions {
  clock: Clock;
  /** Randomness for loss decisions. */
  random: () => number;
  /** One-way delay of every link unless set per link, ms. Default 0.2. */
  delayMs?: number;
  /** Loss on every link unless set per link, percent. Default 0. */
  lossPercent?: number;
}

interface LinkProps {
  lossPercent?: number;
  delayMs?: number;
  /** Drop every datagram on this link but let streams through (a UDP-only firewall rule). */
  udpBlocked?: boolean;
}

/** Retransmission penalty of a lost TCP segment, ms (Linux initial RTO). */
const TCP_RTO_MS = 1000;

export interface LinkStats {
  packets: number;
  bytes: number;
  dropped: number;
}

export class InMemoryNetwork {
  private readonly clock: Clock;
  private readonly random: () => number;
  private delayMs: number;
  private lossPercent: number;
  private readonly nodes = new Map<string, MemTransport>();
  private readonly links = new Map<string, LinkProps>();
  private readonly isolated = new Set<string>();
  private groups: string[][] | null = null;
  /** Per-sender counters. */
  readonly sent = new Map<string, LinkStats>();

  constructor(o: InMemoryNetworkOptions) {
    this.clock = o.clock;
    this.random = o.random;
    this.delayMs = o.delayMs ?? 0.2;
    this.lossPercent = o.lossPercent ?? 0;
  }

  /** A transport bound to `addr` ("host:port"). Closing it makes the address unreachable. */
  createTransport(addr: string): Transport {
    if (this.nodes.has(addr)) throw new Error(`address in use: ${addr}`);
    const t = new MemTransport(this, addr);
    this.nodes.set(addr, t);
    return t;
  }

  /** Sets loss on every link (percent). */
  setLossAll(percent: number): void {
    this.lossPercent = percent;
  }

  setDelayAll(ms: number): void {
    this.delayMs = ms;
  }

  /** Per-link loss/delay (both directions). */
  setLink(a: string, b: string, props: LinkProps): void {
    this.links.set(key(a, b), { ...this.links.get(key(a, b)), ...props });
  }

  /** Only members within the same group can talk until heal(). */
  partition(groups: string[][]): void {
    this.groups = groups;
  }

  heal(): void {
    this.groups = null;
    this.isolated.clear();
  }

  /** 100 % loss to and from one address (like a blackhole qdisc). */
  isolate(addr: string): void {
    this.isolated.add(addr);
  }

  /** @internal Runs fn on the clock, never synchronously (no re-entrancy into a caller). */
  later(fn: () => void): void {
    this.clock.setTimeout(fn, 0);
  }

  /** @internal */
  detach(addr: string): void {
    this.nodes.delete(addr);
  }

  private connected(a: string, b: string): boolean {
    if (this.isolated.has(a) || this.isolated.has(b)) return false;
    if (this.groups === null) return true;
    const ga = this.groups.findIndex((g) => g.includes(a));
    const gb = this.groups.findIndex((g) => g.includes(b));
    return ga === gb;
  }

  private props(a: string, b: string): { loss: number; delay: number } {
    const l = this.links.get(key(a, b));
    return { loss: l?.lossPercent ?? this.lossPercent, delay: l?.delayMs ?? this.delayMs };
  }

  private count(from: string, bytes: number, dropped: boolean): void {
    const s = this.sent.get(from) ?? { packets: 0, bytes: 0, dropped: 0 };
    s.packets++;
    s.bytes += bytes;
    if (dropped) s.dropped++;
    this.sent.set(from, s);
  }

  /** @internal */
  deliverPacket(from: string, to: string, bytes: Uint8Array): void {
    const { loss, delay } = this.props(from, to);
    const drop =
      !this.connected(from, to) ||
      this.links.get(key(from, to))?.udpBlocked === true ||
      this.random() * 100 < loss;
    this.count(from, bytes.length, drop);
    if (drop) return;
    const copy = Uint8Array.from(bytes);
    this.clock.setTimeout(() => this.nodes.get(to)?.receivePacket(from, copy), delay);
  }

  /** @internal */
  deliverStream(
    from: string,
    to: string,
    bytes: Uint8Array,
    timeoutMs: number,
    done: (r: Uint8Array | null) => void,
  ): void {
    let finished = false;
    const finish = (r: Uint8Array | null) => {
      if (finished) return;
      finished = true;
      done(r);
    };
    this.clock.setTimeout(() => finish(null), timeoutMs);
    this.count(from, bytes.length, false);
    if (!this.connected(from, to)) return; // SYNs vanish: the caller times out
    const { loss, delay } = this.props(from, to);
    const leg = () => delay + (this.random() * 100 < loss ? TCP_RTO_MS : 0);
    const copy = Uint8Array.from(bytes);
    this.clock.setTimeout(() => {
      const dst = this.nodes.get(to);
      if (dst === undefined) return finish(null); // connection refused
      dst.receiveStream(from, copy, (reply) => {
        if (reply === null) return this.clock.setTimeout(() => finish(null), delay);
        this.count(to, reply.length, false);
        if (!this.connected(to, from)) return;
        const r = Uint8Array.from(reply);
        this.clock.setTimeout(() => finish(r), leg());
      });
    }, leg() * 2); // connect (SYN/SYN-ACK) plus the request
  }
}

function key(a: string, b: string): string {
  return a < b ? `${a}|${b}` : `${b}|${a}`;
}

class MemTransport implements Transport {
  private packetHandler: (from: string, bytes: Uint8Array) => void = () => {};
  private streamHandler: (from: string, bytes: Uint8Array, reply: StreamReply) => void = (
    _f,
    _b,
    r,
  ) => r(null);
  private closed = false;

  constructor(
    private readonly net: InMemoryNetwork,
    readonly localAddr: string,
  ) {}

  sendPacket(to: string, bytes: Uint8Array): void {
    if (!this.closed) this.net.deliverPacket(this.localAddr, to, bytes);
  }

  openStream(
    to: string,
    bytes: Uint8Array,
    timeoutMs: number,
    done: (reply: Uint8Array | null) => void,
  ): void {
    if (this.closed) return this.net.later(() => done(null));
    this.net.deliverStream(this.localAddr, to, bytes, timeoutMs, done);
  }

  onPacket(handler: (from: string, bytes: Uint8Array) => void): void {
    this.packetHandler = handler;
  }

  onStream(handler: (from: string, bytes: Uint8Array, reply: StreamReply) => void): void {
    this.streamHandler = handler;
  }

  receivePacket(from: string, bytes: Uint8Array): void {
    if (!this.closed) this.packetHandler(from, bytes);
  }

  receiveStream(from: string, bytes: Uint8Array, reply: StreamReply): void {
    if (this.closed) return reply(null);
    this.streamHandler(from, bytes, reply);
  }

  async close(): Promise<void> {
    this.closed = true;
    this.net.detach(this.localAddr);
  }
}
