// What the speaker's Kubernetes runtime asks of the protocols. k8s-glue decides ("announce this
// address on these interfaces", "open these sessions and send these routes") and hands plain data
// to these ports; the speaker app implements them with @ironlb/memberlist, @ironlb/l2-announcer,
// @ironlb/bgp-speaker and @ironlb/bfd (k8s-glue imports no protocol library, DESIGN.md §1).
import type { BgpPeerRoutes } from '../announce/bgp.js';
import type { Layer2Address } from '../announce/layer2.js';
import type { BgpSession } from '../announce/sessions.js';

export interface Layer2Port {
  /**
   * Makes the answered set exactly `want` (new addresses get a gratuitous burst, dropped ones are
   * no longer answered). `reannounce`: also send a burst for addresses already answered (MetalLB
   * re-announces on every forced resync, e.g. when a member joins after a partition). Returns, per
   * address, the interfaces it is answered on now ([] = none of the chosen ones exists here:
   * MetalLB's `announceFailed`).
   */
  apply(
    want: readonly Layer2Address[],
    options?: { readonly reannounce?: boolean },
  ): ReadonlyMap<string, readonly string[]>;
  /**
   * Planned stop: keep answering for everything announced until each of `addresses` (those
   * another node is expected to take) has been announced by another node — its gratuitous ARP /
   * unsolicited NA seen on the wire — or `timeoutMs` passed. Resolves with the addresses nobody
   * took over.
   */
  handOver(addresses: readonly string[], timeoutMs: number): Promise<readonly string[]>;
  /**
   * Interface name patterns (Go regular expressions, unanchored) never announced on: the
   * metallb-excludel2 ConfigMap changed.
   */
  setExcludedInterfaces(patterns: readonly string[]): void;
  close(): Promise<void>;
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
   * Sessions this node should have (by BGPPeer name), and the routes each carries. Sessions not listed
   * close (Cease/3); changed options reopen the session; routes are diffed per session. Resolves
   * with the sessions the protocol libraries refused (an option they do not implement, e.g. BFD
   * echo mode): the runtime reports them in ConfigurationState, never ignores them.
   */
  apply(
    sessions: readonly BgpSession[],
    routes: readonly BgpPeerRoutes[],
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
  /** Addresses (`host:port`) of the live members (alive or suspected). */
  liveAddresses(): ReadonlySet<string>;
  /** Called on every membership change, after live() reflects it. Returns unsubscribe. */
  onChange(listener: (change: MemberChange, member: string) => void): () => void;
  /** Joins through these `host:port` seeds; resolves with how many answered. */
  join(seeds: readonly string[]): Promise<number>;
  /** Graceful leave: the others learn it at once. */
  leave(): Promise<void>;
  close(): Promise<void>;
}
