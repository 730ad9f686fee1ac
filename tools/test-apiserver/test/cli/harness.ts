// Running the real kubectl v1.35 and helm v4 (unpacked into .tools/bin by tools/bootstrap.sh)
// against an in-process test API server with an injected wall clock, and rendering goldens the
// way kubectl's table printer lays them out (text/tabwriter: minwidth 6, padding 3 —
// k8s.io/cli-runtime/pkg/printers/tabwriter.go) so expected output is built from cells.
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  startTestApiServer,
  type TestApiServer,
  type TestApiServerOptions,
} from '../../src/start.ts';

const ROOT = fileURLToPath(new URL('../../../../', import.meta.url));
export const BIN = join(ROOT, '.tools', 'bin');
export const KUBECTL = join(BIN, 'kubectl');
export const HELM = join(BIN, 'helm');
export const REPO_ROOT = ROOT;

/** Why the CLI tests cannot run here, or undefined when they can. */
export function skipReason(): string | undefined {
  if (!existsSync(KUBECTL) || !existsSync(HELM))
    return `kubectl/helm not in ${BIN} (run tools/bootstrap.sh)`;
  return undefined;
}

export interface CliServer {
  server: TestApiServer;
  dir: string;
  kubeconfig: string;
  /** The server's wall clock (ms since the epoch); advance it to age objects. */
  clock: { now: number };
  kubectl(args: string[], opts?: { stdin?: string; env?: Record<string, string> }): Promise<Run>;
  helm(args: string[]): Promise<Run>;
  stop(): Promise<void>;
}

export interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function run(
  bin: string,
  args: string[],
  env: Record<string, string>,
  stdin?: string,
): Promise<Run> {
  return new Promise((resolve) => {
    const child = execFile(
      bin,
      args,
      { env: { ...process.env, ...env }, timeout: 60_000, maxBuffer: 32 * 1024 * 1024 },
      (err, stdout, stderr) => {
        const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
    if (stdin !== undefined) child.stdin?.end(stdin);
    else child.stdin?.end();
  });
}

export async function startCliServer(opts: TestApiServerOptions = {}): Promise<CliServer> {
  const dir = mkdtempSync(join(tmpdir(), 'ilb-kubectl-'));
  const kubeconfig = join(dir, 'kubeconfig');
  const clock = { now: Date.parse('2026-03-01T08:00:00Z') };
  const server = await startTestApiServer({
    ...opts,
    kubeconfigPath: kubeconfig,
    nowMs: () => clock.now,
  });
  const env = {
    KUBECONFIG: kubeconfig,
    HOME: dir,
    HELM_CACHE_HOME: join(dir, 'helm-cache'),
    HELM_CONFIG_HOME: join(dir, 'helm-config'),
    HELM_DATA_HOME: join(dir, 'helm-data'),
    KUBECACHEDIR: join(dir, 'kube-cache'),
  };
  return {
    server,
    dir,
    kubeconfig,
    clock,
    kubectl: (args, o = {}) => run(KUBECTL, args, { ...env, ...(o.env ?? {}) }, o.stdin),
    helm: (args) => run(HELM, args, env),
    async stop() {
      await server.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Lays out rows as kubectl's tabwriter does (every cell but the last padded to its column). */
export function renderTable(rows: string[][]): string {
  const widths: number[] = [];
  for (const r of rows)
    r.forEach((c, i) => {
      if (i < r.length - 1) widths[i] = Math.max(widths[i] ?? 0, Math.max(c.length + 3, 6));
    });
  return (
    rows
      .map((r) => r.map((c, i) => (i < r.length - 1 ? c.padEnd(widths[i] ?? 0) : c)).join(''))
      .join('\n') + '\n'
  );
}

/** Splits a transcript table (columns separated by 2+ spaces) back into cells. */
export function parseTranscript(text: string): string[][] {
  return text
    .trim()
    .split('\n')
    .map((l) => l.trim().split(/ {2,}/));
}
