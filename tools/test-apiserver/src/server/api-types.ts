// Types of the verbs layer (api.ts), kept apart so the HTTP front and hooks can use them.
import type { ConversionHook } from '../registry/crd.ts';
import type { KnownFields } from '../registry/known-fields.ts';
import type { ServiceNetworkOptions } from '../registry/service.ts';
import type { KubeObject, ResourceType } from '../registry/types.ts';
import type { Json } from '../schema/structural.ts';
import type { StoreOptions } from '../store.ts';

/** What an admission step sees (admission.Attributes of kube-apiserver, in JSON form). */
export interface AdmissionAttributes {
  operation: 'CREATE' | 'UPDATE' | 'DELETE';
  resource: ResourceType;
  subresource: string | undefined;
  namespace: string | undefined;
  name: string;
  /** The object to be written (served version); undefined for DELETE. */
  object: KubeObject | undefined;
  /** The stored object (served version) for UPDATE and DELETE. */
  oldObject: KubeObject | undefined;
  dryRun: boolean;
}

/**
 * The seam for admission webhooks (next issue): called after the strategy's validation and before
 * the write is committed. Throw an ApiError to deny. It may be asynchronous; the write then
 * re-checks the stored object and answers 409 Conflict if it changed meanwhile.
 */
export type AdmissionHook = (attrs: AdmissionAttributes) => void | Promise<void>;

export interface ApiCoreOptions extends ServiceNetworkOptions, StoreOptions {
  conversionHook?: ConversionHook;
  admissionHook?: AdmissionHook;
  /**
   * Fields of the built-in kinds (loadKnownFields()); with them unknown fields are pruned and
   * `fieldValidation` applies to built-ins too. startTestApiServer loads them.
   */
  knownFields?: KnownFields;
  /**
   * Wall-clock milliseconds since the epoch, for creationTimestamp, deletionTimestamp,
   * managedFields times and the AGE column of tables. Default Date.now; tests inject a fixed
   * clock so printed ages are exact.
   */
  nowMs?: () => number;
}

/** A validated write waiting for admission and commit. */
export interface PendingWrite {
  attrs: AdmissionAttributes;
  commit(): WriteResult;
}

export interface WriteQuery {
  dryRun?: boolean;
  fieldValidation?: 'Strict' | 'Warn' | 'Ignore';
  fieldManager?: string;
  /** The manager when `fieldManager` is absent: the User-Agent's program name. */
  defaultFieldManager?: string;
  /** Server-side apply `force=true`: take ownership of conflicting fields. */
  force?: boolean;
}

export interface WriteResult {
  status: number;
  body: Json;
  warnings: string[];
}

export const SYSTEM_META = [
  'uid',
  'creationTimestamp',
  'deletionTimestamp',
  'deletionGracePeriodSeconds',
  'generation',
];

export function gr(t: ResourceType) {
  return { group: t.group, resource: t.resource };
}
