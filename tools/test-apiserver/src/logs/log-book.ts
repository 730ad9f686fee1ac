// A ready-made pods/log source: the lab (or a test) appends what each container writes, and
// `source` serves it with tailLines, sinceSeconds, timestamps and follow — bounded per container
// (oldest lines dropped), as a kubelet's log rotation bounds what it keeps.
import type { PodLogChunk, PodLogRequest, PodLogSource } from './pod-logs.ts';
import { tail } from './pod-logs.ts';

export interface LogBookOptions {
  /** Bytes kept per container. Default 1 MiB. */
  maxBytesPerContainer?: number;
  /** Time source for line timestamps (ms since the epoch). Default Date.now. */
  nowMs?: () => number;
}

interface Line {
  atMs: number;
  text: string;
}

interface Stream {
  lines: Line[];
  bytes: number;
  partial: string;
  ended: boolean;
  waiters: Set<() => void>;
}

export class PodLogBook {
  private readonly streams = new Map<string, Stream>();
  private readonly max: number;
  private readonly now: () => number;

  constructor(options: LogBookOptions = {}) {
    this.max = options.maxBytesPerContainer ?? 1024 * 1024;
    this.now = options.nowMs ?? Date.now;
  }

  private stream(ns: string, pod: string, container: string): Stream {
    const k = `${ns}/${pod}/${container}`;
    let s = this.streams.get(k);
    if (!s) {
      s = { lines: [], bytes: 0, partial: '', ended: false, waiters: new Set() };
      this.streams.set(k, s);
    }
    return s;
  }

  /** Appends output of a container (split into lines; a last partial line waits for its end). */
  append(ns: string, pod: string, container: string, chunk: PodLogChunk): void {
    const s = this.stream(ns, pod, container);
    const text =
      s.partial + (typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'));
    const parts = text.split('\n');
    s.partial = parts.pop() ?? '';
    const at = this.now();
    for (const p of parts) {
      s.lines.push({ atMs: at, text: `${p}\n` });
      s.bytes += p.length + 1;
    }
    while (s.bytes > this.max && s.lines.length) s.bytes -= (s.lines.shift() as Line).text.length;
    for (const w of s.waiters) w();
  }

  /** The container's output is complete: followers end. */
  end(ns: string, pod: string, container: string): void {
    const s = this.stream(ns, pod, container);
    if (s.partial) this.append(ns, pod, container, '\n');
    s.ended = true;
    for (const w of s.waiters) w();
  }

  private render(lines: readonly Line[], timestamps: boolean): string {
    return lines
      .map((l) =>
        timestamps
          ? `${new Date(l.atMs).toISOString().replace(/Z$/, '000000Z')} ${l.text}`
          : l.text,
      )
      .join('');
  }

  private selected(s: Stream, r: PodLogRequest): Line[] {
    let lines = s.lines;
    if (r.sinceSeconds !== undefined) {
      const from = this.now() - r.sinceSeconds * 1000;
      lines = lines.filter((l) => l.atMs >= from);
    }
    if (r.tailLines !== undefined) lines = lines.slice(Math.max(0, lines.length - r.tailLines));
    return lines;
  }

  /** The PodLogSource to pass as `podLogs`. */
  readonly source: PodLogSource = (r) => {
    const s = this.stream(r.namespace, r.pod, r.container);
    const first = this.render(this.selected(s, r), r.timestamps);
    if (!r.follow) return tail(first, undefined);
    const render = (ls: readonly Line[]) => this.render(ls, r.timestamps);
    return (async function* follow(): AsyncGenerator<string> {
      if (first) yield first;
      let seen = s.lines.length;
      let lastLine = s.lines[s.lines.length - 1];
      for (;;) {
        if (r.signal.aborted) return;
        // Lines dropped by the bound while waiting shift indices: resync on the last line seen.
        if (lastLine && s.lines[seen - 1] !== lastLine) seen = s.lines.indexOf(lastLine) + 1;
        if (s.lines.length > seen) {
          const fresh = s.lines.slice(seen);
          seen = s.lines.length;
          lastLine = s.lines[seen - 1];
          yield render(fresh);
          continue;
        }
        if (s.ended) return;
        await new Promise<void>((resolve) => {
          const done = () => {
            s.waiters.delete(done);
            r.signal.removeEventListener('abort', done);
            resolve();
          };
          s.waiters.add(done);
          r.signal.addEventListener('abort', done, { once: true });
        });
      }
    })();
  };
}
