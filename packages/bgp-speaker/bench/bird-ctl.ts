// A client of BIRD's control socket (what birdc speaks), for polling route counts every few
// milliseconds without spawning birdc (~40 ms a call). Unix sockets are files, not namespaced: the
// bench process connects to a BIRD running in any namespace by the socket's path.
// Protocol: a reply is lines "NNNN-text" / "NNNN text" / " continuation"; code 0000 ends it,
// codes 8xxx/9xxx are errors.
import net from 'node:net';

export class BirdCtl {
  private buf = '';
  private waiting: ((lines: string[]) => void) | null = null;
  private lines: string[] = [];

  private constructor(private readonly sock: net.Socket) {
    sock.setEncoding('utf8');
    sock.on('data', (d: string) => {
      this.buf += d;
      let i: number;
      while ((i = this.buf.indexOf('\n')) >= 0) {
        const line = this.buf.slice(0, i);
        this.buf = this.buf.slice(i + 1);
        this.lines.push(line);
        if (/^(0000|[89]\d{3})[ -]/.test(line) && !line.startsWith('0001')) {
          const done = this.lines;
          this.lines = [];
          this.waiting?.(done);
          this.waiting = null;
        }
      }
    });
  }

  static connect(path: string): Promise<BirdCtl> {
    return new Promise((resolve, reject) => {
      const s = net.connect(path);
      s.once('error', reject);
      // The greeting ("0001 BIRD x ready.") arrives first; drop it.
      s.once('data', () => {
        const c = new BirdCtl(s);
        resolve(c);
      });
    });
  }

  cmd(command: string): Promise<string[]> {
    return new Promise((resolve) => {
      this.waiting = resolve;
      this.sock.write(command + '\n');
    });
  }

  /** Routes in the table(s) matching `where` (BIRD's `show route count ...`): the Total line. */
  async count(args: string): Promise<number> {
    const lines = await this.cmd(`show route count ${args}`);
    const total = lines.map((l) => /Total: (\d+) of/.exec(l)).find(Boolean);
    if (total) return Number(total[1]);
    const one = lines.map((l) => /(\d+) of \d+ routes/.exec(l)).find(Boolean);
    return one ? Number(one[1]) : 0;
  }

  /** `show memory` Total (effective + overhead), bytes. */
  async memoryBytes(): Promise<number> {
    const lines = await this.cmd('show memory');
    const total = lines.find((l) => /Total:/.test(l)) ?? '';
    const units: Record<string, number> = { B: 1, kB: 1024, MB: 1024 ** 2, GB: 1024 ** 3 };
    let bytes = 0;
    for (const m of total.matchAll(/([\d.]+)\s*(B|kB|MB|GB)/g))
      bytes += Number(m[1]) * (units[m[2] as string] ?? 1);
    return bytes;
  }

  close(): void {
    this.sock.end();
  }
}
