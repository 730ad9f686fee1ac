// The speaker's Layer 2 side: the addresses k8s-glue elected this node for, answered over ARP and
// NDP by @ironlb/l2-announcer (interface discovery with MetalLB's exclusions, one responder per
// interface and family, gratuitous bursts, MetalLB's layer2_* metrics). On a planned stop it
// drains: it keeps answering until the next node's own announcement of each address reaches it,
// so clients always have someone to ask (issue 17: zero failed requests across a SIGTERM).
import type { Clock, Logger, Metrics } from '@ironlb/clock';
import {
  createL2Announcer,
  type L2Announcer,
  type L2AnnouncerEvent,
  type L2AnnouncerOptions,
} from '@ironlb/l2-announcer';
import type { Layer2Address } from '@ironlb/k8s-glue';
import type { Layer2Port } from '@ironlb/k8s-glue/kube';

export interface Layer2Deps {
  readonly clock: Clock;
  readonly logger: Logger;
  readonly metrics: Metrics;
  /** Makes the announcer (tests: in-memory links). Default: createL2Announcer on AF_PACKET links. */
  readonly announcer?: (
    onEvent: (e: L2AnnouncerEvent) => void,
    options: L2AnnouncerOptions,
  ) => L2Announcer;
}

export interface Layer2Options {
  /** --gratuitous-arp-interval: periodic re-announcement, 0 = off (MetalLB #2910). */
  readonly refreshIntervalMs: number;
  /**
   * Receive ring of each responder (one per interface and family), bytes; the kernel maps all of
   * it into the process at once, so it counts in full towards the speaker's memory. Default
   * 1 MiB (512 ARP/NDP frames queued while the event loop is busy; the library's default is 4 MiB).
   */
  readonly ringSizeBytes?: number;
  /**
   * After the last address was handed over, wait this long before returning (default 1500 ms):
   * a client that ignored the next node's first announcement (Linux ignores a second update of a
   * neighbour entry within its 1 s locktime) gets its next round, 1.1 s later, while this node —
   * still up in a drain — forwards what that client keeps sending to it.
   */
  readonly handoverLingerMs?: number;
}

export interface SpeakerLayer2 extends Layer2Port {
  /** Events seen so far, by type (tests, logs). */
  readonly counts: Readonly<Record<string, number>>;
  readonly announcer: L2Announcer;
}

/** Who claims addresses in the announcer: k8s-glue already merged the Services per address. */
const OWNER = 'speaker';

const keyOf = (w: Layer2Address) =>
  w.interfaces.all ? '*' : JSON.stringify([...w.interfaces.names].sort());

export function createSpeakerLayer2(deps: Layer2Deps, options: Layer2Options): SpeakerLayer2 {
  const { clock, logger } = deps;
  const counts: Record<string, number> = {};
  let draining = false;
  let onHandover: ((address: string) => void) | undefined;

  const onEvent = (e: L2AnnouncerEvent) => {
    counts[e.type] = (counts[e.type] ?? 0) + 1;
    if (e.type === 'handover') {
      logger.info(
        { op: 'layer2', ip: e.address, iface: e.iface, toMac: e.toMac },
        'the next node announced the address: handed over',
      );
      onHandover?.(e.address);
    } else if (e.type === 'conflict' && !draining) {
      // Outside a handover this is a split brain (MetalLB #740): another node answers too.
      logger.warn(
        { op: 'layer2', ip: e.address, iface: e.iface, otherMac: e.otherMac, kind: e.kind },
        'another node claims an address announced here',
      );
    } else if (e.type === 'open-failed') {
      logger.error(
        { op: 'layer2', iface: e.iface, family: e.family, code: e.code, error: e.message },
        'cannot answer ARP/NDP on an interface',
      );
    }
  };
  let exclude: readonly string[] = [];
  const make = () => {
    // The ConfigMap's list is the whole list, as in MetalLB (its manifests ship the defaults in it).
    const o: L2AnnouncerOptions = {
      excludeInterfaces: exclude,
      replaceDefaultExcludes: true,
      refreshIntervalMs: options.refreshIntervalMs,
      ringSizeBytes: options.ringSizeBytes ?? 1 << 20,
    };
    return (
      deps.announcer?.(onEvent, o) ??
      createL2Announcer({ clock, logger, metrics: deps.metrics, onEvent }, o)
    );
  };
  let announcer = make();
  /** Address (as k8s-glue gave it) → its interface key, canonical text and the wish itself. */
  const held = new Map<string, { key: string; canonical: string; want: Layer2Address }>();
  let closed = false;

  const announce = (w: Layer2Address): readonly string[] => {
    const r = announcer.announce(w.ip, {
      owner: OWNER,
      ...(w.interfaces.all ? {} : { interfaces: w.interfaces.names }),
    });
    held.set(w.ip, { key: keyOf(w), canonical: r.address, want: w });
    if (r.interfaces.length > 0)
      logger.info(
        { op: 'layer2', ip: r.address, interfaces: r.interfaces.join(',') },
        'announcing address',
      );
    return r.interfaces;
  };

  return {
    counts,
    get announcer() {
      return announcer;
    },
    apply(want, opts = {}) {
      if (closed || draining) return new Map();
      const next = new Map(want.map((w) => [w.ip, w]));
      for (const [ip, h] of [...held]) {
        const w = next.get(ip);
        if (w && keyOf(w) === h.key) continue;
        announcer.withdraw(ip, { owner: OWNER });
        held.delete(ip);
        if (!w) logger.info({ op: 'layer2', ip: h.canonical }, 'withdrawing address');
      }
      const out = new Map<string, readonly string[]>();
      for (const w of want) {
        const h = held.get(w.ip);
        if (!h) {
          out.set(w.ip, announce(w));
          continue;
        }
        if (opts.reannounce) announcer.reannounce(h.canonical);
        out.set(w.ip, announcer.status(h.canonical)[0]?.interfaces ?? []);
      }
      return out;
    },
    setExcludedInterfaces(patterns) {
      if (closed || draining) return;
      if (patterns.join('\n') === exclude.join('\n')) return;
      exclude = [...patterns];
      announcer.close();
      announcer = make();
      const wants = [...held.values()].map((h) => h.want);
      held.clear();
      for (const w of wants) announce(w);
      logger.info({ op: 'layer2', exclude: exclude.join(',') }, 'interface exclusions changed');
    },
    async handOver(addresses, timeoutMs) {
      draining = true;
      const expected = new Set<string>();
      for (const a of addresses) {
        const h = held.get(a);
        if (h && (announcer.status(h.canonical)[0]?.interfaces.length ?? 0) > 0)
          expected.add(h.canonical);
      }
      const drained = announcer.drain({ maxWaitMs: timeoutMs });
      if (expected.size > 0) {
        // The drain waits for every address; only those another node will take are worth it.
        await Promise.race([
          drained,
          new Promise<void>((resolve) => {
            onHandover = (a) => {
              expected.delete(a);
              if (expected.size === 0) resolve();
            };
          }),
        ]);
        onHandover = undefined;
        const linger = options.handoverLingerMs ?? 1500;
        if (expected.size === 0 && linger > 0)
          await new Promise<void>((r) => clock.setTimeout(r, linger));
      }
      return [...expected];
    },
    async close() {
      if (closed) return;
      closed = true;
      onHandover = undefined;
      announcer.close();
    },
  };
}
