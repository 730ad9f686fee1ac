// The only code that touches node:net (DESIGN.md §3 io/ layer). Sessions that need socket options
// before their first packet (TCP-MD5, a TTL on the SYN, GTSM) get a socket opened through FFI
// (sockopt.ts) and connected by node:net from that descriptor; listeners get their options on the
// listening descriptor, which accepted sockets inherit.
import net from 'node:net';
import { backgroundClock } from '@ironlb/clock';
import type { Clock } from '@ironlb/clock';
import {
  closeFd,
  loadSockopt,
  openTcpSocket,
  setMd5Key,
  setMinTtl,
  setTtl,
  sockoptLoaded,
} from './sockopt.js';
import { parseAddress } from '../codec/prefix.js';
import type {
  BgpSocket,
  ConnectOptions,
  Listener,
  PendingConnect,
  SocketOptions,
  Transport,
} from '../deps.js';

export interface NetTransportOptions {
  /** Timers (the forced close after end()). Default: @ironlb/clock's backgroundClock. */
  clock?: Clock;
  /** Milliseconds end() waits for the peer to close before destroying the socket. Default 1000. */
  closeTimeoutMs?: number;
}

/** `_handle.fd` is libuv's descriptor of a TCP handle on Unix; not part of Node's public API. */
function fdOf(x: net.Socket | net.Server): number | undefined {
  const fd = (x as unknown as { _handle?: { fd?: number } })._handle?.fd;
  return fd !== undefined && fd >= 0 ? fd : undefined;
}

function wrap(sock: net.Socket, o: NetTransportOptions): BgpSocket {
  // BGP is latency-sensitive and sends small messages: disable Nagle.
  sock.setNoDelay(true);
  let closeFns: ((reason: string) => void)[] = [];
  let lastError = '';
  let closed = false;
  sock.on('error', (e: NodeJS.ErrnoException) => {
    lastError = e.code ?? e.message;
  });
  sock.on('close', () => {
    closed = true;
    for (const fn of closeFns) fn(lastError || 'closed by peer');
    closeFns = [];
  });
  return {
    get localAddress() {
      return sock.localAddress;
    },
    get localPort() {
      return sock.localPort;
    },
    get remoteAddress() {
      return sock.remoteAddress;
    },
    get remotePort() {
      return sock.remotePort;
    },
    write: (d) => {
      if (closed || sock.destroyed) return false;
      return sock.write(d);
    },
    get bufferedBytes() {
      return sock.writableLength;
    },
    onDrain: (fn) => sock.on('drain', fn),
    end: () => {
      if (closed) return;
      sock.end();
      // Do not wait forever for a peer that never closes its side (nor for one that never reads).
      (o.clock ?? backgroundClock).setTimeout(() => sock.destroy(), o.closeTimeoutMs ?? 1000);
    },
    onData: (fn) => sock.on('data', fn),
    setSocketOptions: (so) => {
      const fd = fdOf(sock);
      if (!sockoptLoaded() || fd === undefined) return false;
      const v6Socket = sock.remoteFamily === 'IPv6';
      const v4Traffic = !v6Socket || (sock.remoteAddress ?? '').startsWith('::ffff:');
      try {
        if (so.ttl !== undefined) setTtl(fd, so.ttl, v6Socket && !v4Traffic, v4Traffic);
        if (so.minTtl !== undefined) setMinTtl(fd, so.minTtl, v6Socket && !v4Traffic, v4Traffic);
        return true;
      } catch {
        return false;
      }
    },
    onClose: (fn) => {
      if (closed) fn(lastError || 'closed');
      else closeFns.push(fn);
    },
  };
}

const needsFd = (o: SocketOptions) =>
  o.ttl !== undefined || o.minTtl !== undefined || o.md5Password !== undefined;

/** node:net, with TTL / GTSM / TCP-MD5 through FFI when a session asks for them. */
export function createNetTransport(options: NetTransportOptions = {}): Transport {
  return {
    enableSocketOptions: loadSockopt,
    connect(o: ConnectOptions, onConnect, onError): PendingConnect {
      let sock: net.Socket;
      try {
        if (needsFd(o)) {
          // The options must be on the socket before connect(): the SYN carries the MD5 option
          // and the TTL, and the SYN-ACK is already subject to the minimum TTL.
          const family = parseAddress(o.host).family;
          const fd = openTcpSocket(family);
          try {
            const v6 = family === 'ipv6';
            if (o.md5Password !== undefined) setMd5Key(fd, o.host, o.md5Password, v6);
            if (o.ttl !== undefined) setTtl(fd, o.ttl, v6, !v6);
            if (o.minTtl !== undefined) setMinTtl(fd, o.minTtl, v6, !v6);
          } catch (err) {
            closeFd(fd);
            throw err;
          }
          sock = new net.Socket({ fd });
          sock.connect({
            host: o.host,
            port: o.port,
            ...(o.localAddress ? { localAddress: o.localAddress } : {}),
            ...(o.localPort ? { localPort: o.localPort } : {}),
          });
        } else {
          sock = net.connect({
            host: o.host,
            port: o.port,
            localAddress: o.localAddress,
            localPort: o.localPort,
          });
        }
      } catch (err) {
        const reason = (err as NodeJS.ErrnoException).code ?? (err as Error).message;
        let cancelled = false;
        // Report asynchronously, as a failed connect would be.
        queueMicrotask(() => {
          if (!cancelled) onError(reason);
        });
        return { cancel: () => (cancelled = true) };
      }
      let done = false;
      sock.once('connect', () => {
        if (done) return;
        done = true;
        onConnect(wrap(sock, options));
      });
      sock.once('error', (e: NodeJS.ErrnoException) => {
        if (done) return;
        done = true;
        sock.destroy();
        onError(e.code ?? e.message);
      });
      return {
        cancel: () => {
          if (done) return;
          done = true;
          sock.destroy();
        },
      };
    },
    listen(o, onConnection, onError): Promise<Listener> {
      return new Promise((resolve, reject) => {
        const server = net.createServer((s) => onConnection(wrap(s, options)));
        let listening = false;
        // One permanent handler: before listening an error fails listen(); afterwards (EMFILE,
        // ENFILE on accept) it is reported and the server keeps accepting. An 'error' event with no
        // listener would throw from the event loop and end the process (DESIGN.md §7).
        server.on('error', (e: NodeJS.ErrnoException) => {
          if (!listening) reject(e);
          else onError?.(e.code ?? e.message);
        });
        server.listen({ host: o.host, port: o.port }, () => {
          listening = true;
          const a = server.address() as net.AddressInfo;
          const v6 = a.family === 'IPv6';
          // A dual-stack socket ("::") also carries IPv4-mapped peers: IP-level options too.
          const v4 = !v6 || a.address === '::';
          const fd = () => {
            const f = fdOf(server);
            if (f === undefined || !sockoptLoaded())
              throw new Error('socket options need enableSocketOptions() and a listening socket');
            return f;
          };
          resolve({
            address: a.address,
            port: a.port,
            close: () => new Promise<void>((r) => server.close(() => r())),
            setPeerPassword: (peer, password) => setMd5Key(fd(), peer, password ?? '', v6),
            setMinTtl: (minTtl) => setMinTtl(fd(), minTtl, v6, v4),
          });
        });
      });
    },
  };
}

/** node:net with the defaults: unref'd close timers. */
export const netTransport: Transport = createNetTransport();
