// Where the repository is and how to run helm / kubectl (unpacked into .tools/bin by
// tools/bootstrap.sh). A test that finds no helm says SKIPPED and why, never passes silently.
import { execFile, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));
export const chartDir = join(repoRoot, 'deploy', 'charts', 'ironlb');
export const nativeManifestPath = join(repoRoot, 'deploy', 'ironlb-native.yaml');

function findTool(name: string): string | undefined {
  const local = join(repoRoot, '.tools', 'bin', name);
  if (existsSync(local)) return local;
  const r = spawnSync('sh', ['-c', `command -v ${name}`], { encoding: 'utf8' });
  const p = r.stdout.trim();
  return r.status === 0 && p !== '' ? p : undefined;
}

export const helmPath = findTool('helm');
export const kubectlPath = findTool('kubectl');

/** Why helm-based checks cannot run here, or undefined. */
export function helmSkipReason(): string | undefined {
  return helmPath ? undefined : 'helm not found in .tools/bin or PATH (run tools/bootstrap.sh)';
}

export class DeployCheckError extends Error {
  readonly code: 'TOOL_MISSING' | 'TOOL_FAILED';
  constructor(code: 'TOOL_MISSING' | 'TOOL_FAILED', message: string) {
    super(message);
    this.name = 'DeployCheckError';
    this.code = code;
  }
}

export interface Run {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs a program to completion (60 s bound), never throwing on a non-zero exit. */
export function run(
  bin: string,
  args: readonly string[],
  opts: { env?: Record<string, string>; stdin?: string; cwd?: string; timeoutMs?: number } = {},
): Promise<Run> {
  return new Promise((resolve) => {
    const child = execFile(
      bin,
      [...args],
      {
        env: { ...process.env, ...(opts.env ?? {}) },
        cwd: opts.cwd ?? repoRoot,
        timeout: opts.timeoutMs ?? 60_000,
        maxBuffer: 64 * 1024 * 1024,
      },
      (err, stdout, stderr) => {
        const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
    // A program that exits before reading its stdin must not crash the caller (EPIPE).
    child.stdin?.on('error', () => {});
    child.stdin?.end(opts.stdin ?? '');
  });
}

/** `helm <args>`; throws DeployCheckError with helm's stderr when it fails. */
export async function helm(
  args: readonly string[],
  env: Record<string, string> = {},
): Promise<string> {
  if (!helmPath) throw new DeployCheckError('TOOL_MISSING', helmSkipReason() as string);
  const r = await run(helmPath, args, { env });
  if (r.code !== 0) {
    throw new DeployCheckError(
      'TOOL_FAILED',
      `helm ${args.join(' ')} failed (${r.code}): ${r.stderr}`,
    );
  }
  return r.stdout;
}
