// ExaBGP 4.2 as a real peer (protocols.md §6). Passive ExaBGP only listens when both
// exabgp.tcp.bind and exabgp.tcp.port are set. Received UPDATEs come out of an API process as JSON
// lines; the sink only appends stdin to a file (a sink that echoes makes ExaBGP read its own
// output back as commands). Routes can carry raw attributes through ExaBGP's generic
// `attribute [ code flags value ]` syntax, which is how odd or malformed attributes are sent.
import { existsSync, readFileSync, writeFileSync, chmodSync } from 'node:fs';
import { join } from 'node:path';
import { PeerDaemon } from './daemon.ts';
import { isV6, pollUntil } from './types.ts';
import type { DaemonConfig, Family, InjectedRoute, PeerRoute, PeerSessionState } from './types.ts';

export interface ExabgpRoute extends InjectedRoute {
  /** Raw attributes: [typeCode, flags, hex value], sent verbatim. */
  rawAttributes?: [number, number, string][];
}

export interface ExabgpConfig extends DaemonConfig {
  routes?: ExabgpRoute[];
}

export function exabgpConfig(c: ExabgpConfig, sink: string): string {
  const l: string[] = [`process dump {`, `  run /usr/bin/python3 ${sink};`, '  encoder json;', '}'];
  for (const n of c.neighbors) {
    l.push(`neighbor ${n.address} {`, `  router-id ${c.routerId};`);
    if (c.localAddress) l.push(`  local-address ${c.localAddress};`);
    l.push(`  local-as ${c.as};`, `  peer-as ${n.as};`, `  hold-time ${n.holdTimeSec ?? 90};`);
    if (n.passive ?? true) l.push('  passive true;');
    if (n.fourOctetAs === false) l.push('  capability {', '    asn4 disable;', '  }');
    l.push('  family {', ...(n.families ?? ['ipv4']).map((f) => `    ${f} unicast;`), '  }');
    l.push(
      '  api {',
      '    processes [ dump ];',
      '    receive { parsed; update; notification; }',
      '    neighbor-changes;',
      '  }',
    );
    const routes = (c.routes ?? []).filter((r) =>
      (n.families ?? ['ipv4']).includes(isV6(r.prefix) ? 'ipv6' : 'ipv4'),
    );
    if (routes.length) {
      l.push('  static {');
      for (const r of routes) {
        let s = `    route ${r.prefix} next-hop ${r.nextHop ?? 'self'}`;
        if (r.communities?.length) s += ` community [ ${r.communities.join(' ')} ]`;
        if (r.largeCommunities?.length) s += ` large-community [ ${r.largeCommunities.join(' ')} ]`;
        if (r.localPref !== undefined) s += ` local-preference ${r.localPref}`;
        if (r.med !== undefined) s += ` med ${r.med}`;
        for (const [code, flags, hex] of r.rawAttributes ?? [])
          s += ` attribute [ 0x${code.toString(16)} 0x${flags.toString(16)} 0x${hex} ]`;
        l.push(`${s};`);
      }
      l.push('  }');
    }
    l.push('}');
  }
  return l.join('\n') + '\n';
}

const SINK = `import sys
out = open(sys.argv[1] if len(sys.argv) > 1 else OUT, 'a', buffering=1)
for line in sys.stdin:
    out.write(line)
`;

export class Exabgp extends PeerDaemon<ExabgpConfig> {
  readonly kind = 'exabgp' as const;
  readonly eventsFile = join(this.config.dir, 'events.jsonl');

  protected prepare(): void {
    const dir = this.config.dir;
    const sink = join(dir, 'sink.py');
    writeFileSync(sink, SINK.replace('OUT', JSON.stringify(this.eventsFile)));
    chmodSync(sink, 0o755);
    writeFileSync(join(dir, 'exabgp.conf'), exabgpConfig(this.config, sink));
  }

  /** ExaBGP has no CLI to wait on: the session shows up later in the API stream (`waitUp`). */
  protected launch(): void {
    const c = this.config;
    this.spawn(['exabgp', join(c.dir, 'exabgp.conf')], {
      env: {
        ...process.env,
        'exabgp.daemon.user': 'root',
        'exabgp.tcp.bind': c.localAddress ?? '',
        'exabgp.tcp.port': String(c.listenPort ?? 179),
        'exabgp.log.destination': 'stderr',
        'exabgp.daemon.drop': 'false',
        'exabgp.api.ack': 'false',
      },
    });
  }

  /** Every JSON event the API process received so far. */
  events(): Record<string, unknown>[] {
    if (!existsSync(this.eventsFile)) return [];
    return readFileSync(this.eventsFile, 'utf8')
      .split('\n')
      .filter((x) => x.startsWith('{'))
      .map((x) => JSON.parse(x) as Record<string, unknown>);
  }

  async sessionState(neighbor: string): Promise<PeerSessionState> {
    // ExaBGP logs "connected" / state changes; the API stream carries "state" events.
    const ev = this.events().filter(
      (e) =>
        e.type === 'state' &&
        (e.neighbor as { address?: { peer?: string } })?.address?.peer === neighbor,
    );
    const last = ev.at(-1) as { neighbor?: { state?: string } } | undefined;
    const s = last?.neighbor?.state;
    return s === 'up'
      ? 'Established'
      : s === 'down'
        ? 'Idle'
        : s === 'connected'
          ? 'OpenSent'
          : 'Unknown';
  }

  /** Routes seen in received UPDATEs (announces minus later withdraws). */
  async routes(family: Family): Promise<PeerRoute[]> {
    const key = `${family} unicast`;
    const table = new Map<string, PeerRoute>();
    for (const e of this.events()) {
      const upd = (e.neighbor as { message?: { update?: Record<string, unknown> } } | undefined)
        ?.message?.update;
      if (!upd) continue;
      const attr = (upd.attribute ?? {}) as {
        origin?: string;
        'as-path'?: number[];
        med?: number;
        'local-preference'?: number;
        community?: number[][];
        'large-community'?: number[][];
      };
      const ann =
        (upd.announce as Record<string, Record<string, { nlri: string }[]>> | undefined)?.[key] ??
        {};
      for (const [nh, list] of Object.entries(ann)) {
        for (const { nlri } of list) {
          table.set(nlri, {
            prefix: nlri,
            nextHop: nh,
            asPath: attr['as-path'] ?? [],
            origin: attr.origin,
            communities: (attr.community ?? []).map((c) => `${c[0]}:${c[1]}`),
            largeCommunities: (attr['large-community'] ?? []).map((c) => c.join(':')),
            localPref: attr['local-preference'],
            med: attr.med,
          });
        }
      }
      const wd = (upd.withdraw as Record<string, { nlri: string }[]> | undefined)?.[key] ?? [];
      for (const { nlri } of wd) table.delete(nlri);
    }
    return [...table.values()];
  }

  /** Waits until the API stream shows the session up. */
  async waitUp(neighbor: string, timeoutMs = 20_000): Promise<boolean> {
    return (
      (await pollUntil(
        () => this.sessionState(neighbor),
        (s) => s === 'Established',
        timeoutMs,
        100,
      )) === 'Established'
    );
  }

  get stderr(): string {
    return this.procs[0]?.stderr ?? '';
  }

  async routeCount(family: Family): Promise<number> {
    return (await this.routes(family)).length;
  }

  async requestRefresh(): Promise<void> {
    // ExaBGP sends ROUTE-REFRESH only through its API process, which our sink does not drive.
    throw new Error('Exabgp.requestRefresh is not supported');
  }
}
