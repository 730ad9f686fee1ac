// Bench helper (ndisc6 prints no round-trip time, so we time our own solicitations): sends
// Neighbor Solicitations for --target as ndisc6 does (multicast, Source LLA option) and times the
// NA. --mode latency: --count sequential probes, 200 ms timeout each, prints {"rttsUs":[...]}.
// --mode flood: --count NS in batches, prints {"sent","replies","elapsedMs"}. Bounded.
import { parseArgs } from 'node:util';
import { formatIPv6, formatMac, openCapLink } from '@ironlb/raw-link';
import { floodLink } from '@ironlb/raw-link/bench';
import type { ReplyCount } from '@ironlb/raw-link/bench';
import { decodeNdpFrame } from '../src/index.js';
import { neighborSolicitationFrame } from '../src/testing/index.js';

const { values } = parseArgs({
  options: {
    interface: { type: 'string' },
    from: { type: 'string' },
    target: { type: 'string' },
    count: { type: 'string' },
    mode: { type: 'string' },
  },
});
const target = values.target ?? '2001:db8:1::2';
const count = Math.min(Number(values.count ?? 100), 100_000);
const link = openCapLink(values.interface ?? 'eth0', {
  filter: 'icmp6 and ip6[40] = 136',
  bufferSizeBytes: 16 << 20,
});
const frame = neighborSolicitationFrame({
  fromMac: formatMac(link.mac),
  fromIp: values.from ?? '2001:db8:1::1',
  target,
});
let onNa: (() => void) | undefined;
const seen: ReplyCount = { replies: 0, lastReply: 0n };
link.onFrame((f) => {
  const p = decodeNdpFrame(f);
  if (p.message.kind === 'na' && p.message.solicited && formatIPv6(p.message.target) === target) {
    seen.replies++;
    seen.lastReply = process.hrtime.bigint();
    onNa?.();
  }
});
const out = (o: unknown) => {
  process.stdout.write(`${JSON.stringify(o)}\n`);
  link.close();
  process.exit(0);
};
const hardStop = setTimeout(() => out({ error: 'time limit' }), 60_000);

if (values.mode === 'flood') {
  floodLink(link, frame, count, seen, (r) => {
    clearTimeout(hardStop);
    out(r);
  });
} else {
  const rttsUs: number[] = [];
  let lost = 0;
  const one = (i: number) => {
    if (i >= count) {
      clearTimeout(hardStop);
      out({ rttsUs, lost });
      return;
    }
    const t0 = process.hrtime.bigint();
    const timer = setTimeout(() => {
      onNa = undefined;
      lost++;
      one(i + 1);
    }, 200);
    onNa = () => {
      onNa = undefined;
      clearTimeout(timer);
      rttsUs.push(Number(process.hrtime.bigint() - t0) / 1000);
      // 5 ms between probes, like the arping runs
      setTimeout(() => one(i + 1), 5);
    };
    link.send(frame);
  };
  one(0);
}
