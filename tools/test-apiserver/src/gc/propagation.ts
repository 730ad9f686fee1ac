// DeleteOptions' propagation as the generic registry applies it before deleting
// (ValidateDeleteOptions and deletionFinalizersForGarbageCollection in
// k8s.io/apiserver/pkg/registry/generic/registry/store.go): Orphan adds the `orphan` finalizer,
// Foreground `foregroundDeletion`, Background neither; without a policy the finalizers already on
// the object decide, then the kind's default (shouldOrphanDependents: batch/v1 Jobs orphan); the
// deprecated orphanDependents still works.
import { invalidValue, notSupported, type StatusCause } from '../errors.ts';
import { isObject } from '../schema/structural.ts';
import { FOREGROUND_FINALIZER, ORPHAN_FINALIZER } from './graph.ts';

export interface Propagated {
  /** The object's finalizers after this delete. */
  finalizers: string[];
  causes: StatusCause[];
  /** `orphanDependents: false` was given (the only case kube-apiserver answers 202). */
  orphanDependentsFalse: boolean;
}

export function propagate(
  current: readonly string[],
  opts: unknown,
  defaultOrphan = false,
): Propagated {
  const o = isObject(opts) ? opts : {};
  const causes: StatusCause[] = [];
  const policy = o.propagationPolicy;
  const orphanDeps = o.orphanDependents;
  const hasPolicy = policy !== undefined && policy !== null;
  const hasOrphan = typeof orphanDeps === 'boolean';
  if (hasPolicy && hasOrphan)
    causes.push(
      invalidValue(
        'propagationPolicy',
        policy,
        'orphanDependents and deletionPropagation cannot be both set',
      ),
    );
  if (hasPolicy && !['Foreground', 'Background', 'Orphan'].includes(String(policy)))
    causes.push(
      notSupported('propagationPolicy', policy, ['Foreground', 'Background', 'Orphan', 'nil']),
    );
  const shouldOrphan = hasPolicy
    ? policy === 'Orphan'
    : hasOrphan
      ? orphanDeps === true
      : current.includes(ORPHAN_FINALIZER) ||
        (defaultOrphan && !current.includes(FOREGROUND_FINALIZER));
  const shouldForeground = hasPolicy
    ? policy === 'Foreground'
    : hasOrphan
      ? false
      : current.includes(FOREGROUND_FINALIZER);
  const finalizers = current.filter((f) => f !== ORPHAN_FINALIZER && f !== FOREGROUND_FINALIZER);
  if (shouldOrphan) finalizers.push(ORPHAN_FINALIZER);
  if (shouldForeground) finalizers.push(FOREGROUND_FINALIZER);
  return { finalizers, causes, orphanDependentsFalse: orphanDeps === false };
}
