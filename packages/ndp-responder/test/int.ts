// Integration-test helpers shared by this package's *.int.test.ts files.
import { fileURLToPath } from 'node:url';
import type { Netns, NsProcess } from '@ironlb/netns-kit';

const harness = fileURLToPath(new URL('./harness.ts', import.meta.url));
/** tsx reads this package's tsconfig paths: harnesses run the workspace packages from source. */
export const tsconfig = fileURLToPath(new URL('../tsconfig.json', import.meta.url));
/** Sends raw frames from a namespace (see raw-link/test/send-frames.ts). */
export const sender = fileURLToPath(new URL('../../raw-link/test/send-frames.ts', import.meta.url));

/** The library in `ns`, driven over stdin (see test/harness.ts). */
export function spawnResponder(ns: Netns, iface: string): NsProcess {
  return ns.spawnNode(harness, ['--interface', iface], {
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

/** ndisc6 from `ns`: the Target link-layer address it reports, if any. */
export async function ndisc6(ns: Netns, iface: string, target: string) {
  const r = await ns.exec(['ndisc6', '-1', '-r', '2', '-w', '700', target, iface], {
    timeoutMs: 10_000,
  });
  const mac = /Target link-layer address: ([0-9A-Fa-f:]{17})/.exec(r.stdout)?.[1]?.toLowerCase();
  return { code: r.code, mac, stdout: r.stdout };
}
