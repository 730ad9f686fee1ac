// What the speaker's Kubernetes runtime asks of the protocols. k8s-glue decides ("announce this
// address on these interfaces", "open these sessions and send these routes") and hands plain data
// to these ports; the speaker app implements them with @ironlb/memberlist, @ironlb/l2-announcer,
// @ironlb/bgp-speaker and @ironlb/bfd (k8s-glue imports no protocol library, DESIGN.md §1).

/** Interfaces to answer on: every usable one, or these names (L2Advertisement `interfaces`). */
export type InterfaceChoice =
  | { readonly all: true }
  | { readonly all: false; readonly names: readonly string[] };

/** One address this node answers ARP/NDP for. */
export interface Layer2Want {
  readonly ip: string;
  readonly interfaces: InterfaceChoice;
}

export interface Layer2Port {
  /**
   * Makes the answered set exactly `want` (new addresses get a gratuitous burst, dropped ones are
   * no longer answered). `reannounce`: also send a burst for addresses already answered (MetalLB
   * re-announces on every forced resync, e.g. when a member joins after a partition). Returns, per
   * address, the interfaces it is answered on now ([] = none of the chosen ones exists here:
   * MetalLB's `announceFailed`).
   */
  apply(
    want: readonly Layer2Want[],
    options?: { readonly reannounce?: boolean },
  ): ReadonlyMap<string, readonly string[]>;
  /**
   * Planned stop: keep answering for everything announced until each of `addresses` (those
   * another node is expected to take) has been announced by another node — its gratuitous ARP /
   * unsolicited NA seen on the wire — or `timeoutMs` passed. Resolves with the addresses nobody
   * took over.
   */
  handOver(addresses: readonly string[], timeoutMs: number): Promise<readonly string[]>;
  close(): Promise<void>;
}

/** A BGP session this node opens, with @ironlb/bgp-speaker's PeerOptions field names. */
export interface BgpSessionWant {
  /** BGPPeer name: sessions are matched by it across updates. */
  readonly name: string;
  /** Plain options for @ironlb/bgp-speaker's addPeer (address, peerAs, localAs, routerId, ...). */
  readonly options: Readonly<Record<string, unknown>> & {
    readonly address: string;
    readonly localAs: number;
  };
  /** BFD session options (@ironlb/bfd addSession) when the BGPPeer names a BFDProfile. */
  readonly bfd?: Readonly<Record<string, unknown>>;
}

/** One route on one session, with @ironlb/bgp-speaker's AnnounceOptions. */
export interface BgpRouteWant {
  readonly prefix: string;
  readonly attributes: {
    readonly communities?: readonly number[];
    readonly largeCommunities?: readonly {
      readonly global: number;
      readonly local1: number;
      readonly local2: number;
    }[];
    readonly localPref?: number;
  };
}

export interface BgpSessionProblem {
  /** BGPPeer name. */
  readonly name: string;
  readonly message: string;
}

export interface BgpSessionState {
  readonly name: string;
  readonly address: string;
  readonly established: boolean;
  readonly gracefulRestart: boolean;
}

export interface BgpPort {
  /**
   * Sessions this node should have, and per session name the routes to send. Sessions not listed
   * close (Cease/3); changed options reopen the session; routes are diffed per session. Resolves
   * with the sessions the protocol libraries refused (an option they do not implement, e.g. BFD
   * echo mode): the runtime reports them in ConfigurationState, never ignores them.
   */
  apply(
    sessions: readonly BgpSessionWant[],
    routes: ReadonlyMap<string, readonly BgpRouteWant[]>,
  ): Promise<readonly BgpSessionProblem[]>;
  sessions(): readonly BgpSessionState[];
  /**
   * Planned stop: withdraw and close with Cease/2 — except sessions that negotiated graceful
   * restart, which close without a NOTIFICATION so the router keeps the routes (RFC 4724).
   */
  stop(message: string): Promise<void>;
}

export type MemberChange = 'join' | 'leave' | 'dead' | 'alive' | 'suspect' | 'update';

export interface MembershipPort {
  /** Names (node names) of members that are alive or suspected — MetalLB's UsableSpeakers. */
  live(): ReadonlySet<string>;
  /** Addresses (`host:port`) of the members this node knows, alive or not. */
  knownAddresses(): ReadonlySet<string>;
  /** Called on every membership change, after live() reflects it. Returns unsubscribe. */
  onChange(listener: (change: MemberChange, member: string) => void): () => void;
  /** Joins through these `host:port` seeds; resolves with how many answered. */
  join(seeds: readonly string[]): Promise<number>;
  /** Graceful leave: the others learn it at once. */
  leave(): Promise<void>;
  close(): Promise<void>;
}
