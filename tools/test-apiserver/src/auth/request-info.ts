// What a request asks for, from its method and URL alone, the way kube-apiserver's
// RequestInfoFactory (k8s.io/apiserver/pkg/endpoints/request/requestinfo.go) reads it: the verb
// (get/list/watch/create/update/patch/delete/deletecollection), API group and version, namespace,
// resource, subresource and name. Authorization, audit and the 403 message all use it.
// Note the real quirk kept here: GET /api/v1/namespaces/foo has namespace "foo".

export interface RequestInfo {
  isResourceRequest: boolean;
  /** The URL path (non-resource requests are authorized by path). */
  path: string;
  verb: string;
  apiGroup: string;
  apiVersion: string;
  namespace: string;
  resource: string;
  subresource: string;
  name: string;
}

const NAMESPACE_SUBRESOURCES = new Set(['status', 'finalize']);

function truthy(v: string | null): boolean {
  if (v === null) return false;
  const l = v.toLowerCase();
  return l !== 'false' && l !== '0';
}

/** metadata.name=<x> in a field selector (RequiresExactMatch), as list/watch of one object send it. */
function exactName(fieldSelector: string | null): string {
  if (!fieldSelector) return '';
  for (const part of fieldSelector.split(',')) {
    const m = /^\s*metadata\.name\s*(==?)\s*(.*?)\s*$/.exec(part);
    if (m && m[2] && !m[2].includes('/') && m[2] !== '.' && m[2] !== '..') return m[2];
  }
  return '';
}

export function requestInfo(method: string, path: string, query: URLSearchParams): RequestInfo {
  const info: RequestInfo = {
    isResourceRequest: false,
    path,
    verb: method.toLowerCase(),
    apiGroup: '',
    apiVersion: '',
    namespace: '',
    resource: '',
    subresource: '',
    name: '',
  };
  let parts = path.split('/').filter((p) => p !== '');
  if (parts.length < 3) return info;
  const prefix = parts[0];
  if (prefix !== 'api' && prefix !== 'apis') return info;
  parts = parts.slice(1);
  if (prefix === 'apis') {
    if (parts.length < 3) return info;
    info.apiGroup = parts[0] as string;
    parts = parts.slice(1);
  }
  info.isResourceRequest = true;
  info.apiVersion = parts[0] as string;
  parts = parts.slice(1);
  let viaPath = false;
  if (parts[0] === 'watch' || parts[0] === 'proxy') {
    if (parts.length < 2) return info;
    info.verb = parts[0];
    parts = parts.slice(1);
    viaPath = true;
  } else {
    const verbs: Record<string, string> = {
      POST: 'create',
      GET: 'get',
      HEAD: 'get',
      PUT: 'update',
      PATCH: 'patch',
      DELETE: 'delete',
    };
    info.verb = verbs[method.toUpperCase()] ?? '';
  }
  if (parts[0] === 'namespaces' && parts.length > 1) {
    info.namespace = parts[1] as string;
    if (parts.length > 2 && !NAMESPACE_SUBRESOURCES.has(parts[2] as string)) parts = parts.slice(2);
  }
  if (parts.length >= 3 && info.verb !== 'proxy') info.subresource = parts[2] as string;
  if (parts.length >= 2) info.name = parts[1] as string;
  if (parts.length >= 1) info.resource = parts[0] as string;
  if (info.name === '' && info.verb === 'get') {
    info.verb = truthy(query.get('watch')) ? 'watch' : 'list';
    info.name = exactName(query.get('fieldSelector'));
  }
  if (viaPath && info.verb === 'watch' && info.name === '')
    info.name = exactName(query.get('fieldSelector'));
  if (info.name === '' && info.verb === 'delete') info.verb = 'deletecollection';
  return info;
}
