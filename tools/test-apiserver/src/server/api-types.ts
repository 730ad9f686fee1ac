// Types of the verbs layer (api.ts), kept apart so the HTTP front and hooks can use them.
import type { AccessOptions } from '../auth/access.ts';
import type { UserInfo } from '../auth/identity.ts';
import type { WebhookOptions } from '../admission/dispatcher.ts';
import type { ConversionOptions } from '../conversion/conversions.ts';
import type { ApiError } from '../errors.ts';
import type { GcOptions } from '../gc/collector.ts';
import type { KnownFields } from '../registry/known-fields.ts';
import type { PodLogSource } from '../logs/pod-logs.ts';
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
  /** Who asks (the admin when the write comes from in-process code). */
  user?: UserInfo | undefined;
  /** The request's `fieldManager` (for the webhooks' CreateOptions/UpdateOptions). */
  fieldManager?: string | undefined;
}

/**
 * The seam for in-process admission: called after the strategy's validation and the validating
 * webhooks, before the write is committed. Throw an ApiError to deny. It may be asynchronous; the write then
 * re-checks the stored object and answers 409 Conflict if it changed meanwhile.
 */
export type AdmissionHook = (attrs: AdmissionAttributes) => void | Promise<void>;

export interface ApiCoreOptions
  extends
    ServiceNetworkOptions,
    StoreOptions,
    ConversionOptions,
    WebhookOptions,
    AccessOptions,
    GcOptions {
  admissionHook?: AdmissionHook;
  /** Serves `pods/log` (the lab's processes' output); without it pods/log answers 400. */
  podLogs?: PodLogSource;
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

/** A prepared write waiting for admission and commit. */
export interface PendingWrite {
  attrs: AdmissionAttributes;
  /**
   * The strategy's validation failure, if any: thrown after mutating admission (which may fix
   * the object) and before validating admission, as kube-apiserver orders them.
   */
  invalid?: ApiError | undefined;
  /** The same write prepared again from an object a mutating webhook changed. */
  redo?(object: KubeObject): PendingWrite;
  /** Commits (throws `invalid` first). */
  commit(): WriteResult;
}

export interface WriteQuery {
  dryRun?: boolean;
  /** The acting identity (admission webhooks' userInfo); undefined = the admin. */
  user?: UserInfo | undefined;
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
