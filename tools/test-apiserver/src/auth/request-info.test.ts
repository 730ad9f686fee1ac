// RequestInfo as kube-apiserver's RequestInfoFactory reads URLs (requestinfo.go).
import { describe, expect, it } from 'vitest';
import { requestInfo } from './request-info.ts';

const ri = (method: string, path: string, query = '') =>
  requestInfo(method, path, new URLSearchParams(query));

describe('requestInfo', () => {
  it('maps methods and collection/object paths to verbs', () => {
    expect(ri('GET', '/api/v1/namespaces/a/pods')).toMatchObject({
      verb: 'list',
      resource: 'pods',
      namespace: 'a',
      name: '',
      apiGroup: '',
      apiVersion: 'v1',
    });
    expect(ri('GET', '/api/v1/namespaces/a/pods', 'watch=true').verb).toBe('watch');
    expect(ri('GET', '/api/v1/namespaces/a/pods/p').verb).toBe('get');
    expect(ri('POST', '/api/v1/namespaces/a/pods').verb).toBe('create');
    expect(ri('PUT', '/api/v1/namespaces/a/pods/p').verb).toBe('update');
    expect(ri('PATCH', '/api/v1/namespaces/a/pods/p').verb).toBe('patch');
    expect(ri('DELETE', '/api/v1/namespaces/a/pods/p').verb).toBe('delete');
    expect(ri('DELETE', '/api/v1/namespaces/a/pods').verb).toBe('deletecollection');
  });

  it('reads groups, subresources, /watch/ paths and a single-object field selector', () => {
    expect(
      ri('GET', '/apis/metallb.io/v1beta1/namespaces/m/ipaddresspools/p/status'),
    ).toMatchObject({
      apiGroup: 'metallb.io',
      apiVersion: 'v1beta1',
      resource: 'ipaddresspools',
      name: 'p',
      subresource: 'status',
      verb: 'get',
    });
    expect(ri('GET', '/api/v1/watch/namespaces/a/services/s')).toMatchObject({
      verb: 'watch',
      name: 's',
    });
    expect(
      ri('GET', '/api/v1/namespaces/a/services', 'watch=1&fieldSelector=metadata.name%3Ds'),
    ).toMatchObject({
      verb: 'watch',
      name: 's',
    });
  });

  it('namespaces have themselves as namespace; status/finalize are namespace subresources', () => {
    expect(ri('GET', '/api/v1/namespaces/foo')).toMatchObject({
      resource: 'namespaces',
      name: 'foo',
      namespace: 'foo',
    });
    expect(ri('PUT', '/api/v1/namespaces/foo/finalize')).toMatchObject({
      resource: 'namespaces',
      subresource: 'finalize',
      namespace: 'foo',
    });
    expect(ri('GET', '/api/v1/nodes')).toMatchObject({ resource: 'nodes', namespace: '' });
  });

  it('non-resource requests keep the lower-cased HTTP method as the verb', () => {
    expect(ri('GET', '/version')).toMatchObject({ isResourceRequest: false, verb: 'get' });
    expect(ri('GET', '/apis')).toMatchObject({ isResourceRequest: false });
    expect(ri('GET', '/apis/apps/v1')).toMatchObject({ isResourceRequest: false });
    expect(ri('POST', '/api/v1')).toMatchObject({ isResourceRequest: false, verb: 'post' });
  });
});
