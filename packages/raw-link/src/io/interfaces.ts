import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { networkInterfaces } from 'node:os';
import type { InterfaceWatcherDeps } from '../deps.js';
import { defaultClock, silentLogger } from '../deps.js';

/** Linux interface flags (include/uapi/linux/if.h). Append-only. */
export const IfFlag = {
  Up: 0x1,
  Broadcast: 0x2,
  Loopback: 0x8,
  NoArp: 0x80,
} as const;

/** What discovery knows about one interface. */
export interface InterfaceInfo {
  name: string;
  /** Kernel flags (IFF_*), see {@link IfFlag}. */
  flags: number;
  /** "aa:bb:cc:dd:ee:ff" */
  mac: string;
  /** Enslaved to a bond or bridge (/sys/class/net/X/master exists). */
  enslaved: boolean;
  /** Has an IPv6 link-local address (fe80::/10). */
  hasIPv6LinkLocal: boolean;
}

/** An interface responders may use, and for which protocols. */
export interface EligibleInterface {
  name: string;
  mac: string;
  /** ARP runs on BROADCAST-capable interfaces. */
  arp: boolean;
  /** NDP runs where the interface has an IPv6 link-local address. */
  ndp: boolean;
}

/**
 * MetalLB's default `announcedInterfacesToExclude` (the metallb-excludel2 ConfigMap shipped with
 * its manifests): container, virtual-bridge and CNI devices never carry LB traffic.
 */
export const DEFAULT_INTERFACE_EXCLUDES: readonly RegExp[] = [
  /^docker/,
  /^cbr/,
  /^dummy/,
  /^virbr/,
  /^lxcbr/,
  /^veth/,
  /^lo$/,
  /^cali/,
  /^tunl/,
  /^flannel/,
  /^kube-ipvs/,
  /^cni/,
  /^nodelocaldns/,
  /^lxc/,
];

/**
 * MetalLB's eligibility rules (internal/layer2 announcer): skip excluded names, interfaces that are
 * down, enslaved to a bond/bridge (the master answers instead) or NOARP; ARP needs BROADCAST, NDP
 * needs an IPv6 link-local address. Pure.
 */
export function eligibleInterfaces(
  infos: readonly InterfaceInfo[],
  exclude: readonly RegExp[] = DEFAULT_INTERFACE_EXCLUDES,
): EligibleInterface[] {
  const out: EligibleInterface[] = [];
  for (const i of infos) {
    if (exclude.some((re) => re.test(i.name))) continue;
    if ((i.flags & IfFlag.Up) === 0) continue;
    if (i.enslaved) continue;
    if ((i.flags & IfFlag.NoArp) !== 0) continue;
    const arp = (i.flags & IfFlag.Broadcast) !== 0;
    const ndp = i.hasIPv6LinkLocal;
    if (arp || ndp) out.push({ name: i.name, mac: i.mac, arp, ndp });
  }
  return out.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/** Reads every interface of the current network namespace from sysfs and getifaddrs. Linux only. */
export function readInterfaces(sysfsRoot = '/sys/class/net'): InterfaceInfo[] {
  const addrs = networkInterfaces();
  const out: InterfaceInfo[] = [];
  for (const name of readdirSync(sysfsRoot)) {
    const dir = `${sysfsRoot}/${name}`;
    try {
      const flags = Number.parseInt(readFileSync(`${dir}/flags`, 'utf8').trim(), 16);
      const mac = readFileSync(`${dir}/address`, 'utf8').trim();
      out.push({
        name,
        flags,
        mac,
        enslaved: existsSync(`${dir}/master`),
        hasIPv6LinkLocal: (addrs[name] ?? []).some(
          (a) => a.family === 'IPv6' && /^fe[89ab]/i.test(a.address),
        ),
      });
    } catch {
      // The interface vanished between readdir and read: the next scan settles it.
    }
  }
  return out;
}

export interface InterfaceChange {
  added: EligibleInterface[];
  removed: EligibleInterface[];
  /** Still present but its MAC or protocol eligibility changed (reported as removed + added too). */
  current: EligibleInterface[];
}

export interface InterfaceWatcherOptions {
  /** Rescan period in milliseconds. Default 10 000 (MetalLB rescans every 10 s). */
  rescanIntervalMs?: number;
  /** Name patterns to skip. Default {@link DEFAULT_INTERFACE_EXCLUDES}. */
  exclude?: readonly RegExp[];
}

export interface InterfaceWatcher {
  /** Current eligible set (as of the last scan). */
  current(): EligibleInterface[];
  /** Scans now and reports differences to the listener; returns the change. */
  rescan(): InterfaceChange;
  close(): void;
}

const key = (i: EligibleInterface) => `${i.name}|${i.mac}|${i.arp}|${i.ndp}`;

/**
 * Polls the interface list and reports interfaces that appear or disappear (an interface that
 * changes MAC or eligibility counts as removed and re-added, so responders reopen it). Polling is
 * what MetalLB does too; Node has no netlink. The first scan runs synchronously in the factory.
 */
export function createInterfaceWatcher(
  deps: InterfaceWatcherDeps,
  options: InterfaceWatcherOptions,
  onChange: (change: InterfaceChange) => void,
): InterfaceWatcher {
  const clock = deps.clock ?? defaultClock;
  const logger = deps.logger ?? silentLogger;
  const read = deps.read ?? (() => readInterfaces());
  const interval = options.rescanIntervalMs ?? 10_000;
  let known = new Map<string, EligibleInterface>();
  let timer: unknown;
  let closed = false;

  const rescan = (): InterfaceChange => {
    let infos: InterfaceInfo[];
    try {
      infos = read();
    } catch (err) {
      logger.warn({ err }, 'interface scan failed');
      return { added: [], removed: [], current: [...known.values()] };
    }
    const next = new Map(eligibleInterfaces(infos, options.exclude).map((i) => [key(i), i]));
    const added = [...next.values()].filter((i) => !known.has(key(i)));
    const removed = [...known.values()].filter((i) => !next.has(key(i)));
    known = next;
    const change = { added, removed, current: [...next.values()] };
    if (added.length || removed.length) {
      logger.info(
        { added: added.map((i) => i.name), removed: removed.map((i) => i.name) },
        'interfaces changed',
      );
      onChange(change);
    }
    return change;
  };
  const schedule = () => {
    if (closed) return;
    timer = clock.setTimeout(() => {
      rescan();
      schedule();
    }, interval);
  };
  rescan();
  schedule();
  return {
    current: () => [...known.values()],
    rescan,
    close() {
      closed = true;
      clock.clearTimeout(timer);
    },
  };
}
