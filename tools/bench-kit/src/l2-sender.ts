// Bench helper: sends one frame --count times on --interface through the responders' own
// AF_PACKET link, and counts the frames its --reply-filter (a BPF program as JSON) accepts.
//   --mode flood     back to back, as fast as the link takes them (yielding every 64 frames so
//                    replies are read), then waits until replies dry up for 300 ms
//   --mode interval  one frame every --interval-ms
//   --mode rate      paced at --rate frames/s for --duration-s (catching up in 10 ms steps)
// Prints {"event":"done",sent,replies,sendMs,elapsedMs,offeredPerSec,sendErrors}. Bounded: at
// most 1,000,000 frames, and 120 s (interval mode: the schedule plus 30 s, at most 10 minutes).
import { parseArgs } from 'node:util';
import type { BpfProgram } from '@ironlb/raw-link';
import { BpfBuilder, openPacketLink } from '@ironlb/raw-link';

const { values } = parseArgs({
  options: {
    interface: { type: 'string' },
    'ether-type': { type: 'string' },
    frame: { type: 'string' },
    count: { type: 'string' },
    mode: { type: 'string' },
    'interval-ms': { type: 'string' },
    rate: { type: 'string' },
    'duration-s': { type: 'string' },
    'reply-filter': { type: 'string' },
  },
});
const count = Math.min(Number(values.count ?? 1000), 1_000_000);
const scheduleMs =
  values.mode === 'interval' ? count * Math.max(1, Number(values['interval-ms'] ?? 1000)) : 0;
const deadline = Date.now() + Math.min(Math.max(120_000, scheduleMs + 30_000), 600_000);
const frame = Uint8Array.from(
  (values.frame ?? '').match(/../g)?.map((h) => Number.parseInt(h, 16)) ?? [],
);
const replyFilter: BpfProgram = values['reply-filter']
  ? (JSON.parse(values['reply-filter']) as BpfProgram)
  : new BpfBuilder().ret(0).build();
const link = openPacketLink(values.interface ?? 'v1', {
  etherType: Number(values['ether-type'] ?? 0x0806),
  filter: replyFilter,
  // Room for every reply to a 20k flood even if this process falls behind reading them.
  ringSizeBytes: 32 << 20,
});
let replies = 0;
let lastReply = 0n;
link.onFrame(() => {
  replies++;
  lastReply = process.hrtime.bigint();
});
let sent = 0;
let sendErrors = 0;
const start = process.hrtime.bigint();
let sendEnd = start;
const sendOne = () => {
  try {
    link.send(frame);
    sent++;
  } catch {
    sendErrors++;
  }
};

const finish = () => {
  const end = lastReply > sendEnd ? lastReply : sendEnd;
  const sendMs = Number(sendEnd - start) / 1e6;
  process.stdout.write(
    `${JSON.stringify({
      event: 'done',
      sent,
      replies,
      sendMs,
      elapsedMs: Number(end - start) / 1e6,
      offeredPerSec: sent / Math.max(sendMs / 1000, 1e-6),
      sendErrors,
    })}\n`,
  );
  link.close();
  process.exit(0);
};

/** After sending: wait until no reply came for 300 ms (at most 10 s), then report. */
const drainReplies = () => {
  sendEnd = process.hrtime.bigint();
  const quietSince = () => (lastReply > sendEnd ? lastReply : sendEnd);
  const check = setInterval(() => {
    if (process.hrtime.bigint() - quietSince() > 300_000_000n || Date.now() > deadline) {
      clearInterval(check);
      finish();
    }
  }, 50);
  setTimeout(() => {
    clearInterval(check);
    finish();
  }, 10_000);
};

const mode = values.mode ?? 'flood';
if (mode === 'flood') {
  const batch = () => {
    for (let i = 0; i < 64 && sent + sendErrors < count; i++) sendOne();
    if (sent + sendErrors < count && Date.now() < deadline) setImmediate(batch);
    else drainReplies();
  };
  batch();
} else if (mode === 'interval') {
  const every = Math.max(1, Number(values['interval-ms'] ?? 1000));
  const tick = () => {
    sendOne();
    if (sent + sendErrors < count && Date.now() < deadline) setTimeout(tick, every);
    else drainReplies();
  };
  tick();
} else {
  const rate = Math.max(1, Number(values.rate ?? 1000));
  const durationMs = Math.min(Number(values['duration-s'] ?? 10) * 1000, 110_000);
  const t0 = Date.now();
  const step = () => {
    const elapsed = Date.now() - t0;
    const due = Math.min(count, Math.floor((rate * elapsed) / 1000));
    while (sent + sendErrors < due) sendOne();
    if (elapsed < durationMs && sent + sendErrors < count) setTimeout(step, 10);
    else drainReplies();
  };
  step();
}
