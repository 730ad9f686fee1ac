// Integration-test helpers shared by this package's *.int.test.ts files.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { Netns, NsProcess } from '@ironlb/netns-kit';
import { nodeBinary, workspaceRoot } from '@ironlb/netns-kit';

/** The ironlb-l2 CLI, tested as a black box from dist/. */
export const cli = fileURLToPath(new URL('../dist/cli.js', import.meta.url));

/**
 * Builds this package from the current source (the CLI and the harnesses import raw-link and
 * ndp-responder through their package exports, i.e. dist). Call once per file, in beforeAll.
 */
export function buildPackage(): void {
  const b = spawnSync(
    'npx',
    ['nx', 'run', '@ironlb/arp-responder:build', '--output-style=static'],
    { cwd: workspaceRoot, encoding: 'utf8' },
  );
  if (b.status !== 0) throw new Error(`build failed: ${b.stdout}${b.stderr}`);
}

/** `ironlb-l2 announce -i IFACE --log-level warn ...args` inside `ns`. */
export function announceCli(ns: Netns, iface: string, ...args: string[]): NsProcess {
  return ns.spawn([nodeBinary(), cli, 'announce', '-i', iface, '--log-level', 'warn', ...args]);
}

/** arping from `ns` (at most 2 s); the MACs that answered, in order. */
export async function arping(ns: Netns, ip: string, opts: { iface?: string; count?: number } = {}) {
  const r = await ns.exec(
    ['arping', '-c', String(opts.count ?? 1), '-w', '2', '-i', opts.iface ?? 'v1', ip],
    { timeoutMs: 10_000 },
  );
  const macs = [...r.stdout.matchAll(/bytes from ([0-9a-f:]{17}) \(([\d.]+)\)/g)].map((m) => m[1]);
  return { code: r.code, macs, stdout: r.stdout };
}
