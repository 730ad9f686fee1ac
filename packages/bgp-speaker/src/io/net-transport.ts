// The only code that touches node:net (DESIGN.md §3 io/ layer).
import net from 'node:net';
import { loadSockopt, setSocketTtl } from './sockopt.js';
import type { BgpSocket, ConnectOptions, Listener, PendingConnect, Transport } from './deps.js';

function wrap(sock: net.Socket): BgpSocket {
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
      // Do not wait forever for a peer that never closes its side.
      setTimeout(() => sock.destroy(), 1000).unref();
    },
    onData: (fn) => sock.on('data', fn),
    setTtl: (ttl) => setSocketTtl(sock, ttl),
    onClose: (fn) => {
      if (closed) fn(lastError || 'closed');
      else closeFns.push(fn);
    },
  };
}

export const netTransport: Transport = {
  enableTtl: loadSockopt,
  connect(o: ConnectOptions, onConnect, onError): PendingConnect {
    const sock = net.connect({
      host: o.host,
      port: o.port,
      localAddress: o.localAddress,
      localPort: o.localPort,
    });
    let done = false;
    sock.once('connect', () => {
      if (done) return;
      done = true;
      onConnect(wrap(sock));
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
      const server = net.createServer((s) => onConnection(wrap(s)));
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
        resolve({
          address: a.address,
          port: a.port,
          close: () => new Promise<void>((r) => server.close(() => r())),
        });
      });
    });
  },
};
