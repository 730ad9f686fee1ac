import { noMetrics, silentLogger } from '@ironlb/clock';
import type { Clock } from '@ironlb/clock';
import { ArpError, canonicalIPv4, createArpResponder } from '@ironlb/arp-responder';
import { NdpError, canonicalIPv6, createNdpResponder } from '@ironlb/ndp-responder';
import type {
  EligibleInterface,
  InterfaceChange,
  InterfaceWatcher,
  L2Counters,
  L2Event,
  L2Responder,
} from '@ironlb/raw-link';
import {
  DEFAULT_INTERFACE_EXCLUDES,
  createInterfaceWatcher,
  emptyCounters,
  openPacketLink,
} from '@ironlb/raw-link';
import { backgroundClock } from '@ironlb/clock';
import type { L2AnnouncerDeps } from '../deps.js';
import { L2AnnouncerError, L2AnnouncerErrorCode } from '../errors.js';
import type { L2AnnouncerEvent } from '../events.js';
import type { Claim } from '../machine/plan.js';
import { planInterfaces, wantedInterfaces } from '../machine/plan.js';

export interface L2AnnouncerOptions {
  /** Interface rescan period, milliseconds. Default 10 000 (MetalLB rescans every 10 s). */
  rescanIntervalMs?: number;
  /**
   * Interface name patterns never announced on, added to MetalLB's default list (`^docker`,
   * `^cbr`, `^dummy`, `^virbr`, `^lxcbr`, `^veth`, `^lo$`, `^cali`, `^tunl`, `^flannel`,
   * `^kube-ipvs`, `^cni`, `^nodelocaldns`, `^lxc`). Strings are regular expressions, as in
   * MetalLB's `metallb-excludel2` ConfigMap (`announcedInterfacesToExclude`). Default none.
   */
  excludeInterfaces?: readonly (string | RegExp)[];
  /**
   * `excludeInterfaces` is the whole list instead of an addition to the defaults — the semantics
   * of MetalLB's ConfigMap, which ships with the defaults in it. Default false.
   */
  replaceDefaultExcludes?: boolean;
  /** Spacing of gratuitous rounds after a takeover, milliseconds. Default 1100 (MetalLB). */
  burstIntervalMs?: number;
  /** A burst lasts until this long after the last trigger, milliseconds. Default 5000 (MetalLB). */
  burstDurationMs?: number;
  /**
   * Periodic re-announcement once the burst is over, milliseconds; 0 = off. Default 0 (MetalLB;
   * its later `--gratuitous-arp-interval`, MetalLB #2910: switches forget a silent MAC after
   * ~300 s while routers keep the ARP entry for 1200 s).
   */
  refreshIntervalMs?: number;
  /** Receive ring per responder, bytes. Default 4 MiB. */
  ringSizeBytes?: number;
}

export interface AnnounceOptions {
  /** Interfaces to answer on (an L2Advertisement's `interfaces`); empty or omitted = all eligible. */
  interfaces?: readonly string[];
  /**
   * Who wants the address (a Service's `namespace/name`, say). Each owner holds one claim per
   * address; the address is announced while any owner holds one, on the union of their
   * interfaces. Default `''`.
   */
  owner?: string;
}

/** Where an address stands. */
export interface AddressStatus {
  /** Canonical text. */
  address: string;
  family: 4 | 6;
  /** Owners holding a claim, sorted. */
  owners: string[];
  /** Interfaces asked for (union over owners); null = every eligible interface. */
  requestedInterfaces: string[] | null;
  /** Interfaces answering for it now, sorted. Empty: none of the requested ones is eligible here. */
  interfaces: string[];
  /** Summed over the interfaces (and kept across responder restarts while this announcer runs). */
  counters: L2Counters;
}

export interface DrainResult {
  /** Addresses another station took over, with the MAC that announced them. */
  handedOver: { address: string; toMac: string }[];
  /** Addresses still answered (nobody announced them within maxWaitMs); `close()` ends them. */
  remaining: string[];
}

/**
 * The Layer 2 mode of a speaker: addresses × interfaces → ARP and NDP responders. Discovers
 * eligible interfaces (MetalLB's rules), opens a responder per interface and family when an
 * address needs one and closes it when none does, follows interfaces that appear and disappear,
 * bursts gratuitous ARP / unsolicited NA when it takes an address over, and hands addresses over
 * cleanly on a planned stop ({@link L2Announcer.drain}).
 */
export interface L2Announcer {
  /**
   * Adds or updates `owner`'s claim on `address`. An address new to this node is announced at
   * once (gratuitous burst on each interface); another owner's claim on an address already
   * announced only widens its interfaces (MetalLB's reference counting: no new burst). Throws
   * L2AnnouncerError INVALID_ADDRESS, or STOPPED while draining or after close().
   */
  announce(address: string, options?: AnnounceOptions): AddressStatus;
  /** Drops `owner`'s claim; the last one stops answering everywhere. Unknown claims are ignored. */
  withdraw(address: string, options?: { owner?: string }): void;
  /** Sends the gratuitous burst again on every interface answering for `address` (a resync). */
  reannounce(address: string): void;
  /** Every announced address, sorted, or only `address`. */
  status(address?: string): AddressStatus[];
  /** Eligible interfaces as of the last scan. */
  interfaces(): EligibleInterface[];
  /** Rescans interfaces now (it also runs every rescanIntervalMs); returns what changed. */
  rescan(): InterfaceChange;
  /** The open responder of an interface and family, if any. */
  responder(iface: string, family: 4 | 6): L2Responder | undefined;
  /**
   * Planned handover (a speaker leaving): take no new addresses, keep answering, and give each
   * address up as soon as another station announces it — its gratuitous ARP or unsolicited NA
   * reaches us as a conflict — so clients always have someone answering. Resolves when every
   * address is handed over, or after `maxWaitMs` (default 10 000) with the rest still answered
   * until {@link close}.
   */
  drain(options?: { maxWaitMs?: number }): Promise<DrainResult>;
  /** Stops answering and closes every responder. Idempotent. */
  close(): void;
}

interface Slot {
  info: EligibleInterface;
  arp?: L2Responder;
  ndp?: L2Responder;
}

function compileExcludes(options: L2AnnouncerOptions): RegExp[] {
  const extra = (options.excludeInterfaces ?? []).map((p) => {
    if (p instanceof RegExp) return p;
    try {
      return new RegExp(p);
    } catch (cause) {
      throw new L2AnnouncerError(
        L2AnnouncerErrorCode.InvalidOption,
        `excludeInterfaces: not a regular expression: ${p}`,
        { pattern: p },
        { cause },
      );
    }
  });
  return options.replaceDefaultExcludes ? extra : [...DEFAULT_INTERFACE_EXCLUDES, ...extra];
}

function canonical(address: string): { key: string; family: 4 | 6 } {
  try {
    // Anything with a colon is meant as IPv6; everything else as IPv4.
    return address.includes(':')
      ? { key: canonicalIPv6(address), family: 6 }
      : { key: canonicalIPv4(address), family: 4 };
  } catch (cause) {
    if (cause instanceof ArpError || cause instanceof NdpError)
      throw new L2AnnouncerError(
        L2AnnouncerErrorCode.InvalidAddress,
        cause.message,
        { address },
        {
          cause,
        },
      );
    throw cause;
  }
}

const nonNegative = (name: string, v: number | undefined) => {
  if (v !== undefined && !(Number.isFinite(v) && v >= 0))
    throw new L2AnnouncerError(L2AnnouncerErrorCode.InvalidOption, `${name} must be ≥ 0: ${v}`, {
      [name]: v,
    });
};

export function createL2Announcer(deps: L2AnnouncerDeps, options: L2AnnouncerOptions): L2Announcer {
  const logger = deps.logger ?? silentLogger;
  const clock: Clock = deps.clock ?? backgroundClock;
  const metrics = deps.metrics ?? noMetrics;
  const openLink = deps.openLink ?? openPacketLink;
  for (const k of [
    'rescanIntervalMs',
    'burstIntervalMs',
    'burstDurationMs',
    'refreshIntervalMs',
  ] as const)
    nonNegative(k, options[k]);
  const exclude = compileExcludes(options);
  const claims = new Map<string, { family: 4 | 6; owners: Map<string, Claim> }>();
  const slots = new Map<string, Slot>();
  /** Counters of responders closed since (so status() does not lose them). */
  const retired = new Map<string, L2Counters>();
  /** (iface, family) whose last open failed with this code: reported once, retried on reconcile. */
  const failed = new Map<string, string>();
  let eligible: EligibleInterface[] = [];
  let closed = false;
  let drainState:
    | {
        pending: Set<string>;
        handedOver: { address: string; toMac: string }[];
        finish: () => void;
      }
    | undefined;

  const timing = {
    ...(options.burstIntervalMs !== undefined ? { burstIntervalMs: options.burstIntervalMs } : {}),
    ...(options.burstDurationMs !== undefined ? { burstDurationMs: options.burstDurationMs } : {}),
    ...(options.refreshIntervalMs !== undefined
      ? { refreshIntervalMs: options.refreshIntervalMs }
      : {}),
    ...(options.ringSizeBytes !== undefined ? { ringSizeBytes: options.ringSizeBytes } : {}),
  };

  const emit = (e: L2AnnouncerEvent) => {
    try {
      deps.onEvent?.(e);
    } catch (err) {
      logger.error({ err }, 'onEvent callback threw');
    }
  };

  const onResponderEvent = (e: L2Event) => {
    emit(e);
    // While draining, another station announcing one of our addresses is the next node taking
    // it over: stop answering for it, so clients do not get two answers.
    if (
      drainState?.pending.has(e.address) &&
      e.type === 'conflict' &&
      (e.kind === 'announcement' || e.kind === 'reply')
    ) {
      const d = drainState;
      d.pending.delete(e.address);
      d.handedOver.push({ address: e.address, toMac: e.otherMac });
      claims.delete(e.address);
      // Deferred: this runs inside the responder's frame handler.
      queueMicrotask(() => {
        reconcile();
        emit({ type: 'handover', address: e.address, iface: e.iface, toMac: e.otherMac });
        logger.info({ address: e.address, toMac: e.otherMac }, 'l2: address handed over');
        if (d.pending.size === 0) d.finish();
      });
    }
  };

  const retire = (r: L2Responder) => {
    for (const [address, c] of r.counters()) {
      const acc = retired.get(address) ?? emptyCounters();
      acc.requests += c.requests;
      acc.replies += c.replies;
      acc.gratuitous += c.gratuitous;
      acc.conflicts += c.conflicts;
      acc.ignored += c.ignored;
      retired.set(address, acc);
    }
    r.close();
  };

  const open = (iface: string, family: 4 | 6): L2Responder | undefined => {
    const key = `${iface}/${family}`;
    const common = { openLink, clock, logger, metrics, onEvent: onResponderEvent };
    try {
      const r =
        family === 4
          ? createArpResponder(common, { iface, ...timing })
          : createNdpResponder(
              { ...common, ...(deps.membership ? { membership: deps.membership } : {}) },
              { iface, ...timing },
            );
      failed.delete(key);
      return r;
    } catch (err) {
      const code = (err as { code?: string }).code ?? 'UNKNOWN';
      if (failed.get(key) !== code) {
        // MetalLB reports this as an announceFailed event; the other interfaces keep going.
        failed.set(key, code);
        logger.error({ err, iface, family }, 'l2: cannot open responder');
        emit({ type: 'open-failed', iface, family, code, message: (err as Error).message });
      }
      return undefined;
    }
  };

  /** Brings every responder in line with the plan: opens, announces, withdraws, closes. */
  const reconcile = () => {
    if (closed) return;
    const plan = planInterfaces(claims, eligible);
    for (const [iface, want] of plan) {
      const slot = slots.get(iface);
      if (!slot) continue;
      for (const family of [4, 6] as const) {
        const desired = family === 4 ? want.arp : want.ndp;
        let r = family === 4 ? slot.arp : slot.ndp;
        if (!r && desired.size) {
          r = open(iface, family);
          if (family === 4) slot.arp = r;
          else slot.ndp = r;
        }
        if (!r) continue;
        if (desired.size === 0) {
          // Nothing to answer: free the socket and its ring.
          retire(r);
          if (family === 4) delete slot.arp;
          else delete slot.ndp;
          continue;
        }
        const have = new Set(r.announced());
        for (const a of desired) if (!have.has(a)) r.announce(a);
        for (const a of have) if (!desired.has(a)) r.withdraw(a);
      }
    }
  };

  const onChange = (change: InterfaceChange) => {
    for (const i of change.removed) {
      const slot = slots.get(i.name);
      if (slot?.arp) retire(slot.arp);
      if (slot?.ndp) retire(slot.ndp);
      slots.delete(i.name);
      failed.delete(`${i.name}/4`);
      failed.delete(`${i.name}/6`);
    }
    for (const i of change.added) slots.set(i.name, { info: i });
    eligible = change.current;
    emit({
      type: 'interfaces',
      added: change.added.map((i) => i.name),
      removed: change.removed.map((i) => i.name),
      current: change.current.map((i) => i.name),
    });
    reconcile();
  };

  const watcher: InterfaceWatcher = createInterfaceWatcher(
    { clock, logger, ...(deps.readInterfaces ? { read: deps.readInterfaces } : {}) },
    {
      ...(options.rescanIntervalMs !== undefined
        ? { rescanIntervalMs: options.rescanIntervalMs }
        : {}),
      exclude,
    },
    onChange,
  );
  eligible = watcher.current();

  const answering = (address: string, family: 4 | 6) =>
    [...slots]
      .filter(([, s]) => (family === 4 ? s.arp : s.ndp)?.announced().includes(address))
      .map(([n]) => n)
      .sort();

  const statusOf = (address: string): AddressStatus | undefined => {
    const c = claims.get(address);
    if (!c) return undefined;
    const wanted = wantedInterfaces(c.owners);
    const counters = { ...(retired.get(address) ?? emptyCounters()) };
    for (const s of slots.values())
      for (const r of [s.arp, s.ndp]) {
        const k = r?.counters().get(address);
        if (!k) continue;
        counters.requests += k.requests;
        counters.replies += k.replies;
        counters.gratuitous += k.gratuitous;
        counters.conflicts += k.conflicts;
        counters.ignored += k.ignored;
      }
    return {
      address,
      family: c.family,
      owners: [...c.owners.keys()].sort(),
      requestedInterfaces: wanted ? [...wanted].sort() : null,
      interfaces: answering(address, c.family),
      counters,
    };
  };

  const stopped = () =>
    new L2AnnouncerError(
      L2AnnouncerErrorCode.Stopped,
      closed ? 'the announcer is closed' : 'the announcer is draining',
      {},
    );

  return {
    announce(address, opts = {}) {
      if (closed || drainState) throw stopped();
      const { key, family } = canonical(address);
      const owner = opts.owner ?? '';
      let entry = claims.get(key);
      if (!entry) claims.set(key, (entry = { family, owners: new Map() }));
      entry.owners.set(owner, {
        interfaces: opts.interfaces?.length ? [...opts.interfaces] : null,
      });
      reconcile();
      const st = statusOf(key) as AddressStatus;
      if (!st.interfaces.length)
        logger.warn(
          { address: key, interfaces: opts.interfaces },
          'l2: no eligible interface to announce on',
        );
      return st;
    },
    withdraw(address, opts = {}) {
      const { key } = canonical(address);
      const entry = claims.get(key);
      if (!entry?.owners.delete(opts.owner ?? '')) return;
      if (entry.owners.size === 0) {
        claims.delete(key);
        drainState?.pending.delete(key);
      }
      reconcile();
      if (drainState && drainState.pending.size === 0) drainState.finish();
    },
    reannounce(address) {
      if (closed || drainState) throw stopped();
      const { key, family } = canonical(address);
      for (const s of slots.values()) {
        const r = family === 4 ? s.arp : s.ndp;
        if (r?.announced().includes(key)) r.reannounce(key);
      }
    },
    status(address) {
      const keys = address === undefined ? [...claims.keys()].sort() : [canonical(address).key];
      return keys.map(statusOf).filter((s): s is AddressStatus => s !== undefined);
    },
    interfaces: () => watcher.current(),
    rescan: () => watcher.rescan(),
    responder: (iface, family) => (family === 4 ? slots.get(iface)?.arp : slots.get(iface)?.ndp),
    drain(opts = {}) {
      const maxWaitMs = opts.maxWaitMs ?? 10_000;
      nonNegative('maxWaitMs', maxWaitMs);
      if (closed) return Promise.resolve({ handedOver: [], remaining: [] });
      if (drainState)
        throw new L2AnnouncerError(L2AnnouncerErrorCode.Stopped, 'already draining', {});
      return new Promise<DrainResult>((resolve) => {
        let timer: unknown;
        const state = {
          pending: new Set(claims.keys()),
          handedOver: [] as { address: string; toMac: string }[],
          finish: () => {
            if (timer !== undefined) clock.clearTimeout(timer);
            timer = undefined;
            state.finish = () => {};
            resolve({ handedOver: state.handedOver, remaining: [...state.pending].sort() });
          },
        };
        drainState = state;
        logger.info({ addresses: [...state.pending], maxWaitMs }, 'l2: draining');
        if (state.pending.size === 0) return state.finish();
        timer = clock.setTimeout(() => state.finish(), maxWaitMs);
      });
    },
    close() {
      if (closed) return;
      closed = true;
      watcher.close();
      for (const s of slots.values()) {
        s.arp?.close();
        s.ndp?.close();
      }
      slots.clear();
      drainState?.finish();
    },
  };
}
