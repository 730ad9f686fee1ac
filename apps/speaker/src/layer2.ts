// The speaker's Layer 2 side: the addresses k8s-glue elected this node for, answered over ARP and
// NDP on the chosen interfaces by an L2 announcer (discovery with MetalLB's exclusions, one
// responder per interface and family, gratuitous bursts). On a planned stop it keeps answering
// until the next node's own announcement of each address has been seen on the wire, so clients
// always have someone to ask (issue 17: zero failed requests across a SIGTERM).
import type { Clock, Logger, Metrics } from '@ironlb/clock';
import { createL2Announcer, type L2Announcer } from '@ironlb/arp-responder';
import { DEFAULT_INTERFACE_EXCLUDES, type L2Event } from '@ironlb/raw-link';
import type { Layer2Address } from '@ironlb/k8s-glue';
import type { Layer2Port } from '@ironlb/k8s-glue/kube';

export interface Layer2Deps {
  readonly clock: Clock;
  readonly logger: Logger;
  readonly metrics: Metrics;
  /** Makes the announcer (tests: in-memory links). Default: createL2Announcer on libpcap links. */
  readonly announcer?: (
    onEvent: (e: L2Event) => void,
    options: { exclude: readonly RegExp[]; refreshIntervalMs: number },
  ) => L2Announcer;
}

export interface Layer2Options {
  /** --gratuitous-arp-interval: periodic re-announcement, 0 = off (MetalLB #2910). */
  readonly refreshIntervalMs: number;
  /** Interface name patterns never used (the metallb-excludel2 ConfigMap); default MetalLB's list. */
  readonly exclude?: readonly RegExp[];
  /** After the last address was taken over, keep answering this long (default 2000 ms). */
  readonly handoverLingerMs?: number;
}

export interface SpeakerLayer2 extends Layer2Port {
  /** Events seen so far, by type (tests, logs). */
  readonly counts: Readonly<Record<string, number>>;
}

const keyOf = (w: Layer2Address) =>
  w.interfaces.all ? '*' : JSON.stringify([...w.interfaces.names].sort());

export function createSpeakerLayer2(deps: Layer2Deps, options: Layer2Options): SpeakerLayer2 {
  const { clock, logger } = deps;
  const requests = deps.metrics.counter({
    name: 'layer2_requests_received',
    help: 'Number of layer2 requests received for owned IPs',
    labelNames: ['ip'],
  });
  const responses = deps.metrics.counter({
    name: 'layer2_responses_sent',
    help: 'Number of layer2 responses sent for owned IPs in response to requests',
    labelNames: ['ip'],
  });
  const gratuitous = deps.metrics.counter({
    name: 'layer2_gratuitous_sent',
    help: 'Number of gratuitous layer2 packets sent for owned IPs as a result of failovers',
    labelNames: ['ip'],
  });
  const counts: Record<string, number> = {};
  /** Address → "seen announced by another MAC" waiters during a handover. */
  const takenOver = new Set<string>();
  let onTakeover: (() => void) | undefined;

  const onEvent = (e: L2Event) => {
    counts[e.type] = (counts[e.type] ?? 0) + 1;
    switch (e.type) {
      case 'request':
        requests.inc({ ip: e.address });
        break;
      case 'reply':
        responses.inc({ ip: e.address });
        break;
      case 'gratuitous':
        gratuitous.inc({ ip: e.address }, e.frames);
        break;
      case 'conflict':
        if (e.kind === 'announcement' || e.kind === 'reply') {
          takenOver.add(e.address);
          onTakeover?.();
        }
        // Outside a handover this is a split brain (MetalLB #740): both nodes answer.
        if (!onTakeover)
          logger.warn(
            { op: 'layer2', ip: e.address, iface: e.iface, otherMac: e.otherMac, kind: e.kind },
            'another node claims an address announced here',
          );
        break;
    }
  };
  let exclude = options.exclude ?? DEFAULT_INTERFACE_EXCLUDES;
  const make = () =>
    deps.announcer?.(onEvent, { exclude, refreshIntervalMs: options.refreshIntervalMs }) ??
    createL2Announcer(
      { clock, logger, onEvent },
      { exclude, refreshIntervalMs: options.refreshIntervalMs },
    );
  let announcer = make();
  /** Announced address (as given) → its interface key and the canonical address. */
  const held = new Map<string, { key: string; canonical: string; want: Layer2Address }>();
  let last = new Map<string, readonly string[]>();
  let closed = false;

  const answering = (canonical: string): string[] => {
    const out: string[] = [];
    for (const i of announcer.interfaces()) {
      const fam = canonical.includes(':') ? 6 : 4;
      if (announcer.responder(i.name, fam)?.announced().includes(canonical)) out.push(i.name);
    }
    return out;
  };

  const announce = (w: Layer2Address) => {
    const r = announcer.announce(w.ip, w.interfaces.all ? undefined : w.interfaces.names);
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
    apply(want, opts = {}) {
      if (closed) return new Map();
      const next = new Map(want.map((w) => [w.ip, w]));
      for (const [ip, h] of [...held]) {
        const w = next.get(ip);
        if (w && keyOf(w) === h.key) continue;
        announcer.withdraw(ip);
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
        if (opts.reannounce) {
          // A second reference re-triggers the burst; dropping it keeps one reference.
          announcer.announce(w.ip, w.interfaces.all ? undefined : w.interfaces.names);
          announcer.withdraw(w.ip);
        }
        out.set(w.ip, answering(h.canonical));
      }
      last = out;
      return out;
    },
    setExcludedInterfaces(patterns) {
      if (closed) return;
      const next = patterns.map((p) => new RegExp(p));
      if (next.map(String).join('\n') === exclude.map(String).join('\n')) return;
      exclude = next;
      announcer.close();
      announcer = make();
      const wants = [...held.values()].map((h) => h.want);
      held.clear();
      for (const w of wants) announce(w);
      logger.info(
        { op: 'layer2', exclude: next.map(String).join(',') },
        'interface exclusions changed',
      );
    },
    async handOver(addresses, timeoutMs) {
      takenOver.clear();
      const canonical = new Map<string, string>();
      for (const a of addresses) {
        const h = held.get(a);
        if (h && (last.get(a)?.length ?? 0) > 0) canonical.set(h.canonical, a);
      }
      const pending = () => [...canonical.keys()].filter((c) => !takenOver.has(c));
      if (pending().length > 0) {
        await new Promise<void>((resolve) => {
          const done = () => {
            clock.clearTimeout(timer);
            onTakeover = undefined;
            resolve();
          };
          const timer = clock.setTimeout(done, timeoutMs);
          onTakeover = () => {
            if (pending().length === 0) done();
          };
        });
        const left = pending();
        if (left.length === 0 && (options.handoverLingerMs ?? 2000) > 0) {
          // The new node's first announcement may land inside a client's ARP locktime (1 s on
          // Linux) and be ignored; its burst repeats every 1.1 s. Answering a little longer
          // keeps those clients served until the next round reaches them.
          await new Promise<void>((r) => clock.setTimeout(r, options.handoverLingerMs ?? 2000));
        }
      }
      return pending().map((c) => canonical.get(c) ?? c);
    },
    async close() {
      if (closed) return;
      closed = true;
      onTakeover = undefined;
      announcer.close();
    },
  };
}
