// One vitest configuration for the whole workspace. Test layers (DESIGN.md §4):
//   unit  — `*.test.ts`: unit, property and bounded fuzz tests; no root, no network.
//   int   — `*.int.test.ts`: real peers in network namespaces (root); run one file at a time.
//   e2e   — `*.e2e.test.ts`: the lab (a virtual bare-metal cluster); one file at a time.
// `@ironlb/<name>` resolves to the package's TypeScript source so tests never need a prior build;
// the CLIs that integration tests run as black boxes are the built `dist/` files.
import { defineConfig } from 'vitest/config';
import { existsSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';

const root = fileURLToPath(new URL('.', import.meta.url));

function workspaceAliases() {
  const aliases: { find: RegExp; replacement: string }[] = [];
  for (const group of ['packages', 'tools', 'apps']) {
    const dir = join(root, group);
    if (!existsSync(dir)) continue;
    for (const name of readdirSync(dir)) {
      const src = join(dir, name, 'src');
      if (!existsSync(join(src, 'index.ts'))) continue;
      // Subpath entries that are a folder with an index (./testing, k8s-glue's ./pure, ...).
      for (const sub of readdirSync(src)) {
        if (!existsSync(join(src, sub, 'index.ts'))) continue;
        aliases.push({
          find: new RegExp(`^@ironlb/${name}/${sub}$`),
          replacement: join(src, sub, 'index.ts'),
        });
      }
      aliases.push({ find: new RegExp(`^@ironlb/${name}$`), replacement: join(src, 'index.ts') });
    }
  }
  return aliases;
}

const exclude = ['**/node_modules/**', '**/dist/**', '.tools/**'];

export default defineConfig({
  resolve: { alias: workspaceAliases() },
  test: {
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: ['{packages,apps,tools}/*/{src,test}/**/*.test.ts'],
          exclude: [...exclude, '**/*.int.test.ts', '**/*.e2e.test.ts'],
          testTimeout: 20_000,
        },
      },
      {
        extends: true,
        test: {
          name: 'int',
          include: ['{packages,apps,tools}/*/{src,test}/**/*.int.test.ts'],
          exclude,
          fileParallelism: false,
          testTimeout: 120_000,
          hookTimeout: 120_000,
        },
      },
      {
        extends: true,
        test: {
          name: 'e2e',
          include: ['{packages,apps,tools}/*/{src,test}/**/*.e2e.test.ts'],
          exclude,
          fileParallelism: false,
          testTimeout: 300_000,
          hookTimeout: 300_000,
        },
      },
    ],
  },
});
