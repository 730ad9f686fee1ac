import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { KitError } from './errors.ts';
import { run, exec } from './exec.ts';
import { Netns } from './netns.ts';
import type { NsProcess } from './process.ts';
import { KIT_PREFIX, deleteNamespace, sweepStale } from './sweep.ts';

export interface LinkOptions {
  /** Addresses with prefix length for the first end, e.g. ['198.51.100.1/24', '2001:db8::1/64']. */
  a?: readonly string[];
  /** Addresses for the second end. */
  b?: readonly string[];
  mtu?: number;
}

const IFNAME = /^[A-Za-z0-9_.-]{1,15}$/;
const LABEL = /^[a-z0-9]{1,12}$/;

/**
 * A set of network namespaces for one test file, joined by veth pairs and bridges. Names are
 * `ilb-<pid>-<topology>-<label>`, so `sweepStale` can tell a crashed run's leftovers from a live
 * run's. `destroy()` kills every process and deletes every namespace and folder it created.
 * Nothing is ever created in the root namespace: veth pairs are made from inside a namespace.
 */
export class Topology {
  readonly id: string;
  private readonly namespaces = new Map<string, Netns>();
  private readonly processes: NsProcess[] = [];
  private readonly dirs: string[] = [];
  private destroyed = false;

  private constructor(id: string) {
    this.id = id;
  }

  /** Sweeps leftovers of dead runs, then starts an empty topology. */
  static async create(label: string): Promise<Topology> {
    if (!LABEL.test(label))
      throw new KitError('invalid-argument', `topology label must match ${LABEL}: ${label}`);
    await sweepStale();
    return new Topology(`${KIT_PREFIX}-${process.pid}-${label}${randomBytes(2).toString('hex')}`);
  }

  get all(): Netns[] {
    return [...this.namespaces.values()];
  }

  ns(label: string): Netns {
    const n = this.namespaces.get(label);
    if (!n) throw new KitError('invalid-argument', `no namespace ${label} in ${this.id}`);
    return n;
  }

  /** Creates a namespace with its loopback up. */
  async addNamespace(label: string): Promise<Netns> {
    if (this.destroyed) throw new KitError('invalid-argument', 'topology destroyed');
    if (!LABEL.test(label))
      throw new KitError('invalid-argument', `namespace label must match ${LABEL}: ${label}`);
    if (this.namespaces.has(label))
      throw new KitError('invalid-argument', `namespace ${label} exists`);
    const name = `${this.id}-${label}`;
    await run(['ip', 'netns', 'add', name]);
    const ns = new Netns(name, label, (p) => this.processes.push(p));
    this.namespaces.set(label, ns);
    await ns.run(['ip', 'link', 'set', 'dev', 'lo', 'up']);
    return ns;
  }

  /**
   * A veth pair between two namespaces (or two interfaces of one), both ends up, with addresses.
   * IPv6 addresses are added with `nodad` so they are usable at once (RFC 4862 DAD would delay
   * them by a second or more).
   */
  async link(a: Netns, ifA: string, b: Netns, ifB: string, opts: LinkOptions = {}): Promise<void> {
    for (const n of [ifA, ifB]) {
      if (!IFNAME.test(n)) throw new KitError('invalid-argument', `bad interface name ${n}`);
    }
    const peer = a === b ? ['peer', 'name', ifB] : ['peer', 'name', ifB, 'netns', b.name];
    await a.run(['ip', 'link', 'add', 'name', ifA, 'type', 'veth', ...peer]);
    for (const [ns, ifname, addrs] of [
      [a, ifA, opts.a ?? []],
      [b, ifB, opts.b ?? []],
    ] as const) {
      if (opts.mtu) await ns.run(['ip', 'link', 'set', 'dev', ifname, 'mtu', String(opts.mtu)]);
      await this.addAddresses(ns, ifname, addrs);
      await ns.run(['ip', 'link', 'set', 'dev', ifname, 'up']);
    }
  }

  async addAddresses(ns: Netns, iface: string, addrs: readonly string[]): Promise<void> {
    for (const addr of addrs) {
      const extra = addr.includes(':') ? ['nodad'] : [];
      await ns.run(['ip', 'addr', 'add', addr, 'dev', iface, ...extra]);
    }
  }

  /**
   * A bridge inside `ns` with the given ports enslaved: a switch. Multicast snooping is off so
   * the bridge floods multicast (NDP's solicited-node groups) like a plain unmanaged switch.
   */
  async bridge(
    ns: Netns,
    name: string,
    ports: readonly string[],
    addrs: readonly string[] = [],
  ): Promise<void> {
    if (!IFNAME.test(name)) throw new KitError('invalid-argument', `bad bridge name ${name}`);
    await ns.run([
      'ip',
      'link',
      'add',
      'name',
      name,
      'type',
      'bridge',
      'forward_delay',
      '0',
      'mcast_snooping',
      '0',
    ]);
    for (const p of ports) await ns.run(['ip', 'link', 'set', 'dev', p, 'master', name]);
    await this.addAddresses(ns, name, addrs);
    await ns.run(['ip', 'link', 'set', 'dev', name, 'up']);
  }

  /**
   * Random loss on one interface, both directions (nftables netdev ingress + egress hooks, since
   * this kernel has no netem; DESIGN.md §8). Drops every kind of frame, ARP and NDP included.
   */
  async setLoss(ns: Netns, iface: string, percent: number): Promise<void> {
    if (!(percent >= 0 && percent <= 100))
      throw new KitError('invalid-argument', `loss percent out of range: ${percent}`);
    await this.clearLoss(ns, iface);
    const table = lossTable(iface);
    const rule = percent >= 100 ? 'drop' : `numgen random mod 100 < ${Math.round(percent)} drop`;
    const script = [
      `add table netdev ${table}`,
      `add chain netdev ${table} in { type filter hook ingress device "${iface}" priority 0; }`,
      `add chain netdev ${table} out { type filter hook egress device "${iface}" priority 0; }`,
      `add rule netdev ${table} in ${rule}`,
      `add rule netdev ${table} out ${rule}`,
    ].join('\n');
    await ns.run(['nft', '-f', '-'], { input: script });
  }

  /** 100 % loss on an interface: a `blackhole` qdisc on egress plus dropping ingress. */
  async blackhole(ns: Netns, iface: string): Promise<void> {
    await this.setLoss(ns, iface, 100);
    await ns.run(['tc', 'qdisc', 'replace', 'dev', iface, 'root', 'blackhole']);
  }

  /** Removes loss and blackholes from an interface. */
  async clearLoss(ns: Netns, iface: string): Promise<void> {
    await ns.exec(['nft', 'delete', 'table', 'netdev', lossTable(iface)]);
    await ns.exec(['tc', 'qdisc', 'del', 'dev', iface, 'root']);
  }

  /** A temp folder deleted with the topology (configs, sockets, pid files of peers). */
  tempDir(label: string): string {
    const dir = mkdtempSync(join(tmpdir(), `${this.id}-${label}-`));
    this.dirs.push(dir);
    return dir;
  }

  /** Kills every process, deletes every namespace and folder. Safe to call twice. */
  async destroy(): Promise<void> {
    if (this.destroyed) return;
    this.destroyed = true;
    await Promise.all(this.processes.map((p) => p.stop(1_000).catch(() => undefined)));
    for (const ns of this.namespaces.values()) await deleteNamespace(ns.name);
    for (const d of this.dirs) rmSync(d, { recursive: true, force: true });
    this.namespaces.clear();
  }
}

function lossTable(iface: string): string {
  return `ilbloss_${iface.replace(/[^A-Za-z0-9_]/g, '_')}`;
}

/** Whether a namespace with this exact name exists (for tests of the kit itself). */
export async function namespaceExists(name: string): Promise<boolean> {
  const r = await exec(['ip', 'netns', 'list']);
  return r.stdout.split('\n').some((l) => l.split(/\s+/)[0] === name);
}
