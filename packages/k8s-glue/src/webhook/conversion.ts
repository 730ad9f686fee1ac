// BGPPeer v1beta1 ⇄ v1beta2 conversion (ConversionReview v1, served on /convert), as MetalLB's
// api/v1beta1/bgppeer_conversion.go with two fixes:
//  - MetalLB materialises absent v1beta1 timers as explicit "0s" holdTime/keepaliveTime on the
//    way up (its v1beta1 Durations are not pointers), which turns "use the default" into "no
//    keepalives" (metallb-behaviour.md §1.4, §11). Absent stays absent here.
//  - v1beta2-only fields are dropped on the way down in MetalLB, so a v1beta1 client that reads
//    and writes back a peer erases them. We keep them in an annotation and restore them.
import type { BGPPeer, BGPPeerV1beta1 } from '../api/types.generated.js';
import type { ObjectMeta } from '../api/meta.js';

export const V1BETA2_FIELDS_ANNOTATION = 'ironlb.io/bgppeer-v1beta2-fields';

const COMMON = [
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

export function bgpPeerToV1beta2(src: BGPPeerV1beta1): BGPPeer {
  const s = (src.spec ?? {}) as Obj;
  const spec: Obj = {};
  for (const k of COMMON) if (s[k] !== undefined && s[k] !== null) spec[k] = s[k];
  // v1beta1 allowed port 0 (meaning "default"); v1beta2 starts at 1 and defaults to 179.
  if (typeof s.peerPort === 'number' && s.peerPort > 0) spec.peerPort = s.peerPort;
  if (Array.isArray(s.nodeSelectors)) {
    spec.nodeSelectors = (s.nodeSelectors as Obj[]).map((ns) => ({
      ...(ns.matchLabels ? { matchLabels: ns.matchLabels } : {}),
      ...(ns.matchExpressions ? { matchExpressions: ns.matchExpressions } : {}),
    }));
  }
  const annotations = { ...(src.metadata.annotations ?? {}) };
  const kept = annotations[V1BETA2_FIELDS_ANNOTATION];
  delete annotations[V1BETA2_FIELDS_ANNOTATION];
  if (kept) {
    try {
      Object.assign(spec, JSON.parse(kept) as Obj);
    } catch {
      // A hand-edited, unparsable annotation only loses the extra fields, as MetalLB would.
    }
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
  const s = (src.spec ?? {}) as Obj;
  const spec: Obj = {};
  const extra: Obj = {};
  for (const [k, v] of Object.entries(s)) {
    if ((COMMON as readonly string[]).includes(k) || k === 'peerPort' || k === 'nodeSelectors')
      spec[k] = v;
    else if (v !== undefined && v !== null) extra[k] = v;
  }
  const annotations = { ...(src.metadata.annotations ?? {}) };
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

/** Answers a ConversionReview; unknown kinds or versions fail the whole review, as the API expects. */
export function handleConversionReview(review: ConversionReview): ConversionReview {
  const req = review.request;
  const uid = req?.uid ?? '';
  const fail = (message: string): ConversionReview => ({
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'ConversionReview',
    response: { uid, convertedObjects: [], result: { status: 'Failure', message } },
  });
  if (!req || !Array.isArray(req.objects)) return fail('conversion review has no request');
  const out: Obj[] = [];
  for (const o of req.objects) {
    if (o.kind !== 'BGPPeer') return fail(`unsupported kind ${String(o.kind)}`);
    const from = String(o.apiVersion);
    const to = req.desiredAPIVersion;
    if (from === to) out.push(o);
    else if (from === 'metallb.io/v1beta1' && to === 'metallb.io/v1beta2') {
      out.push(bgpPeerToV1beta2(o as unknown as BGPPeerV1beta1) as unknown as Obj);
    } else if (from === 'metallb.io/v1beta2' && to === 'metallb.io/v1beta1') {
      out.push(bgpPeerToV1beta1(o as unknown as BGPPeer) as unknown as Obj);
    } else return fail(`unsupported conversion from ${from} to ${to}`);
  }
  return {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'ConversionReview',
    response: { uid, convertedObjects: out, result: { status: 'Success' } },
  };
}
