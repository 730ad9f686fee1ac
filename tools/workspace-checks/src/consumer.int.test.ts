// Issue 12: the libraries as another project uses them. Every library is packed, installed from
// its tarball into an empty project in a temporary folder (outside the workspace, so nothing is
// found by hoisting), and then:
//   - every exports entry is imported (ESM) and required (CommonJS, Node's require(esm));
//   - a TypeScript consumer importing every entry type-checks with TypeScript 5.9 and 7, with
//     moduleResolution node16 and bundler, skipLibCheck false and no @types/node;
//   - every shipped example (examples/*.ts) runs from the consumer project.
// Integration layer: it needs the built dist/ and the npm registry (or its cache).
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { libraries, must, packAll, run, specifier, writeConsumer } from './consumer.js';

const root = resolve(import.meta.dirname, '../../..');
const libs = libraries(root);
const node = process.execPath;
let work = '';
let app = '';

// node-gyp must build native addons (cap) against the Node that runs them, as the bootstrap does
// (DESIGN.md §8): the machine's npmrc points nodedir at Node 20's headers.
function nativeEnv(): NodeJS.ProcessEnv {
  const version = process.version.slice(1);
  return {
    ...process.env,
    npm_config_nodedir: '',
    npm_config_devdir: join(root, 'node_modules', '.cache', 'node-gyp'),
    npm_config_target: version,
    npm_config_audit: 'false',
    npm_config_fund: 'false',
    npm_config_loglevel: 'error',
  };
}

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'ilb-consumer-'));
  const tarballs = packAll(root, libs, join(work, 'tarballs'));
  app = join(work, 'app');
  writeConsumer(app, tarballs, {
    ts59: 'npm:typescript@5.9.3',
    ts7: 'npm:typescript@7.0.2',
    pino: '^10.4.0',
    'prom-client': '^15.1.3',
  });
  must(run('npm', ['install'], app, nativeEnv(), 600_000), 'npm install of the tarballs');
}, 900_000);

afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

const entries = libs.flatMap((lib) => lib.entries.map((entry) => ({ lib, entry })));

describe('every library entry loads from an installed tarball', () => {
  it('finds the libraries and their entries', () => {
    expect(libs.map((l) => l.name)).toEqual(
      expect.arrayContaining(['@ironlb/bgp-speaker', '@ironlb/ipam', '@ironlb/memberlist']),
    );
    expect(entries.length).toBeGreaterThan(libs.length);
  });

  for (const { lib, entry } of entries) {
    const spec = specifier(lib, entry);
    it(`${spec}: import() and require() give the same named exports`, () => {
      const script = [
        `const esm = Object.keys(await import(${JSON.stringify(spec)})).sort();`,
        `const { createRequire } = await import('node:module');`,
        `const cjs = Object.keys(createRequire(import.meta.url)(${JSON.stringify(spec)})).filter((k) => k !== '__esModule' && k !== 'module.exports').sort();`,
        `console.log(JSON.stringify({ esm, cjs }));`,
      ].join('\n');
      const out = must(run(node, ['--input-type=module', '-e', script], app), `load ${spec}`);
      const { esm, cjs } = JSON.parse(out.trim().split('\n').pop() ?? '{}') as {
        esm: string[];
        cjs: string[];
      };
      expect(esm.length).toBeGreaterThan(0);
      expect(cjs).toEqual(esm);
    });
  }
});

describe('a TypeScript consumer type-checks against the published declarations', () => {
  const importsFile = (): string =>
    entries
      .map(
        ({ lib, entry }, i) => `import * as m${i} from ${JSON.stringify(specifier(lib, entry))};`,
      )
      .concat([`export const all = [${entries.map((_, i) => `m${i}`).join(', ')}];`])
      .join('\n');

  // ESM consumers under both resolutions; a CommonJS consumer (require of ESM) under nodenext,
  // which TypeScript allows since 5.8 because Node 22.12+ can require() ES modules.
  const configs = {
    'ESM, node16': { file: 'consumer.mts', module: 'node16', moduleResolution: 'node16' },
    'ESM, bundler': { file: 'consumer.mts', module: 'preserve', moduleResolution: 'bundler' },
    'CommonJS, nodenext': {
      file: 'consumer.cts',
      module: 'nodenext',
      moduleResolution: 'nodenext',
    },
  } as const;

  for (const ts of ['ts59', 'ts7'] as const) {
    for (const [label, c] of Object.entries(configs)) {
      it(`${ts === 'ts59' ? 'TypeScript 5.9' : 'TypeScript 7'}, ${label}, skipLibCheck false, no @types/node`, () => {
        const dir = join(app, `tsc-${ts}-${label.replace(/\W+/g, '-')}`);
        mkdirSync(dir, { recursive: true });
        writeFileSync(join(dir, c.file), importsFile());
        writeFileSync(
          join(dir, 'tsconfig.json'),
          JSON.stringify({
            compilerOptions: {
              module: c.module,
              moduleResolution: c.moduleResolution,
              target: 'es2023',
              lib: ['es2023'],
              strict: true,
              noEmit: true,
              skipLibCheck: false,
              types: [],
            },
            files: [c.file],
          }),
        );
        const r = run(node, [join(app, 'node_modules', ts, 'bin', 'tsc'), '-p', dir], app);
        expect(r.stdout + r.stderr).toBe('');
        expect(r.status).toBe(0);
      });
    }
  }
});

describe('every shipped example runs from the consumer project', () => {
  const withExamples = libs.filter((l) => l.examples.length > 0);
  it('libraries ship examples', () => {
    expect(withExamples.length).toBeGreaterThan(0);
  });
  for (const lib of withExamples) {
    for (const file of lib.examples) {
      it(`${lib.name} examples/${file}`, () => {
        const installed = join(app, 'node_modules', ...lib.name.split('/'), 'examples');
        expect(readdirSync(installed)).toContain(file);
        const target = join(app, `${lib.name.replace('@ironlb/', '')}-${file}`);
        copyFileSync(join(installed, file), target);
        const r = run(node, [target], app, process.env, 120_000);
        expect({ status: r.status, stderr: r.stderr.slice(-2000) }).toEqual({
          status: 0,
          stderr: expect.any(String),
        });
      });
    }
  }
});
