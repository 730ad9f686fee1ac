import { spawn, type ChildProcess } from 'node:child_process';
import { KitError } from './errors.ts';

export type LineMatcher = RegExp | string | ((line: string) => boolean);

/**
 * A line predicate without hidden state. A RegExp with the `g` or `y` flag keeps `lastIndex`
 * between `test()` calls, so reusing it across lines skips matches (a line that matches after a
 * line that matched further right is reported as not matching): such a RegExp is copied without
 * those flags.
 */
function lineTest(m: LineMatcher): (line: string) => boolean {
  if (typeof m === 'string') return (line) => line.includes(m);
  if (m instanceof RegExp) {
    const re = m.global || m.sticky ? new RegExp(m.source, m.flags.replace(/[gy]/g, '')) : m;
    return (line) => re.test(line);
  }
  return m;
}

export interface ExitStatus {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/**
 * A long-running process (usually inside a namespace) with its output split into lines, so tests
 * can wait for "session established" or a JSON event instead of sleeping.
 */
export class NsProcess {
  readonly argv: readonly string[];
  readonly child: ChildProcess;
  /** Complete stdout lines so far. */
  readonly lines: string[] = [];
  /** Complete stderr lines so far. */
  readonly errLines: string[] = [];
  stdout = '';
  stderr = '';
  exitStatus: ExitStatus | null = null;
  private readonly waiters = new Set<() => void>();
  private readonly exited: Promise<ExitStatus>;

  constructor(
    argv: readonly string[],
    opts: { env?: NodeJS.ProcessEnv; cwd?: string; stdin?: boolean } = {},
  ) {
    const [cmd, ...args] = argv;
    if (!cmd) throw new KitError('invalid-argument', 'empty command');
    this.argv = argv;
    this.child = spawn(cmd, args, {
      stdio: [opts.stdin ? 'pipe' : 'ignore', 'pipe', 'pipe'],
      env: opts.env ?? process.env,
      cwd: opts.cwd,
    });
    let outBuf = '';
    let errBuf = '';
    this.child.stdout?.setEncoding('utf8').on('data', (d: string) => {
      this.stdout += d;
      outBuf += d;
      const parts = outBuf.split('\n');
      outBuf = parts.pop() ?? '';
      this.lines.push(...parts);
      this.notify();
    });
    this.child.stderr?.setEncoding('utf8').on('data', (d: string) => {
      this.stderr += d;
      errBuf += d;
      const parts = errBuf.split('\n');
      errBuf = parts.pop() ?? '';
      this.errLines.push(...parts);
      this.notify();
    });
    this.exited = new Promise((resolve) => {
      this.child.on('error', (err) => {
        this.stderr += `spawn error: ${err.message}\n`;
        this.exitStatus = { code: 127, signal: null };
        this.notify();
        resolve(this.exitStatus);
      });
      this.child.on('close', (code, signal) => {
        if (outBuf) this.lines.push(outBuf);
        if (errBuf) this.errLines.push(errBuf);
        outBuf = errBuf = '';
        this.exitStatus = { code, signal };
        this.notify();
        resolve(this.exitStatus);
      });
    });
  }

  get pid(): number {
    return this.child.pid ?? -1;
  }

  get running(): boolean {
    return this.exitStatus === null;
  }

  private notify(): void {
    for (const w of [...this.waiters]) w();
  }

  /** Writes a line to the process's standard input (spawned with `stdin: true`). */
  writeLine(line: string): void {
    if (!this.child.stdin)
      throw new KitError('invalid-argument', 'process was not spawned with stdin');
    this.child.stdin.write(line.endsWith('\n') ? line : `${line}\n`);
  }

  /**
   * How many complete lines of a stream have been read so far: pass it as `from` to wait only for
   * lines that arrive after this point. A line the process wrote just before may still be in the
   * pipe and count as later, so match on what a line says (see {@link waitForJson}), not only on
   * when it came.
   */
  lineCount(stream: 'stdout' | 'stderr' = 'stdout'): number {
    return stream === 'stderr' ? this.errLines.length : this.lines.length;
  }

  /**
   * Resolves with the first line of stdout (or stderr with `stderr: true`) at index `from` or later
   * (default 0: from the start of the output) that matches; rejects when the process exits first
   * or the time is up. `from` counts lines of the stream being searched ({@link lineCount}).
   */
  waitForLine(
    matcher: LineMatcher,
    timeoutMs = 10_000,
    opts: { from?: number; stderr?: boolean } = {},
  ): Promise<string> {
    const source = opts.stderr ? this.errLines : this.lines;
    const test = lineTest(matcher);
    let next = opts.from ?? 0;
    return new Promise((resolve, reject) => {
      const check = (): boolean => {
        for (; next < source.length; next++) {
          const line = source[next] as string;
          if (test(line)) {
            done();
            resolve(line);
            return true;
          }
        }
        if (this.exitStatus) {
          done();
          reject(
            new KitError(
              'exited',
              `${this.argv.join(' ')} exited (${JSON.stringify(this.exitStatus)}) before printing ${String(matcher)}; stderr: ${this.stderr.slice(-2000)}`,
            ),
          );
          return true;
        }
        return false;
      };
      const timer = setTimeout(() => {
        done();
        reject(
          new KitError(
            'timeout',
            `no line matching ${String(matcher)} from ${this.argv.join(' ')} within ${timeoutMs} ms; stderr: ${this.stderr.slice(-2000)}`,
          ),
        );
      }, timeoutMs);
      const waiter = () => void check();
      const done = () => {
        clearTimeout(timer);
        this.waiters.delete(waiter);
      };
      this.waiters.add(waiter);
      check();
    });
  }

  /**
   * Resolves with the first stdout line that is a JSON object satisfying `predicate` (at index
   * `from` or later). Match on the parsed event — `(e) => e.removed.includes('eth5')` — rather than
   * on its text: a regular expression over serialized JSON (`/"removed":\["eth5"\]/`) silently
   * stops matching when the event legitimately carries more (`"removed":["br0","eth5"]`), which
   * looks like a missed line.
   */
  async waitForJson<T = Record<string, unknown>>(
    predicate: (event: T) => boolean,
    timeoutMs = 10_000,
    opts: { from?: number } = {},
  ): Promise<T> {
    const test = (l: string) => {
      const o = parseJsonObject(l);
      return o !== undefined && predicate(o as T);
    };
    // Timeout and exit messages name the predicate, not this wrapper.
    test.toString = () => `a JSON line satisfying ${String(predicate)}`;
    const line = await this.waitForLine(test, timeoutMs, opts);
    return parseJsonObject(line) as T;
  }

  /** Parses stdout lines that are JSON objects (JSON-lines event streams of our CLIs). */
  jsonLines<T = Record<string, unknown>>(): T[] {
    const out: T[] = [];
    for (const l of this.lines) {
      const o = parseJsonObject(l);
      if (o !== undefined) out.push(o as T);
    }
    return out;
  }

  /** Waits for the process to end; rejects after the timeout (the process keeps running). */
  waitForExit(timeoutMs = 10_000): Promise<ExitStatus> {
    if (this.exitStatus) return Promise.resolve(this.exitStatus);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () =>
          reject(
            new KitError('timeout', `${this.argv.join(' ')} still running after ${timeoutMs} ms`),
          ),
        timeoutMs,
      );
      void this.exited.then((s) => {
        clearTimeout(timer);
        resolve(s);
      });
    });
  }

  kill(signal: NodeJS.Signals = 'SIGTERM'): void {
    if (this.running && this.child.pid) {
      try {
        process.kill(this.child.pid, signal);
      } catch {
        // already gone
      }
    }
  }

  /** SIGTERM, then SIGKILL if it has not exited within `graceMs`. */
  async stop(graceMs = 3_000): Promise<ExitStatus> {
    if (!this.running) return this.exitStatus as ExitStatus;
    this.kill('SIGTERM');
    try {
      return await this.waitForExit(graceMs);
    } catch {
      this.kill('SIGKILL');
      return this.waitForExit(5_000);
    }
  }
}

/** The JSON object on a line, or undefined for anything else (log text, arrays, bad JSON). */
function parseJsonObject(line: string): Record<string, unknown> | undefined {
  const t = line.trim();
  if (!t.startsWith('{')) return undefined;
  try {
    const o: unknown = JSON.parse(t);
    return o !== null && typeof o === 'object' && !Array.isArray(o)
      ? (o as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}
