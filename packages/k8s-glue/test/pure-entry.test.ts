// Neither `@ironlb/k8s-glue` nor `@ironlb/k8s-glue/pure` loads @kubernetes/client-node (issue 12:
// importing it for parseConfig cost 0.84 s and a large part of a process's memory) and their
// declarations reference no client-node type (with skipLibCheck off, a consumer failed on
// client-node's `ws` types); `/pure` loads no I/O module either. Only `/kube` uses client-node.
import { execFileSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import * as full from '../src/index.js';
import * as pure from '../src/pure/index.js';

const pkg = fileURLToPath(new URL('..', import.meta.url));
const packages = resolve(pkg, '..');

/** Every module specifier a TypeScript file imports or re-exports (types included). */
function specifiers(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const out: string[] = [];
  const re =
    /(?:^|\n)\s*(?:import|export)\b[^'"]*?from\s*['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g;
  for (let m = re.exec(text); m; m = re.exec(text)) out.push((m[1] ?? m[2]) as string);
  return out;
}

/**
 * The import graph from a source file: relative imports and workspace packages (@ironlb/x →
 * packages/x/src) are followed; everything else is collected as an external dependency.
 */
function graph(entry: string): { files: Set<string>; external: Map<string, string> } {
  const files = new Set<string>();
  const external = new Map<string, string>(); // specifier → first importer
  const todo = [entry];
  while (todo.length > 0) {
    const file = todo.pop() as string;
    if (files.has(file)) continue;
    files.add(file);
    for (const s of specifiers(file)) {
      let next: string | undefined;
      if (s.startsWith('.')) next = resolve(dirname(file), s.replace(/\.js$/, '.ts'));
      else if (s.startsWith('@ironlb/')) {
        const [, name, sub] = /^@ironlb\/([^/]+)(?:\/(.+))?$/.exec(s) ?? [];
        next = join(packages, name as string, 'src', sub ?? '', 'index.ts');
      }
      if (next && existsSync(next)) todo.push(next);
      else if (!external.has(s)) external.set(s, file);
    }
  }
  return { files, external };
}

describe('@ironlb/k8s-glue', () => {
  it('imports no client-node, in code or in types', () => {
    const { external } = graph(join(pkg, 'src/index.ts'));
    expect([...external.keys()].filter((s) => s.startsWith('@kubernetes/'))).toEqual([]);
  });
});

describe('@ironlb/k8s-glue/pure', () => {
  const { files, external } = graph(join(pkg, 'src/pure/index.ts'));

  it('imports neither client-node nor any I/O module, in code or in types', () => {
    const forbidden = [...external.keys()].filter(
      (s) =>
        s.startsWith('@kubernetes/') ||
        /^node:(http|https|http2|net|tls|dgram|fs|fs\/promises|child_process|worker_threads)$/.test(
          s,
        ),
    );
    expect(forbidden).toEqual([]);
    // What it does use, so that a new dependency is a deliberate change.
    expect([...external.keys()].sort()).toEqual(['node:crypto', 'yaml']);
    expect([...files].some((f) => f.endsWith('ipam/src/index.ts'))).toBe(true);
  });

  it('the graph walk does see client-node where it is (@ironlb/k8s-glue/kube)', () => {
    expect(graph(join(pkg, 'src/kube/index.ts')).external.has('@kubernetes/client-node')).toBe(
      true,
    );
  });

  it('exports the same things as the full entry', () => {
    const fullExports = full as Record<string, unknown>;
    for (const [name, value] of Object.entries(pure)) expect(fullExports[name], name).toBe(value);
    expect(Object.keys(pure).length).toBeGreaterThan(30);
  });
});

// The built package, as a consumer sees it: what the tarball's files import and declare.
const dist = join(pkg, 'dist');
const built =
  existsSync(join(dist, 'pure/index.d.ts')) &&
  existsSync(join(packages, 'ipam/dist/index.d.ts')) &&
  existsSync(join(packages, 'clock/dist/index.d.ts'));
const skip = built ? '' : 'no build (run `npx nx run k8s-glue:build` first)';

describe.skipIf(!built)(`@ironlb/k8s-glue as built${skip ? ' — SKIPPED: ' + skip : ''}`, () => {
  /** The dist files reachable from one, through relative imports. */
  function distGraph(entry: string): Set<string> {
    const seen = new Set<string>();
    const todo = [entry];
    while (todo.length > 0) {
      const file = todo.pop() as string;
      if (seen.has(file)) continue;
      seen.add(file);
      const text = readFileSync(file, 'utf8');
      // Statements only (a string in the code may hold an import line: renderTypes' output).
      for (const m of text.matchAll(/^(?:import|export)\b[^;]*?from\s*['"](\.[^'"]+)['"]/gm)) {
        const target = resolve(dirname(file), m[1] as string);
        todo.push(file.endsWith('.d.ts') ? target.replace(/\.js$/, '.d.ts') : target);
      }
    }
    return seen;
  }

  it('no file reachable from dist/pure (code or declarations) mentions client-node', () => {
    for (const entry of ['pure/index.js', 'pure/index.d.ts']) {
      const reached = distGraph(join(dist, entry));
      expect(reached.size).toBeGreaterThan(1);
      for (const f of reached)
        expect(readFileSync(f, 'utf8'), f).not.toContain('@kubernetes/client-node');
    }
  });

  /** Type-checks `code` in a fresh project that installed the package (symlinks), skipLibCheck off. */
  function consumer(code: string): string {
    const dir = mkdtempSync(join(tmpdir(), 'k8s-glue-consumer-'));
    try {
      mkdirSync(join(dir, 'node_modules/@ironlb'), { recursive: true });
      symlinkSync(pkg, join(dir, 'node_modules/@ironlb/k8s-glue'));
      for (const dep of ['ipam', 'clock'])
        symlinkSync(join(packages, dep), join(dir, `node_modules/@ironlb/${dep}`));
      writeFileSync(join(dir, 'package.json'), '{"type":"module"}');
      writeFileSync(
        join(dir, 'tsconfig.json'),
        JSON.stringify({
          compilerOptions: {
            strict: true,
            module: 'node16',
            moduleResolution: 'node16',
            target: 'ES2022',
            lib: ['ES2023'],
            types: [],
            skipLibCheck: false,
            noEmit: true,
          },
          files: ['main.ts'],
        }),
      );
      writeFileSync(join(dir, 'main.ts'), code);
      const tsc = join(packages, '..', 'node_modules/typescript/bin/tsc');
      try {
        execFileSync(process.execPath, [tsc, '-p', dir], { encoding: 'utf8', timeout: 60_000 });
        return '';
      } catch (e) {
        return String((e as { stdout?: string }).stdout ?? e);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }

  it('a consumer of /pure with skipLibCheck: false and no @types/node compiles', () => {
    const code = [
      "import { parseConfig, decideAdmission, toIpamPools } from '@ironlb/k8s-glue/pure';",
      'const r = parseConfig({});',
      'export const pools = r.ok ? toIpamPools(r.config) : [];',
      'export const d = decideAdmission;',
    ].join('\n');
    expect(consumer(code)).toBe('');
  }, 60_000);

  it('a consumer of the main entry and ./testing with skipLibCheck: false and no @types/node compiles', () => {
    const code = [
      "import { parseConfig, CertManager, createWebhookServer } from '@ironlb/k8s-glue';",
      "import { InMemoryWebhookKubeClient } from '@ironlb/k8s-glue/testing';",
      'export const r = parseConfig({});',
      'export const c = new InMemoryWebhookKubeClient();',
      'export const m = CertManager;',
      'export const s = createWebhookServer;',
    ].join('\n');
    expect(consumer(code)).toBe('');
  }, 60_000);
});
