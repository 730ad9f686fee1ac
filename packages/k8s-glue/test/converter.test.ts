// Golden tests for the ConfigMap converter: the seeds' ConfigMaps (as written in the articles,
// non-breaking spaces included) and BGP ConfigMaps with peers, communities and BFD profiles.
// Regenerate goldens after an intended change with: UPDATE_GOLDEN=1 npx vitest run --project unit packages/k8s-glue
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { validateCustomResource, type CustomResourceDefinition } from '@ironlb/test-apiserver';
import { convertConfigMap, dnsSafeName } from '../src/convert/configmap.js';
import { buildCrd } from '../src/crd/render.js';
import { KINDS } from '../src/crd/definitions.js';
import { fixture, yamlDocs } from './helpers.js';

const golden = (name: string) =>
  new URL(`./fixtures/converter/golden/${name}.golden.yaml`, import.meta.url);

const INPUTS: [string, string][] = [
  ['seed-000', 'seeds/000-configmap.yaml'],
  ['seed-002', 'seeds/002-configmap.yaml'],
  ['seed-004', 'seeds/004-configmap.yaml'],
  ['bgp-full', 'converter/bgp-full.yaml'],
  ['names-data-only', 'converter/names-data-only.yaml'],
  ['hold-time-defaults', 'converter/hold-time-defaults.yaml'],
];

const crdFor = (kind: string) =>
  buildCrd(
    KINDS.find((k) => k.kind === kind) as (typeof KINDS)[number],
  ) as unknown as CustomResourceDefinition;

describe('ironlb-convert-configmap goldens', () => {
  for (const [name, input] of INPUTS) {
    it(`${input} → ${name}.golden.yaml, and the output applies to the generated CRDs`, () => {
      const r = convertConfigMap(fixture(input));
      expect(r.ok ? [] : r.problems).toEqual([]);
      if (!r.ok) return;
      if (process.env.UPDATE_GOLDEN || !existsSync(golden(name)))
        writeFileSync(golden(name), r.yaml);
      expect(r.yaml).toBe(readFileSync(golden(name), 'utf8'));
      const docs = yamlDocs(r.yaml);
      expect(docs.length).toBeGreaterThan(1);
      for (const d of docs) {
        const version = String(d.apiVersion).split('/')[1] as string;
        expect(
          validateCustomResource(crdFor(String(d.kind)), version, d).causes,
          `${String(d.kind)}`,
        ).toEqual([]);
      }
    });
  }

  it('keeps the ConfigMap namespace and converts names and references consistently', () => {
    const r = convertConfigMap(fixture('converter/bgp-full.yaml'));
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.namespace).toBe('metallb-system');
    expect(r.resources.peers[0]?.spec?.bfdProfile).toBe('fast-bfd');
    expect(r.resources.bfdProfiles[0]?.metadata.name).toBe('fast-bfd');
    expect(r.resources.bgpAdvertisements.map((a) => a.spec?.ipAddressPools)).toEqual([
      ['public-ips'],
      ['public-ips'],
      ['v6-pool'],
    ]);
    expect(r.resources.communities[0]?.spec?.communities?.map((c) => c.name)).toEqual([
      'backbone',
      'no-export',
    ]);
    expect(r.yaml).toContain('- "64512:1"'); // quoted: YAML 1.1 readers would see a base-60 number
  });

  it('makes names DNS-safe like MetalLB', () => {
    expect(dnsSafeName('01-numbered-addresspool')).toBe('numbered-addresspool');
    expect(dnsSafeName('Capitalized-AddressPool')).toBe('capitalized-addresspool');
    expect(dnsSafeName('underscored_bfd_profile')).toBe('underscored-bfd-profile');
    expect(dnsSafeName('a'.repeat(62) + '-b')).toBe('a'.repeat(62));
  });
});

describe('ironlb-convert-configmap refuses invalid input with every problem', () => {
  const cases: [string, string[]][] = [
    ['hold-time-too-short.yaml', ['peers[0]: invalid hold time "2s": must be 0 or >=3s']],
    [
      'overlap-and-protocol.yaml',
      [
        'address-pools[1] (b): unknown protocol "l2", expected layer2 or bgp',
        'CIDR "192.0.2.128/25" in pool "b" overlaps with already defined CIDR "192.0.2.0/24"',
      ],
    ],
    [
      'bad-community.yaml',
      [
        'parsing community "broken": invalid community value: invalid section "70000"',
        'invalid community "unknown-alias" in BGP advertisement',
      ],
    ],
    [
      'bad-aggregation.yaml',
      [
        'address-pools[0]: unknown field "unexpected"',
        // (the localPref 100/200 pair is not a conflict here: with no nodes known, MetalLB sees
        // disjoint node sets; the webhook, which knows the nodes, refuses it)
        'invalid aggregation length 16: prefix 24 in this pool is more specific than the aggregation length',
      ],
    ],
    ['no-data.yaml', ['bad ConfigMap. no data.']],
  ];
  for (const [file, expected] of cases) {
    it(file, () => {
      const r = convertConfigMap(fixture(`converter/invalid/${file}`));
      expect(r.ok).toBe(false);
      if (r.ok) return;
      for (const e of expected)
        expect(
          r.problems.some((p) => p.includes(e)),
          `${e} in ${JSON.stringify(r.problems)}`,
        ).toBe(true);
    });
  }

  it('every invalid fixture is covered', () => {
    const files = readdirSync(new URL('./fixtures/converter/invalid/', import.meta.url)).sort();
    expect(files).toEqual(cases.map(([f]) => f).sort());
  });
});

describe('the CLI', () => {
  const cli = fileURLToPath(new URL('../src/convert/cli.ts', import.meta.url));
  const run = (input: string, args: string[] = []) =>
    spawnSync(process.execPath, ['--import', 'tsx', cli, ...args], {
      // From the package folder, tsx reads its tsconfig.json: @ironlb/* resolve to their sources,
      // so no build is needed.
      cwd: fileURLToPath(new URL('..', import.meta.url)),
      input,
      encoding: 'utf8',
      timeout: 20_000,
    });

  it('converts stdin to stdout with exit 0, and lists problems on stderr with exit 1', () => {
    const ok = run(fixture('seeds/000-configmap.yaml'));
    expect(ok.status).toBe(0);
    expect(ok.stdout).toBe(readFileSync(golden('seed-000'), 'utf8'));
    const bad = run(fixture('converter/invalid/overlap-and-protocol.yaml'));
    expect(bad.status).toBe(1);
    expect(bad.stdout).toBe('');
    expect(bad.stderr).toContain('unknown protocol "l2"');
    expect(bad.stderr).toContain('overlaps with already defined CIDR');
    expect(run('', ['--bogus']).status).toBe(2);
    expect(run('', ['--namespace']).status).toBe(2);
    const ns = run(fixture('converter/names-data-only.yaml'), ['--namespace', 'ironlb']);
    expect(ns.status).toBe(0);
    expect(ns.stdout).toContain('namespace: ironlb');
    expect(ns.stdout).not.toContain('metallb-system');
  });
});
