// The speaker's decisions take plain inputs — the parsed config, Services with their ingress
// addresses, EndpointSlices, Nodes, the live member set, this node's name, flags — and return
// plain outputs the speaker app carries out (DESIGN.md §1: "k8s-glue decides per address
// announce from this node? via which interfaces / peers?"). The object shapes are the parts of
// the Kubernetes objects that are read, so informer objects can be passed as they are.
import type { ObjectMeta } from '../api/meta.js';
import type { ServiceObject } from '../controller/service.js';
import type { DomainConfig } from '../config/types.js';

export type { ServiceObject };

/** A discovery.k8s.io/v1 EndpointSlice, the parts the speaker reads. */
export interface EndpointSliceObject {
  metadata?: ObjectMeta;
  endpoints?: readonly {
    addresses?: readonly string[];
    nodeName?: string;
    conditions?: { ready?: boolean | null; serving?: boolean | null; terminating?: boolean | null };
  }[];
}

/** A core/v1 Node, the parts the speaker reads (labels and the NetworkUnavailable condition). */
export interface NodeStatusObject {
  metadata: ObjectMeta;
  status?: { conditions?: readonly { type: string; status: string }[] };
}

/** One Service and its EndpointSlices (those labelled kubernetes.io/service-name=<name>). */
export interface ServiceInput {
  readonly service: ServiceObject;
  readonly endpointSlices: readonly EndpointSliceObject[];
}

/** What every decision of one speaker is made from. */
export interface SpeakerView {
  /** The parsed configuration (parseConfig's DomainConfig). */
  readonly config: DomainConfig;
  /** This speaker's node (MetalLB --node-name / METALLB_NODE_NAME). */
  readonly myNode: string;
  /** Every Node the speaker knows (labels, NetworkUnavailable). */
  readonly nodes: readonly NodeStatusObject[];
  /**
   * Live memberlist members (node names), or undefined when memberlist is off: then every known
   * Node counts as running a speaker, as in MetalLB (which never looks at Node Ready).
   */
  readonly members?: readonly string[] | ReadonlySet<string>;
  /** MetalLB --ignore-exclude-lb: announce from nodes labelled exclude-from-external-load-balancers. */
  readonly ignoreExcludeLB?: boolean;
  /** MetalLB --lb-class: only Services of this class are handled (none: only Services without one). */
  readonly loadBalancerClass?: string;
}

/** A log line in MetalLB's shape: level, fields, message. */
export interface LogLine {
  readonly level: 'debug' | 'info' | 'warn' | 'error';
  /** String fields, or lists (MetalLB logs its []net.IP values as JSON arrays of strings). */
  readonly fields: Readonly<Record<string, string | readonly string[]>>;
  readonly msg: string;
}

/** A Kubernetes event on the Service, in MetalLB's words. */
export interface ServiceEvent {
  readonly type: 'Normal' | 'Warning';
  readonly reason: string;
  readonly message: string;
}
