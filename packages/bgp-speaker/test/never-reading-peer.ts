// A BGP "peer" that never reads (issue 14): it listens on --listen ADDR:PORT with a tiny receive
// buffer, completes the OPEN exchange, then stops reading its socket and sends --refreshes N
// ROUTE-REFRESH messages (respecting its own socket's backpressure), and keeps the session alive
// with KEEPALIVEs. Prints {"event":"sent-refreshes","count":N} when done. Run with the kit's spawnNode.
import net from 'node:net';
import koffi from 'koffi';
import { BgpFramer } from '../src/codec/framer.js';
import { encodeKeepalive, encodeRouteRefresh } from '../src/codec/notification.js';
import { encodeOpenBody } from '../src/codec/open.js';
import { encodeFrame } from '../src/codec/update.js';

const args = process.argv.slice(2);
const flag = (name: string) => (args.includes(name) ? args[args.indexOf(name) + 1] : undefined);
const listen = flag('--listen') ?? '198.51.100.2:179';
const refreshes = Number(flag('--refreshes') ?? 100_000);
const [host, port] = [
  listen.slice(0, listen.lastIndexOf(':')),
  Number(listen.slice(listen.lastIndexOf(':') + 1)),
];
const out = (o: object) => process.stdout.write(JSON.stringify(o) + '\n');

const setsockopt = koffi
  .load('libc.so.6')
  .func('int setsockopt(int fd, int level, int name, _In_ int *value, uint32_t len)') as (
  fd: number,
  level: number,
  name: number,
  value: number[],
  len: number,
) => number;
const SOL_SOCKET = 1;
const SO_RCVBUF = 8;

const server = net.createServer((sock) => {
  sock.on('error', () => undefined);
  const framer = new BgpFramer({ maxFrameBytes: 65535 });
  const onData = (d: Buffer) => {
    for (const f of framer.push(d)) {
      if (f[18] !== 1) continue;
      sock.off('data', onData);
      sock.pause(); // never read again
      sock.write(
        encodeFrame(
          1,
          encodeOpenBody({
            asn: 64513,
            holdTimeSec: 90,
            bgpId: '198.51.100.2',
            families: [{ afi: 1, safi: 1 }],
            routeRefresh: true,
          }),
        ),
      );
      sock.write(encodeKeepalive());
      setInterval(() => sock.write(encodeKeepalive()), 20_000).unref();
      const rr = encodeRouteRefresh(1, 1);
      const perChunk = 2800;
      let sent = 0;
      const more = () => {
        while (sent < refreshes) {
          const n = Math.min(perChunk, refreshes - sent);
          const chunk = Buffer.alloc(n * rr.length);
          for (let i = 0; i < n; i++) chunk.set(rr, i * rr.length);
          sent += n;
          if (!sock.write(chunk)) return void sock.once('drain', more);
        }
        out({ event: 'sent-refreshes', count: sent });
      };
      more();
      return;
    }
  };
  sock.on('data', onData);
});
server.listen({ host, port }, () => {
  // A small receive buffer, inherited by the accepted socket: the speaker's data piles up fast.
  const fd = (server as unknown as { _handle: { fd: number } })._handle.fd;
  out({ event: 'listening', rcvbuf: setsockopt(fd, SOL_SOCKET, SO_RCVBUF, [4096], 4) === 0 });
});
setTimeout(() => process.exit(0), 120_000).unref();
