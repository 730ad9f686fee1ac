// An in-memory UDP network for the manager (DESIGN.md §3: each library ships its fakes). Hosts
// own addresses; a datagram travels after `latencyMs` on the injected clock, loses one TTL per
// router hop configured between two addresses, and is dropped where a listener's minimum TTL
// (the kernel socket filter) says so, or where the path is blackholed. Strangers inject raw datagrams.
import type { Clock } from '@ironlb/clock';
import type {
  AddressFamily,
  BfdListener,
  BfdSender,
  BfdTransport,
  ListenOptions,
  SenderOptions,
} from '../deps.js';
import { BfdError, BfdErrorCode } from '../errors.js';

type Deliver = (bytes: Uint8Array, from: string, fromPort: number) => void;

interface Socket {
  readonly host: Host;
  readonly family: AddressFamily;
  readonly address: string;
  readonly port: number;
  minTtl: number;
  readonly deliver: Deliver;
}

interface Host {
  readonly addresses: readonly string[];
}

export interface MemoryNetworkStats {
  sent: number;
  delivered: number;
  /** Dropped by a listener's minimum TTL (the kernel socket filter). */
  droppedTtl: number;
  /** Dropped on a blackholed path. */
  droppedLoss: number;
  /** Nobody listens on that address and port. */
  droppedNoListener: number;
}

const familyOf = (a: string): AddressFamily => (a.includes(':') ? 'ipv6' : 'ipv4');
const wildcard = (a: string) => a === '0.0.0.0' || a === '::';
const pair = (a: string, b: string) => (a < b ? `${a}|${b}` : `${b}|${a}`);

export class MemoryBfdNetwork {
  readonly stats: MemoryNetworkStats = {
    sent: 0,
    delivered: 0,
    droppedTtl: 0,
    droppedLoss: 0,
    droppedNoListener: 0,
  };
  private readonly sockets: Socket[] = [];
  private readonly hops = new Map<string, number>();
  private readonly blackholed = new Set<string>();
  private readonly down = new Set<string>();
  private readonly clock: Clock;
  private readonly latencyMs: number;

  constructor(clock: Clock, o: { latencyMs?: number } = {}) {
    this.clock = clock;
    this.latencyMs = o.latencyMs ?? 0;
  }

  /** Routers between two addresses: each one takes 1 off the TTL (default 0, one link). */
  setHops(a: string, b: string, hops: number): void {
    this.hops.set(pair(a, b), hops);
  }

  /** Drops everything between two addresses, both ways, until heal(). */
  blackhole(a: string, b: string): void {
    this.blackholed.add(pair(a, b));
  }

  /** Drops everything to and from an address (its link is cut) until heal(). */
  cut(address: string): void {
    this.down.add(address);
  }

  heal(): void {
    this.blackholed.clear();
    this.down.clear();
  }

  /** A host owning `addresses`; pass its transport to createBfdManager. */
  transport(addresses: readonly string[]): BfdTransport {
    const host: Host = { addresses };
    const open = (
      family: AddressFamily,
      address: string | undefined,
      port: number,
      deliver: Deliver,
    ): Socket => {
      const bound = address ?? addresses.find((a) => familyOf(a) === family) ?? '';
      if (!wildcard(bound) && !addresses.includes(bound))
        throw new BfdError(BfdErrorCode.SocketError, `cannot bind ${bound}: not local`, {
          detail: { address: bound, errno: 'EADDRNOTAVAIL' },
        });
      const clash = this.sockets.find(
        (s) =>
          s.host === host &&
          s.family === family &&
          s.port === port &&
          (s.address === bound || wildcard(s.address) || wildcard(bound)),
      );
      if (clash)
        throw new BfdError(BfdErrorCode.SocketError, `port ${port} in use`, {
          detail: { port, errno: 'EADDRINUSE' },
        });
      const s: Socket = { host, family, address: bound, port, minTtl: 0, deliver };
      this.sockets.push(s);
      return s;
    };
    const close = (s: Socket) => {
      const i = this.sockets.indexOf(s);
      if (i >= 0) this.sockets.splice(i, 1);
      return Promise.resolve();
    };
    return {
      listen: async (o: ListenOptions, onPacket): Promise<BfdListener> => {
        const s = open(o.family, o.address, o.port, onPacket);
        return {
          port: o.port,
          setMinTtl: (ttl) => {
            s.minTtl = ttl;
          },
          close: () => close(s),
        };
      },
      sender: async (o: SenderOptions, _onError, onPacket): Promise<BfdSender> => {
        let port = o.portMin;
        while (this.sockets.some((x) => x.host === host && x.port === port)) port++;
        const s = open(o.family, o.localAddress, port, onPacket ?? (() => {}));
        const from = wildcard(s.address)
          ? (addresses.find((a) => familyOf(a) === o.family) ?? s.address)
          : s.address;
        return {
          localPort: port,
          send: (bytes, address, toPort) =>
            this.inject({ from, fromPort: port, to: address, toPort, bytes, ttl: o.ttl }),
          close: () => close(s),
        };
      },
    };
  }

  /** Sends a datagram as anyone (a stranger, a spoofer, a peer with another TTL). */
  inject(o: {
    from: string;
    fromPort: number;
    to: string;
    toPort: number;
    bytes: Uint8Array;
    ttl?: number;
  }): void {
    this.stats.sent++;
    const bytes = o.bytes.slice(); // the sender may reuse its buffer
    const arrivalTtl = (o.ttl ?? 255) - (this.hops.get(pair(o.from, o.to)) ?? 0);
    this.clock.setTimeout(() => {
      if (this.blackholed.has(pair(o.from, o.to)) || this.down.has(o.from) || this.down.has(o.to)) {
        this.stats.droppedLoss++;
        return;
      }
      const s = this.sockets.find(
        (x) =>
          x.port === o.toPort &&
          x.family === familyOf(o.to) &&
          x.host.addresses.includes(o.to) &&
          (x.address === o.to || wildcard(x.address)),
      );
      if (!s) {
        this.stats.droppedNoListener++;
        return;
      }
      if (arrivalTtl < s.minTtl) {
        this.stats.droppedTtl++;
        return;
      }
      this.stats.delivered++;
      s.deliver(bytes, o.from, o.fromPort);
    }, this.latencyMs);
  }
}
