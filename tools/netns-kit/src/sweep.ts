import { readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { exec } from './exec.ts';

/** Every namespace and temp folder the kit creates starts with this, then the creating pid. */
export const KIT_PREFIX = 'ilb';
const OWNED = new RegExp(`^${KIT_PREFIX}-(\\d+)-`);

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Kills every process still inside a namespace (daemons that forked away from the kit). */
export async function killNamespaceProcesses(name: string): Promise<void> {
  const r = await exec(['ip', 'netns', 'pids', name], { timeoutMs: 10_000 });
  for (const pid of r.stdout.split(/\s+/).filter(Boolean).map(Number)) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // gone already
    }
  }
}

export async function deleteNamespace(name: string): Promise<void> {
  await killNamespaceProcesses(name);
  await exec(['ip', 'netns', 'del', name], { timeoutMs: 10_000 });
}

export async function listNamespaces(): Promise<string[]> {
  const r = await exec(['ip', 'netns', 'list'], { timeoutMs: 10_000 });
  return r.stdout
    .split('\n')
    .map((l) => l.trim().split(/\s+/)[0] ?? '')
    .filter(Boolean);
}

/**
 * Deletes what a crashed test run left behind: the kit's namespaces and temp folders whose
 * creating process is gone (or, with `all`, every one of them). Returns the namespaces deleted.
 */
export async function sweepStale(opts: { all?: boolean } = {}): Promise<string[]> {
  const deleted: string[] = [];
  for (const name of await listNamespaces()) {
    const m = OWNED.exec(name);
    if (!m) continue;
    const pid = Number(m[1]);
    if (opts.all || (pid !== process.pid && !alive(pid))) {
      await deleteNamespace(name);
      deleted.push(name);
    }
  }
  for (const entry of readdirSync(tmpdir())) {
    const m = OWNED.exec(entry);
    if (!m) continue;
    const pid = Number(m[1]);
    if (opts.all || (pid !== process.pid && !alive(pid))) {
      rmSync(join(tmpdir(), entry), { recursive: true, force: true });
    }
  }
  return deleted;
}
