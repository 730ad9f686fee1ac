// The shared sockets: one receive socket per address family and port (RFC 5881 single-hop on
// 3784, RFC 5883 multi-hop on 4784), each with the kernel TTL check, and one send socket per
// family and local address (source port 49152–65535, TTL 255). Opened on first use, kept until
// the manager closes.
import type { Logger } from '@ironlb/clock';
import { GTSM_TTL, SOURCE_PORT_MAX, SOURCE_PORT_MIN } from '../codec/constants.js';
import type { BfdTransport } from '../deps.js';
import { BfdError } from '../errors.js';
import type { ListenerEntry, SenderEntry } from './types.js';

export interface SocketPoolOptions {
  readonly transport: BfdTransport;
  readonly logger: Logger;
  readonly singleHopPort: number;
  readonly multiHopPort: number;
  readonly listenAddress: { readonly ipv4: string; readonly ipv6: string };
  readonly sendTtl: number;
  readonly requireTtlCheck: boolean;
  /** A datagram on a receive socket (the TTL check already passed in the kernel). */
  readonly onPacket: (l: ListenerEntry, bytes: Uint8Array, from: string) => void;
  /** A datagram on one of our send sockets: not BFD's business. */
  readonly onStray: () => void;
}

export interface SocketPool {
  listenerFor(family: 'ipv4' | 'ipv6', multihop: boolean): Promise<ListenerEntry>;
  senderFor(family: 'ipv4' | 'ipv6', localAddress: string | undefined): Promise<SenderEntry>;
  /** RFC 5883 §2: one socket serves every multi-hop session, so it takes their lowest minimum. */
  updateMultihopTtl(l: ListenerEntry): void;
  close(): Promise<void>;
}

export function createSocketPool(o: SocketPoolOptions): SocketPool {
  const { transport, logger, sendTtl, requireTtlCheck } = o;
  const listeners = new Map<string, Promise<ListenerEntry>>();
  const senders = new Map<string, Promise<SenderEntry>>();
  let warnedTtl = false;

  function onSocketError(err: Error): void {
    // ICMP-driven errors (ECONNREFUSED, EHOSTUNREACH) on UDP sends: the detection time decides.
    logger.debug({ err: err.message }, 'BFD socket error');
  }

  function listenerFor(family: 'ipv4' | 'ipv6', multihop: boolean): Promise<ListenerEntry> {
    const port = multihop ? o.multiHopPort : o.singleHopPort;
    const k = `${family}|${port}`;
    let p = listeners.get(k);
    if (!p) {
      p = (async () => {
        // Packets that arrive before the TTL check is in place are ignored.
        const ready: { entry?: ListenerEntry } = {};
        const listener = await transport.listen(
          { family, address: o.listenAddress[family], port },
          (bytes, from) => {
            if (ready.entry) o.onPacket(ready.entry, bytes, from);
          },
          onSocketError,
        );
        const entry: ListenerEntry = { listener, byAddress: new Map(), multihop, minTtl: 0 };
        // RFC 5881 §5: single-hop accepts TTL 255 only; multi-hop starts strict and follows its
        // sessions (updateMultihopTtl).
        try {
          setMinTtl(entry, multihop ? 255 : GTSM_TTL);
        } catch (err) {
          await listener.close();
          throw err;
        }
        ready.entry = entry;
        return entry;
      })();
      listeners.set(k, p);
      p.catch(() => listeners.delete(k));
    }
    return p;
  }

  function setMinTtl(l: ListenerEntry, ttl: number): void {
    if (l.minTtl === ttl) return;
    try {
      l.listener.setMinTtl(ttl);
      l.minTtl = ttl;
    } catch (err) {
      if (requireTtlCheck || !(err instanceof BfdError)) throw err;
      if (!warnedTtl)
        logger.warn(
          { err: err.message },
          'BFD runs WITHOUT the receive TTL check (requireTtlCheck: false): RFC 5881 §5 is not enforced',
        );
      warnedTtl = true;
    }
  }

  function updateMultihopTtl(l: ListenerEntry): void {
    let min = 255;
    for (const e of l.byAddress.values()) min = Math.min(min, e.opts.minimumTtl);
    setMinTtl(l, min);
  }

  function senderFor(
    family: 'ipv4' | 'ipv6',
    localAddress: string | undefined,
  ): Promise<SenderEntry> {
    const k = `${family}|${localAddress ?? '*'}`;
    let p = senders.get(k);
    if (!p) {
      p = transport
        .sender(
          {
            family,
            ...(localAddress !== undefined ? { localAddress } : {}),
            ttl: sendTtl,
            portMin: SOURCE_PORT_MIN,
            portMax: SOURCE_PORT_MAX,
          },
          onSocketError,
          o.onStray,
        )
        .then((sender) => ({ sender }));
      senders.set(k, p);
      p.catch(() => senders.delete(k));
    }
    return p;
  }

  return {
    listenerFor,
    senderFor,
    updateMultihopTtl,
    async close(): Promise<void> {
      const all = [
        ...[...listeners.values()].map((p) => p.then((l) => l.listener.close())),
        ...[...senders.values()].map((p) => p.then((s) => s.sender.close())),
      ];
      await Promise.allSettled(all);
      listeners.clear();
      senders.clear();
    },
  };
}
