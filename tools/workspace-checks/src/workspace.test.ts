import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ESLint } from 'eslint';
import { libraryManifestProblems, workspacePackages } from './index.ts';
import { readmeLinkProblems } from './manifests.ts';

const root = resolve(fileURLToPath(new URL('../../..', import.meta.url)));

describe('publishable libraries', () => {
  const libs = workspacePackages(root).filter((p) => p.group === 'packages');

  it('exist', () => {
    expect(libs.length).toBeGreaterThan(0);
  });

  for (const lib of libs) {
    it(`${lib.dir.slice(root.length + 1)} has a complete manifest`, () => {
      expect(libraryManifestProblems(lib)).toEqual([]);
    });
  }
});

describe('tooling versions', () => {
  it('pins nx and every @nx/* package to one exact version (DESIGN.md §8)', () => {
    const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
      devDependencies: Record<string, string>;
    };
    const nx = Object.entries(pkg.devDependencies).filter(
      ([n]) => n === 'nx' || n.startsWith('@nx/'),
    );
    expect(nx.length).toBeGreaterThan(1);
    const versions = new Set(nx.map(([, v]) => v));
    expect(versions.size).toBe(1);
    expect([...versions][0]).toMatch(/^\d+\.\d+\.\d+$/);
  });
});

describe('dependency rules (DESIGN.md §1) are enforced by lint', () => {
  // @nx/enforce-module-boundaries reads Nx's cached project graph; without it the rule is skipped.
  const graph = spawnSync('npx', ['nx', 'show', 'projects'], {
    cwd: root,
    env: { ...process.env, NX_DAEMON: 'false' },
  });
  const eslint = new ESLint({ cwd: root });

  async function boundaryErrors(file: string, code: string): Promise<string[]> {
    const [result] = await eslint.lintText(code, { filePath: join(root, file) });
    return (result?.messages ?? [])
      .filter((m) => m.ruleId === '@nx/enforce-module-boundaries')
      .map((m) => m.message);
  }

  it('computes the project graph', () => {
    expect(graph.status).toBe(0);
  });

  it('forbids a protocol library from importing @kubernetes/client-node', async () => {
    const errors = await boundaryErrors(
      'packages/ipam/src/leak.ts',
      "import { KubeConfig } from '@kubernetes/client-node';\nexport const k = KubeConfig;\n",
    );
    expect(errors.join('\n')).toMatch(/@kubernetes\/client-node/);
  });

  it('forbids a protocol library from importing k8s-glue', async () => {
    // memberlist, not ipam: k8s-glue imports ipam, so there the rule reports a cycle instead.
    const errors = await boundaryErrors(
      'packages/memberlist/src/leak.ts',
      "import * as glue from '@ironlb/k8s-glue';\nexport const g = glue;\n",
    );
    expect(errors.join('\n')).toMatch(/scope:k8s/);
  });

  it('forbids a library from importing a workspace tool in shipped code', async () => {
    const errors = await boundaryErrors(
      'packages/ipam/src/leak.ts',
      "import { median } from '@ironlb/bench-kit';\nexport const m = median;\n",
    );
    expect(errors.length).toBeGreaterThan(0);
  });

  it('lets a library test use the workspace tools', async () => {
    const errors = await boundaryErrors(
      'packages/ipam/src/leak.test.ts',
      "import { median } from '@ironlb/bench-kit';\nexport const m = median;\n",
    );
    expect(errors).toEqual([]);
  });

  it('keeps codec/ and machine/ free of timers, sockets, Date.now and Math.random (DESIGN.md §3)', async () => {
    const code = [
      "import { createSocket } from 'node:dgram';",
      "import { isIPv4, connect } from 'node:net';",
      'export const a = createSocket;',
      'export const b = isIPv4;',
      'export const c = connect;',
      'export const t = () => setTimeout(() => {}, 1);',
      'export const d = () => Date.now() + Math.random() + performance.now();',
    ].join('\n');
    const [result] = await eslint.lintText(code, {
      filePath: join(root, 'packages/bgp-speaker/src/machine/leak.ts'),
    });
    const rules = (result?.messages ?? []).map((m) => `${m.ruleId}@${m.line}`);
    expect(rules).toEqual(
      expect.arrayContaining([
        'no-restricted-imports@1',
        'no-restricted-imports@2',
        'no-restricted-globals@6',
        'no-restricted-properties@7',
        'no-restricted-globals@7',
      ]),
    );
    // isIPv4 is pure and allowed: only `connect` is reported on line 2.
    expect(result?.messages.filter((m) => m.line === 2)).toHaveLength(1);
    // The same code in io/ is fine.
    const [io] = await eslint.lintText(code, {
      filePath: join(root, 'packages/bgp-speaker/src/io/leak.ts'),
    });
    expect(io?.messages.filter((m) => m.ruleId?.startsWith('no-restricted-'))).toEqual([]);
  });

  it('forbids public re-exports with export * (DESIGN.md §3)', async () => {
    const [result] = await eslint.lintText("export * from './x.js';\n", {
      filePath: join(root, 'packages/ipam/src/index.ts'),
    });
    expect(result?.messages.some((m) => m.ruleId === 'no-restricted-syntax')).toBe(true);
  });
});

describe('README links (npm shows the README without the repository)', () => {
  it('refuses relative links to files the package does not ship, accepts shipped ones', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ilb-readme-'));
    try {
      mkdirSync(join(dir, 'examples'));
      writeFileSync(join(dir, 'examples', 'a.ts'), '');
      writeFileSync(
        join(dir, 'README.md'),
        [
          '[ok](examples/a.ts) [ok](./examples/a.ts#L1) [anchor](#api) [web](https://x.test/y)',
          '[bad](src/index.ts) [bad](../clock/README.md) [bad](examples/missing.ts)',
        ].join('\n'),
      );
      const problems = readmeLinkProblems({
        dir,
        group: 'packages',
        manifest: { files: ['dist', 'README.md', 'examples'] },
      });
      expect(problems).toEqual([
        'README links to src/index.ts, which the npm package does not ship',
        'README links to ../clock/README.md, which the npm package does not ship',
        'README links to examples/missing.ts, which the npm package does not ship',
      ]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
