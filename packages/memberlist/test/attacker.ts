// Issue 14's attacks as a command run inside an attacker's network namespace (by
// attacks.int.test.ts and the bench). Bounded in count and time; prints one JSON summary line.
//
//   attacker.ts tcp-trickle --target A:P --sources IP,IP,... --connections N --seconds S
//                           [--frame-bytes B] [--chunk-bytes C] [--every-ms T]
//     N connections (round-robin over the source addresses, reopened when the target closes
//     them), each announcing a B-byte frame and then trickling C bytes every T ms, for S seconds.
//   attacker.ts udp-flood --target A:P --packets N --alives K [--secret-file F]
//     N UDP packets of K alives for invented names each (sealed with F's key when given: an
//     insider), 20 ms apart.
import { createSocket } from 'node:dgram';
import { readFileSync } from 'node:fs';
import { createConnection } from 'node:net';
import type { Socket } from 'node:net';
import { parseArgs } from 'node:util';
import { parseAddress } from '../src/codec/address.js';
import { Keyring, seal, SealPurpose } from '../src/codec/crypto.js';
import type { Message } from '../src/codec/messages.js';
import { encodePacket } from '../src/codec/packet.js';

const { positionals, values } = parseArgs({
  allowPositionals: true,
  options: {
    target: { type: 'string' },
    sources: { type: 'string' },
    connections: { type: 'string', default: '120' },
    seconds: { type: 'string', default: '10' },
    'frame-bytes': { type: 'string', default: String(4 * 1024 * 1024) },
    'chunk-bytes': { type: 'string', default: '1024' },
    'every-ms': { type: 'string', default: '50' },
    packets: { type: 'string', default: '100' },
    alives: { type: 'string', default: '512' },
    'secret-file': { type: 'string' },
  },
});
const target = parseAddress(values.target ?? '');

async function tcpTrickle(): Promise<void> {
  const sources = (values.sources ?? '').split(',').filter(Boolean);
  const n = Number(values.connections);
  const until = Date.now() + Number(values.seconds) * 1000;
  const frameBytes = Number(values['frame-bytes']);
  const chunk = Buffer.alloc(Number(values['chunk-bytes']), 0x41);
  const every = Number(values['every-ms']);
  const stats = { opened: 0, closedByTarget: 0, bytesSent: 0, maxOpen: 0 };
  let open = 0;
  const start = (i: number): void => {
    if (Date.now() >= until) return;
    const src = sources[i % sources.length];
    const sock: Socket = createConnection({
      host: target.host,
      port: target.port,
      ...(src ? { localAddress: src } : {}),
    });
    let timer: ReturnType<typeof setInterval> | undefined;
    sock.on('connect', () => {
      stats.opened++;
      open++;
      stats.maxOpen = Math.max(stats.maxOpen, open);
      const head = Buffer.alloc(4);
      head.writeUInt32BE(frameBytes, 0);
      sock.write(head);
      stats.bytesSent += 4;
      timer = setInterval(() => {
        if (Date.now() >= until) return void sock.destroy();
        sock.write(chunk);
        stats.bytesSent += chunk.length;
      }, every);
    });
    sock.on('error', () => {});
    sock.on('close', () => {
      if (timer !== undefined) {
        clearInterval(timer);
        open--;
        if (Date.now() < until) stats.closedByTarget++;
      }
      // Reconnect (after a pause, bounded by the deadline) to keep the pressure on.
      if (Date.now() < until) setTimeout(() => start(i), 100);
    });
  };
  for (let i = 0; i < n; i++) start(i);
  await new Promise((r) => setTimeout(r, until - Date.now() + 500));
  process.stdout.write(JSON.stringify({ attack: 'tcp-trickle', ...stats }) + '\n');
  process.exit(0);
}

async function udpFlood(): Promise<void> {
  const file = values['secret-file'];
  const ring = file ? Keyring.fromSecrets([readFileSync(file).toString().trim()]) : null;
  const sock = createSocket(target.host.includes(':') ? 'udp6' : 'udp4');
  const packets = Number(values.packets);
  const alives = Number(values.alives);
  let bytes = 0;
  for (let p = 0; p < packets; p++) {
    const messages: Message[] = [];
    for (let i = 0; i < alives; i++)
      messages.push({
        type: 'alive',
        node: `fake-${p}-${i}`,
        incarnation: 1,
        addr: `203.0.113.${1 + (i % 200)}:7946`,
        meta: {},
      });
    const plain = encodePacket({ version: 1, from: `fake-${p}-0`, messages });
    const wire = ring === null ? plain : seal(ring, SealPurpose.Packet, plain);
    bytes += wire.length;
    await new Promise<void>((r) => sock.send(wire, target.port, target.host, () => r()));
    await new Promise((r) => setTimeout(r, 20));
  }
  sock.close();
  process.stdout.write(JSON.stringify({ attack: 'udp-flood', packets, alives, bytes }) + '\n');
}

if (positionals[0] === 'tcp-trickle') await tcpTrickle();
else if (positionals[0] === 'udp-flood') await udpFlood();
else {
  process.stderr.write('usage: attacker.ts tcp-trickle|udp-flood --target A:P ...\n');
  process.exit(2);
}
