// Bench helper: sends --count ARP requests for --target as fast as the link takes them (in
// batches, yielding so replies can be read), counts replies from the target for up to --window-ms,
// and prints {"sent","replies","elapsedMs"}. Bounded in count and time.
import { parseArgs } from 'node:util';
import { formatIPv4, formatMac, openCapLink } from '@ironlb/raw-link';
import { floodLink } from '@ironlb/raw-link/bench';
import type { FloodResult, ReplyCount } from '@ironlb/raw-link/bench';
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
const seen: ReplyCount = { replies: 0, lastReply: 0n };
link.onFrame((f) => {
  const a = decodeArpFrame(f).arp;
  if (a.op === ArpOp.Reply && formatIPv4(a.senderIp) === target) {
    seen.replies++;
    seen.lastReply = process.hrtime.bigint();
  }
});
const finish = (r: FloodResult) => {
  process.stdout.write(`${JSON.stringify(r)}\n`);
  link.close();
  process.exit(0);
};
const result = floodLink(link, frame, count, seen, (r) => {
  clearTimeout(deadline);
  finish(r);
});
const deadline = setTimeout(() => finish(result()), windowMs);
