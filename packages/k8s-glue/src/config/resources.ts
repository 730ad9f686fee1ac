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

/**
 * Problems listed per object at most; past it, one summary problem says how many more there are.
 * Every problem is still counted and the config still refused: the cap only bounds the output
 * (a pool of 180k copies of one entry has 180k overlaps; issue 14).
 */
export const MAX_PROBLEMS_PER_OBJECT = 100;

/** Collects problems; parsing continues past each one so that every issue is reported. */
export class Problems {
  private readonly listed: ConfigProblem[] = [];
  private readonly perObject = new Map<string, { ref: ObjectRef; count: number }>();
  /** Every problem added, listed or not: compare before and after a step to see if it failed. */
  count = 0;
  constructor(readonly keepInputOrder = false) {}
  add(object: ObjectRef, path: string, message: string, transient = false): void {
    this.count++;
    const key = `${object.kind}/${object.namespace}/${object.name}`;
    const seen = this.perObject.get(key) ?? { ref: object, count: 0 };
    seen.count++;
    this.perObject.set(key, seen);
    if (seen.count <= MAX_PROBLEMS_PER_OBJECT)
      this.listed.push({ object, path, message, transient });
  }
  /** Whether a problem added now for `object` would be listed (its message worth building). */
  listing(object: ObjectRef): boolean {
    const seen = this.perObject.get(`${object.kind}/${object.namespace}/${object.name}`);
    return (seen?.count ?? 0) < MAX_PROBLEMS_PER_OBJECT;
  }
  /** The problems, each object's beyond the cap summed up in one last problem. */
  get list(): ConfigProblem[] {
    const out = [...this.listed];
    for (const { ref, count } of this.perObject.values()) {
      if (count <= MAX_PROBLEMS_PER_OBJECT) continue;
      out.push({
        object: ref,
        path: '',
        message: `${ref.kind} ${ref.name}: ${count - MAX_PROBLEMS_PER_OBJECT} more problems not listed`,
        transient: false,
        omitted: count - MAX_PROBLEMS_PER_OBJECT,
      });
    }
    return out;
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
