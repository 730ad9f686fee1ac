// Bench anchor: the simplest responder Node can run — a UDP echo server on node:dgram (libuv's own
// socket, no FFI, no decoding). Its request→reply time on the wire is the floor for any responder
// written in JavaScript on the same machine at the same moment. Prints {"event":"ready","pid"}.
import { createSocket } from 'node:dgram';
import { UDP_ECHO_PORT } from './l2-wire.ts';

const s = createSocket({ type: process.argv[2] === '6' ? 'udp6' : 'udp4' });
s.on('message', (m, r) => s.send(m, r.port, r.address));
s.bind(UDP_ECHO_PORT, () =>
  process.stdout.write(`${JSON.stringify({ event: 'ready', pid: process.pid })}\n`),
);
