import type {
  Clock,
  EligibleInterface,
  InterfaceInfo,
  InterfaceWatcher,
  L2Event,
  L2Responder,
  LinkOpener,
  Logger,
} from '@ironlb/raw-link';
import { createInterfaceWatcher, openCapLink, silentLogger, systemClock } from '@ironlb/raw-link';
import type { MulticastMembership } from '@ironlb/ndp-responder';
import { canonicalIPv6, createNdpResponder } from '@ironlb/ndp-responder';
import { isIPv4 } from 'node:net';
import { canonicalIPv4 } from '../machine/arp-machine.js';
import { createArpResponder } from './arp-responder.js';

export interface L2AnnouncerDeps {
  openLink?: LinkOpener;
  clock?: Clock;
  logger?: Logger;
  onEvent?: (event: L2Event) => void;
  /** Solicited-node membership for NDP (default: one udp6 socket per interface). */
  membership?: MulticastMembership;
  /** Interface facts for discovery (default: sysfs + getifaddrs of this network namespace). */
  readInterfaces?: () => InterfaceInfo[];
}

export interface L2AnnouncerOptions {
  /** Interface rescan period, milliseconds. Default 10 000 (MetalLB). */
  rescanIntervalMs?: number;
  /** Interface names never used. Default MetalLB's list (DEFAULT_INTERFACE_EXCLUDES). */
  exclude?: readonly RegExp[];
  /** Burst spacing, milliseconds. Default 1100. */
  burstIntervalMs?: number;
  /** Burst length after the last trigger, milliseconds. Default 5000. */
  burstDurationMs?: number;
  /** Periodic re-announcement, milliseconds; 0 = off. Default 0. */
  refreshIntervalMs?: number;
}

/** Where an address ended up being announced. */
export interface AnnounceResult {
  address: string;
  /** Interfaces now answering for it. Empty: none of the requested interfaces is eligible here. */
  interfaces: string[];
}

/**
 * Announces addresses on sets of interfaces, as MetalLB's speaker does with an L2Advertisement's
 * `interfaces` list (empty = every eligible interface): discovers eligible interfaces, opens an ARP
 * and/or NDP responder per interface on demand, follows interfaces that appear and disappear, and
 * reference-counts each address (several services sharing one IP).
 */
export interface L2Announcer {
  /** Adds a reference to `address` on `interfaces` (default: all eligible). Re-triggers the burst. */
  announce(address: string, interfaces?: readonly string[]): AnnounceResult;
  /** Drops a reference; the last one stops answering everywhere. */
  withdraw(address: string): void;
  /** Eligible interfaces as of the last scan. */
  interfaces(): EligibleInterface[];
  /** Rescans interfaces now (also runs every rescanIntervalMs). */
  rescan(): void;
  /** The responder of an interface and family, if open (for counters). */
  responder(iface: string, family: 4 | 6): L2Responder | undefined;
  close(): void;
}

interface Wanted {
  refs: number;
  family: 4 | 6;
  /** null = every eligible interface */
  interfaces: readonly string[] | null;
}

export function createL2Announcer(deps: L2AnnouncerDeps, options: L2AnnouncerOptions): L2Announcer {
  const logger = deps.logger ?? silentLogger;
  const clock = deps.clock ?? systemClock;
  const openLink = deps.openLink ?? openCapLink;
  const wanted = new Map<string, Wanted>();
  const open = new Map<string, { info: EligibleInterface; arp?: L2Responder; ndp?: L2Responder }>();
  const timing = {
    ...(options.burstIntervalMs !== undefined ? { burstIntervalMs: options.burstIntervalMs } : {}),
    ...(options.burstDurationMs !== undefined ? { burstDurationMs: options.burstDurationMs } : {}),
    ...(options.refreshIntervalMs !== undefined
      ? { refreshIntervalMs: options.refreshIntervalMs }
      : {}),
  };
  const common = { openLink, clock, logger, ...(deps.onEvent ? { onEvent: deps.onEvent } : {}) };

  const wants = (w: Wanted, iface: string) => w.interfaces === null || w.interfaces.includes(iface);

  /** Brings one interface's responders in line with `wanted`; returns the families it answers for. */
  const reconcile = (iface: string) => {
    const slot = open.get(iface);
    if (!slot) return;
    for (const family of [4, 6] as const) {
      const capable = family === 4 ? slot.info.arp : slot.info.ndp;
      const desired = [...wanted]
        .filter(([, w]) => w.family === family && wants(w, iface))
        .map(([a]) => a);
      let r = family === 4 ? slot.arp : slot.ndp;
      if (!r && capable && desired.length) {
        try {
          r =
            family === 4
              ? createArpResponder(common, { iface, ...timing })
              : createNdpResponder(
                  { ...common, ...(deps.membership ? { membership: deps.membership } : {}) },
                  { iface, ...timing },
                );
          if (family === 4) slot.arp = r;
          else slot.ndp = r;
        } catch (err) {
          // MetalLB reports this as an announceFailed event; we log it and keep the others going.
          logger.error({ err, iface, family }, 'cannot open responder');
          continue;
        }
      }
      if (!r) continue;
      const have = new Set(r.announced());
      for (const a of desired) if (!have.has(a)) r.announce(a);
      for (const a of have) if (!desired.includes(a)) r.withdraw(a);
    }
  };

  const onChange = (change: { added: EligibleInterface[]; removed: EligibleInterface[] }) => {
    for (const i of change.removed) {
      const slot = open.get(i.name);
      slot?.arp?.close();
      slot?.ndp?.close();
      open.delete(i.name);
    }
    for (const i of change.added) {
      open.set(i.name, { info: i });
      reconcile(i.name);
    }
  };
  const watcher: InterfaceWatcher = createInterfaceWatcher(
    { clock, logger, ...(deps.readInterfaces ? { read: deps.readInterfaces } : {}) },
    {
      ...(options.rescanIntervalMs !== undefined
        ? { rescanIntervalMs: options.rescanIntervalMs }
        : {}),
      ...(options.exclude ? { exclude: options.exclude } : {}),
    },
    onChange,
  );

  const answering = (address: string) =>
    [...open]
      .filter(([, s]) => (isIPv4(address) ? s.arp : s.ndp)?.announced().includes(address))
      .map(([n]) => n);

  return {
    announce(address, interfaces) {
      // Anything without a colon is meant as IPv4, so a typo gets the ARP package's error.
      const family = address.includes(':') ? 6 : 4;
      const key = family === 4 ? canonicalIPv4(address) : canonicalIPv6(address);
      const prev = wanted.get(key);
      // The latest call decides the interfaces (MetalLB recomputes them on every reconcile).
      wanted.set(key, {
        refs: (prev?.refs ?? 0) + 1,
        family,
        interfaces: interfaces?.length ? [...interfaces] : null,
      });
      for (const iface of open.keys()) reconcile(iface);
      if (prev)
        for (const s of open.values()) {
          const r = family === 4 ? s.arp : s.ndp;
          if (r?.announced().includes(key)) r.reannounce(key);
        }
      const on = answering(key);
      if (!on.length)
        logger.warn({ address: key, interfaces }, 'no eligible interface to announce on');
      return { address: key, interfaces: on };
    },
    withdraw(address) {
      const key = address.includes(':') ? canonicalIPv6(address) : canonicalIPv4(address);
      const w = wanted.get(key);
      if (!w) return;
      if (w.refs > 1) {
        w.refs--;
        return;
      }
      wanted.delete(key);
      for (const iface of open.keys()) reconcile(iface);
    },
    interfaces: () => watcher.current(),
    rescan: () => void watcher.rescan(),
    responder: (iface, family) => (family === 4 ? open.get(iface)?.arp : open.get(iface)?.ndp),
    close() {
      watcher.close();
      for (const s of open.values()) {
        s.arp?.close();
        s.ndp?.close();
      }
      open.clear();
    },
  };
}
