// Response media types (kube-apiserver's negotiation): plain JSON; `application/json;as=Table;
// v=v1;g=meta.k8s.io` (server-side printing, what `kubectl get` asks for first); aggregated
// discovery is negotiated in discovery.ts. Protobuf answers are not produced: every Go client
// lists JSON as a fallback, and one that does not gets 406.
import { ApiError } from '../errors.ts';

export interface Negotiated {
  format: 'json' | 'table';
  /** Table version asked for (`meta.k8s.io/v1` or `v1beta1`). */
  tableVersion?: 'v1' | 'v1beta1';
}

export const TABLE_V1 = 'application/json;as=Table;v=v1;g=meta.k8s.io';
export const TABLE_V1BETA1 = 'application/json;as=Table;v=v1beta1;g=meta.k8s.io';

export function negotiate(accept: string | undefined): Negotiated {
  if (!accept) return { format: 'json' };
  for (const part of accept.split(',')) {
    const [base, ...paramList] = part.split(';').map((x) => x.trim().toLowerCase());
    const params = new Map(
      paramList.map((kv) => {
        const i = kv.indexOf('=');
        return [kv.slice(0, i), kv.slice(i + 1)] as [string, string];
      }),
    );
    const as = params.get('as');
    if (
      as === 'table' &&
      params.get('g') === 'meta.k8s.io' &&
      (base === 'application/json' || base === '*/*')
    ) {
      const v = params.get('v');
      if (v === 'v1' || v === 'v1beta1') return { format: 'table', tableVersion: v };
      continue;
    }
    if (as !== undefined) continue; // PartialObjectMetadata and friends: not served
    if (
      base === 'application/json' ||
      base === '*/*' ||
      base === 'application/*' ||
      base === 'application/yaml'
    )
      return { format: 'json' };
  }
  throw new ApiError(
    406,
    'NotAcceptable',
    `only the following media types are accepted: application/json, application/yaml, ${TABLE_V1} (not ${accept})`,
  );
}
