import { spawn } from 'node:child_process';
import { KitError } from './errors.ts';

export interface ExecResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface ExecOptions {
  /** Kill the command after this many milliseconds (default 60 000). */
  timeoutMs?: number;
  /** Text written to the command's standard input. */
  input?: string;
  env?: NodeJS.ProcessEnv;
  cwd?: string;
}

/** Runs a command to completion; never throws on a non-zero exit (see `run`). */
export function exec(argv: readonly string[], opts: ExecOptions = {}): Promise<ExecResult> {
  const [cmd, ...args] = argv;
  if (!cmd) throw new KitError('invalid-argument', 'empty command');
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, {
      stdio: [opts.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
      env: opts.env ?? process.env,
      cwd: opts.cwd,
    });
    let stdout = '';
    let stderr = '';
    child.stdout?.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr?.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(
        new KitError(
          'timeout',
          `timed out after ${opts.timeoutMs ?? 60_000} ms: ${argv.join(' ')}`,
          { command: argv, stderr },
        ),
      );
    }, opts.timeoutMs ?? 60_000);
    child.on('error', (err) => {
      clearTimeout(timer);
      reject(
        new KitError('command-failed', `cannot run ${cmd}: ${err.message}`, { command: argv }),
      );
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code: code ?? (signal ? 128 : 1), stdout, stderr });
    });
    if (child.stdin) {
      // A command may exit before reading its input; that is its business, not an error here.
      child.stdin.on('error', () => undefined);
      child.stdin.end(opts.input);
    }
  });
}

/** Runs a command and throws a KitError carrying its stderr when it exits non-zero. */
export async function run(argv: readonly string[], opts: ExecOptions = {}): Promise<ExecResult> {
  const r = await exec(argv, opts);
  if (r.code !== 0) {
    throw new KitError(
      'command-failed',
      `${argv.join(' ')} exited ${r.code}: ${r.stderr.trim() || r.stdout.trim()}`,
      {
        command: argv,
        exitCode: r.code,
        stderr: r.stderr,
      },
    );
  }
  return r;
}
