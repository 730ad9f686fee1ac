import type { Clock, Logger } from '../deps.js';
import { silentLogger, systemClock } from '../deps.js';
import type { L2Counters, L2Event } from '../events.js';
import { countEvent, emptyCounters } from '../events.js';
import type { Link, LinkOpener } from '../link.js';
import { nextAnnounceDeadline } from '../machine/announce.js';
import type { L2Action, L2MachineState, L2Protocol } from '../machine/protocol.js';

export interface L2ResponderDeps {
  /** Opens the raw link; {@link openCapLink} in production, a FakeSegment opener in tests. */
  openLink: LinkOpener;
  clock?: Clock;
  logger?: Logger;
  /** Called for every request, reply, gratuitous round and conflict. Must not throw. */
  onEvent?: (event: L2Event) => void;
  /** Called after an address enters (`added`) or leaves (`removed`) the announced set. */
  onMembership?: (change: 'added' | 'removed', address: string) => void;
}

export interface L2ResponderOptions {
  /** Interface to answer on. */
  iface: string;
  /** Kernel capture buffer in bytes. Default 4 MiB. */
  bufferSizeBytes?: number;
}

/** A running responder on one interface. */
export interface L2Responder {
  readonly iface: string;
  /** The interface MAC the responder answers with. */
  readonly mac: Uint8Array;
  /** Adds one reference to `address` (first one: start answering, send the burst). */
  announce(address: string): void;
  /** Drops one reference; the last one stops answering for `address`. */
  withdraw(address: string): void;
  /** Re-sends the burst for an address already announced (e.g. after a failover resync). */
  reannounce(address: string): void;
  /** Canonical addresses currently announced. */
  announced(): string[];
  /** Counters of one address, or of all addresses (kept after withdrawal). */
  counters(): ReadonlyMap<string, Readonly<L2Counters>>;
  /** Stops answering and closes the link. Idempotent. */
  close(): void;
}

/**
 * The io half of a responder: owns the link, the single timer and the machine state, and executes
 * the machine's actions. All decisions are in `proto.step` (pure, DESIGN.md §3).
 */
export function createL2Responder<S extends L2MachineState>(
  deps: L2ResponderDeps,
  options: L2ResponderOptions,
  makeProtocol: (mac: Uint8Array) => L2Protocol<S>,
): L2Responder {
  const clock = deps.clock ?? systemClock;
  const logger = deps.logger ?? silentLogger;
  const counters = new Map<string, L2Counters>();
  let protocol: L2Protocol<S> | undefined;
  const link: Link = deps.openLink(options.iface, {
    filter: (m) => (protocol ??= makeProtocol(m)).filter(),
    ...(options.bufferSizeBytes !== undefined ? { bufferSizeBytes: options.bufferSizeBytes } : {}),
  });
  const mac = link.mac;
  const proto = (protocol ??= makeProtocol(mac));
  let state = proto.initial();
  let timer: unknown;
  let timerAt: number | null = null;
  let closed = false;

  const execute = (actions: readonly L2Action[]) => {
    for (const a of actions) {
      switch (a.type) {
        case 'send':
          try {
            link.send(a.frame);
          } catch (err) {
            logger.warn({ err, iface: options.iface }, `${proto.name}: send failed`);
          }
          break;
        case 'event': {
          const e = a.event;
          let c = counters.get(e.address);
          if (!c) counters.set(e.address, (c = emptyCounters()));
          countEvent(c, e);
          if (e.type === 'conflict') logger.warn({ ...e }, `${proto.name}: address conflict`);
          else logger.debug(e, `${proto.name}: ${e.type}`);
          try {
            deps.onEvent?.(e);
          } catch (err) {
            logger.error({ err }, 'onEvent callback threw');
          }
          break;
        }
        case 'added':
        case 'removed':
          logger.info({ iface: options.iface, address: a.address }, `${proto.name}: ${a.type}`);
          deps.onMembership?.(a.type, a.address);
          break;
      }
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
    execute(r.actions);
    if (event.type !== 'frame' || r.actions.length) rearm();
  };

  link.onFrame((frame) => feed({ type: 'frame', frame }));

  return {
    iface: options.iface,
    mac,
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
