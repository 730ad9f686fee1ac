import { accessSync, constants } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { kitPath } from './paths.ts';

function onPath(bin: string): boolean {
  if (bin.includes('/')) {
    try {
      accessSync(bin, constants.X_OK);
      return true;
    } catch {
      return false;
    }
  }
  for (const dir of kitPath().split(':')) {
    try {
      accessSync(join(dir, bin), constants.X_OK);
      return true;
    } catch {
      // keep looking
    }
  }
  return false;
}

let netnsWorks: boolean | undefined;

/**
 * Why a network-namespace test cannot run here, or null when it can. Tests use it with
 * `describe.skipIf(reason)` and put the reason in the title, so a skip is never silent.
 */
export function netnsSkipReason(binaries: readonly string[] = []): string | null {
  if (process.platform !== 'linux')
    return `network namespaces need Linux (this is ${process.platform})`;
  if (typeof process.getuid === 'function' && process.getuid() !== 0)
    return 'needs root to create network namespaces';
  if (!onPath('ip')) return 'iproute2 (`ip`) is not installed';
  if (netnsWorks === undefined) {
    netnsWorks = spawnSync('ip', ['netns', 'list'], { stdio: 'ignore' }).status === 0;
  }
  if (!netnsWorks) return '`ip netns` does not work on this machine';
  const missing = binaries.filter((b) => !onPath(b));
  if (missing.length) return `missing ${missing.join(', ')} (run tools/bootstrap.sh)`;
  return null;
}
