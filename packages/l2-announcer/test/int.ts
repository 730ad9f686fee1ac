// Integration-test helpers shared by this package's *.int.test.ts files.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { Netns, NsProcess } from '@ironlb/netns-kit';
import { nodeBinary, workspaceRoot } from '@ironlb/netns-kit';

/** The ironlb-l2 CLI, tested as a black box through its committed bin shim (dist underneath). */
export const cli = fileURLToPath(new URL('../bin/ironlb-l2.js', import.meta.url));
/** tsx reads this package's tsconfig paths: harnesses run the workspace packages from source. */
export const tsconfig = fileURLToPath(new URL('../tsconfig.json', import.meta.url));

/** Builds this package and what it depends on from the current source. Call once, in beforeAll. */
export function buildPackage(): void {
  const b = spawnSync('npx', ['nx', 'run', '@ironlb/l2-announcer:build', '--output-style=static'], {
    cwd: workspaceRoot,
    encoding: 'utf8',
    env: { ...process.env, NX_DAEMON: 'false' },
  });
  if (b.status !== 0) throw new Error(`build failed: ${b.stdout}${b.stderr}`);
}

/** `ironlb-l2 announce --log-level warn ...args` inside `ns`. */
export function announceCli(ns: Netns, ...args: string[]): NsProcess {
  return ns.spawn([nodeBinary(), cli, 'announce', '--log-level', 'warn', ...args]);
}

/** arping from `ns` (at most `waitSec` s); the MACs that answered, in order. */
export async function arping(
  ns: Netns,
  ip: string,
  opts: { iface?: string; count?: number; waitSec?: number } = {},
) {
  const r = await ns.exec(
    [
      'arping',
      '-c',
      String(opts.count ?? 1),
      '-w',
      String(opts.waitSec ?? 2),
      '-i',
      opts.iface ?? 'v1',
      ip,
    ],
    { timeoutMs: 20_000 },
  );
  const macs = [...r.stdout.matchAll(/bytes from ([0-9a-f:]{17}) \(([\d.]+)\)/g)].map((m) => m[1]);
  return { code: r.code, macs, stdout: r.stdout };
}

/** ndisc6 from `ns`: the Target link-layer address it reports, if any. */
export async function ndisc6(ns: Netns, iface: string, target: string) {
  const r = await ns.exec(['ndisc6', '-1', '-r', '2', '-w', '700', target, iface], {
    timeoutMs: 10_000,
  });
  return /Target link-layer address: ([0-9A-Fa-f:]{17})/.exec(r.stdout)?.[1]?.toLowerCase();
}

/**
 * Waits until `iface` in `ns` has its IPv6 link-local address: the kernel adds it a moment after
 * the link comes up, and an interface without one is not eligible for NDP (MetalLB's rule).
 */
export async function waitLinkLocal(ns: Netns, iface: string): Promise<void> {
  for (let i = 0; i < 100; i++) {
    const r = await ns.exec(['ip', '-6', 'addr', 'show', 'dev', iface, 'scope', 'link']);
    if (r.stdout.includes('fe80::')) return;
    await new Promise((res) => setTimeout(res, 100));
  }
  throw new Error(`${iface} has no IPv6 link-local address after 10 s`);
}
