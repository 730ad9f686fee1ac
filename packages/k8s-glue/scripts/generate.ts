// Writes deploy/crds/*.yaml and src/api/types.generated.ts from src/crd/definitions.ts.
// Usage (from the repository root): npm run generate -w packages/k8s-glue
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { renderFormatted, repoRoot } from './render-formatted.js';

for (const [rel, text] of await renderFormatted()) {
  const path = join(repoRoot, rel);
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, text);
  process.stdout.write(`wrote ${rel}\n`);
}
