// The committed CRD YAML (deploy/crds) and TypeScript types (src/api/types.generated.ts) must be
// exactly what the single source (src/crd/definitions.ts) renders. Fix: npm run generate -w packages/k8s-glue
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { renderFormatted, repoRoot } from '../scripts/render-formatted.js';
import { KINDS } from '../src/crd/definitions.js';

describe('generated files', () => {
  it('match the committed deploy/crds and types.generated.ts byte for byte', async () => {
    const files = await renderFormatted();
    expect(files.size).toBe(KINDS.length + 3);
    for (const [rel, text] of files) {
      expect(
        readFileSync(join(repoRoot, rel), 'utf8'),
        `${rel} is stale: run npm run generate -w packages/k8s-glue`,
      ).toBe(text);
    }
  });

  it('cover every MetalLB kind, with BGPPeer v1beta2 stored and converted by webhook', () => {
    expect(KINDS.map((k) => k.kind).sort()).toEqual(
      [
        'BFDProfile',
        'BGPAdvertisement',
        'BGPPeer',
        'Community',
        'ConfigurationState',
        'IPAddressPool',
        'L2Advertisement',
        'ServiceBGPStatus',
        'ServiceL2Status',
      ].sort(),
    );
    const peer = KINDS.find((k) => k.kind === 'BGPPeer');
    expect(peer?.versions.map((v) => [v.name, v.storage])).toEqual([
      ['v1beta1', false],
      ['v1beta2', true],
    ]);
    expect(peer?.conversion?.path).toBe('/convert');
    for (const k of KINDS) expect(k.versions.filter((v) => v.storage)).toHaveLength(1);
  });
});
