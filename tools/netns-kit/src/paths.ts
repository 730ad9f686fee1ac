import { realpathSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root (tools/netns-kit/src → ../../..). */
export const workspaceRoot = resolve(fileURLToPath(new URL('../../..', import.meta.url)));

/** Node 24 from node_modules (DESIGN.md §8), resolved so it works from any PATH. */
export function nodeBinary(): string {
  try {
    return realpathSync(join(workspaceRoot, 'node_modules', '.bin', 'node'));
  } catch {
    return process.execPath;
  }
}

/** PATH for processes the kit starts: Node 24, kubectl/helm, then the system's sbin and bin. */
export function kitPath(): string {
  return [
    join(workspaceRoot, 'node_modules', '.bin'),
    join(workspaceRoot, '.tools', 'bin'),
    '/usr/local/sbin',
    '/usr/local/bin',
    '/usr/sbin',
    '/usr/bin',
    '/sbin',
    '/bin',
    '/usr/lib/frr',
  ].join(':');
}

export function kitEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  return { ...process.env, PATH: kitPath(), ...extra };
}
