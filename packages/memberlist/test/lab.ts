// Real-network harness shared by the integration test and the bench: N member namespaces on one
// bridge ("switch"), each running the built `ironlb-memberlist agent` CLI as a black box.
// Addresses come from 198.51.100.0/24 (documentation range) and exist only inside the namespaces.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { nodeBinary } from '@ironlb/netns-kit';
import type { Netns, NsProcess, Topology } from '@ironlb/netns-kit';

export const PKG_DIR = fileURLToPath(new URL('..', import.meta.url));
export const CLI = `${PKG_DIR}dist/cli.js`;
export const PORT = 7946;

/** Builds dist/cli.js (the black box under test) with tsup under Node 24. */
export function buildCli(): void {
  const tsup = fileURLToPath(
    new URL('../../../node_modules/tsup/dist/cli-default.js', import.meta.url),
  );
  execFileSync(nodeBinary(), [tsup], { cwd: PKG_DIR, stdio: 'ignore', timeout: 120_000 });
  if (!existsSync(CLI)) throw new Error(`build did not produce ${CLI}`);
}

export interface AgentEvent {
  time: string;
  event: string;
  member?: string;
  addr?: string;
  incarnation?: number;
}

export interface Member {
  name: string;
  ns: Netns;
  ip: string;
  addr: string;
  proc: NsProcess | null;
}

export interface Lab {
  topo: Topology;
  members: Member[];
  secretFile: string;
  /** Start agents without --secret-file (default false: every agent seals with the secret). */
  plaintext?: boolean;
}

/** A `stats` line of an agent started with --stats-interval-ms. */
export interface AgentStats {
  time: string;
  members: number;
  pendingMembers: number;
  /** Packets that authenticated and decoded. */
  packetsIn: number;
  rejected: Record<string, number>;
  authFailures: number;
  inboundStreams: number;
  bufferedBytes: number;
  peakBufferedBytes: number;
  streamsDropped: Record<string, number>;
  rssBytes: number;
}

/** The agent's `stats` lines so far (after stdout line index `from`). */
export function statsLines(p: NsProcess, from = 0): AgentStats[] {
  return p.lines
    .slice(from)
    .filter((l) => l.includes('"event":"stats"'))
    .map((l) => JSON.parse(l) as AgentStats);
}

export async function createLab(topo: Topology, n: number): Promise<Lab> {
  const sw = await topo.addNamespace('sw');
  const members: Member[] = [];
  const ports: string[] = [];
  for (let i = 1; i <= n; i++) {
    const ns = await topo.addNamespace(`n${i}`);
    const ip = `198.51.100.${10 + i}`;
    await topo.link(ns, 'eth0', sw, `p${i}`, { a: [`${ip}/24`] });
    ports.push(`p${i}`);
    members.push({ name: `n${i}`, ns, ip, addr: `${ip}:${PORT}`, proc: null });
  }
  await topo.bridge(sw, 'br0', ports);
  const dir = topo.tempDir('secret');
  const secretFile = `${dir}/secret`;
  // Like `openssl rand -base64 128`: a long text secret; keys are derived with HKDF-SHA256.
  writeFileSync(
    secretFile,
    Buffer.from(Array.from({ length: 96 }, (_, i) => (i * 37 + 11) & 0xff)).toString('base64') +
      '\n',
  );
  return { topo, members, secretFile };
}

/**
 * Random loss on the egress of a member's interface only, so a datagram between two members
 * crosses exactly one lossy hop: "5 %" means 5 % of packets in each direction between any two
 * members (the kit's setLoss drops on ingress and egress, which would compound to ~10 %).
 */
export async function setEgressLoss(m: Member, percent: number): Promise<void> {
  await m.ns.exec(['nft', 'delete', 'table', 'netdev', 'mlloss']);
  if (percent <= 0) return;
  const script = [
    'add table netdev mlloss',
    'add chain netdev mlloss out { type filter hook egress device "eth0" priority 0; }',
    `add rule netdev mlloss out numgen random mod 100 < ${Math.round(percent)} drop`,
  ].join('\n');
  await m.ns.run(['nft', '-f', '-'], { input: script });
}

export function startAgent(
  lab: Lab,
  m: Member,
  profile: 'fast' | 'lan',
  seeds: readonly Member[],
  extra: string[] = [],
): NsProcess {
  const args = [
    'agent',
    '--name',
    m.name,
    '--bind',
    m.addr,
    '--profile',
    profile,
    ...(lab.plaintext === true ? [] : ['--secret-file', lab.secretFile]),
    '--log-level',
    'warn',
  ];
  for (const s of seeds) if (s !== m) args.push('--join', s.addr);
  m.proc = m.ns.spawn([nodeBinary(), CLI, ...args, ...extra]);
  return m.proc;
}

export function events(p: NsProcess): AgentEvent[] {
  return p.jsonLines<AgentEvent>();
}

/** Waits until `p` has printed `event` about `member` after stdout line index `from`. */
export async function waitEvent(
  p: NsProcess,
  event: string,
  member: string,
  timeoutMs: number,
  from = 0,
): Promise<AgentEvent> {
  const line = await p.waitForLine(
    (l) => {
      if (!l.startsWith('{')) return false;
      try {
        const e = JSON.parse(l) as AgentEvent;
        return e.event === event && e.member === member;
      } catch {
        return false;
      }
    },
    timeoutMs,
    { from },
  );
  return JSON.parse(line) as AgentEvent;
}

/** Waits until every running agent has printed `join` for every other member (after `from`). */
export async function waitConverged(lab: Lab, timeoutMs: number): Promise<void> {
  const running = lab.members.filter((m) => m.proc !== null);
  await Promise.all(
    running.flatMap((m) =>
      running
        .filter((o) => o !== m)
        .map((o) => waitEvent(m.proc as NsProcess, 'join', o.name, timeoutMs)),
    ),
  );
}

/** CPU time (user + system) of a pid in seconds, from /proc. */
export function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticks = Number(fields[11]) + Number(fields[12]); // utime, stime (fields 14, 15)
  return ticks / 100;
}

/** Bytes sent by a member's eth0 (the kernel's counter, includes Ethernet/IP/UDP headers). */
export async function txBytes(m: Member): Promise<number> {
  const r = await m.ns.run(['cat', '/sys/class/net/eth0/statistics/tx_bytes']);
  return Number(r.stdout.trim());
}
