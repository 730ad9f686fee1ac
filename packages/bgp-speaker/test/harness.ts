// Helpers for the integration tests: run the built ironlb-bgp CLI inside a namespace as a black box
// and wait for its JSON-lines events.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import type { Netns, NsProcess } from '@ironlb/netns-kit';

export const pkgDir = fileURLToPath(new URL('..', import.meta.url));
export const cliPath = join(pkgDir, 'dist', 'cli.js');

/** Builds dist/ once if it is missing (the int tests run the CLI as shipped). */
export function ensureBuilt(): void {
  if (existsSync(cliPath)) return;
  execFileSync(join(pkgDir, '../../node_modules/.bin/tsup'), [], { cwd: pkgDir, stdio: 'ignore' });
}

export interface CliEvent {
  time: string;
  event: string;
  [k: string]: unknown;
}

export function startCli(ns: Netns, args: string[]): NsProcess {
  return ns.spawnNode(cliPath, args, { stdin: true });
}

/** Waits for an event line matching `pred`, looking only at lines after index `from`. */
export async function waitEvent(
  p: NsProcess,
  pred: (e: CliEvent) => boolean,
  timeoutMs = 20_000,
  from = 0,
): Promise<CliEvent> {
  const line = await p.waitForLine(
    (l) => {
      if (!l.startsWith('{')) return false;
      try {
        return pred(JSON.parse(l) as CliEvent);
      } catch {
        return false;
      }
    },
    timeoutMs,
    { from },
  );
  return JSON.parse(line) as CliEvent;
}

export const established = (e: CliEvent) => e.event === 'state' && e.to === 'Established';
