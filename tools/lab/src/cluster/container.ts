// One container process of the kubelet stand-in: started in its pod's network namespace and its
// own mount namespace, output kept for `kubectl logs`, restarted with back-off when it exits (as
// restartPolicy Always/OnFailure say), stopped with SIGTERM then SIGKILL after the grace period.
import { spawn, type ChildProcess } from 'node:child_process';
import { appendFileSync } from 'node:fs';

export interface ContainerSpec {
  name: string;
  image: string;
  /** Network namespace to run in (a pod's own, or the node's for hostNetwork pods). */
  netns: string;
  /** The sh script that mounts volumes and execs the process (see mounts.ts). */
  script: string;
  logFile: string;
  restartPolicy: 'Always' | 'OnFailure' | 'Never';
  onLine?: (line: string) => void;
  /** Every output line (stdout and stderr), for pods/log. */
  sink?: (line: string) => void;
  onChange: () => void;
}

export type ContainerState =
  | { kind: 'waiting'; reason: string; message?: string }
  | { kind: 'running'; startedAt: string }
  | {
      kind: 'terminated';
      exitCode: number;
      signal?: string;
      reason: string;
      startedAt: string;
      finishedAt: string;
    };

const MAX_LOG_LINES = 5000;
const BACKOFF_MAX_MS = 30_000;

export class Container {
  state: ContainerState = { kind: 'waiting', reason: 'ContainerCreating' };
  lastState: ContainerState | undefined;
  restartCount = 0;
  /** Set by readiness probes (or by the first output line when there is no probe). */
  ready = false;
  readonly lines: string[] = [];
  private child: ChildProcess | undefined;
  private stopped = false;
  private restartTimer: ReturnType<typeof setTimeout> | undefined;
  private backoffMs = 1000;
  private exited: Promise<void> = Promise.resolve();

  readonly spec: ContainerSpec;
  constructor(spec: ContainerSpec) {
    this.spec = spec;
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  get running(): boolean {
    return this.state.kind === 'running';
  }

  start(): void {
    this.stopped = false;
    const child = spawn(
      'ip',
      [
        'netns',
        'exec',
        this.spec.netns,
        'unshare',
        '--mount',
        '--propagation',
        'private',
        '--',
        'sh',
        '-c',
        this.spec.script,
      ],
      { stdio: ['ignore', 'pipe', 'pipe'], detached: true },
    );
    this.child = child;
    const startedAt = new Date().toISOString();
    this.state = { kind: 'running', startedAt };
    this.ready = false;
    const take = (stream: NodeJS.ReadableStream | null) => {
      let buf = '';
      stream?.setEncoding('utf8');
      stream?.on('data', (d: string) => {
        buf += d;
        const parts = buf.split('\n');
        buf = parts.pop() ?? '';
        for (const line of parts) this.line(line);
      });
    };
    take(child.stdout);
    take(child.stderr);
    this.exited = new Promise((resolve) => {
      child.on('exit', (code, signal) => {
        this.child = undefined;
        const finishedAt = new Date().toISOString();
        const exitCode = code ?? (signal === 'SIGKILL' ? 137 : 143);
        this.lastState = {
          kind: 'terminated',
          exitCode,
          ...(signal ? { signal } : {}),
          reason: exitCode === 0 ? 'Completed' : 'Error',
          startedAt,
          finishedAt,
        };
        this.state = this.lastState;
        this.ready = false;
        resolve();
        this.spec.onChange();
        this.maybeRestart(exitCode);
      });
    });
    this.spec.onChange();
  }

  private line(line: string): void {
    this.lines.push(line);
    if (this.lines.length > MAX_LOG_LINES) this.lines.splice(0, this.lines.length - MAX_LOG_LINES);
    try {
      appendFileSync(this.spec.logFile, line + '\n');
    } catch {
      // the log file is a convenience; pods/log reads the in-memory lines
    }
    this.spec.sink?.(line);
    this.spec.onLine?.(line);
  }

  private maybeRestart(exitCode: number): void {
    if (this.stopped) return;
    const policy = this.spec.restartPolicy;
    if (policy === 'Never' || (policy === 'OnFailure' && exitCode === 0)) return;
    // CrashLoopBackOff: 1 s, 2 s, 4 s, ... up to 30 s (kubelet: 10 s up to 5 min; the lab is faster).
    this.state = {
      kind: 'waiting',
      reason: 'CrashLoopBackOff',
      message: `back-off ${this.backoffMs / 1000}s restarting failed container`,
    };
    this.restartTimer = setTimeout(() => {
      this.restartTimer = undefined;
      if (this.stopped) return;
      this.restartCount++;
      this.start();
    }, this.backoffMs);
    this.backoffMs = Math.min(BACKOFF_MAX_MS, this.backoffMs * 2);
  }

  /** SIGTERM, then SIGKILL after `graceMs`; no restart afterwards until start(). */
  async stop(graceMs: number): Promise<void> {
    this.stopped = true;
    if (this.restartTimer) clearTimeout(this.restartTimer);
    const child = this.child;
    if (!child?.pid) return;
    // The process group: `ip netns exec` and `unshare` exec the program, but a shell script may fork.
    const kill = (sig: NodeJS.Signals) => {
      try {
        process.kill(-(child.pid as number), sig);
      } catch {
        try {
          child.kill(sig);
        } catch {
          // gone
        }
      }
    };
    kill('SIGTERM');
    const timer = setTimeout(() => kill('SIGKILL'), graceMs);
    await this.exited;
    clearTimeout(timer);
  }

  /** SIGKILL now (a crashing node), no restart until start(). */
  async kill(): Promise<void> {
    this.stopped = true;
    if (this.restartTimer) clearTimeout(this.restartTimer);
    const child = this.child;
    if (!child?.pid) return;
    try {
      process.kill(-(child.pid as number), 'SIGKILL');
    } catch {
      child.kill('SIGKILL');
    }
    await this.exited;
  }

  /** Liveness failure: kill and let the restart policy bring it back. */
  restartForLiveness(): void {
    const child = this.child;
    if (!child?.pid) return;
    try {
      process.kill(-(child.pid as number), 'SIGKILL');
    } catch {
      child.kill('SIGKILL');
    }
  }
}
