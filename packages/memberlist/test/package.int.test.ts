// The built package as another project sees it (issue 12): its declarations type-check in a
// consumer without @types/node (`types: []`, skipLibCheck off), and pino stays out of the library's
// import graph (only the CLI loads it). Needs the build, hence the int layer; no root needed.
import { execFileSync } from 'node:child_process';
import {
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { netnsSkipReason, nodeBinary, Topology } from '@ironlb/netns-kit';
import { buildCli, PKG_DIR } from './lab.js';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const dist = join(PKG_DIR, 'dist');

describe('the built package', () => {
  let dir: string;

  beforeAll(() => {
    buildCli();
    dir = mkdtempSync(join(tmpdir(), 'ml-consumer-'));
    mkdirSync(join(dir, 'node_modules', '@ironlb'), { recursive: true });
    symlinkSync(PKG_DIR, join(dir, 'node_modules', '@ironlb', 'memberlist'));
    symlinkSync(join(root, 'packages', 'clock'), join(dir, 'node_modules', '@ironlb', 'clock'));
    writeFileSync(join(dir, 'package.json'), '{"type":"module"}');
  });

  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('declarations need no @types/node: a consumer type-checks with types [] and skipLibCheck off', () => {
    writeFileSync(
      join(dir, 'consumer.ts'),
      [
        "import { createMemberlist, Keyring, MemberlistError, type Memberlist, type Transport } from '@ironlb/memberlist';",
        "import { InMemoryNetwork, ManualClock, seededRandom } from '@ironlb/memberlist/testing';",
        'const clock = new ManualClock();',
        'const net = new InMemoryNetwork({ clock, random: seededRandom(1) });',
        "const transport: Transport = net.createTransport('198.51.100.1:7946');",
        "const ring = Keyring.fromSecrets(['s']);",
        'const key: Uint8Array = ring.primary;',
        "const m: Memberlist = createMemberlist({ transport, clock, keyring: ring }, { name: 'a' });",
        'void key; void m; void MemberlistError;',
        '',
      ].join('\n'),
    );
    for (const moduleResolution of ['nodenext', 'bundler']) {
      writeFileSync(
        join(dir, 'tsconfig.json'),
        JSON.stringify({
          compilerOptions: {
            strict: true,
            module: moduleResolution === 'bundler' ? 'esnext' : 'nodenext',
            moduleResolution,
            target: 'es2022',
            lib: ['es2023'],
            types: [],
            skipLibCheck: false,
            noEmit: true,
          },
          files: ['consumer.ts'],
        }),
      );
      const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc');
      let out = '';
      try {
        execFileSync(nodeBinary(), [tsc, '-p', dir], { encoding: 'utf8' });
      } catch (err) {
        out = String((err as { stdout?: string }).stdout ?? err);
      }
      expect(out, moduleResolution).toBe('');
    }
    const dts = readdirSync(dist, { recursive: true, encoding: 'utf8' }).filter((f) =>
      f.endsWith('.d.ts'),
    );
    expect(dts.length).toBeGreaterThan(0);
    for (const f of dts)
      expect(readFileSync(join(dist, f), 'utf8')).not.toMatch(/\b(Buffer|NodeJS)\b/);
  });

  it('pino is loaded by the CLI only, never by the library entries', () => {
    const lib = readdirSync(dist, { recursive: true, encoding: 'utf8' }).filter(
      (f) => f.endsWith('.js') && f !== 'cli.js',
    );
    expect(lib.length).toBeGreaterThan(1);
    for (const f of lib) expect(readFileSync(join(dist, f), 'utf8'), f).not.toMatch(/pino/);
    expect(readFileSync(join(dist, 'cli.js'), 'utf8')).toMatch(/@ironlb\/clock\/pino/);
    const pkg = JSON.parse(readFileSync(join(PKG_DIR, 'package.json'), 'utf8')) as {
      dependencies: Record<string, string>;
      peerDependenciesMeta?: Record<string, { optional?: boolean }>;
    };
    expect(pkg.dependencies['pino']).toBeUndefined();
    expect(pkg.peerDependenciesMeta?.['pino']?.optional).toBe(true);
  });

  const skip = netnsSkipReason([]);
  it.skipIf(skip)(
    `examples/real-network.ts runs against the built package in a namespace's loopback${skip ? ' — SKIPPED: ' + skip : ''}`,
    async () => {
      const topo = await Topology.create('mlx');
      try {
        const ns = await topo.addNamespace('ex');
        const p = ns.spawnNode('packages/memberlist/examples/real-network.ts', ['127.0.0.1']);
        const st = await p.waitForExit(30_000);
        expect(st.code, p.stderr).toBe(0);
        expect(p.lines).toContain('b reached 1 seed');
        expect(p.lines).toContain('a sees join b');
        expect(p.lines).toContain('b sees join a');
        expect(p.lines).toContain('a sees leave b');
      } finally {
        await topo.destroy();
      }
    },
  );
});
