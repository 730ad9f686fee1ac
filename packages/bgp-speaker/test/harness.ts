// Helpers for the integration tests: run the built ironlb-bgp CLI inside a namespace as a black box
// and wait for its JSON-lines events.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import { Topology } from '@ironlb/netns-kit';
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

export interface LinkedPair {
  topo: Topology;
  /** Our speaker's namespace: v1 with 198.51.100.1/24 (and 2001:db8:200::1/64). */
  us: Netns;
  /** The peer's namespace: v2 with 198.51.100.2/24 (and 2001:db8:200::2/64). */
  rt: Netns;
}

/**
 * The setup every integration suite shares: builds the CLI if needed, creates a uniquely named
 * topology with two namespaces linked v1—v2 on documentation addresses, and destroys it after the
 * suite, also on failure (DESIGN.md §4). Call inside `describe`; the fields are set by `beforeAll`.
 */
export function linkedPair(
  topologyName: string,
  peerName: string,
  o: { ipv6?: boolean } = {},
): LinkedPair {
  const env = {} as LinkedPair;
  beforeAll(async () => {
    ensureBuilt();
    env.topo = await Topology.create(topologyName);
    env.us = await env.topo.addNamespace('speaker');
    env.rt = await env.topo.addNamespace(peerName);
    await env.topo.link(env.us, 'v1', env.rt, 'v2', {
      a: ['198.51.100.1/24', ...(o.ipv6 ? ['2001:db8:200::1/64'] : [])],
      b: ['198.51.100.2/24', ...(o.ipv6 ? ['2001:db8:200::2/64'] : [])],
    });
  });
  afterAll(async () => {
    await env.topo?.destroy();
  });
  return env;
}
