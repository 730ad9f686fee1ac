// Bench helper: sends one UDP datagram to HOST:9009 every INTERVAL ms, COUNT times, then exits.
// Usage: udp-probe.ts HOST COUNT INTERVAL_MS
import { createSocket } from 'node:dgram';
import { isIPv6 } from 'node:net';
import { UDP_ECHO_PORT } from './l2-wire.ts';

const [host = '127.0.0.1', count = '10', interval = '500'] = process.argv.slice(2);
const s = createSocket(isIPv6(host) ? 'udp6' : 'udp4');
s.on('message', () => {});
let n = 0;
const total = Math.min(Number(count), 100_000);
const t = setInterval(
  () => {
    s.send(Uint8Array.of(n & 0xff), UDP_ECHO_PORT, host);
    if (++n >= total) {
      clearInterval(t);
      setTimeout(() => process.exit(0), 500);
    }
  },
  Math.max(1, Number(interval)),
);
