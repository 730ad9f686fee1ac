// The generator's outputs after Prettier, exactly as they are committed. Shared by
// scripts/generate.ts and test/crd-drift.test.ts so both see the same bytes.
import { format, resolveConfig } from 'prettier';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { renderAll } from '../src/crd/render.js';

export const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));

export async function renderFormatted(): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (const [rel, text] of renderAll()) {
    const filepath = join(repoRoot, rel);
    const options = (await resolveConfig(filepath)) ?? {};
    out.set(rel, await format(text, { ...options, filepath }));
  }
  return out;
}
