// npm run render -w tools/deploy-checks: copies k8s-glue's generated CRDs and webhook
// configuration into the chart, then renders deploy/ironlb-native.yaml from the chart.
// Run it after `npm run generate -w packages/k8s-glue` or any chart change.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { chartGeneratedFiles, renderNativeManifest } from './render.ts';
import { nativeManifestPath, repoRoot } from './tools.ts';

for (const [rel, text] of chartGeneratedFiles()) {
  const path = join(repoRoot, rel);
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, text);
  process.stdout.write(`wrote ${rel}\n`);
}
// The chart must be complete on disk before it is rendered.
writeFileSync(nativeManifestPath, await renderNativeManifest());
process.stdout.write('wrote deploy/ironlb-native.yaml\n');
