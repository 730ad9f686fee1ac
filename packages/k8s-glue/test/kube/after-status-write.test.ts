// What the controller caches after its own status write: the object the write was based on, with
// the written annotations, status and resourceVersion from the API server's answer.
import { describe, expect, it } from 'vitest';
import { afterStatusWrite } from '../../src/kube/controller-writes.js';
import type { ServiceObject } from '../../src/controller/service.js';

describe('afterStatusWrite', () => {
  const based: ServiceObject = {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: {
      name: 'web',
      namespace: 'ns',
      resourceVersion: '10',
      labels: { app: 'web' },
      annotations: { 'metallb.io/address-pool': 'a' },
    },
    spec: { type: 'LoadBalancer', ports: [{ port: 80 }] },
  };

  it('takes what the write changed from the answer and keeps the rest of the cached object', () => {
    const written: ServiceObject = {
      metadata: {
        name: 'web',
        namespace: 'ns',
        resourceVersion: '11',
        labels: { app: 'web' },
        annotations: {
          'metallb.io/address-pool': 'a',
          'metallb.io/ip-allocated-from-pool': 'a',
        },
      },
      spec: { type: 'LoadBalancer', ports: [{ port: 80 }] },
      status: { loadBalancer: { ingress: [{ ip: '192.0.2.1' }] } },
    };
    const out = afterStatusWrite(based, written);
    expect(out.metadata.resourceVersion).toBe('11');
    expect(out.metadata.annotations).toEqual(written.metadata.annotations);
    expect(out.status).toEqual({ loadBalancer: { ingress: [{ ip: '192.0.2.1' }] } });
    // The unchanged parts are the cached ones (not copies from the answer), and the cached object
    // itself is not modified.
    expect(out.spec).toBe(based.spec);
    expect(out.metadata.labels).toBe(based.metadata.labels);
    expect(based.metadata.resourceVersion).toBe('10');
    expect(based.status).toBeUndefined();
  });

  it('a write that cleared the status and the annotations clears them in the cache too', () => {
    const withStatus = {
      ...based,
      status: { loadBalancer: { ingress: [{ ip: '192.0.2.1' }] } },
    };
    const out = afterStatusWrite(withStatus, {
      metadata: { name: 'web', namespace: 'ns', resourceVersion: '12' },
    });
    expect(out.status).toBeUndefined();
    expect(out.metadata.annotations).toBeUndefined();
    expect(out.metadata.resourceVersion).toBe('12');
  });
});
