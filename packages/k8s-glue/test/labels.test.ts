// Label keys and values in every selector are validated like Kubernetes does, with
// apimachinery's messages (v0.34.1, what MetalLB links), and advertisements' selectors are
// compared in canonical form (issue 13).
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../src/config/parse.js';
import { goQuote, labelKeyErrors, labelValueErrors, selectorError } from '../src/config/labels.js';
import type { ClusterResources } from '../src/config/resources.js';
import { bgpAd, l2Ad, node, peer, pool } from './cases/config-cases.js';

// apimachinery pkg/util/validation: RegexError(qualifiedNameErrMsg, qualifiedNameFmt, ...).
const NAME_REGEX =
  "must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')";
const VALUE_REGEX =
  "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')";
const SUBDOMAIN_REGEX =
  "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";

describe('label syntax (apimachinery IsQualifiedName / IsValidLabelValue)', () => {
  it.each([
    ['app', []],
    ['metallb.io/node', []],
    ['node.kubernetes.io/exclude-from-external-load-balancers', []],
    ['a'.repeat(63), []],
    ['', ['name part must be non-empty', `name part ${NAME_REGEX}`]],
    ['bad key!', [`name part ${NAME_REGEX}`]],
    ['-app', [`name part ${NAME_REGEX}`]],
    ['a'.repeat(64), ['name part must be no more than 63 characters']],
    ['/app', ['prefix part must be non-empty']],
    ['Example.com/app', [`prefix part ${SUBDOMAIN_REGEX}`]],
    ['example.com/', ['name part must be non-empty', `name part ${NAME_REGEX}`]],
    [
      'a/b/c',
      [
        `a qualified name ${NAME_REGEX} with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')`,
      ],
    ],
  ])('key %j', (key, want) => {
    expect(labelKeyErrors(key)).toEqual(want);
  });

  it.each([
    ['', []],
    ['web', []],
    ['my_value.1', []],
    ['c d', [VALUE_REGEX]],
    ['-x', [VALUE_REGEX]],
    ['x'.repeat(64), ['must be no more than 63 characters']],
    ['é', [VALUE_REGEX]],
  ])('value %j', (value, want) => {
    expect(labelValueErrors(value)).toEqual(want);
  });

  it('quotes like Go %q', () => {
    expect(goQuote('a "b"\\\n\t\x01é')).toBe('"a \\"b\\"\\\\\\n\\t\\x01é"');
  });
});

describe('selectorError (metav1.LabelSelectorAsSelector)', () => {
  it.each([
    [{}, undefined],
    [{ matchLabels: { app: 'web' } }, undefined],
    [
      { matchExpressions: [{ key: '', operator: 'In', values: ['x'] }] },
      `key: Invalid value: "": name part must be non-empty; name part ${NAME_REGEX}`,
    ],
    [
      { matchLabels: { 'bad key!': 'x' } },
      `key: Invalid value: "bad key!": name part ${NAME_REGEX}`,
    ],
    [{ matchLabels: { app: 'c d' } }, `values[0][app]: Invalid value: "c d": ${VALUE_REGEX}`],
    [
      { matchExpressions: [{ key: 'app', operator: 'In', values: ['ok', 'c d'] }] },
      `values[1][app]: Invalid value: "c d": ${VALUE_REGEX}`,
    ],
    [
      // Several problems in one requirement: the aggregate's `[a, b]`.
      { matchExpressions: [{ key: 'bad key!', operator: 'NotIn', values: ['c d'] }] },
      `[key: Invalid value: "bad key!": name part ${NAME_REGEX}, values[0][bad key!]: Invalid value: "c d": ${VALUE_REGEX}]`,
    ],
    [
      { matchExpressions: [{ key: 'app', operator: 'In' }] },
      "values: Invalid value: null: for 'in', 'notin' operators, values set can't be empty",
    ],
    [
      { matchExpressions: [{ key: 'app', operator: 'Exists', values: ['<x>'] }] },
      // json.Marshal escapes <, > and & in the bad value; %q does not.
      `[values: Invalid value: ["\\u003cx\\u003e"]: values set must be empty for exists and does not exist, values[0][app]: Invalid value: "<x>": ${VALUE_REGEX}]`,
    ],
    [
      { matchExpressions: [{ key: 'app', operator: 'Maybe' }] },
      '"Maybe" is not a valid label selector operator',
    ],
    [
      // matchLabels are converted first, keys in sorted order (Go's map order is random).
      {
        matchLabels: { zz: 'bad value!', aa: 'bad value?' },
        matchExpressions: [{ key: 'x', operator: 'Maybe' }],
      },
      `values[0][aa]: Invalid value: "bad value?": ${VALUE_REGEX}`,
    ],
  ])('%j', (sel, want) => {
    expect(selectorError(sel)).toBe(want);
  });
});

const emptyKey = { matchExpressions: [{ key: '', operator: 'In', values: ['x'] }] };
const KEY_ERR = `key: Invalid value: "": name part must be non-empty; name part ${NAME_REGEX}`;
const badValue = { matchLabels: { app: 'c d' } };
const VALUE_ERR = `values[0][app]: Invalid value: "c d": ${VALUE_REGEX}`;
const testPool = pool('test-pool', ['10.20.30.0/24']);

// Every place a selector appears, with MetalLB's wrapping of apimachinery's error
// (internal/config/config.go).
const LOCATIONS: { desc: string; crs: ClusterResources; message: string; path: string }[] = [
  {
    desc: 'BGPPeer nodeSelectors',
    crs: { peers: [peer('p', { nodeSelectors: [emptyKey] })] } as ClusterResources,
    message: `parsing peer p ${KEY_ERR}\nfailed to convert peer p node selector`,
    path: 'spec.nodeSelectors[0]',
  },
  {
    desc: 'IPAddressPool namespaceSelectors',
    crs: {
      pools: [
        pool('p', ['10.0.0.0/24'], { serviceAllocation: { namespaceSelectors: [emptyKey] } }),
      ],
    } as ClusterResources,
    message: `parsing address pool p: ${KEY_ERR}\ninvalid namespace label selector &LabelSelector{MatchLabels:map[string]string{},MatchExpressions:[]LabelSelectorRequirement{LabelSelectorRequirement{Key:,Operator:In,Values:[x],},},} in ip pool p`,
    path: 'spec.serviceAllocation.namespaceSelectors[0]',
  },
  {
    desc: 'IPAddressPool serviceSelectors',
    crs: {
      pools: [pool('p', ['10.0.0.0/24'], { serviceAllocation: { serviceSelectors: [badValue] } })],
    } as ClusterResources,
    message: `parsing address pool p: ${VALUE_ERR}\ninvalid service label selector {map[app:c d] []} in ip pool p`,
    path: 'spec.serviceAllocation.serviceSelectors[0]',
  },
  {
    desc: 'L2Advertisement nodeSelectors',
    crs: {
      pools: [testPool],
      l2Advertisements: [l2Ad('l2', { nodeSelectors: [emptyKey] })],
    } as ClusterResources,
    message: `${KEY_ERR}\ninvalid label selector {map[] [{ In [x]}]}\nfailed to parse node selector for l2`,
    path: 'spec.nodeSelectors[0]',
  },
  {
    desc: 'L2Advertisement serviceSelectors',
    crs: {
      pools: [testPool],
      l2Advertisements: [l2Ad('l2', { serviceSelectors: [badValue] })],
    } as ClusterResources,
    message: `invalid service selector {map[app:c d] []}: ${VALUE_ERR}\nfailed to parse service selector for l2`,
    path: 'spec.serviceSelectors[0]',
  },
  {
    desc: 'L2Advertisement ipAddressPoolSelectors',
    crs: {
      pools: [testPool],
      l2Advertisements: [l2Ad('l2', { ipAddressPoolSelectors: [badValue] })],
    } as ClusterResources,
    message: `${VALUE_ERR}\ninvalid label selector {map[app:c d] []}`,
    path: 'spec.ipAddressPoolSelectors[0]',
  },
  {
    desc: 'L2Advertisement preferredNodeSelectors',
    crs: {
      pools: [testPool],
      l2Advertisements: [
        l2Ad('l2', { preferredNodeSelectors: [{ weight: 5, preference: emptyKey }] }),
      ],
    } as ClusterResources,
    message: `${KEY_ERR}\ninvalid preferred node selector {map[] [{ In [x]}]}\nfailed to parse preferred node selectors for l2`,
    path: 'spec.preferredNodeSelectors[0]',
  },
  {
    desc: 'BGPAdvertisement nodeSelectors',
    crs: {
      pools: [testPool],
      bgpAdvertisements: [bgpAd('b', { nodeSelectors: [badValue] })],
    } as ClusterResources,
    message: `${VALUE_ERR}\ninvalid label selector {map[app:c d] []}\nfailed to parse node selector for b`,
    path: 'spec.nodeSelectors[0]',
  },
  {
    desc: 'BGPAdvertisement serviceSelectors',
    crs: {
      pools: [testPool],
      bgpAdvertisements: [bgpAd('b', { serviceSelectors: [emptyKey] })],
    } as ClusterResources,
    message: `invalid service selector {map[] [{ In [x]}]}: ${KEY_ERR}\nfailed to parse service selector for b`,
    path: 'spec.serviceSelectors[0]',
  },
  {
    desc: 'BGPAdvertisement ipAddressPoolSelectors',
    crs: {
      pools: [testPool],
      bgpAdvertisements: [bgpAd('b', { ipAddressPoolSelectors: [emptyKey] })],
    } as ClusterResources,
    message: `${KEY_ERR}\ninvalid label selector {map[] [{ In [x]}]}`,
    path: 'spec.ipAddressPoolSelectors[0]',
  },
];

describe('every selector is validated, with MetalLB’s wrapping', () => {
  for (const c of LOCATIONS) {
    it(c.desc, () => {
      const r = parseConfig(c.crs);
      expect(r.ok).toBe(false);
      if (r.ok) return;
      expect(r.problems.map((p) => [p.path, p.message, p.transient])).toEqual([
        [c.path, c.message, false],
      ]);
    });
  }
});

describe('advertisements compared in canonical form (MetalLB containsAdvertisement)', () => {
  const parseL2 = (a: Record<string, unknown>, b: Record<string, unknown>) => {
    const r = parseConfig({
      pools: [testPool],
      l2Advertisements: [l2Ad('a', a), l2Ad('b', b)],
      nodes: [node('n1')],
    } as ClusterResources);
    if (!r.ok) throw new Error(JSON.stringify(r.problems));
    return r.config.pools[0]!.l2Advertisements.map((x) => x.name);
  };
  it.each([
    [
      'serviceSelectors in another order',
      { serviceSelectors: [{ matchLabels: { app: 'apache' } }, { matchLabels: { app: 'nginx' } }] },
      { serviceSelectors: [{ matchLabels: { app: 'nginx' } }, { matchLabels: { app: 'apache' } }] },
    ],
    [
      'matchLabels written in another key order',
      { serviceSelectors: [{ matchLabels: { app: 'web', tier: 'front' } }] },
      { serviceSelectors: [{ matchLabels: { tier: 'front', app: 'web' } }] },
    ],
    [
      'match expressions and their values in another order',
      {
        serviceSelectors: [
          {
            matchExpressions: [
              { key: 'app', operator: 'In', values: ['a', 'b'] },
              { key: 'tier', operator: 'Exists' },
            ],
          },
        ],
      },
      {
        serviceSelectors: [
          {
            matchExpressions: [
              { key: 'tier', operator: 'Exists' },
              { key: 'app', operator: 'In', values: ['b', 'a'] },
            ],
          },
        ],
      },
    ],
    [
      'interfaces in another order',
      { interfaces: ['eth0', 'eth1'] },
      { interfaces: ['eth1', 'eth0'] },
    ],
  ])('%s: one advertisement', (_desc, a, b) => {
    expect(parseL2(a, b)).toEqual(['a']);
  });
  it('different selectors stay two advertisements', () => {
    expect(
      parseL2(
        { serviceSelectors: [{ matchLabels: { app: 'apache' } }] },
        {
          serviceSelectors: [
            { matchExpressions: [{ key: 'app', operator: 'In', values: ['apache'] }] },
          ],
        },
      ),
    ).toEqual(['a', 'b']);
  });
  it('the parsed serviceSelectors are in canonical order, so speakers agree', () => {
    const r = parseConfig({
      pools: [testPool],
      l2Advertisements: [
        l2Ad('a', {
          serviceSelectors: [{ matchLabels: { app: 'nginx' } }, { matchLabels: { app: 'apache' } }],
        }),
      ],
    } as ClusterResources);
    if (!r.ok) throw new Error(JSON.stringify(r.problems));
    expect(r.config.pools[0]!.l2Advertisements[0]!.serviceSelectors).toEqual([
      { matchLabels: { app: 'apache' } },
      { matchLabels: { app: 'nginx' } },
    ]);
  });
});
