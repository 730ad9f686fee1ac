/**
 * Real transport: one UDP socket and one TCP listener on the same address and port (memberlist's
 * convention; both IronLB and hashicorp default to 7946). Streams carry one length-prefixed frame
 * each way (codec/framer.ts), with a hard frame cap and a deadline.
 */
import { createSocket } from 'node:dgram';
import type { Socket as UdpSocket } from 'node:dgram';
import { createConnection, createServer, isIP } from 'node:net';
import type { Server, Socket } from 'node:net';
import { formatAddress, parseAddress } from '../codec/address.js';
import { DEFAULT_MAX_FRAME_BYTES, frame, Framer } from '../codec/framer.js';
import { MemberlistError, MemberlistErrorCode } from '../errors.js';
import type { StreamReply, Transport } from './ports.js';

export interface NetTransportOptions {
  /** "host:port" to bind UDP and TCP to; port 0 picks a free port (the same for both is not guaranteed, so avoid it outside tests). */
  bindAddr: string;
  /** Largest stream frame accepted, bytes. Default 4 MiB. */
  maxFrameBytes?: number;
  /** Inbound streams idle longer than this are closed, ms. Default 10000. */
  inboundTimeoutMs?: number;
}

function bindError(err: NodeJS.ErrnoException, bindAddr: string, proto: string): MemberlistError {
  return new MemberlistError(
    MemberlistErrorCode.Transport,
    `cannot bind ${proto} ${bindAddr}: ${err.code ?? err.message}`,
    { bindAddr, proto, errno: err.code },
    { cause: err },
  );
}

/** Binds UDP and TCP; rejects with MemberlistError TRANSPORT (details.errno e.g. EADDRINUSE). */
export async function createNetTransport(options: NetTransportOptions): Promise<Transport> {
  const { host, port } = parseAddress(options.bindAddr, true);
  const maxFrame = options.maxFrameBytes ?? DEFAULT_MAX_FRAME_BYTES;
  const inboundTimeoutMs = options.inboundTimeoutMs ?? 10_000;
  const family = isIP(host) === 6 ? 'udp6' : 'udp4';

  const server: Server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', (e) => reject(bindError(e, options.bindAddr, 'tcp')));
    server.listen({ host, port, exclusive: true }, () => resolve());
  });
  const tcpPort = (server.address() as { port: number }).port;
  const udp: UdpSocket = createSocket({ type: family });
  try {
    await new Promise<void>((resolve, reject) => {
      udp.once('error', (e) => reject(bindError(e, options.bindAddr, 'udp')));
      udp.bind({ address: host, port: tcpPort, exclusive: true }, () => resolve());
    });
  } catch (err) {
    server.close();
    throw err;
  }
  const localAddr = formatAddress({ host, port: tcpPort });
  let packetHandler: (from: string, bytes: Uint8Array) => void = () => {};
  let streamHandler: (from: string, bytes: Uint8Array, reply: StreamReply) => void = (_f, _b, r) =>
    r(null);
  const sockets = new Set<Socket>();
  let closed = false;

  udp.on('message', (msg, rinfo) => {
    packetHandler(formatAddress({ host: rinfo.address, port: rinfo.port }), msg);
  });
  udp.on('error', () => {
    // ICMP errors surface here on some platforms; UDP loss is handled by the protocol.
  });

  server.on('connection', (sock) => {
    sockets.add(sock);
    sock.setNoDelay(true);
    sock.setTimeout(inboundTimeoutMs, () => sock.destroy());
    sock.on('close', () => sockets.delete(sock));
    sock.on('error', () => sock.destroy());
    const framer = new Framer(maxFrame);
    const from = formatAddress({ host: sock.remoteAddress ?? '', port: sock.remotePort ?? 0 });
    let answered = false;
    sock.on('data', (chunk) => {
      if (answered) return;
      let frames: Buffer[];
      try {
        frames = framer.push(chunk);
      } catch {
        sock.destroy(); // frame over the cap: never buffer it
        return;
      }
      const first = frames[0];
      if (first === undefined) return;
      answered = true;
      streamHandler(from, first, (reply) => {
        if (reply === null || sock.destroyed) sock.destroy();
        else sock.end(frame(reply));
      });
    });
  });

  return {
    localAddr,
    sendPacket(to, bytes) {
      if (closed) return;
      let dst;
      try {
        dst = parseAddress(to);
      } catch {
        return;
      }
      udp.send(bytes, dst.port, dst.host, () => {});
    },
    openStream(to, bytes, timeoutMs, done) {
      let finished = false;
      const finish = (reply: Uint8Array | null) => {
        if (finished) return;
        finished = true;
        clearTimeout(timer);
        conn.sock?.destroy();
        done(reply);
      };
      const timer = setTimeout(() => finish(null), timeoutMs);
      const conn: { sock?: Socket } = {};
      let dst;
      try {
        dst = parseAddress(to);
      } catch {
        queueMicrotask(() => finish(null));
        return;
      }
      if (closed) {
        queueMicrotask(() => finish(null));
        return;
      }
      const sock = createConnection({ host: dst.host, port: dst.port });
      conn.sock = sock;
      sockets.add(sock);
      sock.setNoDelay(true);
      const framer = new Framer(maxFrame);
      sock.on('connect', () => sock.write(frame(bytes)));
      sock.on('data', (chunk) => {
        try {
          const first = framer.push(chunk)[0];
          if (first !== undefined) finish(first);
        } catch {
          finish(null);
        }
      });
      sock.on('error', () => finish(null));
      sock.on('close', () => {
        sockets.delete(sock);
        finish(null);
      });
    },
    onPacket(h) {
      packetHandler = h;
    },
    onStream(h) {
      streamHandler = h;
    },
    async close() {
      if (closed) return;
      closed = true;
      for (const s of sockets) s.destroy();
      await Promise.all([
        new Promise<void>((r) => server.close(() => r())),
        new Promise<void>((r) => udp.close(() => r())),
      ]);
    },
  };
}
