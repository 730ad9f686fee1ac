/**
 * Real transport: one UDP socket and one TCP listener on the same address and port (memberlist's
 * convention; both IronLB and hashicorp default to 7946). A stream carries one message each way
 * (codec/stream.ts: with a keyring, an authenticated header first).
 *
 * Inbound streams are what a stranger can open without knowing the key, so everything they can
 * make us hold is bounded (issue 14: 120 connections announcing 4 MiB frames and trickling bytes
 * took an agent from 75 to 807 MB and stalled it until the cluster declared it dead): streams at
 * once, streams per source address, bytes buffered for incomplete messages across all streams, the
 * time a request may take to arrive (from accept, not idle time: a trickle does not extend it), and
 * — with a keyring — 4 + 33 bytes before the header must authenticate. Past a bound the stream is
 * destroyed and counted (stats().dropped, memberlist_streams_dropped_total).
 */
import { createSocket } from 'node:dgram';
import type { Socket as UdpSocket } from 'node:dgram';
import { createConnection, createServer, isIP } from 'node:net';
import type { Server, Socket } from 'node:net';
import { backgroundClock, noMetrics, silentLogger } from '@ironlb/clock';
import { formatAddress, parseAddress } from '../codec/address.js';
import { DEFAULT_MAX_FRAME_BYTES } from '../codec/framer.js';
import { encodeStreamMessage, StreamMessageReader } from '../codec/stream.js';
import type { StreamGuard } from '../codec/stream.js';
import type {
  NetTransportDeps,
  StreamDropReason,
  StreamReply,
  Transport,
  TransportStats,
} from '../deps.js';
import { MemberlistError, MemberlistErrorCode } from '../errors.js';
import { streamInstruments } from './metrics.js';

export interface NetTransportOptions {
  /**
   * "host:port" to bind UDP and TCP to. Port 0 picks a free port (the same for both is not
   * guaranteed, so avoid it outside tests). An unspecified host (0.0.0.0, ::) binds every address,
   * but then createMemberlist needs an explicit advertiseAddr.
   */
  bindAddr: string;
  /**
   * Largest stream message accepted, bytes. Default 4 MiB (DEFAULT_MAX_FRAME_BYTES), which holds a
   * push/pull of maxMembers = 5000 with full metadata; lower it only for small clusters.
   */
  maxFrameBytes?: number;
  /** An inbound request must arrive completely within this, counted from accept. ms. Default 5000. */
  inboundTimeoutMs?: number;
  /** Inbound streams open at once; more are closed on accept. Default 64. */
  maxInboundStreams?: number;
  /** Inbound streams open at once from one source address. Default 8. */
  maxInboundStreamsPerSource?: number;
  /**
   * Bytes held for incomplete inbound messages, all streams together; the stream whose bytes
   * cross it is closed. Default 16 MiB (4 × the largest message).
   */
  maxBufferedBytes?: number;
}

function bindError(err: NodeJS.ErrnoException, bindAddr: string, proto: string): MemberlistError {
  return new MemberlistError(
    MemberlistErrorCode.Transport,
    `cannot bind ${proto} ${bindAddr}: ${err.code ?? err.message}`,
    { bindAddr, proto, errno: err.code },
    { cause: err },
  );
}

function positiveInt(name: string, v: number | undefined, dflt: number, min = 1): number {
  if (v === undefined) return dflt;
  if (!Number.isInteger(v) || v < min)
    throw new MemberlistError(
      MemberlistErrorCode.InvalidOption,
      `${name} must be an integer ≥ ${min}`,
      { option: name, value: v },
    );
  return v;
}

const DROP_REASONS: readonly StreamDropReason[] = [
  'too-many-streams',
  'too-many-from-source',
  'buffer-limit',
  'deadline',
  'too-large',
  'unauthenticated',
];

/**
 * Binds UDP and TCP; rejects with MemberlistError TRANSPORT (details.errno e.g. EADDRINUSE), or
 * INVALID_OPTION / INVALID_ADDRESS for bad options.
 */
export async function createNetTransport(
  deps: NetTransportDeps,
  options: NetTransportOptions,
): Promise<Transport> {
  if (typeof options !== 'object' || options === null || typeof options.bindAddr !== 'string')
    throw new MemberlistError(
      MemberlistErrorCode.InvalidOption,
      'bindAddr: required, e.g. createNetTransport({}, { bindAddr: "198.51.100.1:7946" })',
      { option: 'bindAddr' },
    );
  const { host, port } = parseAddress(options.bindAddr, true);
  const clock = deps.clock ?? backgroundClock;
  const log = deps.logger ?? silentLogger;
  const metrics = streamInstruments(deps.metrics ?? noMetrics);
  const maxFrame = positiveInt(
    'maxFrameBytes',
    options.maxFrameBytes,
    DEFAULT_MAX_FRAME_BYTES,
    1024,
  );
  const inboundTimeoutMs = positiveInt('inboundTimeoutMs', options.inboundTimeoutMs, 5000);
  const maxStreams = positiveInt('maxInboundStreams', options.maxInboundStreams, 64);
  const maxPerSource = positiveInt(
    'maxInboundStreamsPerSource',
    options.maxInboundStreamsPerSource,
    8,
  );
  const maxBuffered = positiveInt('maxBufferedBytes', options.maxBufferedBytes, 4 * maxFrame);
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
  let guard: StreamGuard | null = null;
  const sockets = new Set<Socket>();
  const perSource = new Map<string, number>();
  const stats: TransportStats = {
    inboundStreams: 0,
    bufferedBytes: 0,
    peakBufferedBytes: 0,
    dropped: Object.fromEntries(DROP_REASONS.map((r) => [r, 0])) as Record<
      StreamDropReason,
      number
    >,
  };
  let closed = false;

  function dropped(reason: StreamDropReason, from: string): void {
    stats.dropped[reason]++;
    metrics.dropped.inc({ reason });
    log.debug({ from, reason }, 'inbound stream dropped');
  }

  udp.on('message', (msg, rinfo) => {
    packetHandler(formatAddress({ host: rinfo.address, port: rinfo.port }), msg);
  });
  udp.on('error', () => {
    // ICMP errors surface here on some platforms; UDP loss is handled by the protocol.
  });

  server.on('connection', (sock) => {
    const src = sock.remoteAddress ?? '';
    const from = formatAddress({ host: src, port: sock.remotePort ?? 0 });
    sock.on('error', () => sock.destroy());
    if (closed) return void sock.destroy();
    if (stats.inboundStreams >= maxStreams) {
      dropped('too-many-streams', from);
      return void sock.destroy();
    }
    const fromSource = perSource.get(src) ?? 0;
    if (fromSource >= maxPerSource) {
      dropped('too-many-from-source', from);
      return void sock.destroy();
    }
    perSource.set(src, fromSource + 1);
    stats.inboundStreams++;
    sockets.add(sock);
    sock.setNoDelay(true);
    const reader = new StreamMessageReader(maxFrame, guard);
    let held = 0;
    let answered = false;
    const hold = (bytes: number) => {
      stats.bufferedBytes += bytes - held;
      held = bytes;
      if (stats.bufferedBytes > stats.peakBufferedBytes)
        stats.peakBufferedBytes = stats.bufferedBytes;
      metrics.buffered.set(undefined, stats.bufferedBytes);
    };
    const drop = (reason: StreamDropReason) => {
      if (sock.destroyed) return;
      dropped(reason, from);
      hold(0); // released now, not at 'close': other streams' bytes must not count it meanwhile
      sock.destroy();
    };
    const deadline = clock.setTimeout(() => {
      if (!answered) drop('deadline');
    }, inboundTimeoutMs);
    sock.on('close', () => {
      clock.clearTimeout(deadline);
      hold(0);
      sockets.delete(sock);
      stats.inboundStreams--;
      const n = (perSource.get(src) ?? 1) - 1;
      if (n === 0) perSource.delete(src);
      else perSource.set(src, n);
    });
    sock.on('data', (chunk: Uint8Array) => {
      if (answered || sock.destroyed) return;
      let body: Uint8Array | null;
      try {
        body = reader.push(chunk);
      } catch (err) {
        const code = (err as MemberlistError).code;
        // With a keyring, anything before an authenticated header is unauthenticated, whatever
        // length it announced.
        const unauth =
          code === MemberlistErrorCode.Auth || (guard !== null && !reader.authenticated);
        return drop(unauth ? 'unauthenticated' : 'too-large');
      }
      hold(body === null ? reader.pendingBytes : 0);
      if (stats.bufferedBytes > maxBuffered) return drop('buffer-limit');
      if (body === null) return;
      answered = true;
      clock.clearTimeout(deadline);
      const g = guard;
      streamHandler(from, body, (reply) => {
        if (reply === null || sock.destroyed) sock.destroy();
        else sock.end(encodeStreamMessage(reply, g));
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
      const conn: { sock?: Socket } = {};
      const finish = (reply: Uint8Array | null) => {
        if (finished) return;
        finished = true;
        clock.clearTimeout(timer);
        conn.sock?.destroy();
        done(reply);
      };
      const timer = clock.setTimeout(() => finish(null), timeoutMs);
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
      const g = guard;
      const s = createConnection({ host: dst.host, port: dst.port });
      conn.sock = s;
      sockets.add(s);
      s.setNoDelay(true);
      // The reply is bounded like a request: the same cap, the same header authentication.
      const reader = new StreamMessageReader(maxFrame, g);
      s.on('connect', () => s.write(encodeStreamMessage(bytes, g)));
      s.on('data', (chunk: Uint8Array) => {
        try {
          const body = reader.push(chunk);
          if (body !== null) finish(body);
        } catch {
          finish(null);
        }
      });
      s.on('error', () => finish(null));
      s.on('close', () => {
        sockets.delete(s);
        finish(null);
      });
    },
    onPacket(h) {
      packetHandler = h;
    },
    onStream(h) {
      streamHandler = h;
    },
    setStreamGuard(g) {
      guard = g;
    },
    stats: () => ({ ...stats, dropped: { ...stats.dropped } }),
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
