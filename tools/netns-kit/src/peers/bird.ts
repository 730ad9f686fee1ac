// BIRD 2 as a real peer (protocols.md §6). BIRD has no JSON output, so `show route all` is parsed.
// eBGP needs explicit `import all` (RFC 8212 default-deny, protocols.md §1.3); iBGP next hops are
// resolved recursively, so channels use `gateway direct`.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PeerDaemon } from './daemon.ts';
import { emptyRoute, isV6, sessionStateOf } from './types.ts';
import type { DaemonConfig, Family, PeerRoute, PeerSessionState } from './types.ts';

function birdCommunity(c: string): string {
  const [a, b] = c.split(':');
  return `(${a},${b})`;
}

function birdLarge(c: string): string {
  const [a, b, d] = c.split(':');
  return `(${a},${b},${d})`;
}

export function birdConfig(c: DaemonConfig): string {
  const lines: string[] = [
    `router id ${c.routerId};`,
    'protocol device {}',
    'protocol direct { ipv4; ipv6; }',
  ];
  const routes = c.routes ?? [];
  for (const fam of ['ipv4', 'ipv6'] as Family[]) {
    const rs = routes.filter((r) => isV6(r.prefix) === (fam === 'ipv6'));
    if (!rs.length) continue;
    lines.push(`protocol static static_${fam} {`, `  ${fam};`);
    for (const r of rs) {
      const sets: string[] = [];
      for (const x of r.communities ?? []) sets.push(`bgp_community.add(${birdCommunity(x)});`);
      for (const x of r.largeCommunities ?? [])
        sets.push(`bgp_large_community.add(${birdLarge(x)});`);
      if (r.localPref !== undefined) sets.push(`bgp_local_pref = ${r.localPref};`);
      if (r.med !== undefined) sets.push(`bgp_med = ${r.med};`);
      lines.push(`  route ${r.prefix} blackhole${sets.length ? ` { ${sets.join(' ')} }` : ''};`);
    }
    lines.push('}');
  }
  c.neighbors.forEach((n, i) => {
    const ibgp = n.as === c.as;
    lines.push(`protocol bgp peer${i} {`);
    lines.push(
      `  local ${c.localAddress ? `${c.localAddress} ` : ''}${c.listenPort ? `port ${c.listenPort} ` : ''}as ${c.as};`,
    );
    lines.push(`  neighbor ${n.address}${n.port ? ` port ${n.port}` : ''} as ${n.as};`);
    if (n.passive ?? true) lines.push('  passive on;');
    lines.push(`  hold time ${n.holdTimeSec ?? 90};`);
    lines.push(`  connect retry time ${n.connectRetrySec ?? 5};`);
    lines.push('  error wait time 1, 5;');
    if (n.fourOctetAs === false) lines.push('  enable as4 off;');
    if (n.password !== undefined) lines.push(`  password "${n.password}";`);
    if (n.ttlSecurity) lines.push('  ttl security on;');
    if (n.multihop) lines.push('  multihop;');
    // BIRD treats iBGP as multihop unless told the neighbour is on a shared link.
    else if (ibgp) lines.push('  direct;');
    const exportAll = routes.length > 0;
    for (const fam of n.families ?? ['ipv4']) {
      lines.push(
        `  ${fam} {`,
        '    import all;',
        `    export ${exportAll ? 'where source = RTS_STATIC' : 'none'};`,
      );
      if (ibgp) lines.push('    gateway direct;', '    next hop self;');
      // A blackhole static route has no next hop of its own: announce ourselves.
      if (!ibgp && exportAll) lines.push('    next hop self;');
      lines.push('  };');
    }
    lines.push('}');
  });
  return lines.join('\n') + '\n';
}

/** An AS path as BIRD prints it (sets in braces, confederation segments in parentheses), flattened. */
function birdAsPath(value: string): number[] {
  return value
    .replace(/[{}()]/g, ' ')
    .split(/\s+/)
    .filter(Boolean)
    .map(Number);
}

/** Parses `birdc show route all` output (BIRD 2.0.x). */
export function parseBirdRoutes(text: string): PeerRoute[] {
  const out: PeerRoute[] = [];
  let prefix: string | undefined;
  let cur: PeerRoute | undefined;
  for (const raw of text.split('\n')) {
    const line = raw.replace(/\s+$/, '');
    const head = /^(\S+\/\d+)\s+(unicast|blackhole|unreachable|prohibited)\b/.exec(line);
    const alt = /^\s+(unicast|blackhole|unreachable|prohibited)\s+\[/.exec(line);
    if (head || alt) {
      if (head) prefix = head[1];
      if (!prefix) continue;
      cur = emptyRoute(prefix);
      out.push(cur);
      continue;
    }
    if (!cur) continue;
    const m = /^\s+(?:BGP\.)?([a-z_]+):\s*(.*)$/.exec(line);
    const via = /^\s+via\s+(\S+)/.exec(line);
    if (via) cur.nextHop ??= via[1];
    if (!m || !/BGP\./.test(line)) continue;
    const [, key, value = ''] = m;
    switch (key) {
      case 'origin':
        cur.origin = value.trim();
        break;
      case 'as4_path':
        cur.as4Path = birdAsPath(value);
        break;
      case 'as_path':
        cur.asPath = birdAsPath(value);
        break;
      case 'next_hop': {
        const [global, ll] = value.trim().split(/\s+/);
        cur.nextHop = global;
        if (ll) cur.nextHopLinkLocal = ll;
        break;
      }
      case 'local_pref':
        cur.localPref = Number(value);
        break;
      case 'med':
        cur.med = Number(value);
        break;
      case 'community':
        cur.communities = [...value.matchAll(/\((\d+),\s*(\d+)\)/g)].map((x) => `${x[1]}:${x[2]}`);
        break;
      case 'large_community':
        cur.largeCommunities = [...value.matchAll(/\((\d+),\s*(\d+),\s*(\d+)\)/g)].map(
          (x) => `${x[1]}:${x[2]}:${x[3]}`,
        );
        break;
    }
  }
  return out;
}

export class Bird extends PeerDaemon {
  readonly kind = 'bird' as const;
  readonly sock = join(this.config.dir, 'bird.ctl');
  readonly confFile = join(this.config.dir, 'bird.conf');

  protected prepare(): void {
    writeFileSync(this.confFile, birdConfig(this.config));
  }

  protected async launch(): Promise<void> {
    const c = this.config;
    const proc = this.spawn([
      'bird',
      '-f',
      '-c',
      this.confFile,
      '-s',
      this.sock,
      '-P',
      join(c.dir, 'bird.pid'),
    ]);
    await this.awaitReady(
      'BIRD',
      proc,
      () => this.birdc('show', 'status'),
      (s) => s.includes('Daemon is up'),
      10_000,
      50,
    );
  }

  /** Lets BIRD shut its sessions down cleanly before the process is stopped. */
  protected override async beforeStop(): Promise<void> {
    await this.birdc('down').catch(() => undefined);
  }

  async birdc(...args: string[]): Promise<string> {
    return (await this.config.ns.exec(['birdc', '-s', this.sock, ...args])).stdout;
  }

  /** BIRD's protocol name for a configured neighbour (`peerN`). */
  private protocol(neighbor: string): string {
    return `peer${this.config.neighbors.findIndex((n) => n.address === neighbor)}`;
  }

  /** `show route <what> table masterN where source = RTS_BGP`: BGP-learnt routes only. */
  private showBgpRoutes(what: 'all' | 'count', family: Family): Promise<string> {
    const table = family === 'ipv4' ? 'master4' : 'master6';
    return this.birdc('show', 'route', what, 'table', table, 'where', 'source', '=', 'RTS_BGP');
  }

  async sessionState(neighbor: string): Promise<PeerSessionState> {
    const p = this.protocol(neighbor);
    const out = await this.birdc('show', 'protocols', p);
    const line = out.split('\n').find((l) => l.startsWith(`${p} `));
    const info = line?.trim().split(/\s+/).pop() ?? '';
    return sessionStateOf(info);
  }

  /** `show protocols all peerN` (negotiated hold time, capabilities), for diagnostics. */
  async protocolDetails(neighbor: string): Promise<string> {
    return this.birdc('show', 'protocols', 'all', this.protocol(neighbor));
  }

  /** Routes received from BGP neighbours (not BIRD's own static ones). */
  async routes(family: Family): Promise<PeerRoute[]> {
    return parseBirdRoutes(await this.showBgpRoutes('all', family));
  }

  /** Number of BGP routes in a table, cheap enough to poll during a 10k-prefix dump. */
  async routeCount(family: Family): Promise<number> {
    const m = /(\d+) of \d+ routes/.exec(await this.showBgpRoutes('count', family));
    return m ? Number(m[1]) : 0;
  }

  async requestRefresh(neighbor: string): Promise<void> {
    await this.birdc('reload', 'in', this.protocol(neighbor));
  }
}
