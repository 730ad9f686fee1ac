// Per-request timestamps inside a bench responder, for the "where the time goes" rows: a link
// opener that wraps the real AF_PACKET link and notes, in realtime microseconds comparable with
// tcpdump's, when the handler got a frame, when it called send and when send returned.
import { createRequire } from 'node:module';
import type { BpfProgram, Link, LinkOpener } from '@ironlb/raw-link';
import { openPacketLink } from '@ironlb/raw-link';

/**
 * The offset, in µs, from performance.now() to CLOCK_REALTIME (what tcpdump stamps), measured
 * with clock_gettime through koffi: the tightest of 50 bracketed reads. performance.timeOrigin
 * alone was off by tens of µs (it pairs two clocks read at different moments at start-up).
 */
function realtimeOffsetUs(): number {
  const koffi = createRequire(import.meta.url)('koffi') as {
    load(p: string): { func(s: string): (...a: unknown[]) => number };
  };
  const clockGettime = koffi.load('libc.so.6').func('int clock_gettime(int, _Out_ int64_t *)');
  const ts = new BigInt64Array(2);
  let best = { gap: Infinity, offset: performance.timeOrigin * 1000 };
  for (let i = 0; i < 50; i++) {
    const t0 = performance.now();
    clockGettime(0, ts);
    const t1 = performance.now();
    const realUs = Number(ts[0]) * 1e6 + Number(ts[1]) / 1e3;
    if (t1 - t0 < best.gap) best = { gap: t1 - t0, offset: realUs - ((t0 + t1) / 2) * 1000 };
  }
  return best.offset;
}

export interface Stamp {
  entryUs: number;
  sendUs: number;
  sentUs: number;
}

/**
 * `passAll`: replace the responder's filter by this one and ignore its updates (the anchor "a
 * responder that reads every frame of its EtherType").
 */
export function stampingOpener(opts: { passAll?: BpfProgram } = {}): {
  open: LinkOpener;
  take(): Stamp[];
} {
  // Realtime from the monotonic clock (no syscall per stamp), aligned once at start.
  const offsetUs = realtimeOffsetUs();
  const nowUs = () => offsetUs + performance.now() * 1000;
  let stamps: Stamp[] = [];
  let entry = 0;
  const open: LinkOpener = (iface, o) => {
    const link = openPacketLink(iface, opts.passAll ? { ...o, filter: opts.passAll } : o);
    const wrapped: Link = {
      name: link.name,
      mac: link.mac,
      send(frame) {
        const sendUs = nowUs();
        link.send(frame);
        if (entry) stamps.push({ entryUs: entry, sendUs, sentUs: nowUs() });
        entry = 0;
      },
      onFrame: (h) =>
        link.onFrame((f) => {
          entry = nowUs();
          h(f);
        }),
      setFilter: (p) => {
        if (!opts.passAll) link.setFilter(p);
      },
      stats: () => link.stats(),
      close: () => link.close(),
    };
    return wrapped;
  };
  return {
    open,
    take() {
      const t = stamps;
      stamps = [];
      return t;
    },
  };
}

/**
 * The responder side of a bench: prints {"event":"ready","pid"}; on SIGUSR2 prints
 * {"event":"stamps",stamps,linkStats} and clears the stamps; on SIGTERM the same, then `close`
 * and exit 0.
 */
export function serveBenchResponder(
  take: () => Stamp[],
  linkStats: () => unknown,
  close: () => void,
): void {
  process.stdout.write(`${JSON.stringify({ event: 'ready', pid: process.pid })}\n`);
  const dump = () =>
    process.stdout.write(
      `${JSON.stringify({ event: 'stamps', stamps: take(), linkStats: linkStats() })}\n`,
    );
  process.on('SIGUSR2', dump);
  process.on('SIGTERM', () => {
    dump();
    close();
    process.exit(0);
  });
}
