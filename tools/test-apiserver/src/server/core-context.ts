// What the verb modules (create.ts, update.ts, delete.ts, ...) share: the state of one ApiCore and
// the small storage helpers every verb uses. ApiCore owns one CoreContext; the modules are free
// functions over it, so the class stays the public face and the flows stay readable one by one.
import type { WebhookAdmission } from '../admission/dispatcher.ts';
import type { Conversions } from '../conversion/conversions.ts';
import type { KnownFields } from '../registry/known-fields.ts';
import type { Registry } from '../registry/registry.ts';
import {
  gvString,
  type KubeObject,
  type ResourceType,
  type WriteContext,
} from '../registry/types.ts';
import { objectKey, type Store } from '../store.ts';
import type { AdmissionHook, WriteQuery } from './api-types.ts';
import type { Lifecycle } from './lifecycle.ts';

export interface CoreContext {
  readonly store: Store;
  readonly registry: Registry;
  readonly conversions: Conversions;
  readonly webhooks: WebhookAdmission;
  readonly admission: AdmissionHook | undefined;
  /** Whether DeleteOptions' propagation adds the garbage collector's finalizers. */
  readonly gcEnabled: boolean;
  readonly known: KnownFields | undefined;
  readonly lifecycle: Lifecycle;
  /** Wall clock (ms since the epoch) for timestamps. */
  readonly nowMs: () => number;
}

/** The store key of an object of `t` (cluster-scoped kinds ignore the namespace). */
export function storeKey(t: ResourceType, ns: string | undefined, name: string): string {
  return objectKey(t.namespaced ? ns : undefined, name);
}

export function getStored(
  cx: CoreContext,
  t: ResourceType,
  ns: string | undefined,
  name: string,
): KubeObject | undefined {
  return cx.store.get(t.storageKey, storeKey(t, ns, name));
}

/** A stored object as the served version of `t` shows it. */
export function toServed(t: ResourceType, stored: KubeObject): KubeObject {
  if (t.fromStorage) return t.fromStorage(stored);
  const { apiVersion: _a, kind: _k, ...rest } = stored;
  return { apiVersion: gvString(t.group, t.version), kind: t.kind, ...rest } as KubeObject;
}

/** An object of the served version of `t` as it is stored. */
export function toStorage(t: ResourceType, o: KubeObject): KubeObject {
  if (t.toStorage) return t.toStorage(o);
  return { ...o, apiVersion: gvString(t.group, t.storageVersion), kind: t.kind } as KubeObject;
}

/** The strategies' view of a write's query: warnings collected, field validation, dry run. */
export function writeContext(q: WriteQuery): WriteContext {
  return {
    warnings: [],
    fieldValidation: q.fieldValidation ?? 'Warn',
    dryRun: q.dryRun === true,
  };
}
