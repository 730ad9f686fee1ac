// A crafted BGP "peer" for malformed-input tests: listens on --listen ADDR:PORT and, for each
// incoming connection in turn, plays the next scenario: OPEN (maybe broken), KEEPALIVE, then the
// scenario's bytes. It prints JSON lines: {"event":"reply","scenario":...,"type":N,"code":..} for
// every message our speaker sends back, and {"event":"closed","scenario":...} when it hangs up.
// Run inside a namespace with the kit's spawnNode (tsx).
import net from 'node:net';
import { BgpFramer } from '../src/codec/framer.js';
import { encodeKeepalive } from '../src/codec/notification.js';
import { encodeOpenBody } from '../src/codec/open.js';
import { encodeFrame } from '../src/codec/update.js';

const args = process.argv.slice(2);
// A missing flag must fall back to the default (indexOf -1 would read args[0] instead).
const flag = (name: string) => (args.includes(name) ? args[args.indexOf(name) + 1] : undefined);
const listen = flag('--listen') ?? '198.51.100.2:179';
const peerAs = Number(flag('--as') ?? 64513);
const [host, port] = [
  listen.slice(0, listen.lastIndexOf(':')),
  Number(listen.slice(listen.lastIndexOf(':') + 1)),
];

const hex = (s: string) => Buffer.from(s.replace(/\s+/g, ''), 'hex');
const open = (o: { as?: number; hold?: number } = {}) =>
  encodeFrame(
    1,
    encodeOpenBody({
      asn: o.as ?? peerAs,
      holdTimeSec: o.hold ?? 90,
      bgpId: '198.51.100.2',
      families: [
        { afi: 1, safi: 1 },
        { afi: 2, safi: 1 },
      ],
    }),
  );
function update(attrs: string, nlri: string): Uint8Array {
  const a = hex(attrs);
  const n = hex(nlri);
  return encodeFrame(2, Buffer.concat([Buffer.from([0, 0, a.length >> 8, a.length & 0xff]), a, n]));
}
const GOOD = '40 01 01 00' + '40 02 06 02 01 00 00 fb ff' + '40 03 04 c6 33 64 02';

interface Scenario {
  name: string;
  /** Bytes sent after the speaker's OPEN arrives (OPEN/KEEPALIVE included where wanted). */
  send: Uint8Array[];
}

const scenarios: Scenario[] = [
  // RFC 7606 treat-as-withdraw: ORIGIN value 7. Session must stay up; then a good UPDATE.
  {
    name: 'bad-origin',
    send: [
      open(),
      encodeKeepalive(),
      update('40 01 01 07' + GOOD.slice(11), '18 cb 00 71'),
      update(GOOD, '18 c0 00 02'),
    ],
  },
  // RFC 7606 treat-as-withdraw: COMMUNITIES length 3.
  {
    name: 'bad-communities',
    send: [open(), encodeKeepalive(), update(GOOD + 'c0 08 03 00 00 01', '18 cb 00 71')],
  },
  // RFC 7606 §4 session reset: attribute length overruns the attribute block.
  {
    name: 'attr-overrun',
    send: [open(), encodeKeepalive(), update('40 01 01 00 40 02 40 02', '')],
  },
  // RFC 4271 §6.1: marker not all ones.
  {
    name: 'bad-marker',
    send: [open(), encodeKeepalive(), Buffer.concat([Buffer.alloc(16, 0), hex('0013 04')])],
  },
  // RFC 4271 §6.1: unknown message type 9.
  { name: 'bad-type', send: [open(), encodeKeepalive(), encodeFrame(9, Buffer.alloc(0))] },
  // RFC 4271 §6.2: hold time 2.
  { name: 'hold-2', send: [open({ hold: 2 })] },
  // RFC 4271 §6.2: wrong peer AS.
  { name: 'bad-as', send: [open({ as: 64999 })] },
  // Truncated garbage in the middle of a frame, then the peer closes: no crash, reconnect.
  { name: 'truncated', send: [open(), encodeKeepalive(), Buffer.alloc(10, 0xff)] },
];

let next = 0;
const out = (o: object) => process.stdout.write(JSON.stringify(o) + '\n');

const server = net.createServer((sock) => {
  const sc = scenarios[next++];
  if (!sc) {
    out({ event: 'done' });
    sock.destroy();
    return;
  }
  const framer = new BgpFramer({ maxFrameBytes: 65535 });
  let sent = false;
  sock.on('data', (d) => {
    let frames: Uint8Array[] = [];
    try {
      frames = framer.push(d);
    } catch {
      return;
    }
    for (const f of frames) {
      const type = f[18];
      out({
        event: 'reply',
        scenario: sc.name,
        type,
        ...(type === 3 ? { code: f[19], subcode: f[20] } : {}),
      });
      if (type === 1 && !sent) {
        sent = true;
        for (const b of sc.send) sock.write(b);
        if (sc.name === 'truncated') setTimeout(() => sock.end(), 300);
        // Keep healthy sessions alive long enough for the test to see no NOTIFICATION.
        if (sc.name.startsWith('bad-origin') || sc.name === 'bad-communities')
          setTimeout(() => sock.end(), 1500);
      }
    }
  });
  sock.on('close', () => out({ event: 'closed', scenario: sc.name }));
  sock.on('error', () => undefined);
});
server.listen({ host, port }, () => out({ event: 'listening' }));
setTimeout(() => process.exit(0), 120_000).unref();
