// Helpers for the integration tests: run the built ironlb-bfd CLI inside a namespace as a black
// box and wait for its JSON-lines events; run FRR's bfdd (through the netns kit's FRR wrapper,
// with our own bfdd.conf) and BIRD's `protocol bfd` as peers.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { Frr, pollUntil } from '@ironlb/netns-kit';
import type { DaemonConfig, Netns, NsProcess, Topology } from '@ironlb/netns-kit';

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
  return ns.spawnNode(cliPath, ['run', ...args], { stdin: true });
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

export const isUp = (peer: string) => (e: CliEvent) => e.event === 'up' && e.peer === peer;
export const isDown = (peer: string) => (e: CliEvent) => e.event === 'down' && e.peer === peer;

/** Asks the CLI for a status line and returns its sessions. */
export async function cliStatus(p: NsProcess): Promise<Record<string, unknown>[]> {
  const from = p.lines.length;
  p.writeLine('status');
  const e = await waitEvent(p, (x) => x.event === 'status', 5_000, from);
  return e.sessions as Record<string, unknown>[];
}

export async function cliStats(p: NsProcess): Promise<{ packetsDropped: Record<string, number> }> {
  const from = p.lines.length;
  p.writeLine('stats');
  return (await waitEvent(p, (x) => x.event === 'stats', 5_000, from)) as unknown as {
    packetsDropped: Record<string, number>;
  };
}

/** One `peer` block of bfdd.conf. */
export interface BfddPeer {
  address: string;
  interface?: string;
  multihop?: boolean;
  localAddress?: string;
  passive?: boolean;
  minimumTtl?: number;
  receiveIntervalMs?: number;
  transmitIntervalMs?: number;
  detectMultiplier?: number;
}

export function bfddConf(peers: BfddPeer[]): string {
  const l = ['hostname bfdd', 'log stdout informational', 'bfd'];
  for (const p of peers) {
    l.push(
      ` peer ${p.address}${p.multihop ? ' multihop' : ''}${p.localAddress ? ` local-address ${p.localAddress}` : ''}${p.interface ? ` interface ${p.interface}` : ''}`,
    );
    l.push(`  detect-multiplier ${p.detectMultiplier ?? 3}`);
    l.push(`  receive-interval ${p.receiveIntervalMs ?? 300}`);
    l.push(`  transmit-interval ${p.transmitIntervalMs ?? 300}`);
    if (p.passive) l.push('  passive-mode');
    if (p.minimumTtl !== undefined) l.push(`  minimum-ttl ${p.minimumTtl}`);
    l.push('  no shutdown', ' exit');
  }
  l.push('exit');
  return l.join('\n') + '\n';
}

export interface FrrBfdConfig extends DaemonConfig {
  /** The bfdd.conf peers (written instead of the kit's simpler one). */
  bfdd: BfddPeer[];
  /** BGP neighbours that follow BFD (`neighbor X bfd`). */
  bgpBfdNeighbors?: string[];
}

/**
 * The kit's FRR wrapper with a bfdd.conf that can say multihop, local-address, passive-mode and
 * minimum-ttl, and bgpd neighbours that track BFD.
 */
export class FrrBfd extends Frr {
  declare readonly config: FrrBfdConfig;

  protected override prepare(): void {
    super.prepare();
    writeFileSync(join(this.config.dir, 'bfdd.conf'), bfddConf(this.config.bfdd), { mode: 0o644 });
    if (this.config.bgpBfdNeighbors?.length) {
      const file = join(this.config.dir, 'bgpd.conf');
      let text = readFileSync(file, 'utf8');
      // After the neighbour's remote-as line (FRR refuses `bfd` for an unknown neighbour).
      for (const n of this.config.bgpBfdNeighbors)
        text = text.replace(
          new RegExp(`^( neighbor ${n.replace(/\./g, '\\.')} remote-as .*)$`, 'm'),
          `$1\n neighbor ${n} bfd`,
        );
      writeFileSync(file, text, { mode: 0o644 });
    }
  }

  /** `show bfd peers json`, unparsed fields included. */
  async bfdJson(): Promise<FrrBfdPeer[]> {
    const r = await this.vtysh('show bfd peers json');
    try {
      return JSON.parse(r.stdout || '[]') as FrrBfdPeer[];
    } catch {
      return [];
    }
  }

  async bfdPeer(address: string, multihop = false): Promise<FrrBfdPeer | undefined> {
    return (await this.bfdJson()).find((p) => p.peer === address && !!p.multihop === multihop);
  }

  /** Waits until FRR reports the session in `status` ('up', 'down', ...). */
  async waitBfd(address: string, status: string, timeoutMs = 15_000, multihop = false) {
    return pollUntil(
      () => this.bfdPeer(address, multihop),
      (p) => p?.status === status,
      timeoutMs,
      50,
    );
  }

  /** Runs configuration commands (`peer X`, `passive-mode`, ...) under `bfd`. */
  async configureBfd(...lines: string[]): Promise<void> {
    const args = ['-c', 'configure terminal', '-c', 'bfd', ...lines.flatMap((l) => ['-c', l])];
    await this.config.ns.run(['vtysh', '--vty_socket', this.sockDir, ...args]);
  }
}

/** What FRR 8.4 prints per session in `show bfd peers json`. */
export interface FrrBfdPeer {
  peer: string;
  multihop?: boolean;
  local?: string;
  interface?: string;
  id: number;
  'remote-id': number;
  status: string;
  diagnostic: string;
  'remote-diagnostic': string;
  'receive-interval': number;
  'transmit-interval': number;
  'detect-multiplier': number;
  'remote-receive-interval': number;
  'remote-transmit-interval': number;
  'remote-detect-multiplier': number;
  'passive-mode'?: boolean;
  'minimum-ttl'?: number;
  uptime?: number;
  downtime?: number;
}

export function startFrr(
  topo: Topology,
  ns: Netns,
  routerId: string,
  bfdd: BfddPeer[],
  extra: Partial<FrrBfdConfig> = {},
): Promise<FrrBfd> {
  return FrrBfd.start({
    ns,
    dir: topo.tempDir('frr'),
    as: 64513,
    routerId,
    // bgpd reports itself ready only once it has a neighbour; this one stays idle.
    neighbors: [{ address: '192.0.2.99', as: 64512, passive: true }],
    bfdPeers: [{ address: bfdd[0]!.address }], // makes the kit start bfdd
    bfdd,
    ...extra,
  });
}

/** BIRD 2 running only `protocol bfd` for the given neighbours. */
export function startBird(
  topo: Topology,
  ns: Netns,
  routerId: string,
  o: { iface: string; neighbors: string[]; passive?: boolean },
): { proc: NsProcess; birdc: (...args: string[]) => Promise<string> } {
  const dir = topo.tempDir('bird');
  const conf = join(dir, 'bird.conf');
  const sock = join(dir, 'bird.ctl');
  writeFileSync(
    conf,
    [
      `router id ${routerId};`,
      'protocol device {}',
      'protocol bfd {',
      `  interface "${o.iface}" { min rx interval 300 ms; min tx interval 300 ms; multiplier 3;${o.passive ? ' passive on;' : ''} };`,
      ...o.neighbors.map((n) => `  neighbor ${n} dev "${o.iface}";`),
      '}',
      '',
    ].join('\n'),
  );
  const proc = ns.spawn(['bird', '-f', '-c', conf, '-s', sock]);
  return {
    proc,
    birdc: async (...args: string[]) => (await ns.exec(['birdc', '-s', sock, ...args])).stdout,
  };
}

/** `birdc show bfd sessions` → state per neighbour address. */
export function birdSessions(text: string): Map<string, string> {
  const m = new Map<string, string>();
  for (const line of text.split('\n')) {
    const f = line.trim().split(/\s+/);
    if (f.length >= 3 && /[.:]/.test(f[0]!) && /^(Up|Down|Init|AdminDown)$/.test(f[2]!))
      m.set(f[0]!, f[2]!);
  }
  return m;
}

export interface DetectionAttempt {
  /** sinceLastPacketMs of each peer's `down` event, in `peers` order. */
  ms: number[];
  downs: CliEvent[];
}

/**
 * Blackholes the path (`cut`), waits for every peer's `down` event, heals and waits for every
 * session to come back; repeats until an attempt has every detection within `boundMs`, at most
 * `attempts` times. The machines here are shared with other jobs, so one attempt can see the
 * event loop descheduled; a detector that is slow every time still fails. `onDown` runs while the
 * path is cut, after the first attempt's events (to check the peer's side).
 */
export async function measureDetection(o: {
  p: NsProcess;
  peers: string[];
  cut: () => Promise<void>;
  heal: () => Promise<void>;
  boundMs: number;
  attempts?: number;
  onDown?: () => Promise<void>;
}): Promise<DetectionAttempt[]> {
  const out: DetectionAttempt[] = [];
  for (let i = 0; i < (o.attempts ?? 3); i++) {
    const from = o.p.lines.length;
    const downs: CliEvent[] = [];
    await o.cut();
    try {
      for (const peer of o.peers) downs.push(await waitEvent(o.p, isDown(peer), 5_000, from));
      if (i === 0) await o.onDown?.();
    } finally {
      const healed = o.p.lines.length;
      await o.heal();
      for (const peer of o.peers) await waitEvent(o.p, isUp(peer), 20_000, healed);
    }
    const ms = downs.map((d) => d.sinceLastPacketMs as number);
    out.push({ ms, downs });
    if (Math.max(...ms) <= o.boundMs) break;
  }
  return out;
}
