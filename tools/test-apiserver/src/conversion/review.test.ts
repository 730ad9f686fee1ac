// ConversionReview response checks and restoreObjectMeta, as the apiextensions webhook converter
// applies them.
import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../registry/types.ts';
import { acceptConverted, conversionReview, convertedObjects } from './review.ts';

const original: KubeObject = {
  apiVersion: 'metallb.io/v1beta1',
  kind: 'BGPPeer',
  metadata: {
    name: 'p',
    namespace: 'metallb-system',
    uid: 'u',
    resourceVersion: '7',
    labels: { a: 'b' },
  },
  spec: { peerAddress: '192.0.2.1' },
};

describe('ConversionReview', () => {
  it('builds the request and reads a Success response', () => {
    expect(conversionReview('id', 'metallb.io/v1beta2', [original])).toMatchObject({
      apiVersion: 'apiextensions.k8s.io/v1',
      kind: 'ConversionReview',
      request: { uid: 'id', desiredAPIVersion: 'metallb.io/v1beta2' },
    });
    const ok = {
      apiVersion: 'apiextensions.k8s.io/v1',
      kind: 'ConversionReview',
      response: { uid: 'id', result: { status: 'Success' }, convertedObjects: [{}] },
    };
    expect(convertedObjects('id', ok)).toEqual([{}]);
    expect(convertedObjects('other', ok)).toBe('expected response.uid="other", got "id"');
    expect(
      convertedObjects('id', {
        ...ok,
        response: { uid: 'id', result: { status: 'Failure', message: 'no way' } },
      }),
    ).toBe('no way');
  });

  it('restores metadata except labels and annotations, and checks identity', () => {
    const converted = {
      apiVersion: 'metallb.io/v1beta2',
      kind: 'BGPPeer',
      metadata: {
        name: 'p',
        namespace: 'metallb-system',
        uid: 'u',
        resourceVersion: 'changed',
        annotations: { x: 'y' },
      },
      spec: { peerAddress: '192.0.2.1', extra: true },
    };
    expect(acceptConverted(original, converted, 'metallb.io/v1beta2')).toEqual({
      apiVersion: 'metallb.io/v1beta2',
      kind: 'BGPPeer',
      metadata: {
        name: 'p',
        namespace: 'metallb-system',
        uid: 'u',
        resourceVersion: '7',
        annotations: { x: 'y' },
      },
      spec: { peerAddress: '192.0.2.1', extra: true },
    });
    expect(acceptConverted(original, converted, 'metallb.io/v1')).toBe(
      'invalid groupVersion (expected metallb.io/v1, received metallb.io/v1beta2)',
    );
    expect(
      acceptConverted(
        original,
        { ...converted, metadata: { ...converted.metadata, name: 'q' } },
        'metallb.io/v1beta2',
      ),
    ).toBe('must have the same name: p != q');
    expect(
      acceptConverted(
        original,
        { ...converted, metadata: { ...converted.metadata, labels: { n: 1 } } },
        'metallb.io/v1beta2',
      ),
    ).toBe('metadata.labels[n] must be a string, but is number in converted object');
  });
});
