import { spawn, type ChildProcess } from 'node:child_process';
import { KitError } from './errors.ts';

export type LineMatcher = RegExp | string | ((line: string) => boolean);

function matches(m: LineMatcher, line: string): boolean {
  if (typeof m === 'string') return line.includes(m);
  if (m instanceof RegExp) return m.test(line);
  return m(line);
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
   * Resolves with the first stdout line (from the start of the output, or only lines after index
   * `from`) that matches; rejects when the process exits first or the time is up.
   */
  waitForLine(
    matcher: LineMatcher,
    timeoutMs = 10_000,
    opts: { from?: number; stderr?: boolean } = {},
  ): Promise<string> {
    const source = opts.stderr ? this.errLines : this.lines;
    let next = opts.from ?? 0;
    return new Promise((resolve, reject) => {
      const check = (): boolean => {
        for (; next < source.length; next++) {
          const line = source[next] as string;
          if (matches(matcher, line)) {
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

  /** Parses stdout lines that are JSON objects (JSON-lines event streams of our CLIs). */
  jsonLines<T = Record<string, unknown>>(): T[] {
    const out: T[] = [];
    for (const l of this.lines) {
      const t = l.trim();
      if (!t.startsWith('{')) continue;
      try {
        out.push(JSON.parse(t) as T);
      } catch {
        // not an event line
      }
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
