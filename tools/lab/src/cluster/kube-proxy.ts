// The kube-proxy stand-in: for one node, the nftables ruleset that sends Service traffic to
// endpoints, as kube-proxy does (pure; the supervisor applies it with `nft -f -` in the node's
// namespace, atomically: the table is deleted and rebuilt in one transaction).
//
//  - ClusterIP, LoadBalancer ingress IPs and NodePorts on the node's addresses DNAT to endpoints,
//    spread at random (kube-proxy's nftables mode uses `numgen random` the same way).
//  - externalTrafficPolicy Cluster: all ready endpoints, and traffic that entered from outside is
//    masqueraded so replies come back through this node. Local: LoadBalancer and NodePort
//    traffic only to this node's endpoints, source kept; none local → dropped (kube-proxy does
//    the same; the speaker should not attract it then).
//  - Traffic from processes on the node itself (host-network pods: speakers, the controller
//    reaching the `kubernetes` Service) is handled on the output hook.
// Service addresses are never bound on an interface, so the kernel never answers ARP/NDP for
// them: only the speaker does, as with kube-proxy IPVS and strictARP (MetalLB #153).

export interface ProxyEndpoint {
  addresses: string[];
  nodeName: string | undefined;
  ready: boolean;
  serving: boolean;
  terminating: boolean;
  /** Port name → port number on this endpoint (EndpointSlice ports). */
  ports: Record<string, number>;
}

export interface ProxyServicePort {
  name: string;
  protocol: 'TCP' | 'UDP' | 'SCTP';
  port: number;
  nodePort?: number;
}

export interface ProxyService {
  namespace: string;
  name: string;
  type: 'ClusterIP' | 'NodePort' | 'LoadBalancer' | 'ExternalName';
  clusterIPs: string[];
  loadBalancerIPs: string[];
  externalTrafficPolicy: 'Cluster' | 'Local';
  ports: ProxyServicePort[];
  endpoints: ProxyEndpoint[];
}

export interface ProxyNode {
  name: string;
  addresses: string[];
}

const MASQ_MARK = '0x4000';

const isV6 = (a: string) => a.includes(':');

function chainName(svc: ProxyService, port: ProxyServicePort, kind: 'all' | 'local'): string {
  const raw = `${svc.namespace}_${svc.name}_${port.protocol}_${port.port}_${kind}`;
  return `svc_${raw.replace(/[^A-Za-z0-9_]/g, '_')}`.slice(0, 200);
}

interface Target {
  addr: string;
  port: number;
}

function targets(
  svc: ProxyService,
  port: ProxyServicePort,
  family: 4 | 6,
  onlyNode?: string,
): Target[] {
  const out: Target[] = [];
  // kube-proxy uses ready endpoints; if none are ready it falls back to serving-and-terminating
  // ones (KEP-1669), which is also what MetalLB counts as "serving".
  const ready = svc.endpoints.filter((e) => e.ready);
  const pool = ready.length ? ready : svc.endpoints.filter((e) => e.serving && e.terminating);
  for (const ep of pool) {
    if (onlyNode !== undefined && ep.nodeName !== onlyNode) continue;
    const target =
      ep.ports[port.name] ?? (svc.ports.length === 1 ? Object.values(ep.ports)[0] : undefined);
    if (target === undefined) continue;
    for (const a of ep.addresses)
      if (isV6(a) === (family === 6)) out.push({ addr: a, port: target });
  }
  return out.sort((a, b) => (a.addr < b.addr ? -1 : a.addr > b.addr ? 1 : a.port - b.port));
}

function dnatChain(
  name: string,
  family: 4 | 6,
  l4: string,
  list: Target[],
  masquerade: boolean,
): string[] {
  const l = [`add chain ${tableOf(family)} ${name}`];
  if (masquerade) l.push(`add rule ${tableOf(family)} ${name} meta mark set mark or ${MASQ_MARK}`);
  if (!list.length) {
    // No endpoint: reject like kube-proxy (ICMP unreachable / TCP reset), never black-hole silently.
    l.push(`add rule ${tableOf(family)} ${name} reject`);
    return l;
  }
  const fmt = (t: Target) => (family === 6 ? `[${t.addr}]:${t.port}` : `${t.addr}:${t.port}`);
  if (list.length === 1) {
    l.push(
      `add rule ${tableOf(family)} ${name} meta l4proto ${l4} dnat to ${fmt(list[0] as Target)}`,
    );
  } else {
    const map = list.map((t, i) => `${i} : ${t.addr} . ${t.port}`).join(', ');
    l.push(
      `add rule ${tableOf(family)} ${name} meta l4proto ${l4} dnat ${family === 6 ? 'ip6' : 'ip'} addr . port to numgen random mod ${list.length} map { ${map} }`,
    );
  }
  return l;
}

function tableOf(family: 4 | 6): string {
  return family === 6 ? 'ip6 ilbproxy' : 'ip ilbproxy';
}

const proto = (p: ProxyServicePort) => p.protocol.toLowerCase();

/** The whole ruleset for one node and one family, as an `nft -f` script. */
export function proxyRules(node: ProxyNode, services: ProxyService[], family: 4 | 6): string {
  const t = tableOf(family);
  const daddr = family === 6 ? 'ip6 daddr' : 'ip daddr';
  const l: string[] = [
    `add table ${t}`,
    `delete table ${t}`,
    `add table ${t}`,
    `add chain ${t} services`,
    `add chain ${t} prerouting { type nat hook prerouting priority -100; }`,
    `add chain ${t} output { type nat hook output priority -100; }`,
    `add chain ${t} postrouting { type nat hook postrouting priority 100; }`,
    `add rule ${t} prerouting jump services`,
    `add rule ${t} output jump services`,
    `add rule ${t} postrouting meta mark & ${MASQ_MARK} == ${MASQ_MARK} masquerade`,
  ];
  const sorted = [...services].sort((a, b) =>
    `${a.namespace}/${a.name}`.localeCompare(`${b.namespace}/${b.name}`),
  );
  for (const svc of sorted) {
    if (svc.type === 'ExternalName') continue;
    for (const port of svc.ports) {
      if (port.protocol === 'SCTP') continue;
      const all = chainName(svc, port, 'all');
      const allTargets = targets(svc, port, family);
      l.push(...dnatChain(all, family, proto(port), allTargets, false));
      // From outside (LoadBalancer, NodePort) with ETP=Cluster: masquerade, so the reply returns
      // through this node and its conntrack entry.
      const external =
        chainName(svc, port, svc.externalTrafficPolicy === 'Local' ? 'local' : 'all') + '_ext';
      const extTargets =
        svc.externalTrafficPolicy === 'Local' ? targets(svc, port, family, node.name) : allTargets;
      l.push(
        ...dnatChain(
          external,
          family,
          proto(port),
          extTargets,
          svc.externalTrafficPolicy !== 'Local',
        ),
      );
      for (const ip of svc.clusterIPs.filter((a) => isV6(a) === (family === 6))) {
        l.push(
          `add rule ${t} services ${daddr} ${ip} ${proto(port)} dport ${port.port} goto ${all}`,
        );
      }
      if (svc.type === 'LoadBalancer') {
        for (const ip of svc.loadBalancerIPs.filter((a) => isV6(a) === (family === 6))) {
          l.push(
            `add rule ${t} services ${daddr} ${ip} ${proto(port)} dport ${port.port} goto ${external}`,
          );
        }
      }
      if ((svc.type === 'NodePort' || svc.type === 'LoadBalancer') && port.nodePort) {
        for (const ip of node.addresses.filter((a) => isV6(a) === (family === 6))) {
          l.push(
            `add rule ${t} services ${daddr} ${ip} ${proto(port)} dport ${port.nodePort} goto ${external}`,
          );
        }
      }
    }
  }
  return l.join('\n') + '\n';
}

/** Removes the rules (node restore after a crash rebuilds them). */
export function proxyTeardown(family: 4 | 6): string {
  const t = tableOf(family);
  return `add table ${t}\ndelete table ${t}\n`;
}
