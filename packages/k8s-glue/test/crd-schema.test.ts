// The generated CRDs accept the seeds' YAML unchanged and refuse broken variants with
// MetalLB's messages (OpenAPI bounds and CEL rules), using the test API server's schema module.
import { describe, expect, it } from 'vitest';
import { validateCustomResource, type CustomResourceDefinition } from '@ironlb/test-apiserver';
import { buildCrd } from '../src/crd/render.js';
import { KINDS } from '../src/crd/definitions.js';
import { fixture, yamlDocs } from './helpers.js';

const crdFor = (kind: string) =>
  buildCrd(
    KINDS.find((k) => k.kind === kind) as (typeof KINDS)[number],
  ) as unknown as CustomResourceDefinition;

function validate(obj: Record<string, unknown>, old?: Record<string, unknown>) {
  const [, version] = String(obj.apiVersion).split('/');
  return validateCustomResource(crdFor(String(obj.kind)), version as string, obj, old);
}

const messages = (r: ReturnType<typeof validate>) => r.causes.map((c) => c.message).join('\n');

describe('generated CRDs against the seeds', () => {
  for (const file of ['seeds/001-crs.yaml', 'seeds/003-crs.yaml', 'seeds/003-pool-options.yaml']) {
    it(`accept ${file} unchanged`, () => {
      const docs = yamlDocs(fixture(file));
      expect(docs.length).toBeGreaterThan(0);
      for (const d of docs) expect(validate(d).causes).toEqual([]);
    });
  }

  it('apply MetalLB defaults (autoAssign true, avoidBuggyIPs false, aggregation 32/128, port 179)', () => {
    const [pool] = yamlDocs(fixture('seeds/003-crs.yaml'));
    expect(validate(pool as Record<string, unknown>).object.spec).toEqual({
      addresses: ['172.25.1.1-172.25.1.100'],
      autoAssign: true,
      avoidBuggyIPs: false,
    });
    const ad = validate({
      apiVersion: 'metallb.io/v1beta1',
      kind: 'BGPAdvertisement',
      metadata: { name: 'a' },
      spec: {},
    });
    expect(ad.object.spec).toEqual({ aggregationLength: 32, aggregationLengthV6: 128 });
    const peer = validate({
      apiVersion: 'metallb.io/v1beta2',
      kind: 'BGPPeer',
      metadata: { name: 'p' },
      spec: { myASN: 64512, peerASN: 64513, peerAddress: '192.0.2.1' },
    });
    expect(peer.causes).toEqual([]);
    expect(peer.object.spec).toMatchObject({
      peerPort: 179,
      disableMP: false,
      dualStackAddressFamily: false,
    });
  });
});

describe('generated CRDs refuse broken variants', () => {
  const peer = (spec: Record<string, unknown>) => ({
    apiVersion: 'metallb.io/v1beta2',
    kind: 'BGPPeer',
    metadata: { name: 'p' },
    spec: { myASN: 64512, peerASN: 64513, peerAddress: '192.0.2.1', ...spec },
  });
  const cases: {
    name: string;
    obj: Record<string, unknown>;
    old?: Record<string, unknown>;
    expect: string;
  }[] = [
    {
      name: 'pool without addresses',
      obj: {
        apiVersion: 'metallb.io/v1beta1',
        kind: 'IPAddressPool',
        metadata: { name: 'x' },
        spec: {},
      },
      expect: 'Required value',
    },
    {
      name: 'aggregationLength 0',
      obj: {
        apiVersion: 'metallb.io/v1beta1',
        kind: 'BGPAdvertisement',
        metadata: { name: 'a' },
        spec: { aggregationLength: 0 },
      },
      expect: 'should be greater than or equal to 1',
    },
    {
      name: 'serviceSelectors with aggregation (CEL)',
      obj: {
        apiVersion: 'metallb.io/v1beta1',
        kind: 'BGPAdvertisement',
        metadata: { name: 'a' },
        spec: { aggregationLength: 24, serviceSelectors: [{ matchLabels: { a: 'b' } }] },
      },
      expect: 'serviceSelectors and aggregationLength are mutually exclusive',
    },
    {
      name: 'peerPort 0 in v1beta2',
      obj: peer({ peerPort: 0 }),
      expect: 'should be greater than or equal to 1',
    },
    {
      name: 'peerPort above 16384',
      obj: peer({ peerPort: 20000 }),
      expect: 'should be less than or equal to 16384',
    },
    {
      name: 'dynamicASN not in the enum',
      obj: peer({ dynamicASN: 'sometimes' }),
      expect: 'Unsupported value',
    },
    {
      name: 'connectTime 0s (CEL)',
      obj: peer({ connectTime: '0s' }),
      expect: 'connect time should be between 1 seconds to 65535',
    },
    {
      name: 'connectTime with milliseconds (CEL)',
      obj: peer({ connectTime: '1500ms' }),
      expect: 'connect time should contain a whole number of seconds',
    },
    {
      name: 'enableGracefulRestart changed (CEL transition rule)',
      obj: peer({ enableGracefulRestart: true }),
      old: peer({ enableGracefulRestart: false }),
      expect: 'EnableGracefulRestart cannot be changed after creation',
    },
    {
      name: 'BFD detectMultiplier 1',
      obj: {
        apiVersion: 'metallb.io/v1beta1',
        kind: 'BFDProfile',
        metadata: { name: 'b' },
        spec: { detectMultiplier: 1 },
      },
      expect: 'should be greater than or equal to 2',
    },
    {
      name: 'BFD receiveInterval 70000',
      obj: {
        apiVersion: 'metallb.io/v1beta1',
        kind: 'BFDProfile',
        metadata: { name: 'b' },
        spec: { receiveInterval: 70000 },
      },
      expect: 'should be less than or equal to 60000',
    },
    {
      name: 'preferred node weight 0',
      obj: {
        apiVersion: 'metallb.io/v1beta1',
        kind: 'L2Advertisement',
        metadata: { name: 'l' },
        spec: { preferredNodeSelectors: [{ weight: 0, preference: {} }] },
      },
      expect: 'should be greater than or equal to 1',
    },
    {
      name: 'ServiceL2Status node changed',
      obj: {
        apiVersion: 'metallb.io/v1beta1',
        kind: 'ServiceL2Status',
        metadata: { name: 's' },
        status: { node: 'b' },
      },
      old: {
        apiVersion: 'metallb.io/v1beta1',
        kind: 'ServiceL2Status',
        metadata: { name: 's' },
        status: { node: 'a' },
      },
      expect: 'Value is immutable',
    },
    {
      name: 'v1beta1 peer without peerAddress',
      obj: {
        apiVersion: 'metallb.io/v1beta1',
        kind: 'BGPPeer',
        metadata: { name: 'p' },
        spec: { myASN: 1, peerASN: 2 },
      },
      expect: 'Required value',
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const r = validate(c.obj, c.old);
      expect(r.causes.length).toBeGreaterThan(0);
      expect(messages(r)).toContain(c.expect);
    });
  }
});
