// BGPPeer v1beta1 ⇄ v1beta2 conversion (ConversionReview v1, served on /convert), as MetalLB's
// api/v1beta1/bgppeer_conversion.go with two fixes:
//  - MetalLB materialises absent v1beta1 timers as explicit "0s" holdTime/keepaliveTime on the
//    way up (its v1beta1 Durations are not pointers), which turns "use the default" into "no
//    keepalives" (metallb-behaviour.md §1.4, §11). Absent stays absent here.
//  - v1beta2-only fields are dropped on the way down in MetalLB, so a v1beta1 client that reads
//    and writes back a peer erases them. We keep them in an annotation and restore them.
//
// Everything here reads input nobody checked yet (a ConversionReview body, an annotation a user
// may have edited): malformed input is a K8sGlueError 'CONVERSION_INVALID' naming what is wrong,
// which the review answers as a Failure — never a TypeError and a 500 (issue 14).
import type { BGPPeer, BGPPeerV1beta1 } from '../api/types.generated.js';
import type { ObjectMeta } from '../api/meta.js';
import { schemaProblem } from '../crd/check.js';
import { bgpPeerV1beta2Spec } from '../crd/specs.js';
import { K8sGlueError } from '../errors.js';

export const V1BETA2_FIELDS_ANNOTATION = 'ironlb.io/bgppeer-v1beta2-fields';

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** The spec fields v1beta1 has (everything else is v1beta2-only). */
const V1BETA1_FIELDS = [
  'peerPort',
  'nodeSelectors',
  'myASN',
  'peerASN',
  'peerAddress',
  'sourceAddress',
  'holdTime',
  'keepaliveTime',
  'routerID',
  'password',
  'bfdProfile',
  'ebgpMultiHop',
] as const;

type Obj = Record<string, unknown>;

/** The v1beta2 fields v1beta1 lacks: what the annotation may carry. */
const V1BETA2_ONLY = Object.keys(bgpPeerV1beta2Spec.properties ?? {})
  .filter((k) => !(V1BETA1_FIELDS as readonly string[]).includes(k))
  .sort();

const invalid = (message: string) => new K8sGlueError('CONVERSION_INVALID', message);

/**
 * The v1beta2-only fields kept in the annotation, checked like any input: a JSON object whose
 * keys are fields v1beta1 lacks (a v1beta1 field there would override the spec the user wrote)
 * and whose values have the v1beta2 schema's types and bounds. Semantics (dynamicASN with
 * peerASN, connectTime ranges, ...) are then the parser's, as for any BGPPeer.
 */
function annotationFields(name: string, text: string): Obj {
  const where = `BGPPeer ${name}: annotation ${V1BETA2_FIELDS_ANNOTATION}`;
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw invalid(`${where} is not JSON`);
  }
  if (!isObject(parsed)) throw invalid(`${where} must hold a JSON object`);
  const props = bgpPeerV1beta2Spec.properties ?? {};
  for (const [k, v] of Object.entries(parsed)) {
    if ((V1BETA1_FIELDS as readonly string[]).includes(k) || !(k in props)) {
      throw invalid(
        `${where}: ${JSON.stringify(k)} is not a v1beta2-only field (allowed: ${V1BETA2_ONLY.join(', ')})`,
      );
    }
    const problem = schemaProblem(v, props[k] as NonNullable<(typeof props)[string]>, `spec.${k}`);
    if (problem) throw invalid(`${where}: ${problem}`);
  }
  return parsed;
}

export function bgpPeerToV1beta2(src: BGPPeerV1beta1): BGPPeer {
  if (!isObject(src)) throw invalid('BGPPeer is not an object');
  if (!isObject(src.metadata)) throw invalid('BGPPeer has no metadata');
  if (src.spec !== undefined && src.spec !== null && !isObject(src.spec))
    throw invalid(`BGPPeer ${String(src.metadata.name ?? '')}: spec must be an object`);
  const s = (src.spec ?? {}) as Obj;
  const spec: Obj = {};
  for (const k of V1BETA1_FIELDS) {
    if (k === 'peerPort' || k === 'nodeSelectors') continue;
    if (s[k] !== undefined && s[k] !== null) spec[k] = s[k];
  }
  // v1beta1 allowed port 0 (meaning "default"); v1beta2 starts at 1 and defaults to 179.
  if (typeof s.peerPort === 'number' && s.peerPort > 0) spec.peerPort = s.peerPort;
  if (Array.isArray(s.nodeSelectors)) {
    spec.nodeSelectors = (s.nodeSelectors as Obj[]).map((ns) => ({
      ...(ns.matchLabels ? { matchLabels: ns.matchLabels } : {}),
      ...(ns.matchExpressions ? { matchExpressions: ns.matchExpressions } : {}),
    }));
  }
  const annotations = { ...(isObject(src.metadata.annotations) ? src.metadata.annotations : {}) };
  const kept = annotations[V1BETA2_FIELDS_ANNOTATION];
  delete annotations[V1BETA2_FIELDS_ANNOTATION];
  if (kept !== undefined) {
    if (typeof kept !== 'string')
      throw invalid(`BGPPeer annotation ${V1BETA2_FIELDS_ANNOTATION} must be a string`);
    Object.assign(spec, annotationFields(String(src.metadata.name ?? ''), kept));
  }
  const { annotations: _old, ...rest } = src.metadata;
  const metadata: ObjectMeta =
    Object.keys(annotations).length > 0 ? { ...rest, annotations } : rest;
  return {
    ...(src as unknown as Obj),
    apiVersion: 'metallb.io/v1beta2',
    metadata,
    spec: spec as BGPPeer['spec'],
  } as BGPPeer;
}

export function bgpPeerToV1beta1(src: BGPPeer): BGPPeerV1beta1 {
  if (!isObject(src)) throw invalid('BGPPeer is not an object');
  if (!isObject(src.metadata)) throw invalid('BGPPeer has no metadata');
  if (src.spec !== undefined && src.spec !== null && !isObject(src.spec))
    throw invalid(`BGPPeer ${String(src.metadata.name ?? '')}: spec must be an object`);
  const s = (src.spec ?? {}) as Obj;
  const spec: Obj = {};
  const extra: Obj = {};
  for (const [k, v] of Object.entries(s)) {
    if ((V1BETA1_FIELDS as readonly string[]).includes(k)) spec[k] = v;
    else if (v !== undefined && v !== null) extra[k] = v;
  }
  const annotations = { ...(isObject(src.metadata.annotations) ? src.metadata.annotations : {}) };
  if (Object.keys(extra).length > 0) annotations[V1BETA2_FIELDS_ANNOTATION] = JSON.stringify(extra);
  const metadata = { ...src.metadata };
  if (Object.keys(annotations).length > 0) metadata.annotations = annotations;
  return {
    ...(src as unknown as Obj),
    apiVersion: 'metallb.io/v1beta1',
    metadata,
    spec: spec as BGPPeerV1beta1['spec'],
  } as BGPPeerV1beta1;
}

export interface ConversionReview {
  apiVersion: 'apiextensions.k8s.io/v1';
  kind: 'ConversionReview';
  request?: { uid: string; desiredAPIVersion: string; objects: Obj[] };
  response?: {
    uid: string;
    convertedObjects: Obj[];
    result: { status: 'Success' | 'Failure'; message?: string };
  };
}

/**
 * Answers a ConversionReview; unknown kinds or versions and malformed objects fail the whole
 * review with a message, as the API expects. Never throws, whatever the body (`null`,
 * `objects: [null]`, a BGPPeer without metadata).
 */
export function handleConversionReview(review: unknown): ConversionReview {
  const req = isObject(review) && isObject(review.request) ? review.request : undefined;
  const uid = typeof req?.uid === 'string' ? req.uid : '';
  const fail = (message: string): ConversionReview => ({
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'ConversionReview',
    response: { uid, convertedObjects: [], result: { status: 'Failure', message } },
  });
  if (!req || !Array.isArray(req.objects)) return fail('conversion review has no request');
  const to = req.desiredAPIVersion;
  if (typeof to !== 'string') return fail('conversion review has no desiredAPIVersion');
  const out: Obj[] = [];
  for (const [i, o] of (req.objects as unknown[]).entries()) {
    if (!isObject(o)) return fail(`object ${i} is not an object`);
    if (o.kind !== 'BGPPeer') return fail(`unsupported kind ${String(o.kind)}`);
    if (!isObject(o.metadata)) return fail(`object ${i} (BGPPeer) has no metadata`);
    const from = String(o.apiVersion);
    try {
      if (from === to) out.push(o);
      else if (from === 'metallb.io/v1beta1' && to === 'metallb.io/v1beta2') {
        out.push(bgpPeerToV1beta2(o as unknown as BGPPeerV1beta1) as unknown as Obj);
      } else if (from === 'metallb.io/v1beta2' && to === 'metallb.io/v1beta1') {
        out.push(bgpPeerToV1beta1(o as unknown as BGPPeer) as unknown as Obj);
      } else return fail(`unsupported conversion from ${from} to ${to}`);
    } catch (e) {
      return fail(e instanceof K8sGlueError ? e.message : `object ${i}: ${String(e)}`);
    }
  }
  return {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'ConversionReview',
    response: { uid, convertedObjects: out, result: { status: 'Success' } },
  };
}
