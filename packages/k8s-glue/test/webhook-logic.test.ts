import { describe, expect, it } from 'vitest';
import {
  MAX_DENIAL_PROBLEMS,
  admissionResponse,
  decideAdmission,
} from '../src/webhook/admission.js';
import {
  V1BETA2_FIELDS_ANNOTATION,
  bgpPeerToV1beta1,
  bgpPeerToV1beta2,
  handleConversionReview,
} from '../src/webhook/conversion.js';
import type { BGPPeer, BGPPeerV1beta1 } from '../src/api/types.generated.js';
import { WEBHOOK_CASES } from './cases/webhook-cases.js';
import { pool } from './cases/config-cases.js';
import { MAX_PROBLEMS_PER_OBJECT } from '../src/config/resources.js';

describe('validating admission: MetalLB webhook table', () => {
  for (const c of WEBHOOK_CASES) {
    it(c.desc, () => {
      const d = decideAdmission({ uid: 'u', ...c.request }, c.existing);
      expect(d.allowed, d.message).toBe(c.allowed);
      if (c.message !== undefined) expect(d.message).toContain(c.message);
      if (c.warning !== undefined) expect(d.warnings?.join('\n')).toContain(c.warning);
    });
  }

  it('answers with controller-runtime codes: 403 Forbidden on denial, 400 on undecodable requests', () => {
    const denied = admissionResponse('u1', { allowed: false, message: 'no' });
    expect(denied.response).toEqual({
      uid: 'u1',
      allowed: false,
      result: { code: 403, reason: 'Forbidden', message: 'no' },
    });
    const bad = decideAdmission(
      {
        uid: 'u2',
        kind: { group: 'metallb.io', version: 'v1beta1', kind: 'IPAddressPool' },
        operation: 'CREATE',
      },
      {},
    );
    expect(admissionResponse('u2', bad).response?.result?.code).toBe(400);
  });
});

describe('validating admission: malformed objects are denied, never thrown', () => {
  const ns = 'metallb-system';
  const create = (kind: string, object: unknown, version = 'v1beta1') => ({
    uid: 'u',
    kind: { group: 'metallb.io', version, kind },
    operation: 'CREATE' as const,
    namespace: ns,
    object: object as never,
  });
  const cases: { desc: string; kind: string; version?: string; spec: unknown }[] = [
    { desc: 'addresses is a string', kind: 'IPAddressPool', spec: { addresses: '192.0.2.0/24' } },
    { desc: 'an address is a number', kind: 'IPAddressPool', spec: { addresses: [5] } },
    {
      desc: 'a service selector is null',
      kind: 'IPAddressPool',
      spec: { addresses: ['192.0.2.0/24'], serviceAllocation: { serviceSelectors: [null] } },
    },
    {
      desc: 'peerAddress is a number (v1beta2)',
      kind: 'BGPPeer',
      version: 'v1beta2',
      spec: { myASN: 1, peerASN: 2, peerAddress: 5 },
    },
    {
      desc: 'peerAddress is a number (v1beta1, converted first)',
      kind: 'BGPPeer',
      spec: { myASN: 1, peerASN: 2, peerAddress: 5 },
    },
  ];
  for (const c of cases) {
    it(c.desc, () => {
      const d = decideAdmission(
        create(c.kind, { metadata: { name: 'bad', namespace: ns }, spec: c.spec }, c.version),
        {},
      );
      expect(d.allowed).toBe(false);
      expect(d.message).toMatch(
        new RegExp(
          `^${c.kind} bad is malformed: a field does not have the type the ${c.kind} schema`,
        ),
      );
    });
  }

  it('blames the existing objects when they, not the request, cannot be parsed', () => {
    const existing = { pools: [pool('old', ['192.0.2.0/24'])] };
    (existing.pools[0] as { spec: unknown }).spec = { addresses: 'x' };
    const d = decideAdmission(create('IPAddressPool', pool('new', ['198.51.100.0/24'])), existing);
    expect(d.allowed).toBe(false);
    expect(d.message).toMatch(
      /^cannot validate IPAddressPool new: the existing objects cannot be parsed: /,
    );
  });

  it('lets an update repair a malformed object, reporting every problem of the result', () => {
    const existing = { pools: [pool('p', ['192.0.2.0/24'])] };
    (existing.pools[0] as { spec: unknown }).spec = { addresses: 'x' };
    const update = (addresses: string[]) => ({
      ...create('IPAddressPool', pool('p', addresses)),
      operation: 'UPDATE' as const,
      oldObject: existing.pools[0] as never,
    });
    expect(decideAdmission(update(['198.51.100.0/24']), existing).allowed).toBe(true);
    const d = decideAdmission(update(['bad']), existing);
    expect(d.allowed).toBe(false);
    expect(d.message).toContain('invalid CIDR "bad" in pool "p"');
  });
});

describe('large pools (issue 14)', () => {
  // The overlap check is ipam's findOverlaps (O(N log N), its comparisons counted in
  // packages/ipam/src/overlaps.test.ts); decision times are in `nx run k8s-glue:bench`.
  const n = 40_000;
  const create = (addresses: string[]) => ({
    uid: 'big',
    kind: { group: 'metallb.io', version: 'v1beta1', kind: 'IPAddressPool' },
    operation: 'CREATE' as const,
    object: pool('big', addresses) as never,
  });
  it(`a pool of ${n} distinct /32 entries is admitted`, () => {
    const addresses = Array.from({ length: n }, (_, i) => `10.0.${i >> 8}.${i & 255}/32`);
    expect(decideAdmission(create(addresses), {})).toEqual({ allowed: true });
  });
  it(`${n} copies of one /32: all counted, ${MAX_PROBLEMS_PER_OBJECT} listed, ${MAX_DENIAL_PROBLEMS} in the message`, () => {
    const d = decideAdmission(create(Array.from({ length: n }, () => '10.0.0.1/32')), {});
    expect(d.allowed).toBe(false);
    expect(d.problems).toHaveLength(MAX_PROBLEMS_PER_OBJECT + 1);
    expect(d.problems?.[0]).toMatchObject({
      path: 'spec.addresses[1]',
      message: 'CIDR "10.0.0.1/32" in pool "big" overlaps with already defined CIDR "10.0.0.1/32"',
    });
    expect(d.problems?.at(-1)).toMatchObject({
      path: '',
      message: `IPAddressPool big: ${n - 1 - MAX_PROBLEMS_PER_OBJECT} more problems not listed`,
      omitted: n - 1 - MAX_PROBLEMS_PER_OBJECT,
    });
    const lines = (d.message ?? '').split('\n');
    expect(lines).toHaveLength(MAX_DENIAL_PROBLEMS + 1);
    expect(lines.at(-1)).toBe(`... and ${n - 1 - MAX_DENIAL_PROBLEMS} more problems`);
  });
});

describe('BGPPeer conversion', () => {
  const v1: BGPPeerV1beta1 = {
    apiVersion: 'metallb.io/v1beta1',
    kind: 'BGPPeer',
    metadata: { name: 'r', namespace: 'metallb-system' },
    spec: {
      myASN: 64512,
      peerASN: 64513,
      peerAddress: '192.0.2.1',
      nodeSelectors: [
        {
          matchLabels: { a: 'b' },
          matchExpressions: [{ key: 'k', operator: 'In', values: ['v'] }],
        },
      ],
    },
  };

  it('up-converts without materialising absent timers as 0s (MetalLB quirk fixed)', () => {
    const v2 = bgpPeerToV1beta2(v1);
    expect(v2.apiVersion).toBe('metallb.io/v1beta2');
    expect(v2.spec).not.toHaveProperty('holdTime');
    expect(v2.spec).not.toHaveProperty('keepaliveTime');
    expect(v2.spec?.nodeSelectors).toEqual(v1.spec?.nodeSelectors);
    const withTimers = bgpPeerToV1beta2({
      ...v1,
      spec: { ...(v1.spec as object), holdTime: '90s' } as BGPPeerV1beta1['spec'],
    });
    expect(withTimers.spec?.holdTime).toBe('90s');
  });

  it('round-trips v1beta2-only fields through v1beta1 via an annotation', () => {
    const v2: BGPPeer = {
      apiVersion: 'metallb.io/v1beta2',
      kind: 'BGPPeer',
      metadata: { name: 'r', namespace: 'metallb-system' },
      spec: {
        myASN: 1,
        peerASN: 2,
        peerAddress: '192.0.2.1',
        connectTime: '5s',
        enableGracefulRestart: true,
        passwordSecret: { name: 's' },
      },
    };
    const down = bgpPeerToV1beta1(v2);
    expect(down.spec).not.toHaveProperty('connectTime');
    expect(JSON.parse(down.metadata.annotations?.[V1BETA2_FIELDS_ANNOTATION] ?? '{}')).toEqual({
      connectTime: '5s',
      enableGracefulRestart: true,
      passwordSecret: { name: 's' },
    });
    const up = bgpPeerToV1beta2(down);
    expect(up.spec).toEqual(v2.spec);
    expect(up.metadata.annotations).toBeUndefined();
  });

  it('answers a ConversionReview, and fails unknown conversions', () => {
    const ok = handleConversionReview({
      apiVersion: 'apiextensions.k8s.io/v1',
      kind: 'ConversionReview',
      request: {
        uid: 'c1',
        desiredAPIVersion: 'metallb.io/v1beta2',
        objects: [v1 as unknown as Record<string, unknown>],
      },
    });
    expect(ok.response?.result.status).toBe('Success');
    expect(ok.response?.uid).toBe('c1');
    expect(ok.response?.convertedObjects[0]?.apiVersion).toBe('metallb.io/v1beta2');
    const bad = handleConversionReview({
      apiVersion: 'apiextensions.k8s.io/v1',
      kind: 'ConversionReview',
      request: {
        uid: 'c2',
        desiredAPIVersion: 'metallb.io/v9',
        objects: [v1 as unknown as Record<string, unknown>],
      },
    });
    expect(bad.response?.result).toEqual({
      status: 'Failure',
      message: 'unsupported conversion from metallb.io/v1beta1 to metallb.io/v9',
    });
  });

  // Hostile input (issue 14): a Failure review naming the problem, never a TypeError or a 500.
  const reviewOf = (objects: unknown, desired = 'metallb.io/v1beta2') => ({
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'ConversionReview',
    request: { uid: 'h', desiredAPIVersion: desired, objects },
  });
  it.each([
    ['null', null, 'conversion review has no request'],
    ['a number', 42, 'conversion review has no request'],
    ['no objects', { request: { uid: 'h' } }, 'conversion review has no request'],
    ['objects: [null]', reviewOf([null]), 'object 0 is not an object'],
    [
      'a BGPPeer without metadata',
      reviewOf([{ apiVersion: 'metallb.io/v1beta1', kind: 'BGPPeer', spec: { myASN: 1 } }]),
      'object 0 (BGPPeer) has no metadata',
    ],
    [
      'a spec that is not an object',
      reviewOf([
        { apiVersion: 'metallb.io/v1beta1', kind: 'BGPPeer', metadata: { name: 'r' }, spec: 'x' },
      ]),
      'BGPPeer r: spec must be an object',
    ],
    [
      'no desiredAPIVersion',
      { request: { uid: 'h', objects: [] } },
      'conversion review has no desiredAPIVersion',
    ],
  ])('%s: Failure', (_desc, body, message) => {
    const r = handleConversionReview(body);
    expect(r.response?.result).toEqual({ status: 'Failure', message });
    expect(r.response?.convertedObjects).toEqual([]);
  });

  const annotated = (value: string) => ({
    ...v1,
    metadata: { ...v1.metadata, annotations: { [V1BETA2_FIELDS_ANNOTATION]: value, keep: 'me' } },
  });
  it.each([
    ['{"myASN": -5}', '"myASN" is not a v1beta2-only field'],
    ['{"peerAddress": "203.0.113.9"}', '"peerAddress" is not a v1beta2-only field'],
    ['{"localASN": -5}', 'spec.localASN: must be at least 0'],
    ['{"dynamicASN": "sometimes"}', 'spec.dynamicASN: must be one of "internal", "external"'],
    ['{"enableGracefulRestart": "yes"}', 'spec.enableGracefulRestart: must be a boolean'],
    ['{"passwordSecret": {"name": 5}}', 'spec.passwordSecret.name: must be a string'],
    ['{"bogus": 1}', '"bogus" is not a v1beta2-only field'],
    ['[1]', 'must hold a JSON object'],
    ['{nope', 'is not JSON'],
  ])('the v1beta2-fields annotation %s is refused', (value, message) => {
    const r = handleConversionReview(reviewOf([annotated(value)]));
    expect(r.response?.result.status).toBe('Failure');
    expect(r.response?.result.message).toContain(
      `BGPPeer r: annotation ${V1BETA2_FIELDS_ANNOTATION}`,
    );
    expect(r.response?.result.message).toContain(message);
    // The validating webhook refuses the same object written through v1beta1.
    const d = decideAdmission(
      {
        uid: 'a',
        kind: { group: 'metallb.io', version: 'v1beta1', kind: 'BGPPeer' },
        operation: 'CREATE',
        object: annotated(value) as never,
      },
      {},
    );
    expect(d.allowed).toBe(false);
    expect(d.message).toContain(message);
  });
  it('a valid annotation still converts, and what it carries is then parsed like any BGPPeer', () => {
    const good = handleConversionReview(
      reviewOf([annotated('{"connectTime": "5s", "localASN": 65000}')]),
    );
    expect(good.response?.result.status).toBe('Success');
    expect(good.response?.convertedObjects[0]).toMatchObject({
      metadata: { annotations: { keep: 'me' } },
      spec: { connectTime: '5s', localASN: 65000, myASN: 64512 },
    });
    // Well-typed but refused by the parser: IronLB has no localASN.
    const d = decideAdmission(
      {
        uid: 'a',
        kind: { group: 'metallb.io', version: 'v1beta1', kind: 'BGPPeer' },
        operation: 'CREATE',
        object: annotated('{"localASN": 65000}') as never,
      },
      {},
    );
    expect(d).toMatchObject({
      allowed: false,
      message: 'peer r: localASN is not supported by IronLB',
    });
  });
});
