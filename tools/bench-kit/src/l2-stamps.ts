// Per-request timestamps inside a bench responder, for the "where the time goes" rows: a link
// opener that wraps the real AF_PACKET link and notes, in realtime microseconds comparable with
// tcpdump's, when the handler got a frame, when it called send and when send returned.
import type { BpfProgram, Link, LinkOpener } from '@ironlb/raw-link';
import { openPacketLink } from '@ironlb/raw-link';

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
  const offsetUs = performance.timeOrigin * 1000;
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
