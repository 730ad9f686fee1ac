// FRR 8 as a real peer (protocols.md §6): zebra + bgpd (+ bfdd) per namespace, run in the foreground so the
// kit owns (and kills) them; read back with `vtysh -c '... json'`.
// `no bgp ebgp-requires-policy` opts out of RFC 8212 default-deny; a DENY route-map out stops FRR
// reflecting our own routes back at us (protocols.md §6).
import { chownSync, mkdirSync, writeFileSync, chmodSync } from 'node:fs';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { KitError } from '../errors.ts';
import { PeerDaemon } from './daemon.ts';
import { isV6, pollUntil, sessionStateOf } from './types.ts';
import type { BfdPeerState, DaemonConfig, Family, PeerRoute, PeerSessionState } from './types.ts';

/** bfdd.conf for the configured BFD peers (protocols.md §6). */
export function frrBfddConfig(c: DaemonConfig): string {
  const l = ['hostname bfdd', 'log stdout informational', 'bfd'];
  for (const p of c.bfdPeers ?? []) {
    l.push(` peer ${p.address}${p.interface ? ` interface ${p.interface}` : ''}`);
    l.push(`  detect-multiplier ${p.detectMultiplier ?? 3}`);
    l.push(`  receive-interval ${p.receiveIntervalMs ?? 300}`);
    l.push(`  transmit-interval ${p.transmitIntervalMs ?? 300}`);
    l.push(' exit');
  }
  l.push('exit');
  return l.join('\n') + '\n';
}

export function frrBgpdConfig(c: DaemonConfig): string {
  const l: string[] = [
    'hostname bgpd',
    'log stdout informational',
    `router bgp ${c.as}`,
    ` bgp router-id ${c.routerId}`,
    ' no bgp ebgp-requires-policy',
    ' no bgp default ipv4-unicast',
    ' no bgp network import-check',
  ];
  for (const n of c.neighbors) {
    l.push(` neighbor ${n.address} remote-as ${n.as}`);
    if (n.passive ?? true) l.push(` neighbor ${n.address} passive`);
    if (n.port) l.push(` neighbor ${n.address} port ${n.port}`);
    const hold = n.holdTimeSec ?? 90;
    l.push(` neighbor ${n.address} timers ${Math.max(1, Math.floor(hold / 3))} ${hold}`);
    l.push(` neighbor ${n.address} timers connect ${n.connectRetrySec ?? 5}`);
    if (c.localAddress) l.push(` neighbor ${n.address} update-source ${c.localAddress}`);
    if (n.multihop) l.push(` neighbor ${n.address} ebgp-multihop 64`);
    if (n.password !== undefined) l.push(` neighbor ${n.address} password ${n.password}`);
    if (n.ttlSecurity) l.push(` neighbor ${n.address} ttl-security hops 1`);
  }
  for (const fam of ['ipv4', 'ipv6'] as Family[]) {
    l.push(` address-family ${fam} unicast`);
    for (const r of (c.routes ?? []).filter((x) => isV6(x.prefix) === (fam === 'ipv6')))
      l.push(`  network ${r.prefix} route-map INJECT_${r.prefix.replace(/[^0-9a-f]/gi, '_')}`);
    for (const n of c.neighbors.filter((x) => (x.families ?? ['ipv4']).includes(fam))) {
      l.push(`  neighbor ${n.address} activate`);
      if (!(c.routes ?? []).length) l.push(`  neighbor ${n.address} route-map DENY out`);
      if (n.as === c.as) l.push(`  neighbor ${n.address} next-hop-self`);
    }
    l.push(' exit-address-family');
  }
  l.push('route-map DENY deny 10');
  for (const r of c.routes ?? []) {
    l.push(`route-map INJECT_${r.prefix.replace(/[^0-9a-f]/gi, '_')} permit 10`);
    if (r.communities?.length) l.push(` set community ${r.communities.join(' ')}`);
    if (r.largeCommunities?.length) l.push(` set large-community ${r.largeCommunities.join(' ')}`);
    if (r.localPref !== undefined) l.push(` set local-preference ${r.localPref}`);
    if (r.med !== undefined) l.push(` set metric ${r.med}`);
  }
  return l.join('\n') + '\n';
}

interface FrrPath {
  aspath?: { string?: string; segments?: { list?: number[] }[] };
  path?: string;
  origin?: string;
  med?: number;
  metric?: number;
  locPrf?: number;
  localpref?: number;
  community?: { string?: string; list?: string[] };
  largeCommunity?: { string?: string; list?: string[] };
  nexthops?: { ip?: string; scope?: string }[];
}

/** Parses `show bgp <afi> unicast json` and the per-prefix detail `show bgp <afi> unicast <p> json`. */
export function parseFrrDetail(prefix: string, json: string): PeerRoute[] {
  const doc = JSON.parse(json) as { paths?: FrrPath[] };
  return (doc.paths ?? []).map((p) => ({
    prefix,
    nextHop: p.nexthops?.find((n) => n.scope !== 'link-local')?.ip ?? p.nexthops?.[0]?.ip,
    ...(p.nexthops?.find((n) => n.scope === 'link-local')?.ip
      ? { nextHopLinkLocal: p.nexthops?.find((n) => n.scope === 'link-local')?.ip }
      : {}),
    asPath: (p.aspath?.string ?? p.path ?? '')
      .split(/\s+/)
      .filter((x) => /^\d+$/.test(x))
      .map(Number),
    origin: p.origin,
    communities: (p.community?.string ?? '').split(/\s+/).filter(Boolean).map(frrWellKnown),
    largeCommunities: (p.largeCommunity?.string ?? '').split(/\s+/).filter(Boolean),
    localPref: p.locPrf ?? p.localpref,
    med: p.med ?? p.metric,
  }));
}

const FRR_NAMES: Record<string, string> = {
  'no-export': '65535:65281',
  'no-advertise': '65535:65282',
  'local-AS': '65535:65283',
  'no-peer': '65535:65284',
  blackhole: '65535:666',
  'graceful-shutdown': '65535:0',
};

function frrWellKnown(c: string): string {
  return FRR_NAMES[c] ?? c;
}

export class Frr extends PeerDaemon {
  readonly kind = 'frr' as const;
  readonly sockDir = join(this.config.dir, 'sock');

  protected prepare(): void {
    const config = this.config;
    mkdirSync(this.sockDir, { recursive: true });
    chmodSync(config.dir, 0o755);
    const uid = Number(execFileSync('id', ['-u', 'frr']).toString().trim());
    const gid = Number(execFileSync('id', ['-g', 'frr']).toString().trim());
    chownSync(this.sockDir, uid, gid);
    writeFileSync(join(config.dir, 'zebra.conf'), 'hostname zebra\n');
    writeFileSync(join(config.dir, 'bgpd.conf'), frrBgpdConfig(config));
    if (config.bfdPeers?.length) {
      writeFileSync(join(config.dir, 'bfdd.conf'), frrBfddConfig(config));
      chmodSync(join(config.dir, 'bfdd.conf'), 0o644);
    }
    chmodSync(join(config.dir, 'bgpd.conf'), 0o644);
    chmodSync(join(config.dir, 'zebra.conf'), 0o644);
  }

  private daemonArgs(d: string): string[] {
    const dir = this.config.dir;
    return [
      `/usr/lib/frr/${d}`,
      '-f',
      join(dir, `${d}.conf`),
      '--vty_socket',
      this.sockDir,
      '-z',
      join(this.sockDir, 'zserv.api'),
      '-i',
      join(this.sockDir, `${d}.pid`),
      '-A',
      '127.0.0.1',
      '--log',
      'stdout',
    ];
  }

  protected async launch(): Promise<void> {
    this.spawn(this.daemonArgs('zebra'));
    await pollUntil(
      async () => (await this.vtysh('show version')).code,
      (c) => c === 0,
      10_000,
      100,
    );
    if (this.config.bfdPeers?.length) this.spawn(this.daemonArgs('bfdd'));
    const bgpArgs = this.daemonArgs('bgpd');
    bgpArgs.push('-p', String(this.config.listenPort ?? 179));
    if (this.config.localAddress) bgpArgs.push('-l', this.config.localAddress);
    const bgpd = this.spawn(bgpArgs);
    const ok = await pollUntil(
      async () => (await this.vtysh('show bgp summary json')).stdout,
      (s) => s.includes('routerId') || s.includes('ipv4Unicast') || s.includes('ipv6Unicast'),
      15_000,
      200,
    );
    if (!ok.includes('routerId') && !ok.includes('Unicast'))
      throw new KitError(
        'timeout',
        `FRR bgpd did not come up: ${bgpd.stderr.slice(-1500)} ${bgpd.stdout.slice(-1500)}; last vtysh output: ${ok.slice(0, 500)}; vtysh stderr: ${(await this.vtysh('show bgp summary json')).stderr.slice(0, 500)}`,
      );
  }

  vtysh(cmd: string) {
    return this.config.ns.exec(['vtysh', '--vty_socket', this.sockDir, '-c', cmd]);
  }

  async sessionState(neighbor: string): Promise<PeerSessionState> {
    const r = await this.vtysh(`show bgp neighbors ${neighbor} json`);
    try {
      const doc = JSON.parse(r.stdout) as Record<string, { bgpState?: string }>;
      return sessionStateOf(doc[neighbor]?.bgpState ?? '');
    } catch {
      return 'Unknown';
    }
  }

  /** Negotiated timers and capabilities as FRR reports them. */
  async neighborJson(neighbor: string): Promise<Record<string, unknown>> {
    const r = await this.vtysh(`show bgp neighbors ${neighbor} json`);
    return (JSON.parse(r.stdout) as Record<string, Record<string, unknown>>)[neighbor] ?? {};
  }

  async routes(family: Family): Promise<PeerRoute[]> {
    const r = await this.vtysh(`show bgp ${family} unicast json`);
    const doc = JSON.parse(r.stdout || '{}') as { routes?: Record<string, unknown[]> };
    const own = new Set((this.config.routes ?? []).map((x) => x.prefix));
    const out: PeerRoute[] = [];
    for (const prefix of Object.keys(doc.routes ?? {})) {
      if (own.has(prefix)) continue;
      const d = await this.vtysh(`show bgp ${family} unicast ${prefix} json`);
      out.push(...parseFrrDetail(prefix, d.stdout));
    }
    return out;
  }

  async routeCount(family: Family): Promise<number> {
    const r = await this.vtysh(`show bgp ${family} unicast summary json`);
    try {
      const doc = JSON.parse(r.stdout || '{}') as { peers?: Record<string, { pfxRcd?: number }> };
      return Object.values(doc.peers ?? {}).reduce((n, p) => n + (p.pfxRcd ?? 0), 0);
    } catch {
      return 0;
    }
  }

  /** BFD sessions from `show bfd peers json` (empty when bfdd is not running). */
  async bfdPeers(): Promise<BfdPeerState[]> {
    const r = await this.vtysh('show bfd peers json');
    try {
      const doc = JSON.parse(r.stdout || '[]') as {
        peer: string;
        status: string;
        diagnostic?: string;
        'remote-diagnostic'?: string;
      }[];
      return doc.map((p) => ({
        peer: p.peer,
        status: p.status,
        diagnostic: p.diagnostic,
        remoteDiagnostic: p['remote-diagnostic'],
      }));
    } catch {
      return [];
    }
  }

  async requestRefresh(neighbor: string): Promise<void> {
    await this.vtysh(`clear bgp ${neighbor} soft in`);
  }
}
