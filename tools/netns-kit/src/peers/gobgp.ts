// GoBGP 3 as a real peer (protocols.md §6): TOML config, gRPC API per namespace on :50051, read
// back with `gobgp ... -j` (JSON). connect-retry is set low because GoBGP otherwise waits ~2 min.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { KitError } from '../errors.ts';
import { PeerDaemon } from './daemon.ts';
import { communityText, emptyRoute, isV6, SESSION_STATES } from './types.ts';
import type { DaemonConfig, Family, InjectedRoute, PeerRoute, PeerSessionState } from './types.ts';

export function gobgpConfig(c: DaemonConfig): string {
  const l: string[] = [
    '[global.config]',
    `  as = ${c.as}`,
    `  router-id = "${c.routerId}"`,
    `  port = ${c.listenPort ?? 179}`,
  ];
  if (c.localAddress) l.push(`  local-address-list = ["${c.localAddress}"]`);
  for (const n of c.neighbors) {
    l.push(
      '',
      '[[neighbors]]',
      '  [neighbors.config]',
      `    neighbor-address = "${n.address}"`,
      `    peer-as = ${n.as}`,
    );
    l.push('  [neighbors.transport.config]', `    passive-mode = ${n.passive ?? true}`);
    if (n.port) l.push(`    remote-port = ${n.port}`);
    if (c.localAddress) l.push(`    local-address = "${c.localAddress}"`);
    const hold = n.holdTimeSec ?? 90;
    l.push(
      '  [neighbors.timers.config]',
      `    connect-retry = ${n.connectRetrySec ?? 5}`,
      `    hold-time = ${hold}`,
      `    keepalive-interval = ${Math.max(1, Math.floor(hold / 3))}`,
    );
    if (n.multihop)
      l.push('  [neighbors.ebgp-multihop.config]', '    enabled = true', '    multihop-ttl = 64');
    for (const f of n.families ?? ['ipv4']) {
      l.push(
        '  [[neighbors.afi-safis]]',
        '    [neighbors.afi-safis.config]',
        `      afi-safi-name = "${f}-unicast"`,
      );
    }
  }
  return l.join('\n') + '\n';
}

interface GobgpAttr {
  type: number;
  value?: unknown;
  as_paths?: { asns?: number[] }[];
  nexthop?: string;
  communities?: number[];
  metric?: number;
}

/** Parses `gobgp global rib -a X -j` output. */
export function parseGobgpRib(json: string): PeerRoute[] {
  const t = json.trim();
  if (!t || t === 'null') return [];
  const doc = JSON.parse(t) as Record<string, { attrs?: GobgpAttr[]; best?: boolean }[]>;
  const out: PeerRoute[] = [];
  for (const [prefix, paths] of Object.entries(doc)) {
    for (const p of paths) {
      const r = emptyRoute(prefix);
      for (const a of p.attrs ?? []) {
        switch (a.type) {
          case 1:
            r.origin = ['IGP', 'EGP', 'INCOMPLETE'][Number(a.value)];
            break;
          case 2:
            r.asPath = (a.as_paths ?? []).flatMap((s) => s.asns ?? []);
            break;
          case 3:
          case 14:
            r.nextHop = a.nexthop ?? r.nextHop;
            break;
          case 4:
            r.med = a.metric;
            break;
          case 5:
            r.localPref = Number(a.value);
            break;
          case 8:
            r.communities = (a.communities ?? []).map(communityText);
            break;
          case 32:
            // GoBGP 3.10 spells the fields ASN/LocalData1/LocalData2.
            r.largeCommunities = (
              (a.value ?? []) as { ASN: number; LocalData1: number; LocalData2: number }[]
            ).map((x) => `${x.ASN}:${x.LocalData1}:${x.LocalData2}`);
            break;
        }
      }
      out.push(r);
    }
  }
  return out;
}

export class Gobgp extends PeerDaemon {
  readonly kind = 'gobgp' as const;
  readonly confFile = join(this.config.dir, 'gobgpd.toml');

  protected prepare(): void {
    writeFileSync(this.confFile, gobgpConfig(this.config));
  }

  protected async launch(): Promise<void> {
    const proc = this.spawn([
      'gobgpd',
      '-f',
      this.confFile,
      '-t',
      'toml',
      '--api-hosts',
      '127.0.0.1:50051',
    ]);
    await this.awaitReady(
      'gobgpd',
      proc,
      async () => (await this.gobgp('global')).code,
      (c) => c === 0,
      10_000,
      100,
    );
    for (const r of this.config.routes ?? []) await this.inject(r);
  }

  gobgp(...args: string[]) {
    return this.config.ns.exec(['gobgp', '-u', '127.0.0.1', '-p', '50051', ...args]);
  }

  /** Originates a route (`gobgp global rib add`). */
  async inject(r: InjectedRoute): Promise<void> {
    const fam = isV6(r.prefix) ? 'ipv6' : 'ipv4';
    const args = ['global', 'rib', 'add', r.prefix, '-a', fam, 'origin', 'igp'];
    args.push(
      'nexthop',
      r.nextHop ??
        (fam === 'ipv4'
          ? this.config.localAddress && !isV6(this.config.localAddress)
            ? this.config.localAddress
            : '0.0.0.0'
          : '::'),
    );
    if (r.communities?.length) args.push('community', r.communities.join(','));
    if (r.largeCommunities?.length) args.push('large-community', r.largeCommunities.join(','));
    if (r.localPref !== undefined) args.push('local-pref', String(r.localPref));
    if (r.med !== undefined) args.push('med', String(r.med));
    const res = await this.gobgp(...args);
    if (res.code !== 0)
      throw new KitError('command-failed', `gobgp ${args.join(' ')}: ${res.stderr}${res.stdout}`);
  }

  async sessionState(neighbor: string): Promise<PeerSessionState> {
    const r = await this.gobgp('neighbor', neighbor, '-j');
    try {
      const doc = JSON.parse(r.stdout) as { state?: { session_state?: string | number } };
      // Lower-case names or the FSM number, depending on the GoBGP version.
      const s = String(doc.state?.session_state ?? '').toLowerCase();
      return (
        SESSION_STATES.find((x, i) => x.toLowerCase() === s || String(i + 1) === s) ?? 'Unknown'
      );
    } catch {
      return 'Unknown';
    }
  }

  /** Routes received from neighbours (Adj-RIB-In of every neighbour, from the global RIB). */
  async routes(family: Family): Promise<PeerRoute[]> {
    const r = await this.gobgp('global', 'rib', '-a', family, '-j');
    const own = new Set((this.config.routes ?? []).map((x) => x.prefix));
    return parseGobgpRib(r.stdout).filter((x) => !own.has(x.prefix));
  }

  async routeCount(family: Family): Promise<number> {
    const r = await this.gobgp('global', 'rib', 'summary', '-a', family);
    const m = /Destination:\s*(\d+)/.exec(r.stdout);
    const own = (this.config.routes ?? []).filter(
      (x) => isV6(x.prefix) === (family === 'ipv6'),
    ).length;
    return m ? Math.max(0, Number(m[1]) - own) : 0;
  }

  async requestRefresh(): Promise<void> {
    // `gobgp neighbor X softresetin` re-applies policy to GoBGP's stored Adj-RIB-In and sends no
    // ROUTE-REFRESH on the wire (our interop test saw none arrive), so there is no
    // CLI way to make GoBGP 3.10 send one.
    throw new Error('Gobgp.requestRefresh is not supported');
  }
}
