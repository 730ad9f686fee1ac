// Request paths as kube-apiserver reads them, hardened (issue 14): the raw path is split on `/`
// BEFORE percent-decoding, so an encoded dot-segment (`%2e%2e`) or an encoded slash (`%2f`) can
// never move the request to another object or namespace (WHATWG URL parsing would normalise
// `.../configmaps/%2e%2e` to the namespace itself). Bad escapes (`%zz`) are a 400, not a 500.
import { badRequest } from '../errors.ts';
import { pathSegmentErrors } from '../util/meta.ts';

export interface RequestPath {
  /** The decoded path, `/`-joined, without a trailing slash (`/` for the root). */
  path: string;
  /** Decoded segments; none is empty, `.`, `..`, or contains `/` or `%`. */
  segments: string[];
  params: URLSearchParams;
}

/** Most segments any served path has (/apis/g/v/namespaces/ns/resource/name/sub = 8; watch adds 1). */
export const MAX_SEGMENTS = 9;

export function parseRequestPath(rawUrl: string): RequestPath {
  const q = rawUrl.indexOf('?');
  const rawPath = q < 0 ? rawUrl : rawUrl.slice(0, q);
  const rawQuery = q < 0 ? '' : rawUrl.slice(q + 1);
  const segments: string[] = [];
  for (const raw of rawPath.split('/')) {
    if (raw === '') continue;
    let seg: string;
    try {
      seg = decodeURIComponent(raw);
    } catch {
      throw badRequest(`invalid URL escape in path segment ${JSON.stringify(raw)}`);
    }
    // kube-apiserver validates names and namespaces from the path with ValidatePathSegmentName
    // (k8s.io/apimachinery/pkg/api/validation/path): never `.`/`..`, never `/` or `%` inside.
    const errs = pathSegmentErrors(seg);
    if (errs.length)
      throw badRequest(`invalid resource name ${JSON.stringify(seg)}: [${errs.join(', ')}]`);
    segments.push(seg);
  }
  // The segment count is checked after decoding: an encoded slash cannot add segments.
  if (segments.length > MAX_SEGMENTS + 1)
    throw badRequest(`the request path has too many segments (${segments.length})`);
  let params: URLSearchParams;
  try {
    // URLSearchParams replaces bad escapes silently; check them like Go's url.ParseQuery does.
    decodeURIComponent(rawQuery.replace(/\+/g, ' '));
    params = new URLSearchParams(rawQuery);
  } catch {
    throw badRequest('invalid URL escape in the query string');
  }
  return { path: segments.length ? `/${segments.join('/')}` : '/', segments, params };
}
