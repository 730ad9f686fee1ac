// Errors as the real kube-apiserver reports them: every failure becomes a metav1.Status body
// (k8s.io/apimachinery/pkg/api/errors) with the same reason, HTTP code, details and message shape,
// so clients that branch on `reason`/`code` (client-go's IsConflict, IsNotFound, ...) behave the same.

/** Kubernetes StatusReason values this server produces (metav1.StatusReason). */
export type StatusReason =
  | 'BadRequest'
  | 'NotFound'
  | 'AlreadyExists'
  | 'Conflict'
  | 'Invalid'
  | 'Gone'
  | 'Expired'
  | 'MethodNotAllowed'
  | 'NotAcceptable'
  | 'UnsupportedMediaType'
  | 'RequestEntityTooLarge'
  | 'Forbidden'
  | 'Unauthorized'
  | 'InternalError'
  | 'ServiceUnavailable'
  | 'Timeout';

/** Field-level cause reasons (field.ErrorType in k8s.io/apimachinery/pkg/util/validation/field). */
export type CauseReason =
  | 'FieldValueRequired'
  | 'FieldValueInvalid'
  | 'FieldValueNotSupported'
  | 'FieldValueDuplicate'
  | 'FieldValueForbidden'
  | 'FieldValueTooLong'
  | 'FieldValueTooMany'
  | 'FieldValueTypeInvalid'
  | 'FieldValueNotFound'
  | 'FieldImmutable'
  | 'InternalError'
  | 'ResourceVersionTooLarge';

export interface StatusCause {
  reason: CauseReason;
  /** Message without the field path, e.g. `Required value` (the path is in `field`). */
  message: string;
  /** Field path in Kubernetes notation: `spec.ports[0].port`, `metadata.labels[app]`. */
  field: string;
}

export interface StatusDetails {
  name?: string;
  group?: string;
  kind?: string;
  causes?: StatusCause[];
  retryAfterSeconds?: number;
}

export interface StatusBody {
  kind: 'Status';
  apiVersion: 'v1';
  metadata: Record<string, never>;
  status: 'Failure';
  message: string;
  reason: StatusReason;
  details?: StatusDetails;
  code: number;
}

/**
 * The one error type of this package. `code` is the Kubernetes reason (a literal union), `status`
 * the HTTP code; `toStatus()` gives the exact body the server sends.
 */
export class ApiError extends Error {
  readonly code: StatusReason;
  readonly status: number;
  readonly details: StatusDetails | undefined;

  constructor(status: number, code: StatusReason, message: string, details?: StatusDetails) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
    this.details = details;
  }

  toStatus(): StatusBody {
    const body: StatusBody = {
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: this.message,
      reason: this.code,
      code: this.status,
    };
    if (this.details) body.details = this.details;
    return body;
  }
}

/** Group/resource as the errors package prints it: `services`, `ipaddresspools.metallb.io`. */
export interface GroupResource {
  group: string;
  resource: string;
}

function qualified(gr: GroupResource): string {
  return gr.group ? `${gr.resource}.${gr.group}` : gr.resource;
}

function grDetails(gr: GroupResource, name: string): StatusDetails {
  const d: StatusDetails = { name, kind: gr.resource };
  if (gr.group) d.group = gr.group;
  return d;
}

export function notFound(gr: GroupResource, name: string): ApiError {
  return new ApiError(404, 'NotFound', `${qualified(gr)} "${name}" not found`, grDetails(gr, name));
}

export function alreadyExists(gr: GroupResource, name: string): ApiError {
  return new ApiError(
    409,
    'AlreadyExists',
    `${qualified(gr)} "${name}" already exists`,
    grDetails(gr, name),
  );
}

/** The optimistic-concurrency failure (apierrors.NewConflict with the registry's message). */
export function conflict(gr: GroupResource, name: string, why: string): ApiError {
  return new ApiError(
    409,
    'Conflict',
    `Operation cannot be fulfilled on ${qualified(gr)} "${name}": ${why}`,
    grDetails(gr, name),
  );
}

export const MODIFIED_CONFLICT =
  'the object has been modified; please apply your changes to the latest version and try again';

export function badRequest(message: string): ApiError {
  return new ApiError(400, 'BadRequest', message);
}

export function methodNotAllowed(message: string): ApiError {
  return new ApiError(405, 'MethodNotAllowed', message);
}

export function gone(message: string): ApiError {
  return new ApiError(410, 'Expired', message);
}

export function internalError(message: string): ApiError {
  return new ApiError(500, 'InternalError', `Internal error occurred: ${message}`, {
    causes: [{ reason: 'InternalError', message, field: '' }],
  });
}

/** Formats one cause the way field.Error.Error() does: `spec.x: Invalid value: ...`. */
export function formatCause(c: StatusCause): string {
  return c.field ? `${c.field}: ${c.message}` : c.message;
}

/**
 * 422 Invalid, worded like apierrors.NewInvalid: `Kind.group "name" is invalid: <one cause>` or
 * `... is invalid: [<cause>, <cause>]` when there are several.
 */
export function invalid(
  kind: string,
  group: string,
  name: string,
  causes: readonly StatusCause[],
): ApiError {
  const qualifiedKind = group ? `${kind}.${group}` : kind;
  const parts = causes.map(formatCause);
  const list = parts.length === 1 ? (parts[0] ?? '') : `[${parts.join(', ')}]`;
  const details: StatusDetails = { name, kind, causes: [...causes] };
  if (group) details.group = group;
  return new ApiError(422, 'Invalid', `${qualifiedKind} "${name}" is invalid: ${list}`, details);
}

// field.Error constructors (k8s.io/apimachinery/pkg/util/validation/field/errors.go), so messages
// read exactly like the real server's: `Required value`, `Invalid value: "x": reason`, ...

/** Renders a value the way field.Error does: strings quoted, numbers bare, objects as JSON. */
export function renderValue(v: unknown): string {
  if (typeof v === 'string') return JSON.stringify(v);
  if (v === null || v === undefined) return 'null';
  if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint') return String(v);
  return JSON.stringify(v);
}

export function required(field: string, detail?: string): StatusCause {
  return {
    reason: 'FieldValueRequired',
    message: detail ? `Required value: ${detail}` : 'Required value',
    field,
  };
}

export function invalidValue(field: string, value: unknown, detail: string): StatusCause {
  return {
    reason: 'FieldValueInvalid',
    message: `Invalid value: ${renderValue(value)}: ${detail}`,
    field,
  };
}

export function notSupported(
  field: string,
  value: unknown,
  allowed: readonly string[],
): StatusCause {
  return {
    reason: 'FieldValueNotSupported',
    message: `Unsupported value: ${renderValue(value)}: supported values: ${allowed
      .map((a) => JSON.stringify(a))
      .join(', ')}`,
    field,
  };
}

export function duplicate(field: string, value: unknown): StatusCause {
  return {
    reason: 'FieldValueDuplicate',
    message: `Duplicate value: ${renderValue(value)}`,
    field,
  };
}

export function forbidden(field: string, detail: string): StatusCause {
  return { reason: 'FieldValueForbidden', message: `Forbidden: ${detail}`, field };
}

export function tooMany(field: string, actual: number, max: number): StatusCause {
  return {
    reason: 'FieldValueTooMany',
    message: `Too many: ${actual}: must have at most ${max} items`,
    field,
  };
}

export function typeInvalid(field: string, value: unknown, detail: string): StatusCause {
  return {
    reason: 'FieldValueTypeInvalid',
    message: `Invalid value: ${renderValue(value)}: ${detail}`,
    field,
  };
}

/** field.Invalid(..., "field is immutable") as ValidateImmutableField reports it. */
export function immutable(field: string, value: unknown): StatusCause {
  return invalidValue(field, value, 'field is immutable');
}
