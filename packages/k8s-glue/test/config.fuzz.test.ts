// The parser faces objects that never went through the API server's schema (the converter,
// stale caches, tests): whatever the shape, it must answer with problems, never throw — a
// throw in the webhook would turn into a 500 and block every write.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../src/config/parse.js';
import { decideAdmission } from '../src/webhook/admission.js';
import type { ClusterResources } from '../src/config/resources.js';

const meta = fc.record({
  name: fc.oneof(fc.constantFrom('a', 'b', ''), fc.string()),
  namespace: fc.constant('metallb-system'),
});
const junk = fc.anything({ maxDepth: 3 });
const plausible = {
  addresses: fc.array(
    fc.oneof(
      fc.constantFrom('10.0.0.0/24', '10.0.0.1-10.0.0.9', '2001:db8::/64', 'x', ' 1.2.3.4/32'),
      fc.string(),
    ),
    { maxLength: 3 },
  ),
  selectors: fc.array(
    fc.record({
      matchLabels: fc.dictionary(fc.string({ maxLength: 3 }), fc.string({ maxLength: 3 }), {
        maxKeys: 2,
      }),
      matchExpressions: fc.array(
        fc.record({
          key: fc.string({ maxLength: 3 }),
          operator: fc.constantFrom('In', 'NotIn', 'Exists', 'DoesNotExist', 'Bad'),
          values: fc.array(fc.string({ maxLength: 2 }), { maxLength: 2 }),
        }),
        { maxLength: 2 },
      ),
    }),
    { maxLength: 2 },
  ),
};
const obj = (spec: fc.Arbitrary<unknown>) => fc.record({ metadata: meta, spec });

const resources: fc.Arbitrary<ClusterResources> = fc.record(
  {
    pools: fc.array(
      obj(
        fc.oneof(
          junk,
          fc.record({
            addresses: plausible.addresses,
            serviceAllocation: fc.oneof(
              junk,
              fc.record({
                namespaces: fc.array(fc.string(), { maxLength: 2 }),
                serviceSelectors: plausible.selectors,
              }),
            ),
          }),
        ),
      ),
      { maxLength: 3 },
    ),
    peers: fc.array(
      obj(
        fc.oneof(
          junk,
          fc.record({
            myASN: fc.integer({ min: 0, max: 70000 }),
            peerASN: fc.integer({ min: 0, max: 70000 }),
            peerAddress: fc.constantFrom('1.2.3.4', 'nope', ''),
            holdTime: fc.oneof(fc.constantFrom('90s', '1s', 'x', '0'), fc.string()),
            nodeSelectors: plausible.selectors,
          }),
        ),
      ),
      { maxLength: 3 },
    ),
    bgpAdvertisements: fc.array(
      obj(
        fc.oneof(
          junk,
          fc.record({
            aggregationLength: fc.integer({ min: -1, max: 140 }),
            communities: fc.array(
              fc.oneof(fc.constantFrom('1:2', 'large:1:2:3', 'alias', '99999:1'), fc.string()),
              { maxLength: 3 },
            ),
            serviceSelectors: plausible.selectors,
          }),
        ),
      ),
      { maxLength: 3 },
    ),
    l2Advertisements: fc.array(
      obj(
        fc.oneof(
          junk,
          fc.record({
            ipAddressPools: fc.array(fc.string(), { maxLength: 2 }),
            nodeSelectors: plausible.selectors,
          }),
        ),
      ),
      { maxLength: 2 },
    ),
    bfdProfiles: fc.array(
      obj(fc.oneof(junk, fc.record({ detectMultiplier: fc.integer({ min: 0, max: 300 }) }))),
      { maxLength: 2 },
    ),
    communities: fc.array(
      obj(
        fc.oneof(
          junk,
          fc.record({
            communities: fc.array(fc.record({ name: fc.string(), value: fc.string() }), {
              maxLength: 2,
            }),
          }),
        ),
      ),
      { maxLength: 2 },
    ),
    nodes: fc.array(
      fc.record({
        metadata: fc.record({
          name: fc.string({ maxLength: 4 }),
          labels: fc.dictionary(fc.string({ maxLength: 3 }), fc.string({ maxLength: 3 }), {
            maxKeys: 2,
          }),
        }),
      }),
      { maxLength: 3 },
    ),
  },
  { requiredKeys: [] },
) as unknown as fc.Arbitrary<ClusterResources>;

describe('parseConfig on arbitrary input', () => {
  it('never throws; it either accepts or lists problems with object, path and message', () => {
    fc.assert(
      fc.property(resources, (res) => {
        const r = parseConfig(res);
        if (!r.ok) {
          expect(r.problems.length).toBeGreaterThan(0);
          for (const p of r.problems) {
            expect(typeof p.message).toBe('string');
            expect(typeof p.path).toBe('string');
            expect(typeof p.object.kind).toBe('string');
          }
        }
      }),
      { numRuns: 400 },
    );
  });

  it('the admission decision denies objects whose fields have the wrong type, never throws', () => {
    const fields: Record<string, string[]> = {
      IPAddressPool: ['addresses', 'autoAssign', 'avoidBuggyIPs', 'serviceAllocation'],
      L2Advertisement: ['ipAddressPools', 'ipAddressPoolSelectors', 'nodeSelectors', 'interfaces'],
      BGPAdvertisement: ['aggregationLength', 'communities', 'peers', 'localPref', 'nodeSelectors'],
      BGPPeer: ['myASN', 'peerASN', 'peerAddress', 'holdTime', 'nodeSelectors', 'bfdProfile'],
      BFDProfile: ['receiveInterval', 'detectMultiplier', 'echoMode'],
      Community: ['communities'],
    };
    const kinds = Object.keys(fields);
    fc.assert(
      fc.property(
        fc
          .constantFrom(...kinds)
          .chain((kind) =>
            fc.tuple(
              fc.constant(kind),
              fc.dictionary(fc.constantFrom(...(fields[kind] ?? [])), fc.anything({ maxDepth: 2 })),
              fc.constantFrom('v1beta1', 'v1beta2'),
            ),
          ),
        ([kind, spec, version]) => {
          const d = decideAdmission(
            {
              uid: 'u',
              kind: { group: 'metallb.io', version, kind },
              operation: 'CREATE',
              namespace: 'metallb-system',
              object: { metadata: { name: 'x', namespace: 'metallb-system' }, spec } as never,
            },
            {},
          );
          expect(typeof d.allowed).toBe('boolean');
        },
      ),
      { numRuns: 400 },
    );
  });

  it('the admission decision never throws either', () => {
    fc.assert(
      fc.property(resources, junk, (res, object) => {
        const d = decideAdmission(
          {
            uid: 'u',
            kind: { group: 'metallb.io', version: 'v1beta1', kind: 'IPAddressPool' },
            operation: 'CREATE',
            namespace: 'metallb-system',
            object: object as never,
          },
          res,
        );
        expect(typeof d.allowed).toBe('boolean');
      }),
      { numRuns: 200 },
    );
  });
});
