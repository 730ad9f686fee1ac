// BIRD 2 as a real peer (protocols.md §6). BIRD has no JSON output, so `show route all` is parsed.
// eBGP needs explicit `import all` (RFC 8212 default-deny, protocols.md §1.3); iBGP next hops are
// resolved recursively, so channels use `gateway direct`.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { NsProcess } from '../process.ts';
import { KitError } from '../errors.ts';
import { isV6, pollUntil } from './types.ts';
import type { BgpDaemon, DaemonConfig, Family, PeerRoute, PeerSessionState } from './types.ts';

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
      cur = {
        prefix,
        nextHop: undefined,
        asPath: [],
        origin: undefined,
        communities: [],
        largeCommunities: [],
        localPref: undefined,
        med: undefined,
      };
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
        cur.as4Path = value
          .replace(/[{}()]/g, ' ')
          .split(/\s+/)
          .filter(Boolean)
          .map(Number);
        break;
      case 'as_path':
        cur.asPath = value
          .replace(/[{}()]/g, ' ')
          .split(/\s+/)
          .filter(Boolean)
          .map(Number);
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

const BIRD_STATES: Record<string, PeerSessionState> = {
  Established: 'Established',
  Idle: 'Idle',
  Connect: 'Connect',
  Active: 'Active',
  OpenSent: 'OpenSent',
  OpenConfirm: 'OpenConfirm',
};

export class Bird implements BgpDaemon {
  readonly kind = 'bird' as const;
  readonly config: DaemonConfig;
  readonly sock: string;
  readonly confFile: string;
  private proc: NsProcess | null = null;

  private constructor(config: DaemonConfig) {
    this.config = config;
    this.sock = join(config.dir, 'bird.ctl');
    this.confFile = join(config.dir, 'bird.conf');
  }

  static async start(config: DaemonConfig): Promise<Bird> {
    const b = new Bird(config);
    writeFileSync(b.confFile, birdConfig(config));
    await b.launch();
    return b;
  }

  private async launch(): Promise<void> {
    const c = this.config;
    this.proc = c.ns.spawn([
      'bird',
      '-f',
      '-c',
      this.confFile,
      '-s',
      this.sock,
      '-P',
      join(c.dir, 'bird.pid'),
    ]);
    const ok = await pollUntil(
      async () => (await c.ns.exec(['birdc', '-s', this.sock, 'show', 'status'])).stdout,
      (s) => s.includes('Daemon is up'),
      10_000,
      50,
    );
    if (!ok.includes('Daemon is up'))
      throw new KitError('timeout', `BIRD did not come up: ${this.proc.stderr.slice(-2000)}`);
  }

  async birdc(...args: string[]): Promise<string> {
    return (await this.config.ns.exec(['birdc', '-s', this.sock, ...args])).stdout;
  }

  async sessionState(neighbor: string): Promise<PeerSessionState> {
    const i = this.config.neighbors.findIndex((n) => n.address === neighbor);
    const out = await this.birdc('show', 'protocols', `peer${i}`);
    const line = out.split('\n').find((l) => l.startsWith(`peer${i} `));
    const info = line?.trim().split(/\s+/).pop() ?? '';
    return BIRD_STATES[info] ?? 'Unknown';
  }

  /** `show protocols all peerN` (negotiated hold time, capabilities), for diagnostics. */
  async protocolDetails(neighbor: string): Promise<string> {
    const i = this.config.neighbors.findIndex((n) => n.address === neighbor);
    return this.birdc('show', 'protocols', 'all', `peer${i}`);
  }

  /** Routes received from BGP neighbours (not BIRD's own static ones). */
  async routes(family: Family): Promise<PeerRoute[]> {
    const out = await this.birdc(
      'show',
      'route',
      'all',
      'table',
      family === 'ipv4' ? 'master4' : 'master6',
      'where',
      'source',
      '=',
      'RTS_BGP',
    );
    return parseBirdRoutes(out);
  }

  /** Number of BGP routes in a table, cheap enough to poll during a 10k-prefix dump. */
  async routeCount(family: Family): Promise<number> {
    const out = await this.birdc(
      'show',
      'route',
      'count',
      'table',
      family === 'ipv4' ? 'master4' : 'master6',
      'where',
      'source',
      '=',
      'RTS_BGP',
    );
    const m = /(\d+) of \d+ routes/.exec(out);
    return m ? Number(m[1]) : 0;
  }

  async requestRefresh(neighbor: string): Promise<void> {
    const i = this.config.neighbors.findIndex((n) => n.address === neighbor);
    await this.birdc('reload', 'in', `peer${i}`);
  }

  async restart(): Promise<void> {
    await this.stopProcess();
    await this.launch();
  }

  private async stopProcess(): Promise<void> {
    if (!this.proc) return;
    await this.birdc('down').catch(() => undefined);
    await this.proc.stop(3_000);
    this.proc = null;
  }

  async stop(): Promise<void> {
    await this.stopProcess();
  }
}
