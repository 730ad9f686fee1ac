// Issue 12: the libraries as another project uses them. Every library is packed, installed from
// its tarball into an empty project in a temporary folder (outside the workspace, so nothing is
// found by hoisting), and then:
//   - every exports entry is imported (ESM) and required (CommonJS, Node's require(esm));
//   - a TypeScript consumer importing every entry type-checks with TypeScript 5.9 and 7, with
//     moduleResolution node16 and bundler, skipLibCheck false and no @types/node;
//   - every shipped example (examples/*.ts) runs from the consumer project.
// Integration layer: it needs the built dist/ and the npm registry (or its cache).
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Topology } from '@ironlb/netns-kit';
import { libraries, must, packAll, run, specifier, writeConsumer } from './consumer.js';

const root = resolve(import.meta.dirname, '../../..');
const libs = libraries(root);
const node = process.execPath;
let work = '';
let app = '';
let tarballs = new Map<string, string>();

const npmEnv: NodeJS.ProcessEnv = {
  ...process.env,
  npm_config_audit: 'false',
  npm_config_fund: 'false',
  npm_config_loglevel: 'error',
};

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'ilb-consumer-'));
  tarballs = packAll(root, libs, join(work, 'tarballs'));
  app = join(work, 'app');
  writeConsumer(app, tarballs, {
    ts59: 'npm:typescript@5.9.3',
    ts7: 'npm:typescript@7.0.2',
    pino: '^10.4.0',
    'prom-client': '^15.1.3',
  });
  must(run('npm', ['install'], app, npmEnv, 600_000), 'npm install of the tarballs');
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

describe('without the native piece (optional dependencies omitted, as when koffi cannot install)', () => {
  it('installs, imports the codecs and fakes, and opening a link is the typed error that says how to fix it', async () => {
    let out = '';
    // Only the Layer 2 packages: bgp-speaker and bfd need koffi outright (TCP-MD5, the BFD TTL
    // filter), so a project with them would have it installed anyway.
    const bare = join(work, 'bare');
    const l2 = [
      '@ironlb/clock',
      '@ironlb/raw-link',
      '@ironlb/arp-responder',
      '@ironlb/ndp-responder',
      '@ironlb/l2-announcer',
    ];
    writeConsumer(bare, new Map([...tarballs].filter(([n]) => l2.includes(n))), {});
    must(
      run('npm', ['install', '--omit=optional'], bare, npmEnv, 600_000),
      'npm install --omit=optional',
    );
    const script = [
      "import { decodeArp } from '@ironlb/arp-responder';",
      "import { openPacketLink, RawLinkError } from '@ironlb/raw-link';",
      "import { createL2Announcer } from '@ironlb/l2-announcer';",
      'let err;',
      "try { openPacketLink('lo', { etherType: 0x0806, filter: [] }); } catch (e) { err = e; }",
      'console.log(JSON.stringify({ codec: typeof decodeArp, announcer: typeof createL2Announcer, typed: err instanceof RawLinkError, code: err?.code, message: err?.message }));',
    ].join('\n');
    // An Ethernet interface to open: a veth pair in a throw-away namespace.
    const topo = await Topology.create('consumer');
    try {
      const ns = await topo.addNamespace('c');
      await topo.link(ns, 'eth0', ns, 'eth1');
      const r0 = await ns.exec(
        [node, '--input-type=module', '-e', script.replace("'lo'", "'eth0'")],
        { cwd: bare },
      );
      if (r0.code !== 0) throw new Error(`run without koffi failed: ${r0.stderr}`);
      out = r0.stdout;
    } finally {
      await topo.destroy();
    }
    const r = JSON.parse(out.trim().split('\n').pop() ?? '{}') as Record<string, unknown>;
    expect(r).toMatchObject({
      codec: 'function',
      announcer: 'function',
      typed: true,
      code: 'NATIVE_UNAVAILABLE',
    });
    expect(String(r.message)).toContain('npm install koffi');
    expect(existsSync(join(bare, 'node_modules', 'koffi'))).toBe(false);
  });
});
