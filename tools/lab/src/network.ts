// The lab's wires: one namespace per host, an L2 segment (a bridge in the `lan` namespace, like an
// unmanaged switch), a WAN link behind the router, and per-node pod bridges. Nothing is created in
// the root namespace: every veth is made from inside a lab namespace (DESIGN.md §4).
import { Netns, exec, listNamespaces, run, deleteNamespace } from '@ironlb/netns-kit';
import { namespaceName, type LabPlan, type NodePlan } from './plan.ts';

export const SEGMENT_BRIDGE = 'br0';
export const POD_BRIDGE = 'cbr0';

export function labNamespaces(lab: string, plan: LabPlan): Record<string, string> {
  const out: Record<string, string> = { lan: namespaceName(lab, 'lan') };
  for (const h of [plan.router, plan.apiserver, plan.client, plan.clientWan, ...plan.nodes]) {
    out[h.label] = namespaceName(lab, h.label);
  }
  return out;
}

/** A namespace handle for running commands (processes are tracked by the caller). */
export function nsHandle(name: string, label: string): Netns {
  return new Netns(name, label, () => {});
}

async function sysctl(ns: Netns, settings: Record<string, string | number>): Promise<void> {
  for (const [k, v] of Object.entries(settings)) await ns.run(['sysctl', '-qw', `${k}=${v}`]);
}

async function addr(ns: Netns, dev: string, addrs: string[]): Promise<void> {
  for (const a of addrs) {
    await ns.run(['ip', 'addr', 'add', a, 'dev', dev, ...(a.includes(':') ? ['nodad'] : [])]);
  }
}

async function up(ns: Netns, dev: string): Promise<void> {
  await ns.run(['ip', 'link', 'set', 'dev', dev, 'up']);
}

/** veth `ifA` in `a` ⇄ `ifB` in `b`, created from inside `a`. */
async function veth(a: Netns, ifA: string, b: Netns, ifB: string): Promise<void> {
  await a.run([
    'ip',
    'link',
    'add',
    'name',
    ifA,
    'type',
    'veth',
    'peer',
    'name',
    ifB,
    'netns',
    b.name,
  ]);
}

/**
 * Builds every namespace and link of the plan. `progress` hears one line per step. On failure the
 * caller runs `destroyLabNetwork` (it removes whatever exists).
 */
export async function createLabNetwork(
  lab: string,
  plan: LabPlan,
  progress: (line: string) => void = () => {},
): Promise<void> {
  const names = labNamespaces(lab, plan);
  for (const [label, name] of Object.entries(names)) {
    await run(['ip', 'netns', 'add', name]);
    await nsHandle(name, label).run(['ip', 'link', 'set', 'dev', 'lo', 'up']);
  }
  const ns = (label: string) => nsHandle(names[label] as string, label);
  const lan = ns('lan');
  progress(`namespaces: ${Object.keys(names).length} (ilb-lab-${lab}-*)`);

  // The segment: a bridge with one port per host; every host sees its NIC as eth0.
  await lan.run([
    'ip',
    'link',
    'add',
    'name',
    SEGMENT_BRIDGE,
    'type',
    'bridge',
    'forward_delay',
    '0',
    'mcast_snooping',
    '0',
  ]);
  await up(lan, SEGMENT_BRIDGE);
  const onSegment = [plan.router, plan.apiserver, plan.client, ...plan.nodes];
  for (const h of onSegment) {
    const host = ns(h.label);
    await veth(host, 'eth0', lan, h.label);
    await lan.run(['ip', 'link', 'set', 'dev', h.label, 'master', SEGMENT_BRIDGE]);
    await up(lan, h.label);
    await addr(host, 'eth0', [`${h.v4}/24`, `${h.v6}/64`]);
    await up(host, 'eth0');
  }
  progress(
    `segment ${plan.segmentV4} ${plan.segmentV6}: ${onSegment.map((h) => h.name).join(', ')}`,
  );

  // The router: forwards, spreads ECMP by ports (L4 hash), and owns the WAN link.
  const router = ns(plan.router.label);
  const wan = ns(plan.clientWan.label);
  await veth(router, 'eth1', wan, 'eth0');
  await addr(router, 'eth1', [`${plan.router.wanV4}/24`, `${plan.router.wanV6}/64`]);
  await addr(wan, 'eth0', [`${plan.clientWan.v4}/24`, `${plan.clientWan.v6}/64`]);
  await up(router, 'eth1');
  await up(wan, 'eth0');
  await sysctl(router, {
    'net.ipv4.ip_forward': 1,
    'net.ipv6.conf.all.forwarding': 1,
    'net.ipv4.fib_multipath_hash_policy': 1,
    'net.ipv6.fib_multipath_hash_policy': 1,
  });
  await wan.run(['ip', 'route', 'add', 'default', 'via', plan.router.wanV4]);
  await wan.run(['ip', '-6', 'route', 'add', 'default', 'via', plan.router.wanV6]);
  progress(
    `router ${plan.router.v4} (AS ${plan.router.as}) with client-wan ${plan.clientWan.v4} behind it`,
  );

  // Clients and the API server reach everything else through the router; the API server also
  // reaches pods directly through their nodes (webhooks are called by pod IP).
  for (const h of [plan.client, plan.apiserver]) {
    const host = ns(h.label);
    await host.run(['ip', 'route', 'add', 'default', 'via', plan.router.v4]);
    await host.run(['ip', '-6', 'route', 'add', 'default', 'via', plan.router.v6]);
  }
  const apiserver = ns(plan.apiserver.label);
  for (const n of plan.nodes) {
    await apiserver.run(['ip', 'route', 'add', n.podCidrV4, 'via', n.v4]);
    await apiserver.run(['ip', '-6', 'route', 'add', n.podCidrV6, 'via', n.v6]);
    await router.run(['ip', 'route', 'add', n.podCidrV4, 'via', n.v4]);
    await router.run(['ip', '-6', 'route', 'add', n.podCidrV6, 'via', n.v6]);
  }

  for (const n of plan.nodes) await setUpNode(ns(n.label), n, plan);
  progress(`nodes: ${plan.nodes.map((n) => `${n.name} ${n.v4} pods ${n.podCidrV4}`).join('; ')}`);
}

async function setUpNode(node: Netns, n: NodePlan, plan: LabPlan): Promise<void> {
  // As kube-proxy in IPVS mode with strictARP (the seeds' step): the kernel answers ARP only for
  // addresses on the receiving interface and announces from them, so only the speaker answers
  // for service addresses (MetalLB #153). Forwarding for pods and DNAT.
  await sysctl(node, {
    'net.ipv4.ip_forward': 1,
    'net.ipv6.conf.all.forwarding': 1,
    'net.ipv4.conf.all.arp_ignore': 1,
    'net.ipv4.conf.all.arp_announce': 2,
    'net.ipv4.conf.all.rp_filter': 0,
    'net.ipv4.conf.default.rp_filter': 0,
    'net.ipv4.conf.all.route_localnet': 1,
  });
  await node.run(['ip', 'route', 'add', 'default', 'via', plan.router.v4]);
  await node.run(['ip', '-6', 'route', 'add', 'default', 'via', plan.router.v6]);
  await node.run(['ip', 'link', 'add', 'name', POD_BRIDGE, 'type', 'bridge', 'forward_delay', '0']);
  await addr(node, POD_BRIDGE, [`${n.bridgeV4}/24`, `${n.bridgeV6}/64`]);
  await up(node, POD_BRIDGE);
  for (const other of plan.nodes) {
    if (other.index === n.index) continue;
    await node.run(['ip', 'route', 'add', other.podCidrV4, 'via', other.v4]);
    await node.run(['ip', '-6', 'route', 'add', other.podCidrV6, 'via', other.v6]);
  }
}

/** Every namespace of the lab (also of a half-built or crashed one). */
export async function existingLabNamespaces(lab: string): Promise<string[]> {
  const prefix = `ilb-lab-${lab}-`;
  return (await listNamespaces()).filter((n) => n.startsWith(prefix));
}

/** Deletes every namespace of the lab, killing whatever still runs inside. */
export async function destroyLabNetwork(lab: string): Promise<string[]> {
  const names = await existingLabNamespaces(lab);
  // Pods first (they hang off the nodes' bridges), then hosts; any order works, this is tidier.
  names.sort((a, b) => Number(b.includes('-p')) - Number(a.includes('-p')));
  for (const n of names) await deleteNamespace(n);
  return names;
}

/** Link state of a node's NIC: down means crashed by `lab crash`. */
export async function setNodeLink(nodeNs: string, state: 'up' | 'down'): Promise<void> {
  const node = nsHandle(nodeNs, 'node');
  if (state === 'down') {
    // Both ways: a blackhole qdisc out and a drop-all in, as a pulled cable (the kit's blackhole).
    await node.exec(['tc', 'qdisc', 'replace', 'dev', 'eth0', 'root', 'blackhole']);
    await node.run(['nft', '-f', '-'], {
      input: [
        'add table netdev ilblabcrash',
        'add chain netdev ilblabcrash in { type filter hook ingress device "eth0" priority 0; policy drop; }',
      ].join('\n'),
    });
  } else {
    await node.exec(['tc', 'qdisc', 'del', 'dev', 'eth0', 'root']);
    await node.exec(['nft', 'delete', 'table', 'netdev', 'ilblabcrash']);
  }
}

export { exec };
