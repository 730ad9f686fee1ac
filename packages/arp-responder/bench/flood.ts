// Bench helper: sends --count ARP requests for --target as fast as the link takes them (in
// batches, yielding so replies can be read), counts replies from the target for up to --window-ms,
// and prints {"sent","replies","elapsedMs"}. Bounded in count and time.
import { parseArgs } from 'node:util';
import { formatIPv4, formatMac, openCapLink } from '@ironlb/raw-link';
import { ArpOp, decodeArpFrame } from '../src/index.js';
import { arpRequestFrame } from '../src/testing/index.js';

const { values } = parseArgs({
  options: {
    interface: { type: 'string' },
    from: { type: 'string' },
    target: { type: 'string' },
    count: { type: 'string' },
    'window-ms': { type: 'string' },
  },
});
const iface = values.interface ?? 'eth0';
const target = values.target ?? '198.51.100.2';
const count = Math.min(Number(values.count ?? 10_000), 100_000);
const windowMs = Math.min(Number(values['window-ms'] ?? 5_000), 20_000);
const link = openCapLink(iface, { filter: 'arp and arp[6:2] = 2', bufferSizeBytes: 16 << 20 });
const frame = arpRequestFrame({
  fromMac: formatMac(link.mac),
  fromIp: values.from ?? '198.51.100.1',
  targetIp: target,
});
let replies = 0;
let lastReply = 0n;
link.onFrame((f) => {
  const a = decodeArpFrame(f).arp;
  if (a.op === ArpOp.Reply && formatIPv4(a.senderIp) === target) {
    replies++;
    lastReply = process.hrtime.bigint();
  }
});
const start = process.hrtime.bigint();
let sent = 0;
const finish = () => {
  const end = lastReply > start ? lastReply : process.hrtime.bigint();
  process.stdout.write(
    `${JSON.stringify({ sent, replies, elapsedMs: Number(end - start) / 1e6 })}\n`,
  );
  link.close();
  process.exit(0);
};
const deadline = setTimeout(finish, windowMs);
const batch = () => {
  for (let i = 0; i < 200 && sent < count; i++, sent++) link.send(frame);
  if (sent < count) setImmediate(batch);
  else {
    // stop early once the replies have dried up for 300 ms
    const idle = setInterval(() => {
      if (process.hrtime.bigint() - (lastReply || start) > 300_000_000n) {
        clearInterval(idle);
        clearTimeout(deadline);
        finish();
      }
    }, 50);
  }
};
batch();
