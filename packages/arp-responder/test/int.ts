// Integration-test helpers shared by this package's *.int.test.ts files.
import { fileURLToPath } from 'node:url';
import type { Netns, NsProcess } from '@ironlb/netns-kit';

const harness = fileURLToPath(new URL('./harness.ts', import.meta.url));
/** tsx reads this package's tsconfig paths: the harness runs the workspace packages from source. */
const tsconfig = fileURLToPath(new URL('../tsconfig.json', import.meta.url));

/** The library (not a CLI) in `ns`, driven over stdin (see test/harness.ts). */
export function spawnResponder(ns: Netns, iface: string, ...args: string[]): NsProcess {
  return ns.spawnNode(harness, ['--interface', iface, ...args], {
    stdin: true,
    env: { TSX_TSCONFIG_PATH: tsconfig },
  });
}

export interface Ack {
  event: string;
  announced?: string[];
  counters?: Record<string, number> | null;
  linkStats?: { received: number; kernelDrops: number };
}

/** Sends one harness command and resolves with its ack (or error) line. */
export async function command(p: NsProcess, line: string): Promise<Ack> {
  const from = p.lineCount();
  p.writeLine(line);
  return p.waitForJson<Ack>((o) => o.event === 'ack' || o.event === 'error', 10_000, { from });
}

/** arping from `ns` (at most 2 s); the MACs that answered, in order. */
export async function arping(
  ns: Netns,
  ip: string,
  opts: { iface?: string; count?: number; source?: string; extra?: string[] } = {},
) {
  const r = await ns.exec(
    [
      'arping',
      '-c',
      String(opts.count ?? 1),
      '-w',
      '2',
      '-i',
      opts.iface ?? 'v1',
      ...(opts.source ? ['-S', opts.source] : []),
      ...(opts.extra ?? []),
      ip,
    ],
    { timeoutMs: 10_000 },
  );
  const macs = [...r.stdout.matchAll(/bytes from ([0-9a-f:]{17}) \(([\d.]+)\)/g)].map((m) => m[1]);
  return { code: r.code, macs, stdout: r.stdout };
}
