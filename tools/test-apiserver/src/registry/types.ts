// What the server knows about one served resource: the pieces of a kube-apiserver
// registry/rest.Strategy (PrepareForCreate, Validate, PrepareForUpdate, ValidateUpdate, the status
// strategy) that this server imitates, plus discovery data.
import type { ServerResponse } from 'node:http';
import type { UserInfo } from '../auth/identity.ts';
import type { StatusCause } from '../errors.ts';
import type { Json, JsonObject } from '../schema/structural.ts';

export type KubeObject = JsonObject & {
  metadata: JsonObject & { name?: string; namespace?: string };
};

export interface WriteContext {
  /** Warnings sent back as `Warning: 299 - "..."` headers (the real server does the same). */
  warnings: string[];
  /** Query `fieldValidation`: Strict | Warn (default) | Ignore. */
  fieldValidation: 'Strict' | 'Warn' | 'Ignore';
  dryRun: boolean;
}

export interface Strategy {
  /** Defaults and system fields for a new object (status reset where the real server resets it). */
  prepareForCreate?(obj: KubeObject, ctx: WriteContext): void;
  /**
   * What PrepareForCreate generates beyond the decoded request's defaults (a Job's selector and
   * labels from its uid): runs after prepareForCreate, and the field manager does not see it —
   * in kube-apiserver managedFields are computed before the registry's create, so no manager
   * owns these fields.
   */
  generateOnCreate?(obj: KubeObject): void;
  validate?(obj: KubeObject, ctx: WriteContext): StatusCause[];
  /** Main-resource update: keep what the main endpoint may not change (status, usually). */
  prepareForUpdate?(obj: KubeObject, old: KubeObject, ctx: WriteContext): void;
  validateUpdate?(obj: KubeObject, old: KubeObject, ctx: WriteContext): StatusCause[];
  /** Status update: returns the object to store from the request's object and the stored one. */
  prepareForStatusUpdate?(obj: KubeObject, old: KubeObject): KubeObject;
  validateStatusUpdate?(obj: KubeObject, old: KubeObject): StatusCause[];
  /**
   * Allocation right before the write is committed (cluster IPs, node ports); returns causes when
   * impossible. Undone by `rollback` on dry-run or a failed write.
   */
  beforeCommit?(obj: KubeObject, old: KubeObject | undefined): StatusCause[];
  /** After an update is committed: release what the old object held and the new one does not. */
  afterUpdate?(obj: KubeObject, old: KubeObject): void;
  /** Side effects once a create is committed or an object is gone (IP / port allocation). */
  afterDelete?(obj: KubeObject): void;
  /** Undo what prepareForCreate/Update allocated when the write fails later (rollback). */
  rollback?(obj: KubeObject, old: KubeObject | undefined): void;
  /** Field-selector values beyond metadata.name/namespace (fields.Set of the real strategy). */
  selectableFields?(obj: KubeObject): Record<string, string>;
  /** Whether PUT without metadata.resourceVersion is allowed (AllowUnconditionalUpdate). */
  allowUnconditionalUpdate?: boolean;
  /** Whether a main write changes what generation counts (default: `spec` differs). */
  generationChanged?(obj: KubeObject, old: KubeObject): boolean;
  /** Whether metadata.generation is maintained (bumped on spec changes). */
  hasGeneration?: boolean;
  /**
   * DefaultGarbageCollectionPolicy: `orphan` when a delete without a propagation policy (and no
   * GC finalizer on the object) orphans the dependents — batch/v1 Jobs, for compatibility.
   */
  defaultGcPolicy?: 'orphan';
  /** Name validation: DNS subdomain (default), DNS-1123 label, DNS-1035 label, or path segment. */
  nameRule?: 'subdomain' | 'label' | 'dns1035' | 'path';
}

export interface ResourceType {
  group: string;
  version: string;
  /** Plural, lower-case: `services`. */
  resource: string;
  kind: string;
  listKind: string;
  singular: string;
  namespaced: boolean;
  shortNames: string[];
  categories: string[];
  verbs: string[];
  hasStatus: boolean;
  /** Extra subresources served besides status (e.g. namespaces/finalize). */
  extraSubresources: string[];
  /** Objects of every version of a resource share one store bucket: `group/resource`. */
  storageKey: string;
  /** The version objects are stored in (a different served version is converted). */
  storageVersion: string;
  strategy: Strategy;
  /** Convert a stored object to this served version (None conversion just rewrites apiVersion). */
  fromStorage?(obj: KubeObject): KubeObject;
  /** Convert an object of this served version to the storage version. */
  toStorage?(obj: KubeObject): KubeObject;
  /** Set for custom resources. */
  crdName?: string;
  /**
   * The scale subresource (autoscaling/v1 Scale), as a CRD's `subresources.scale` declares it:
   * JSON paths like `.spec.replicas`. Deployments, ReplicaSets, StatefulSets and CRs have it.
   */
  scale?: { specReplicasPath: string; statusReplicasPath: string; labelSelectorPath?: string };
  /**
   * Subresources served by a handler of their own (serviceaccounts/token, pods/log, ...): routed
   * by the HTTP front, listed in discovery with their kind and verbs.
   */
  subresources?: Record<string, SubresourceHandler>;
  /** Create-only resources that store nothing (access reviews, TokenReview): the POST handler. */
  virtual?: (r: HandlerRequest) => Promise<HandlerReply> | HandlerReply;
}

/** What a subresource or virtual-resource handler gets from the HTTP front. */
export interface HandlerRequest {
  method: string;
  namespace: string | undefined;
  /** The object's name ('' for virtual resources). */
  name: string;
  params: URLSearchParams;
  /** The acting identity (after impersonation). */
  user: UserInfo;
  dryRun: boolean;
  /** Reads and decodes the request body (bounded like every body). */
  body(): Promise<unknown>;
  /** For streaming answers (pods/log): the raw response, headers not sent yet. */
  res: ServerResponse;
  /** Aborted when the client goes away. */
  signal: AbortSignal;
}

/** A JSON answer, or `streamed` when the handler wrote the response itself. */
export type HandlerReply = { status: number; body: Json; warnings?: string[] } | 'streamed';

export interface SubresourceHandler {
  /** Discovery: the kind the subresource takes and returns. */
  kind: { group: string; version: string; kind: string };
  verbs: string[];
  handle(r: HandlerRequest): Promise<HandlerReply> | HandlerReply;
}

export const ALL_VERBS = [
  'create',
  'delete',
  'deletecollection',
  'get',
  'list',
  'patch',
  'update',
  'watch',
];

export function gvString(group: string, version: string): string {
  return group ? `${group}/${version}` : version;
}
