// The garbage collector's decisions, one propagation policy at a time, and DeleteOptions'
// translation into the collector's finalizers.
import { describe, expect, it } from 'vitest';
import {
  FOREGROUND_FINALIZER,
  ORPHAN_FINALIZER,
  planGc,
  type GcNode,
  type OwnerLookup,
  type OwnerRef,
} from './graph.ts';
import { propagate } from './propagation.ts';

const ref = (uid: string, block = false): OwnerRef => ({
  uid,
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  name: uid,
  blockOwnerDeletion: block,
});

function node(uid: string, extra: Partial<GcNode> = {}): GcNode {
  return { id: uid, uid, ownerRefs: [], deleting: false, finalizers: [], ...extra };
}

/** Looks owners up among `nodes` by uid; `unknownKinds` resolve to 'unknown'. */
function lookupIn(nodes: GcNode[], unknownKinds: string[] = []): OwnerLookup {
  return (r) => {
    if (unknownKinds.includes(r.kind)) return 'unknown';
    return nodes.find((n) => n.uid === r.uid) ?? 'absent';
  };
}

describe('planGc', () => {
  it('background: a dependent goes once its owner is gone, not before', () => {
    const rs = node('rs', { ownerRefs: [ref('deploy')] });
    const deploy = node('deploy');
    expect(planGc([rs, deploy], lookupIn([rs, deploy]))).toEqual([]);
    expect(planGc([rs], lookupIn([rs]))).toEqual([
      { type: 'delete', id: 'rs', policy: 'Background' },
    ]);
    // An owner deleting in the background (other finalizers) still holds its dependents.
    const deleting = node('deploy', { deleting: true, finalizers: ['x'] });
    expect(planGc([rs, deleting], lookupIn([rs, deleting]))).toEqual([]);
  });

  it('foreground: dependents are deleted, the owner waits for the blocking ones', () => {
    const owner = node('deploy', { deleting: true, finalizers: [FOREGROUND_FINALIZER] });
    const blocking = node('rs', { ownerRefs: [ref('deploy', true)] });
    const pod = node('pod', { ownerRefs: [ref('rs', true)] });
    const all = [owner, blocking, pod];
    // The ReplicaSet has dependents of its own: it goes in foreground too.
    expect(planGc(all, lookupIn(all))).toEqual([
      { type: 'delete', id: 'rs', policy: 'Foreground' },
    ]);
    const nonBlocking = node('cm', { ownerRefs: [ref('deploy', false)] });
    expect(planGc([owner, nonBlocking], lookupIn([owner, nonBlocking]))).toEqual([
      { type: 'removeFinalizer', id: 'deploy', finalizer: FOREGROUND_FINALIZER },
      { type: 'delete', id: 'cm', policy: 'Background' },
    ]);
    // A blocking dependent that is itself deleting still blocks.
    const rsDeleting = { ...blocking, deleting: true, finalizers: ['x'] };
    expect(planGc([owner, rsDeleting], lookupIn([owner, rsDeleting]))).toEqual([]);
    expect(planGc([owner], lookupIn([owner]))).toEqual([
      { type: 'removeFinalizer', id: 'deploy', finalizer: FOREGROUND_FINALIZER },
    ]);
  });

  it('orphan: references to the owner are removed, then its finalizer', () => {
    const owner = node('deploy', { deleting: true, finalizers: [ORPHAN_FINALIZER] });
    const rs = node('rs', { ownerRefs: [ref('deploy', true)] });
    expect(planGc([owner, rs], lookupIn([owner, rs]))).toEqual([
      { type: 'removeOwnerRefs', id: 'rs', uids: ['deploy'] },
    ]);
    const orphaned = node('rs');
    expect(planGc([owner, orphaned], lookupIn([owner, orphaned]))).toEqual([
      { type: 'removeFinalizer', id: 'deploy', finalizer: ORPHAN_FINALIZER },
    ]);
  });

  it('a dependent with another live owner only loses the dangling reference', () => {
    const a = node('a');
    const d = node('d', { ownerRefs: [ref('a'), ref('gone')] });
    expect(planGc([a, d], lookupIn([a, d]))).toEqual([
      { type: 'removeOwnerRefs', id: 'd', uids: ['gone'] },
    ]);
  });

  it('an unresolvable owner reference keeps the dependent', () => {
    const d = node('d', { ownerRefs: [{ ...ref('x'), kind: 'Unknown' }] });
    expect(planGc([d], lookupIn([d], ['Unknown']))).toEqual([]);
  });

  it("a dependent's own finalizers choose its policy", () => {
    const d = node('d', { ownerRefs: [ref('gone')], finalizers: [ORPHAN_FINALIZER] });
    expect(planGc([d], lookupIn([d]))).toEqual([{ type: 'delete', id: 'd', policy: 'Orphan' }]);
  });
});

describe('propagate', () => {
  it('turns the policy into finalizers, replacing earlier ones', () => {
    expect(propagate(['x'], { propagationPolicy: 'Foreground' }).finalizers).toEqual([
      'x',
      FOREGROUND_FINALIZER,
    ]);
    expect(propagate([FOREGROUND_FINALIZER], { propagationPolicy: 'Orphan' }).finalizers).toEqual([
      ORPHAN_FINALIZER,
    ]);
    expect(propagate([ORPHAN_FINALIZER], { propagationPolicy: 'Background' }).finalizers).toEqual(
      [],
    );
  });

  it('without a policy the existing finalizers decide; orphanDependents still works', () => {
    expect(propagate([ORPHAN_FINALIZER], {}).finalizers).toEqual([ORPHAN_FINALIZER]);
    expect(propagate([], { orphanDependents: true }).finalizers).toEqual([ORPHAN_FINALIZER]);
    expect(propagate([], { orphanDependents: false })).toMatchObject({
      finalizers: [],
      orphanDependentsFalse: true,
    });
  });

  it('refuses an unknown policy and both options at once', () => {
    expect(propagate([], { propagationPolicy: 'Later' }).causes[0]).toMatchObject({
      field: 'propagationPolicy',
      reason: 'FieldValueNotSupported',
    });
    expect(
      propagate([], { propagationPolicy: 'Orphan', orphanDependents: true }).causes[0]?.message,
    ).toContain('orphanDependents and deletionPropagation cannot be both set');
  });
});
