// The real transport: node:dgram sockets, the sending TTL through dgram's setTTL, and the
// receive-side minimum TTL through a kernel socket filter (io/sockopt.ts).
import dgram from 'node:dgram';
import { BfdError, BfdErrorCode } from '../errors.js';
import type {
  BfdListener,
  BfdSender,
  BfdTransport,
  ListenOptions,
  SenderOptions,
} from '../deps.js';
import { loadSockopt, setMinTtl } from './sockopt.js';

function bind(sock: dgram.Socket, port: number, address: string | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (err: Error) => reject(err);
    sock.once('error', onError);
    sock.bind({ port, ...(address !== undefined ? { address } : {}), exclusive: true }, () => {
      sock.off('error', onError);
      resolve();
    });
  });
}

function socketError(what: string, err: unknown, detail: Record<string, unknown>): BfdError {
  const e = err as NodeJS.ErrnoException;
  return new BfdError(BfdErrorCode.SocketError, `${what}: ${e.code ?? e.message}`, {
    detail: { ...detail, errno: e.code },
  });
}

function closeSocket(sock: dgram.Socket): Promise<void> {
  return new Promise((resolve) => {
    try {
      sock.close(() => resolve());
    } catch {
      resolve(); // already closed
    }
  });
}

const asBytes = (b: Buffer) => new Uint8Array(b.buffer, b.byteOffset, b.length);

export interface UdpTransportOptions {
  /**
   * Tries for a free source port in the RFC 5881 range before giving up (ports are drawn at
   * random). Default 64.
   */
  readonly bindAttempts?: number;
  /** Random source for port choice. Default Math.random. */
  readonly random?: () => number;
}

/** node:dgram transport (the default). */
export function udpTransport(options: UdpTransportOptions = {}): BfdTransport {
  const random = options.random ?? Math.random;
  const attempts = options.bindAttempts ?? 64;
  return {
    async listen(o: ListenOptions, onPacket, onError): Promise<BfdListener> {
      await loadSockopt();
      const family = o.family;
      const sock = dgram.createSocket({
        type: family === 'ipv4' ? 'udp4' : 'udp6',
        // IPv4 arrives on the udp4 socket, never as ::ffff:a.b.c.d here.
        ...(family === 'ipv6' ? { ipv6Only: true } : {}),
      });
      try {
        await bind(sock, o.port, o.address);
      } catch (err) {
        await closeSocket(sock);
        throw socketError(`cannot listen on ${o.address} port ${o.port}`, err, { ...o });
      }
      sock.on('message', (msg, rinfo) => onPacket(asBytes(msg), rinfo.address, rinfo.port));
      sock.on('error', onError);
      return {
        port: sock.address().port,
        setMinTtl: (ttl) => setMinTtl(sock, family, ttl),
        close: () => closeSocket(sock),
      };
    },

    async sender(o: SenderOptions, onError, onPacket): Promise<BfdSender> {
      const span = o.portMax - o.portMin + 1;
      let lastErr: unknown;
      for (let i = 0; i < attempts; i++) {
        const port = o.portMin + Math.floor(random() * span);
        const sock = dgram.createSocket({
          type: o.family === 'ipv4' ? 'udp4' : 'udp6',
          ...(o.family === 'ipv6' ? { ipv6Only: true } : {}),
        });
        try {
          await bind(sock, port, o.localAddress);
        } catch (err) {
          await closeSocket(sock);
          lastErr = err;
          if ((err as NodeJS.ErrnoException).code === 'EADDRINUSE') continue;
          break;
        }
        // RFC 5881 §5: TTL / Hop Limit 255 (libuv sets IP_TTL or IPV6_UNICAST_HOPS).
        sock.setTTL(o.ttl);
        sock.on('error', onError);
        sock.on('message', (msg, rinfo) => onPacket?.(asBytes(msg), rinfo.address, rinfo.port));
        const send = (bytes: Uint8Array, address: string, port: number) =>
          sock.send(bytes, port, address, (err) => {
            if (err) onError(err);
          });
        return {
          localPort: port,
          send,
          close: () => closeSocket(sock),
        };
      }
      throw socketError(
        `cannot bind a source port in ${o.portMin}–${o.portMax}${o.localAddress ? ` on ${o.localAddress}` : ''}`,
        lastErr,
        { localAddress: o.localAddress },
      );
    },
  };
}
