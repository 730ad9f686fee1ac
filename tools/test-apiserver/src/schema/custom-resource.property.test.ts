// Property: whatever JSON a client sends, validation answers with causes — it never throws — and
// validating the defaulted result again is stable (defaulting is idempotent).
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { parseAllDocuments } from 'yaml';
import { describe, expect, it } from 'vitest';
import { validateCustomResource } from './custom-resource.ts';
import type { CustomResourceDefinition } from './types.ts';

const crds = parseAllDocuments(
  readFileSync(new URL('../../test/fixtures/metallb-like-crds.yaml', import.meta.url), 'utf8'),
).map((d) => d.toJS() as CustomResourceDefinition);

const value = fc.letrec((tie) => ({
  any: fc.oneof(
    { depthSize: 'small' },
    fc.constant(null),
    fc.boolean(),
    fc.integer(),
    fc.double({ noNaN: true, noDefaultInfinity: true }),
    fc.constantFrom('', 'x', '5s', '1500ms', 'internal', '192.0.2.0/24'),
    fc.array(tie('any'), { maxLength: 4 }),
    fc.dictionary(
      fc.constantFrom('addresses', 'autoAssign', 'myASN', 'peerASN', 'connectTime', 'spec', 'x'),
      tie('any'),
      { maxKeys: 4 },
    ),
  ),
})).any;

describe('validateCustomResource on arbitrary input', () => {
  it('never throws and re-validating its defaulted object changes nothing', () => {
    fc.assert(
      fc.property(fc.constantFrom(...crds), value, value, (crd, spec, old) => {
        const version = crd.spec.versions.find((v) => v.storage)?.name ?? '';
        const obj = {
          apiVersion: `${crd.spec.group}/${version}`,
          kind: crd.spec.names.kind,
          metadata: { name: 'n' },
          spec,
        };
        const r = validateCustomResource(crd, version, obj, { ...obj, spec: old });
        for (const c of r.causes) expect(typeof c.field).toBe('string');
        const again = validateCustomResource(crd, version, r.object);
        expect(again.object).toEqual(r.object);
        expect(again.prunedFields).toEqual([]);
      }),
      { numRuns: 500 },
    );
  });
});
