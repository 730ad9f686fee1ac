// Validating admission for every metallb.io kind (AdmissionReview v1), MetalLB's approach
// (internal/k8s/webhooks): take the objects that exist, put the new one in (or take the old one
// out), run the same parser the controller and speaker run, and answer with its messages.
//
// Differences from MetalLB, on purpose:
//  - Problems that already existed before this request do not block it: only problems the
//    request introduces are reported (MetalLB refuses any change while something unrelated is
//    broken, one of the "webhook blocks everything" complaints).
//  - Transient problems (a Secret, BFDProfile or Community alias not there yet) are allowed, as
//    MetalLB does by blanking those fields; objects may be applied in any order.
//  - BGPPeer disableMP: MetalLB returns a warning and skips all other validation on create
//    (metallb-behaviour.md §1.4 (q)); we warn and still validate.
import type { BGPPeer, BGPPeerV1beta1 } from '../api/types.generated.js';
import { parseConfig } from '../config/parse.js';
import { DEFAULT_NAMESPACE, type ClusterResources } from '../config/resources.js';
import type { ConfigProblem } from '../config/types.js';
import { K8sGlueError } from '../errors.js';
import { bgpPeerToV1beta2 } from './conversion.js';

type Obj = { metadata?: { name?: string; namespace?: string }; [k: string]: unknown };

export interface AdmissionRequest {
  uid: string;
  kind: { group: string; version: string; kind: string };
  name?: string;
  namespace?: string;
  operation: 'CREATE' | 'UPDATE' | 'DELETE' | 'CONNECT';
  object?: Obj | null;
  oldObject?: Obj | null;
}

export interface AdmissionResponse {
  uid: string;
  allowed: boolean;
  result?: { code: number; reason?: string; message?: string };
  warnings?: string[];
}

export interface AdmissionReview {
  apiVersion: 'admission.k8s.io/v1';
  kind: 'AdmissionReview';
  request?: AdmissionRequest;
  response?: AdmissionResponse;
}

export interface AdmissionDecision {
  readonly allowed: boolean;
  readonly message?: string;
  /** Present when the request could not be decoded (HTTP 400 in the review). */
  readonly badRequest?: boolean;
  readonly warnings?: readonly string[];
  /** The problems this request would introduce. */
  readonly problems?: readonly ConfigProblem[];
}

/** Which ClusterResources list holds each validated kind. */
const LIST_OF: Record<string, keyof ClusterResources> = {
  IPAddressPool: 'pools',
  L2Advertisement: 'l2Advertisements',
  BGPAdvertisement: 'bgpAdvertisements',
  BGPPeer: 'peers',
  BFDProfile: 'bfdProfiles',
  Community: 'communities',
};
const STATUS_KINDS = new Set(['ServiceL2Status', 'ServiceBGPStatus', 'ConfigurationState']);

/**
 * The cluster's objects, each list sorted by name, with `obj` replacing (or `remove` removed
 * from) its kind's list. The object under review goes last, so that conflicts are reported
 * against it (MetalLB appends the new object to the existing ones the same way).
 */
function withObject(
  res: ClusterResources,
  kind: string,
  obj: Obj | undefined,
  remove: Obj | undefined,
): ClusterResources {
  const byName = (a: Obj, b: Obj) => (a.metadata?.name ?? '').localeCompare(b.metadata?.name ?? '');
  const out: Record<string, unknown> = { ...res };
  for (const k of Object.values(LIST_OF)) {
    out[k] = [...((res[k] as readonly Obj[] | undefined) ?? [])].sort(byName);
  }
  const key = LIST_OF[kind] as keyof ClusterResources;
  const name = (obj ?? remove)?.metadata?.name;
  const current = (out[key] as Obj[]).filter(
    (o) => name === undefined || o.metadata?.name !== name,
  );
  out[key] = obj ? [...current, obj] : current;
  return out as ClusterResources;
}

const problemKey = (p: ConfigProblem) => `${p.object.kind}/${p.object.name}|${p.path}|${p.message}`;

/**
 * The non-transient problems, or `error` when the parser threw. parseConfig checks the top-level
 * shape of every object but leaves field types to the CRD schema, so an object that skipped the
 * API server's schema (a stale cache, a direct call) can make it throw (`addresses: "x"`).
 */
function permanentProblems(
  res: ClusterResources,
  namespace: string,
): { problems: ConfigProblem[] } | { error: string } {
  try {
    const r = parseConfig(res, { namespace, keepInputOrder: true });
    return { problems: r.ok ? [] : r.problems.filter((p) => !p.transient) };
  } catch (e) {
    return { error: e instanceof Error ? e.message : String(e) };
  }
}

/** The denial for an object whose fields do not have the types its CRD schema gives them. */
function malformed(kind: string, obj: Obj, error: unknown): AdmissionDecision {
  const why = error instanceof Error ? error.message : String(error);
  return {
    allowed: false,
    message: `${kind} ${obj.metadata?.name ?? ''} is malformed: a field does not have the type the ${kind} schema gives it (${why})`,
  };
}

/**
 * Decides one admission request. `existing` is what the cluster holds now (IronLB's
 * namespace); `namespace` is IronLB's namespace.
 */
export function decideAdmission(
  req: AdmissionRequest,
  existing: ClusterResources,
  namespace: string = DEFAULT_NAMESPACE,
): AdmissionDecision {
  const kind = req.kind.kind;
  const isDelete = req.operation === 'DELETE';
  let obj = (isDelete ? req.oldObject : req.object) ?? undefined;
  if (!obj || typeof obj !== 'object' || typeof obj.metadata !== 'object' || obj.metadata === null)
    return { allowed: false, badRequest: true, message: 'request has no object' };
  if (kind === 'BGPPeer' && req.kind.version === 'v1beta1') {
    try {
      obj = bgpPeerToV1beta2(obj as unknown as BGPPeerV1beta1) as unknown as Obj;
    } catch (e) {
      // A bad v1beta2-fields annotation is denied with what is wrong with it.
      if (e instanceof K8sGlueError) return { allowed: false, message: e.message };
      return malformed(kind, obj, e);
    }
  }
  const objNs = obj.metadata?.namespace ?? req.namespace;
  if (objNs !== namespace) {
    // MetalLB checks the namespace on create only. An update of an object elsewhere concerns
    // an object IronLB never reads, so it is let through without validation.
    if (req.operation === 'CREATE') {
      return { allowed: false, message: `resource must be created in ${namespace} namespace` };
    }
    return { allowed: true };
  }
  if (STATUS_KINDS.has(kind) || !(kind in LIST_OF)) return { allowed: true };

  if (isDelete) {
    // MetalLB validateBFDDelete: a referenced profile cannot go away. Other deletions are
    // allowed (no webhook blocks deleting a pool in use, §1.8).
    if (kind === 'BFDProfile') {
      const user = (existing.peers ?? []).find((p) => p.spec?.bfdProfile === obj?.metadata?.name);
      if (user) {
        return {
          allowed: false,
          message: `failed to delete BFDProfile ${obj.metadata?.name ?? ''}, used by BGPPeer ${user.metadata.name ?? ''}`,
        };
      }
    }
    return { allowed: true };
  }

  const warnings: string[] = [];
  if (kind === 'BGPPeer' && (obj as unknown as BGPPeer).spec?.disableMP) {
    warnings.push('disableMP is deprecated and has no effect, use dualStackAddressFamily instead');
  }
  const after = permanentProblems(withObject(existing, kind, obj, undefined), namespace);
  // Nothing wrong with the cluster as it would be: allowed, and no need to parse it as it is.
  // This keeps a valid request to one parse (the largest body accepted, 3 MiB ≈ 180k pool
  // entries, is decided well under a second: issue 14, `nx run k8s-glue:bench`).
  if (!('error' in after) && after.problems.length === 0) {
    return { allowed: true, ...(warnings.length ? { warnings } : {}) };
  }
  const before = permanentProblems(withObject(existing, kind, undefined, undefined), namespace);
  if ('error' in after) {
    // Fail closed, and say which object is at fault: the one under review when the cluster
    // parsed without it, else the existing objects (MetalLB denies when it cannot validate).
    const name = obj.metadata?.name ?? '';
    return 'error' in before
      ? {
          allowed: false,
          message: `cannot validate ${kind} ${name}: the existing objects cannot be parsed: ${before.error}`,
        }
      : malformed(kind, obj, after.error);
  }
  // An update that replaces a malformed object: nothing to subtract, report every problem.
  const known = new Set('error' in before ? [] : before.problems.map(problemKey));
  const introduced = after.problems.filter((p) => !known.has(problemKey(p)));
  if (introduced.length > 0) {
    return {
      allowed: false,
      message: denialMessage(introduced),
      problems: introduced,
      ...(warnings.length ? { warnings } : {}),
    };
  }
  return { allowed: true, ...(warnings.length ? { warnings } : {}) };
}

/** Problems spelled out in a denial; `problems` keeps them all. */
export const MAX_DENIAL_PROBLEMS = 20;

/**
 * The denial text: the problems' messages, one per line, at most MAX_DENIAL_PROBLEMS of them —
 * a pool of 180k identical entries has 180k overlaps, and a 15 MB message helps nobody (the API
 * server relays it to kubectl).
 */
function denialMessage(problems: readonly ConfigProblem[]): string {
  const listed = problems.filter((p) => p.omitted === undefined);
  const omitted = problems.reduce((n, p) => n + (p.omitted ?? 0), 0);
  const shown = listed.slice(0, MAX_DENIAL_PROBLEMS).map((p) => p.message);
  const more = listed.length - shown.length + omitted;
  return more > 0 ? `${shown.join('\n')}\n... and ${more} more problems` : shown.join('\n');
}

/** Wraps a decision into the AdmissionReview v1 response (controller-runtime's codes). */
export function admissionResponse(uid: string, d: AdmissionDecision): AdmissionReview {
  const response: AdmissionResponse = { uid, allowed: d.allowed };
  if (d.badRequest) response.result = { code: 400, message: d.message ?? 'bad request' };
  else if (!d.allowed)
    response.result = {
      code: 403,
      reason: 'Forbidden',
      ...(d.message ? { message: d.message } : {}),
    };
  else response.result = { code: 200 };
  if (d.warnings?.length) response.warnings = [...d.warnings];
  return { apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview', response };
}

/** MetalLB's webhook paths, so that existing ValidatingWebhookConfigurations keep working. */
export const WEBHOOK_PATHS: Readonly<Record<string, string>> = {
  '/validate-metallb-io-v1beta1-ipaddresspool': 'IPAddressPool',
  '/validate-metallb-io-v1beta1-l2advertisement': 'L2Advertisement',
  '/validate-metallb-io-v1beta1-bgpadvertisement': 'BGPAdvertisement',
  '/validate-metallb-io-v1beta1-community': 'Community',
  '/validate-metallb-io-v1beta1-bfdprofile': 'BFDProfile',
  '/validate-metallb-io-v1beta2-bgppeer': 'BGPPeer',
  '/validate-metallb-io-v1beta1-bgppeer': 'BGPPeer',
  '/validate-metallb-io-v1beta1-servicel2status': 'ServiceL2Status',
  '/validate-metallb-io-v1beta1-servicebgpstatus': 'ServiceBGPStatus',
  '/validate-metallb-io-v1beta1-configurationstate': 'ConfigurationState',
};
