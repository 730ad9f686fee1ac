// What `lab status` shows about the router: the BGP routes it holds and their next hops (the nodes
// that announce each Service address), read from FRR's zebra.
import type { Router } from './router.ts';

export interface RouterRoute {
  prefix: string;
  nextHops: string[];
}

interface FrrRoute {
  protocol?: string;
  selected?: boolean;
  nexthops?: { ip?: string; active?: boolean }[];
}

export function parseFrrRoutes(json: string): RouterRoute[] {
  let doc: Record<string, FrrRoute[]>;
  try {
    doc = JSON.parse(json || '{}') as Record<string, FrrRoute[]>;
  } catch {
    return [];
  }
  const out: RouterRoute[] = [];
  for (const [prefix, routes] of Object.entries(doc)) {
    for (const r of routes) {
      if (r.protocol !== 'bgp' || !r.selected) continue;
      out.push({
        prefix,
        nextHops: (r.nexthops ?? [])
          .filter((n) => n.active !== false && n.ip)
          .map((n) => n.ip as string)
          .sort(),
      });
    }
  }
  return out.sort((a, b) => a.prefix.localeCompare(b.prefix));
}

export async function routerStatus(
  router: Router,
): Promise<{ routes: RouterRoute[]; sessions: Record<string, string> }> {
  const v4 = parseFrrRoutes(await router.vtysh('show ip route bgp json'));
  const v6 = parseFrrRoutes(await router.vtysh('show ipv6 route bgp json'));
  const sessions: Record<string, string> = {};
  try {
    const sum = JSON.parse((await router.vtysh('show bgp summary json')) || '{}') as Record<
      string,
      { peers?: Record<string, { state?: string }> }
    >;
    for (const fam of Object.values(sum))
      for (const [peer, p] of Object.entries(fam.peers ?? {})) sessions[peer] = p.state ?? '?';
  } catch {
    // no sessions yet
  }
  return { routes: [...v4, ...v6], sessions };
}
