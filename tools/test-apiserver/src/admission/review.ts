// AdmissionReview v1, pure (k8s.io/apiserver/pkg/admission/plugin/webhook/request and
// webhook/errors): the request a webhook gets, the checks on its response (uid echo, kind,
// patch/patchType rules) and the errors the client sees — a denial as ToStatusErr words it
// (`admission webhook "<name>" denied the request: <message>`, the webhook's code, at least 400),
// a failed call as an InternalError (`failed calling webhook "<name>": ...`).
import { ApiError, type StatusBody, type StatusDetails, type StatusReason } from '../errors.ts';
import { isObject, type Json, type JsonObject } from '../schema/structural.ts';
import { userInfoJson, type UserInfo } from '../auth/identity.ts';
import type { GVK, GVR, Invocation } from './rules.ts';

export interface ReviewInput {
  uid: string;
  invocation: Invocation;
  requestKind: GVK;
  requestResource: GVR;
  requestSubResource: string;
  name: string;
  namespace: string;
  operation: 'CREATE' | 'UPDATE' | 'DELETE' | 'CONNECT';
  user: UserInfo;
  object: Json | undefined;
  oldObject: Json | undefined;
  dryRun: boolean;
  /** CreateOptions / UpdateOptions / DeleteOptions (meta.k8s.io/v1). */
  options: JsonObject | undefined;
}

export function admissionReview(r: ReviewInput): JsonObject {
  const inv = r.invocation;
  return {
    kind: 'AdmissionReview',
    apiVersion: 'admission.k8s.io/v1',
    request: {
      uid: r.uid,
      kind: { ...inv.kind },
      resource: { ...inv.resource },
      ...(inv.subresource ? { subResource: inv.subresource } : {}),
      requestKind: { ...r.requestKind },
      requestResource: { ...r.requestResource },
      ...(r.requestSubResource ? { requestSubResource: r.requestSubResource } : {}),
      ...(r.name ? { name: r.name } : {}),
      ...(r.namespace ? { namespace: r.namespace } : {}),
      operation: r.operation,
      userInfo: userInfoJson(r.user) as JsonObject,
      object: r.object ?? null,
      oldObject: r.oldObject ?? null,
      dryRun: r.dryRun,
      options: r.options ?? null,
    },
  };
}

export interface VerifiedResponse {
  allowed: boolean;
  /** Decoded JSON Patch operations (mutating webhooks only). */
  patch: Json[] | undefined;
  result: JsonObject | undefined;
  warnings: string[];
}

/** VerifyAdmissionResponse; a string is why the response is invalid (→ a failed call). */
export function verifyResponse(
  uid: string,
  mutating: boolean,
  body: unknown,
): VerifiedResponse | string {
  if (!isObject(body)) return 'the webhook response is not a JSON object';
  if (body.apiVersion !== 'admission.k8s.io/v1' || body.kind !== 'AdmissionReview')
    return `expected webhook response of admission.k8s.io/v1, Kind=AdmissionReview, got ${String(body.apiVersion ?? '')}, Kind=${String(body.kind ?? '')}`;
  const r = body.response;
  if (!isObject(r)) return 'webhook response was absent';
  if (r.uid !== uid)
    return `expected response.uid=${JSON.stringify(uid)}, got ${JSON.stringify(r.uid ?? '')}`;
  const hasPatch = typeof r.patch === 'string' && r.patch !== '';
  const hasType = r.patchType !== undefined && r.patchType !== null;
  let patch: Json[] | undefined;
  if (mutating) {
    if (hasPatch && !hasType) return 'webhook returned response.patch but not response.patchType';
    if (!hasPatch && hasType) return 'webhook returned response.patchType but not response.patch';
    if (hasType && r.patchType === '') return 'webhook returned invalid response.patchType of ""';
    if (hasPatch) {
      if (r.patchType !== 'JSONPatch')
        return `unsupported patch type ${JSON.stringify(r.patchType)}`;
      try {
        const ops = JSON.parse(
          Buffer.from(r.patch as string, 'base64').toString('utf8'),
        ) as unknown;
        if (!Array.isArray(ops)) throw new Error('a JSON patch must be an array');
        patch = ops as Json[];
      } catch (e) {
        return `received undecodable patch in webhook response: ${(e as Error).message}`;
      }
    }
  } else {
    if (hasPatch) return 'validating webhook may not return response.patch';
    if (hasType) return 'validating webhook may not return response.patchType';
  }
  return {
    allowed: r.allowed === true,
    patch,
    result: isObject(r.result) ? r.result : undefined,
    warnings: Array.isArray(r.warnings)
      ? r.warnings.filter((w): w is string => typeof w === 'string')
      : [],
  };
}

/** ToStatusErr: the Status a client sees when a webhook denies the request. */
export function denialError(webhook: string, result: JsonObject | undefined): ApiError {
  const deniedBy = `admission webhook ${JSON.stringify(webhook)} denied the request`;
  const r = result ?? {};
  const code = typeof r.code === 'number' && r.code >= 400 ? r.code : 400;
  const message =
    typeof r.message === 'string' && r.message !== ''
      ? `${deniedBy}: ${r.message}`
      : typeof r.reason === 'string' && r.reason !== ''
        ? `${deniedBy}: ${r.reason}`
        : `${deniedBy} without explanation`;
  const reason = (typeof r.reason === 'string' ? r.reason : '') as StatusReason;
  const details = isObject(r.details) ? (r.details as unknown as StatusDetails) : undefined;
  return new WebhookStatusError(code, reason, message, details);
}

/** An ApiError whose Status carries exactly the webhook's reason (possibly empty). */
export class WebhookStatusError extends ApiError {
  override toStatus(): StatusBody {
    const s = super.toStatus();
    if ((s.reason as string) === '') delete (s as Partial<StatusBody>).reason;
    return s;
  }
}

/** The reason text of ErrCallingWebhook (`failed calling webhook "<name>": <why>`). */
export function callingErrorText(webhook: string, why: string): string {
  return `failed calling webhook ${JSON.stringify(webhook)}: ${why}`;
}

/** apierrors.NewInternalError(err) as a failed webhook call surfaces with failurePolicy Fail. */
export function internalCallError(text: string): ApiError {
  return new ApiError(500, 'InternalError', `Internal error occurred: ${text}`, {
    causes: [{ message: text } as never],
  });
}
