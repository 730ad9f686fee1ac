// The validated domain configuration: plain data, no Kubernetes types past this point
// (DESIGN.md §1). Selectors that depend on Services are kept as plain LabelSelector data and
// evaluated by k8s-glue's selectorMatches(); node and namespace selectors are resolved to names.
import type { LabelSelector } from '../api/meta.js';

export interface ObjectRef {
  readonly kind: string;
  readonly namespace: string;
  readonly name: string;
}

/** One configuration issue: which object, which field, what is wrong. */
export interface ConfigProblem {
  readonly object: ObjectRef;
  /** A JSON path inside the object, e.g. `spec.addresses[1]`. */
  readonly path: string;
  /** MetalLB's message where MetalLB has one. */
  readonly message: string;
  /**
   * A referenced object (password Secret, BFDProfile, Community alias) is missing: the problem
   * may resolve by itself when it appears (MetalLB's TransientError).
   */
  readonly transient: boolean;
  /**
   * Set on the one problem that stands for the object's problems past the listing cap
   * (MAX_PROBLEMS_PER_OBJECT): how many more there are.
   */
  readonly omitted?: number;
}

export interface ServiceAllocationConfig {
  /** Lower wins; 0 means "unset" and sorts last (MetalLB §3). */
  readonly priority: number;
  /**
   * True when the pool gives `namespaces` or `namespaceSelectors`: then only services in
   * `namespaces` match, and an empty `namespaces` (selectors that matched no namespace) matches
   * none. False: the namespace is not checked.
   */
  readonly namespaceScoped: boolean;
  /** Namespaces listed plus those matched by namespaceSelectors at parse time. */
  readonly namespaces: readonly string[];
  /**
   * Service label selectors (OR), kept unresolved. Empty = not given: labels are not checked.
   * A priority-only block carries `[{}]` (select everything, MetalLB #2714).
   */
  readonly serviceSelectors: readonly LabelSelector[];
}

export interface L2AdvertisementConfig {
  readonly name: string;
  /** Names of the eligible nodes (nodeSelectors resolved). */
  readonly nodes: readonly string[];
  readonly interfaces: readonly string[];
  readonly allInterfaces: boolean;
  readonly serviceSelectors: readonly LabelSelector[];
  /** Node name → summed preference weight (missing = 0). */
  readonly preferredNodes: Readonly<Record<string, number>>;
}

export interface BgpAdvertisementConfig {
  readonly name: string;
  readonly aggregationLength: number;
  readonly aggregationLengthV6: number;
  /** 0 = unset. */
  readonly localPref: number;
  /** Canonical values, aliases resolved: `A:B` or `large:X:Y:Z`, sorted. */
  readonly communities: readonly string[];
  readonly nodes: readonly string[];
  /** BGPPeer names; empty = every peer. */
  readonly peers: readonly string[];
  readonly serviceSelectors: readonly LabelSelector[];
}

export interface AddressBlock {
  /** The text the user wrote (a CIDR or a range). */
  readonly source: string;
  /** Canonical CIDRs covering it (ranges summarized). */
  readonly cidrs: readonly string[];
}

export interface PoolConfig {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  /** All canonical CIDRs of the pool, in the order written. */
  readonly cidrs: readonly string[];
  readonly blocks: readonly AddressBlock[];
  readonly autoAssign: boolean;
  readonly avoidBuggyIPs: boolean;
  readonly serviceAllocation?: ServiceAllocationConfig;
  readonly l2Advertisements: readonly L2AdvertisementConfig[];
  readonly bgpAdvertisements: readonly BgpAdvertisementConfig[];
}

export interface PeerConfig {
  readonly name: string;
  readonly myASN: number;
  readonly peerASN?: number;
  readonly dynamicASN?: 'internal' | 'external';
  readonly address: string;
  readonly sourceAddress?: string;
  readonly port: number;
  /** Absent = the speaker's default. Both set or both absent (MetalLB's timer rules). */
  readonly holdTimeMs?: number;
  readonly keepaliveTimeMs?: number;
  readonly connectTimeMs?: number;
  readonly routerID?: string;
  /** Nodes that open this session (nodeSelectors resolved; every node when none). */
  readonly nodes: readonly string[];
  /**
   * The nodeSelectors themselves, canonical (empty = every node): a speaker evaluates them on its
   * own node's current labels, as MetalLB's syncPeers does, even for a node the parse did not see.
   */
  readonly nodeSelectors: readonly LabelSelector[];
  readonly password?: string;
  readonly passwordSecret?: { readonly name: string; readonly namespace: string };
  readonly bfdProfile?: string;
  readonly enableGracefulRestart: boolean;
  readonly ebgpMultiHop: boolean;
  readonly dualStackAddressFamily: boolean;
}

export interface BfdProfileConfig {
  readonly name: string;
  readonly receiveIntervalMs?: number;
  readonly transmitIntervalMs?: number;
  readonly detectMultiplier?: number;
  readonly echoIntervalMs?: number;
  readonly echoMode: boolean;
  readonly passiveMode: boolean;
  readonly minimumTtl?: number;
}

export interface DomainConfig {
  /** Sorted by name (MetalLB iterates a Go map here; a stable order is the fix, §11). */
  readonly pools: readonly PoolConfig[];
  readonly peers: readonly PeerConfig[];
  readonly bfdProfiles: readonly BfdProfileConfig[];
}

export type ParseResult =
  | { readonly ok: true; readonly config: DomainConfig }
  | { readonly ok: false; readonly problems: readonly ConfigProblem[] };
