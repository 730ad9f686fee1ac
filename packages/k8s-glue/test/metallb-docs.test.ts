// MetalLB's documentation examples (metallb.universe.tf configuration pages) apply unchanged to
// the generated CRDs and parse into a valid configuration.
import { readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { validateCustomResource, type CustomResourceDefinition } from '@ironlb/test-apiserver';
import { buildCrd } from '../src/crd/render.js';
import { KINDS } from '../src/crd/definitions.js';
import { parseConfig } from '../src/config/parse.js';
import type { ClusterResources } from '../src/config/resources.js';
import { fixture, yamlDocs } from './helpers.js';

const crdFor = (kind: string) =>
  buildCrd(
    KINDS.find((k) => k.kind === kind) as (typeof KINDS)[number],
  ) as unknown as CustomResourceDefinition;

const LIST: Record<string, keyof ClusterResources> = {
  IPAddressPool: 'pools',
  BGPPeer: 'peers',
  BGPAdvertisement: 'bgpAdvertisements',
  L2Advertisement: 'l2Advertisements',
  Community: 'communities',
  BFDProfile: 'bfdProfiles',
};

const files = readdirSync(new URL('./fixtures/metallb-docs/', import.meta.url)).sort();

describe('MetalLB documentation examples', () => {
  it('are all here', () => {
    expect(files.length).toBe(7);
  });
  for (const file of files) {
    it(`${file} applies to the CRDs and parses`, () => {
      const docs = yamlDocs(fixture(`metallb-docs/${file}`));
      const res: Record<string, unknown[]> = {};
      const pruned: string[] = [];
      for (const d of docs) {
        const version = String(d.apiVersion).split('/')[1] as string;
        const r = validateCustomResource(crdFor(String(d.kind)), version, d);
        expect(r.causes).toEqual([]);
        pruned.push(...r.prunedFields);
        const key = LIST[String(d.kind)] as string;
        // What the API server stores: defaulted and pruned, in the IronLB namespace.
        const stored = r.object as { metadata: Record<string, unknown> };
        (res[key] ??= []).push({
          ...stored,
          metadata: { ...stored.metadata, namespace: 'metallb-system' },
        });
      }
      expect(pruned).toEqual(
        file === 'l2-union-with-typos.yaml' ? ['spec.ipaddresspools', 'spec.nodeSelector'] : [],
      );
      const nodes = ['NodeA', 'NodeB', 'hostA', 'node-1'].map((n) => ({
        metadata: { name: n, labels: { 'kubernetes.io/hostname': n } },
      }));
      const parsed = parseConfig({ ...(res as ClusterResources), nodes });
      expect(parsed.ok ? [] : parsed.problems).toEqual([]);
    });
  }
});
