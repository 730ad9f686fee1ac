// The garbage collector's decisions (pkg/controller/garbagecollector), pure and level-triggered:
// given the objects that own or are owned (and how each owner reference resolves), what to do
// next. Background: dependents go once all their owners are gone. Foreground: the owner waits
// (finalizer `foregroundDeletion`) while its dependents are deleted, until none with
// blockOwnerDeletion is left. Orphan: the owner waits (finalizer `orphan`) while the references
// to it are removed from its dependents. A dependent with another owner that is still there
// only loses the references to gone or foreground-deleting owners.

export type Propagation = 'Background' | 'Foreground' | 'Orphan';

export const ORPHAN_FINALIZER = 'orphan';
export const FOREGROUND_FINALIZER = 'foregroundDeletion';

export interface OwnerRef {
  uid: string;
  apiVersion: string;
  kind: string;
  name: string;
  blockOwnerDeletion: boolean;
}

export interface GcNode {
  /** Opaque identity for actions (bucket and key). */
  id: string;
  uid: string;
  ownerRefs: OwnerRef[];
  deleting: boolean;
  finalizers: string[];
}

/**
 * How an owner reference of `dependent` resolves: the owner (by uid, in the right namespace),
 * 'absent' (no such object, or another uid, or a namespaced owner in another namespace) or
 * 'unknown' (the kind cannot be resolved, or a cluster-scoped dependent names a namespaced
 * owner: the reference is unresolvable and the dependent is never collected).
 */
export type OwnerLookup = (ref: OwnerRef, dependent: GcNode) => GcNode | 'absent' | 'unknown';

export type GcAction =
  | { type: 'delete'; id: string; policy: Propagation }
  | { type: 'removeOwnerRefs'; id: string; uids: string[] }
  | { type: 'removeFinalizer'; id: string; finalizer: string };

function waitingForDependents(n: GcNode): boolean {
  return n.deleting && n.finalizers.includes(FOREGROUND_FINALIZER);
}

function policyOf(n: GcNode): Propagation {
  if (n.finalizers.includes(ORPHAN_FINALIZER)) return 'Orphan';
  if (n.finalizers.includes(FOREGROUND_FINALIZER)) return 'Foreground';
  return 'Background';
}

/** The next actions; an empty list means the graph is settled. */
export function planGc(nodes: readonly GcNode[], lookup: OwnerLookup): GcAction[] {
  const actions: GcAction[] = [];
  const dependents = new Map<string, GcNode[]>();
  for (const n of nodes)
    for (const r of n.ownerRefs) {
      const list = dependents.get(r.uid) ?? [];
      list.push(n);
      dependents.set(r.uid, list);
    }
  const deps = (owner: GcNode) => dependents.get(owner.uid) ?? [];

  for (const n of nodes) {
    if (!n.deleting) continue;
    // Orphan: references to the owner go first, then its finalizer.
    if (n.finalizers.includes(ORPHAN_FINALIZER)) {
      const ds = deps(n);
      for (const d of ds) actions.push({ type: 'removeOwnerRefs', id: d.id, uids: [n.uid] });
      if (ds.length === 0)
        actions.push({ type: 'removeFinalizer', id: n.id, finalizer: ORPHAN_FINALIZER });
    }
    // Foreground: the owner goes when no dependent blocks it any more.
    if (n.finalizers.includes(FOREGROUND_FINALIZER) && !n.finalizers.includes(ORPHAN_FINALIZER)) {
      const blocking = deps(n).some((d) =>
        d.ownerRefs.some((r) => r.uid === n.uid && r.blockOwnerDeletion),
      );
      if (!blocking)
        actions.push({ type: 'removeFinalizer', id: n.id, finalizer: FOREGROUND_FINALIZER });
    }
  }

  for (const d of nodes) {
    if (d.deleting || d.ownerRefs.length === 0) continue;
    const solid: string[] = [];
    const dangling: string[] = [];
    const waiting: string[] = [];
    let unknown = false;
    for (const r of d.ownerRefs) {
      const o = lookup(r, d);
      if (o === 'unknown') unknown = true;
      else if (o === 'absent') dangling.push(r.uid);
      else if (waitingForDependents(o)) waiting.push(r.uid);
      else solid.push(r.uid);
    }
    if (unknown) continue;
    if (solid.length > 0) {
      const drop = [...dangling, ...waiting];
      if (drop.length) actions.push({ type: 'removeOwnerRefs', id: d.id, uids: drop });
      continue;
    }
    // Every owner is gone or waits for its dependents: the dependent goes, in foreground when it
    // has dependents of its own and an owner waits for it.
    const policy = waiting.length > 0 && deps(d).length > 0 ? 'Foreground' : policyOf(d);
    actions.push({ type: 'delete', id: d.id, policy });
  }
  return actions;
}
