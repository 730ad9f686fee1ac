import { readFileSync } from 'node:fs';
import { parseAllDocuments } from 'yaml';
import { describe, expect, it } from 'vitest';
import { checkStructuralSchema, validateCustomResource } from './custom-resource.ts';
import type { CustomResourceDefinition } from './types.ts';

const crds = parseAllDocuments(
  readFileSync(new URL('../../test/fixtures/metallb-like-crds.yaml', import.meta.url), 'utf8'),
).map((d) => d.toJS() as CustomResourceDefinition);
const pools = crds.find((c) => c.spec.names.kind === 'IPAddressPool')!;
const peers = crds.find((c) => c.spec.names.kind === 'BGPPeer')!;

const pool = (spec: unknown) => ({
  apiVersion: 'metallb.io/v1beta1',
  kind: 'IPAddressPool',
  metadata: { name: 'p', namespace: 'metallb-system' },
  spec,
});
const peer = (spec: Record<string, unknown>) => ({
  apiVersion: 'metallb.io/v1beta2',
  kind: 'BGPPeer',
  metadata: { name: 'r' },
  spec,
});

describe('validateCustomResource', () => {
  it('applies defaults without touching the input', () => {
    const input = pool({ addresses: ['192.0.2.0/24'] });
    const r = validateCustomResource(pools, 'v1beta1', input);
    expect(r.causes).toEqual([]);
    expect(r.object.spec).toEqual({
      addresses: ['192.0.2.0/24'],
      autoAssign: true,
      avoidBuggyIPs: false,
    });
    expect(input.spec).toEqual({ addresses: ['192.0.2.0/24'] });
  });

  it('treats a null in a non-nullable field as unset and defaults it', () => {
    const r = validateCustomResource(pools, 'v1beta1', pool({ addresses: [], autoAssign: null }));
    expect(r.causes).toEqual([]);
    expect((r.object.spec as Record<string, unknown>).autoAssign).toBe(true);
  });

  it('prunes unknown fields and reports their paths', () => {
    const r = validateCustomResource(pools, 'v1beta1', pool({ addresses: [], autoAsign: false }));
    expect(r.prunedFields).toEqual(['spec.autoAsign']);
    expect(r.object.spec).not.toHaveProperty('autoAsign');
  });

  it('reports required fields and type errors with field paths and reasons', () => {
    const r = validateCustomResource(pools, 'v1beta1', pool({ autoAssign: 'yes' }));
    expect(r.causes).toEqual([
      { reason: 'FieldValueRequired', message: 'Required value', field: 'spec.addresses' },
      {
        reason: 'FieldValueTypeInvalid',
        message:
          'Invalid value: "string": spec.autoAssign in body must be of type boolean: "string"',
        field: 'spec.autoAssign',
      },
    ]);
  });

  it('checks ranges, enums and listType=set duplicates', () => {
    const r = validateCustomResource(
      peers,
      'v1beta2',
      peer({ myASN: 64500, dynamicASN: 'sideways', peerPort: 70000 }),
    );
    expect(r.causes.map((c) => [c.field, c.reason])).toEqual([
      ['spec.dynamicASN', 'FieldValueNotSupported'],
      ['spec.peerPort', 'FieldValueInvalid'],
    ]);
    expect(r.causes[0]!.message).toBe(
      'Unsupported value: "sideways": supported values: "internal", "external"',
    );
    const dup = validateCustomResource(
      pools,
      'v1beta1',
      pool({ addresses: [], serviceAllocation: { namespaces: ['a', 'b', 'a'] } }),
    );
    expect(dup.causes).toEqual([
      {
        reason: 'FieldValueDuplicate',
        message: 'Duplicate value: "a"',
        field: 'spec.serviceAllocation.namespaces[2]',
      },
    ]);
  });

  it('runs CEL rules with their messages (MetalLB connectTime rules)', () => {
    const ok = validateCustomResource(
      peers,
      'v1beta2',
      peer({ myASN: 1, peerASN: 2, connectTime: '5s' }),
    );
    expect(ok.causes).toEqual([]);
    const bad = validateCustomResource(
      peers,
      'v1beta2',
      peer({ myASN: 1, peerASN: 2, connectTime: '1500ms' }),
    );
    expect(bad.causes).toEqual([
      {
        reason: 'FieldValueInvalid',
        message: 'Invalid value: "string": connect time should contain a whole number of seconds',
        field: 'spec.connectTime',
      },
    ]);
    const neither = validateCustomResource(peers, 'v1beta2', peer({ myASN: 1 }));
    expect(neither.causes).toEqual([
      {
        reason: 'FieldValueInvalid',
        message: 'Invalid value: "object": exactly one of peerASN or dynamicASN must be specified',
        field: 'spec',
      },
    ]);
  });

  it('runs transition rules only on update, against the old value', () => {
    const created = validateCustomResource(
      peers,
      'v1beta2',
      peer({ myASN: 1, peerASN: 2, enableGracefulRestart: true }),
    );
    expect(created.causes).toEqual([]);
    const same = validateCustomResource(
      peers,
      'v1beta2',
      peer({ myASN: 1, peerASN: 3, enableGracefulRestart: true }),
      created.object,
    );
    expect(same.causes).toEqual([]);
    const changed = validateCustomResource(
      peers,
      'v1beta2',
      peer({ myASN: 1, peerASN: 2, enableGracefulRestart: false }),
      created.object,
    );
    expect(changed.causes).toEqual([
      {
        reason: 'FieldValueInvalid',
        message: 'Invalid value: "boolean": EnableGracefulRestart cannot be changed after creation',
        field: 'spec.enableGracefulRestart',
      },
    ]);
  });

  it('validates each version with its own schema', () => {
    const v1 = validateCustomResource(peers, 'v1beta1', {
      ...peer({ myASN: 1, peerASN: 2 }),
      apiVersion: 'metallb.io/v1beta1',
    });
    expect(v1.causes.map((c) => c.field)).toEqual(['spec.peerAddress']);
    const unknown = validateCustomResource(peers, 'v9', peer({}));
    expect(unknown.causes[0]!.reason).toBe('FieldValueNotSupported');
  });

  it('checks that schemas are structural and rules compile', () => {
    expect(
      checkStructuralSchema(peers.spec.versions[1]!.schema!.openAPIV3Schema!, 'schema'),
    ).toEqual([]);
    const causes = checkStructuralSchema(
      {
        type: 'object',
        properties: {
          spec: {
            properties: {
              a: { type: 'string', 'x-kubernetes-validations': [{ rule: 'self ==' }] },
            },
          },
        },
      },
      'schema',
    );
    expect(causes.map((c) => [c.field, c.reason])).toEqual([
      ['schema.properties[spec].type', 'FieldValueRequired'],
      [
        'schema.properties[spec].properties[a].x-kubernetes-validations[0].rule',
        'FieldValueInvalid',
      ],
    ]);
  });
});
