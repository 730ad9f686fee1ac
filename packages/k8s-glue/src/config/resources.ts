// The raw inputs of the configuration function: MetalLB's ClusterResources.
import type {
  BFDProfile,
  BGPAdvertisement,
  BGPPeer,
  Community,
  IPAddressPool,
  L2Advertisement,
} from '../api/types.generated.js';
import type { ConfigMapObject, NamespaceObject, NodeObject, SecretObject } from '../api/meta.js';
import type { ConfigProblem, ObjectRef } from './types.js';

export interface ClusterResources {
  readonly pools?: readonly IPAddressPool[];
  readonly peers?: readonly BGPPeer[];
  readonly bfdProfiles?: readonly BFDProfile[];
  readonly bgpAdvertisements?: readonly BGPAdvertisement[];
  readonly l2Advertisements?: readonly L2Advertisement[];
  readonly communities?: readonly Community[];
  /** Secrets of the IronLB namespace (peer passwordSecret lookups). */
  readonly secrets?: readonly SecretObject[];
  readonly nodes?: readonly NodeObject[];
  readonly namespaces?: readonly NamespaceObject[];
  /** MetalLB's `bgpextras` ConfigMap, if present: IronLB refuses it (DESIGN.md §2). */
  readonly bgpExtras?: ConfigMapObject;
}

export interface ParseOptions {
  /** IronLB's namespace (default metallb-system). */
  readonly namespace?: string;
  /**
   * Process objects in the order given instead of by name. The webhook uses it to put the
   * object under review last, so that conflicts are reported against it (MetalLB appends the
   * new object to the existing ones the same way). Default false.
   */
  readonly keepInputOrder?: boolean;
}

export const DEFAULT_NAMESPACE = 'metallb-system';

/** Collects problems; parsing continues past each one so that every issue is reported. */
export class Problems {
  readonly list: ConfigProblem[] = [];
  constructor(readonly keepInputOrder = false) {}
  add(object: ObjectRef, path: string, message: string, transient = false): void {
    this.list.push({ object, path, message, transient });
  }
}

export function refOf(
  kind: string,
  o: { metadata: { name?: string; namespace?: string } },
  ns: string,
): ObjectRef {
  return { kind, namespace: o.metadata.namespace ?? ns, name: o.metadata.name ?? '' };
}

/** Deterministic input order (the API lists by name; tests and YAML may not). */
export function byName<T extends { metadata: { name?: string } }>(
  xs: readonly T[] | undefined,
  ctx?: Problems,
): T[] {
  if (ctx?.keepInputOrder) return [...(xs ?? [])];
  return [...(xs ?? [])].sort((a, b) =>
    (a.metadata.name ?? '').localeCompare(b.metadata.name ?? ''),
  );
}
