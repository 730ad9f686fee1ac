import type { Clock, L2ResponderDeps, Logger } from '../deps.js';
import { defaultClock, noMetrics, silentLogger } from '../deps.js';
import { formatMac } from '../codec/mac.js';
import type { L2Counters, L2Event } from '../events.js';
import { countEvent, emptyCounters } from '../events.js';
import type { Link, LinkStats } from '../link.js';
import { nextAnnounceDeadline } from '../machine/announce.js';
import type {
  L2Action,
  L2MachineState,
  L2Protocol,
  L2ProtocolFactory,
} from '../machine/protocol.js';

export interface L2ResponderOptions {
  /** Interface to answer on. */
  iface: string;
  /** Receive ring size in bytes. Default 4 MiB (see {@link LinkOpenOptions}). */
  ringSizeBytes?: number;
}

/** A running responder on one interface. */
export interface L2Responder {
  readonly iface: string;
  /** The MAC the responder answers with, as text (`aa:bb:cc:dd:ee:ff`). */
  readonly mac: string;
  /** The same MAC as 6 bytes. */
  readonly macBytes: Uint8Array;
  /** Adds one reference to `address` (first one: start answering, send the burst). */
  announce(address: string): void;
  /** Drops one reference; the last one stops answering for `address`. */
  withdraw(address: string): void;
  /** Re-sends the burst for an address already announced (e.g. after a failover resync). */
  reannounce(address: string): void;
  /** Canonical addresses currently announced. */
  announced(): string[];
  /** Counters per address (kept after withdrawal). */
  counters(): ReadonlyMap<string, Readonly<L2Counters>>;
  /** The link's counters: frames received, skipped, dropped by the kernel, failed sends. */
  linkStats(): LinkStats;
  /** Stops answering and closes the link. Idempotent. */
  close(): void;
}

/** The metrics a responder updates (MetalLB's names, without the `metallb_` prefix). */
function instruments(deps: L2ResponderDeps) {
  const m = deps.metrics ?? noMetrics;
  const ip = ['ip'];
  return {
    requests: m.counter({
      name: 'layer2_requests_received',
      help: 'Number of layer2 requests received for owned IPs',
      labelNames: ip,
    }),
    responses: m.counter({
      name: 'layer2_responses_sent',
      help: 'Number of layer2 responses sent for owned IPs',
      labelNames: ip,
    }),
    gratuitous: m.counter({
      name: 'layer2_gratuitous_sent',
      help: 'Number of gratuitous layer2 packets sent for owned IPs',
      labelNames: ip,
    }),
    conflicts: m.counter({
      name: 'layer2_conflicts_detected',
      help: 'Number of times another station claimed an owned IP (reply, announcement or probe)',
      labelNames: ip,
    }),
    ignored: m.counter({
      name: 'layer2_requests_ignored',
      help: 'Number of requests for owned IPs ignored as the kernel ignores them (bad sender, invalid)',
      labelNames: ['ip', 'reason'],
    }),
  };
}

/**
 * The io half of a responder: owns the link, the single timer and the machine state, and executes
 * the machine's actions. All decisions are in `proto.step` (pure, DESIGN.md §3). The kernel filter
 * follows the announced set, so frames about other addresses never wake the process.
 */
export function createL2Responder<S extends L2MachineState>(
  deps: L2ResponderDeps,
  options: L2ResponderOptions,
  factory: L2ProtocolFactory<S>,
): L2Responder {
  const clock: Clock = deps.clock ?? defaultClock;
  const logger: Logger = deps.logger ?? silentLogger;
  const metrics = instruments(deps);
  const counters = new Map<string, L2Counters>();
  const iface = options.iface;
  let protocol: L2Protocol<S> | undefined;
  const link: Link = deps.openLink(iface, {
    etherType: factory.etherType,
    filter: (m) => (protocol ??= factory.create(m)).filter([]),
    ...(options.ringSizeBytes !== undefined ? { ringSizeBytes: options.ringSizeBytes } : {}),
    onError: (err) => logger.warn({ err, iface }, 'link error'),
  });
  const macBytes = link.mac;
  const proto = (protocol ??= factory.create(macBytes));
  let state = proto.initial();
  let timer: unknown;
  let timerAt: number | null = null;
  let closed = false;

  const countersOf = (address: string) => {
    let c = counters.get(address);
    if (!c) counters.set(address, (c = emptyCounters()));
    return c;
  };

  const onEventAction = (e: L2Event) => {
    countEvent(countersOf(e.address), e);
    const labels = { ip: e.address };
    switch (e.type) {
      case 'request':
        metrics.requests.inc(labels);
        break;
      case 'reply':
        metrics.responses.inc(labels);
        break;
      case 'gratuitous':
        metrics.gratuitous.inc(labels, e.frames);
        break;
      case 'conflict':
        metrics.conflicts.inc(labels);
        logger.warn(e, `${proto.name}: address conflict`);
        break;
    }
    if (e.type !== 'conflict') logger.debug(e, `${proto.name}: ${e.type}`);
    try {
      deps.onEvent?.(e);
    } catch (err) {
      logger.error({ err }, 'onEvent callback threw');
    }
  };

  /** Runs actions in order (a reply is sent before anything else happens); true if the set changed. */
  const execute = (actions: readonly L2Action[]): boolean => {
    let setChanged = false;
    for (const a of actions) {
      switch (a.type) {
        case 'send':
          try {
            link.send(a.frame);
          } catch (err) {
            logger.warn({ err, iface }, `${proto.name}: send failed`);
          }
          break;
        case 'event':
          onEventAction(a.event);
          break;
        case 'ignored':
          countersOf(a.address).ignored++;
          metrics.ignored.inc({ ip: a.address, reason: a.reason });
          break;
        case 'added':
        case 'removed':
          setChanged = true;
          logger.info({ iface, address: a.address }, `${proto.name}: ${a.type}`);
          deps.onMembership?.(a.type, a.address);
          break;
      }
    }
    return setChanged;
  };

  const refilter = () => {
    try {
      link.setFilter(proto.filter([...state.announce.addresses.keys()]));
    } catch (err) {
      logger.error({ err, iface }, `${proto.name}: cannot update the kernel filter`);
    }
  };

  const rearm = () => {
    if (closed) return;
    const at = nextAnnounceDeadline(state.announce);
    if (at === timerAt) return;
    if (timer !== undefined) clock.clearTimeout(timer);
    timer = undefined;
    timerAt = at;
    if (at === null) return;
    timer = clock.setTimeout(
      () => {
        timer = undefined;
        timerAt = null;
        feed({ type: 'tick' });
      },
      Math.max(0, at - clock.now()),
    );
  };

  const feed = (event: Parameters<L2Protocol<S>['step']>[1]) => {
    if (closed) return;
    const r = proto.step(state, event, clock.now());
    state = r.state;
    if (r.actions.length && execute(r.actions)) refilter();
    // Every non-frame event re-arms, even without actions: a timer may fire a little before its
    // deadline on the monotonic clock (libuv rounds to milliseconds), and the tick that finds
    // nothing due yet must leave the timer armed or the burst would stop.
    if (event.type !== 'frame') rearm();
  };

  link.onFrame((frame) => feed({ type: 'frame', frame }));

  return {
    iface,
    mac: formatMac(macBytes),
    macBytes,
    announce(address) {
      feed({ type: 'acquire', address: proto.canonical(address) });
    },
    withdraw(address) {
      feed({ type: 'release', address: proto.canonical(address) });
    },
    reannounce(address) {
      feed({ type: 'trigger', address: proto.canonical(address) });
    },
    announced: () => [...state.announce.addresses.keys()],
    counters: () => counters,
    linkStats: () => link.stats(),
    close() {
      if (closed) return;
      // Leave the set first so owners of side effects (multicast groups) can undo them.
      for (const address of [...state.announce.addresses.keys()])
        deps.onMembership?.('removed', address);
      closed = true;
      if (timer !== undefined) clock.clearTimeout(timer);
      link.close();
    },
  };
}
