/**
 * The announcement schedule shared by the ARP and NDP responders, as a pure state machine
 * (DESIGN.md §3): `stepAnnounce(state, event, nowMs, options) → { state, actions }`. It owns the
 * reference-counted set of announced addresses and when each one is (re)announced; the protocol
 * packages turn an `announce` action into gratuitous ARP or unsolicited NA frames.
 *
 * Schedule (MetalLB internal/layer2/announcer.go, interval from metallb#172): announce at once,
 * then every `burstIntervalMs` (1.1 s) while less than `burstDurationMs` (5 s) has passed since the
 * last trigger — rounds at 0, 1.1, 2.2, 3.3, 4.4 and 5.5 s. Optionally, once the burst is over, one
 * round every `refreshIntervalMs` (MetalLB #2910: switches age out a silent MAC after ~300 s while
 * routers keep the ARP entry for 1200 s and black-hole the address).
 */

export interface AnnounceOptions {
  /** Spacing of burst rounds in milliseconds. Default 1100 (MetalLB). */
  burstIntervalMs: number;
  /** A burst keeps going while less than this many milliseconds passed since the last trigger. Default 5000 (MetalLB). */
  burstDurationMs: number;
  /** Periodic re-announcement after the burst, in milliseconds; 0 disables it. Default 0 (MetalLB). */
  refreshIntervalMs: number;
}

export const DEFAULT_ANNOUNCE_OPTIONS: Readonly<AnnounceOptions> = {
  burstIntervalMs: 1100,
  burstDurationMs: 5000,
  refreshIntervalMs: 0,
};

export interface AnnouncedAddress {
  /** Canonical address text (the key). */
  readonly address: string;
  /** How many owners announce it; it is withdrawn when the last one releases it. */
  readonly refs: number;
  /** When the current burst was last (re)triggered. */
  readonly lastTriggerMs: number;
  /** When the next round is due; null when nothing is scheduled. */
  readonly nextAnnounceMs: number | null;
  /** In the initial burst (true) or in the refresh phase / idle (false). */
  readonly inBurst: boolean;
}

export interface AnnounceState {
  readonly addresses: ReadonlyMap<string, AnnouncedAddress>;
}

export type AnnounceEvent =
  /** An owner starts announcing `address` (increments its reference count, triggers a burst). */
  | { readonly type: 'acquire'; readonly address: string }
  /** An owner stops announcing `address`. */
  | { readonly type: 'release'; readonly address: string }
  /** Re-announce an address already held (e.g. after a failover resync), without a new reference. */
  | { readonly type: 'trigger'; readonly address: string }
  /** Time passed: emit the rounds that are due. */
  | { readonly type: 'tick' };

export type AnnounceAction =
  | { readonly type: 'announce'; readonly address: string; readonly reason: 'burst' | 'refresh' }
  | { readonly type: 'added'; readonly address: string }
  | { readonly type: 'removed'; readonly address: string };

export interface AnnounceResult {
  readonly state: AnnounceState;
  readonly actions: readonly AnnounceAction[];
}

export function initialAnnounceState(): AnnounceState {
  return { addresses: new Map() };
}

/** The earliest time a `tick` has work to do, or null. The io layer arms one timer for it. */
export function nextAnnounceDeadline(state: AnnounceState): number | null {
  let best: number | null = null;
  for (const a of state.addresses.values())
    if (a.nextAnnounceMs !== null && (best === null || a.nextAnnounceMs < best))
      best = a.nextAnnounceMs;
  return best;
}

export function isAnnounced(state: AnnounceState, address: string): boolean {
  return state.addresses.has(address);
}

function startBurst(
  address: string,
  refs: number,
  nowMs: number,
  o: AnnounceOptions,
): AnnouncedAddress {
  const more = o.burstDurationMs > 0 && o.burstIntervalMs > 0;
  return {
    address,
    refs,
    lastTriggerMs: nowMs,
    nextAnnounceMs: more
      ? nowMs + o.burstIntervalMs
      : o.refreshIntervalMs > 0
        ? nowMs + o.refreshIntervalMs
        : null,
    inBurst: more,
  };
}

function retrigger(
  entry: AnnouncedAddress,
  refs: number,
  nowMs: number,
  o: AnnounceOptions,
  actions: AnnounceAction[],
): AnnouncedAddress {
  // MetalLB: a trigger during a running burst only extends it; otherwise a new burst starts now.
  if (entry.inBurst) return { ...entry, refs, lastTriggerMs: nowMs };
  actions.push({ type: 'announce', address: entry.address, reason: 'burst' });
  return startBurst(entry.address, refs, nowMs, o);
}

export function stepAnnounce(
  state: AnnounceState,
  event: AnnounceEvent,
  nowMs: number,
  options: AnnounceOptions = DEFAULT_ANNOUNCE_OPTIONS,
): AnnounceResult {
  const actions: AnnounceAction[] = [];
  switch (event.type) {
    case 'acquire': {
      const next = new Map(state.addresses);
      const entry = next.get(event.address);
      if (!entry) {
        next.set(event.address, startBurst(event.address, 1, nowMs, options));
        actions.push({ type: 'added', address: event.address });
        actions.push({ type: 'announce', address: event.address, reason: 'burst' });
      } else {
        next.set(event.address, retrigger(entry, entry.refs + 1, nowMs, options, actions));
      }
      return { state: { addresses: next }, actions };
    }
    case 'trigger': {
      const entry = state.addresses.get(event.address);
      if (!entry) return { state, actions };
      const next = new Map(state.addresses);
      next.set(event.address, retrigger(entry, entry.refs, nowMs, options, actions));
      return { state: { addresses: next }, actions };
    }
    case 'release': {
      const entry = state.addresses.get(event.address);
      if (!entry) return { state, actions };
      const next = new Map(state.addresses);
      if (entry.refs > 1) next.set(event.address, { ...entry, refs: entry.refs - 1 });
      else {
        next.delete(event.address);
        actions.push({ type: 'removed', address: event.address });
      }
      return { state: { addresses: next }, actions };
    }
    case 'tick': {
      let next: Map<string, AnnouncedAddress> | undefined;
      for (const entry of state.addresses.values()) {
        const due = entry.nextAnnounceMs;
        if (due === null || due > nowMs) continue;
        next ??= new Map(state.addresses);
        actions.push({
          type: 'announce',
          address: entry.address,
          reason: entry.inBurst ? 'burst' : 'refresh',
        });
        // Schedule from the due time, not from `now`, so a late timer does not stretch the burst;
        // if we are more than a whole interval late, restart the spacing from now.
        const step = (interval: number) =>
          due + interval > nowMs ? due + interval : nowMs + interval;
        let updated: AnnouncedAddress;
        if (entry.inBurst && due - entry.lastTriggerMs <= options.burstDurationMs)
          updated = { ...entry, nextAnnounceMs: step(options.burstIntervalMs) };
        else if (options.refreshIntervalMs > 0)
          updated = { ...entry, inBurst: false, nextAnnounceMs: step(options.refreshIntervalMs) };
        else updated = { ...entry, inBurst: false, nextAnnounceMs: null };
        next.set(entry.address, updated);
      }
      return { state: next ? { addresses: next } : state, actions };
    }
  }
}
