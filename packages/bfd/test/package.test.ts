// The package as a stranger gets it from npm (issue 12): the README's example is the shipped
// examples/detect-failure.ts and prints the README's output; the status, metrics and error-code
// tables list exactly what the code has; the type declarations need no @types/node; importing
// the library loads neither pino nor koffi.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { format } from 'node:util';
import { ManualClock, MemoryMetrics } from '@ironlb/clock/testing';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { BfdErrorCode, createBfdManager } from '../src/index.js';
import { MemoryBfdNetwork } from '../src/testing/index.js';

const dir = fileURLToPath(new URL('..', import.meta.url));
const readme = readFileSync(join(dir, 'README.md'), 'utf8');
const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { files: string[] };

/** The first ```lang block after `after`. */
function block(after: string, lang: string): string {
  const start = readme.indexOf(after);
  expect(start, `README has no ${JSON.stringify(after)}`).toBeGreaterThanOrEqual(0);
  const fence = '```' + lang + '\n';
  const open = readme.indexOf(fence, start);
  expect(open).toBeGreaterThan(start);
  const body = open + fence.length;
  return readme.slice(body, readme.indexOf('```', body));
}

/** The backticked names in the first column of the table after `heading`. */
function tableNames(heading: string): string[] {
  const start = readme.indexOf(heading);
  expect(start, `README has no ${heading}`).toBeGreaterThanOrEqual(0);
  const rows: string[] = [];
  let inTable = false;
  for (const l of readme.slice(start).split('\n').slice(1)) {
    if (l.startsWith('|')) inTable = true;
    else if (inTable) break;
    else continue;
    const first = l.split('|')[1] ?? '';
    rows.push(...[...first.matchAll(/`([^`]+)`/g)].map((m) => m[1] as string));
  }
  return rows;
}

describe('README', () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it('the example is examples/detect-failure.ts (shipped in the tarball) and prints the Output block', async () => {
    const file = readFileSync(join(dir, 'examples', 'detect-failure.ts'), 'utf8');
    expect(block('## Example', 'ts')).toBe(file);
    expect(pkg.files).toContain('examples');
    const lines: string[] = [];
    vi.spyOn(console, 'log').mockImplementation((...args: unknown[]) => {
      lines.push(format(...args));
    });
    await import('../examples/detect-failure.js');
    expect(lines.join('\n') + '\n').toBe(block('Output:', 'text'));
  });

  it('the status table lists exactly the fields of a session status', async () => {
    const clock = new ManualClock();
    const m = createBfdManager({
      clock,
      transport: new MemoryBfdNetwork(clock).transport(['198.51.100.1']),
    });
    const st = await m.addSession({ peerAddress: '198.51.100.2' });
    expect(tableNames('### `BfdSessionStatus`').sort()).toEqual(Object.keys(st).sort());
    await m.close();
  });

  it('the metrics table lists every metric the manager declares', () => {
    const metrics = new MemoryMetrics();
    const clock = new ManualClock();
    createBfdManager({
      clock,
      metrics,
      transport: new MemoryBfdNetwork(clock).transport(['198.51.100.1']),
    });
    expect(tableNames('### Metrics').sort()).toEqual([...metrics.names()].sort());
  });

  it('names every error code', () => {
    for (const code of Object.values(BfdErrorCode)) expect(readme).toContain(`\`${code}\``);
  });

  it('has no relative links that would break on the npm page', () => {
    expect(readme).not.toMatch(/\]\((?!https?:|#)[^)]*\)/);
  });
});

describe('the built package', () => {
  const dist = join(dir, 'dist');
  const build = () => {
    if (!existsSync(join(dist, 'index.d.ts')))
      execFileSync(join(dir, '../../node_modules/.bin/tsup'), [], { cwd: dir, stdio: 'ignore' });
  };

  it('declarations are self-contained: no Buffer, no NodeJS namespace (no @types/node needed)', () => {
    build();
    const files = [
      ...readdirSync(dist).map((f) => join(dist, f)),
      ...readdirSync(join(dist, 'testing')).map((f) => join(dist, 'testing', f)),
    ].filter((f) => f.endsWith('.d.ts'));
    expect(files.length).toBeGreaterThan(0);
    for (const f of files) {
      const code = readFileSync(f, 'utf8').replace(/\/\*[\s\S]*?\*\/|\/\/.*$/gm, '');
      expect(code, f).not.toMatch(/\bBuffer\b|\bNodeJS\b|from ['"]node:/);
    }
  });

  it('importing the library and its testing entry loads neither pino nor koffi', () => {
    build();
    const script = `
      import { registerHooks } from 'node:module';
      const seen = [];
      registerHooks({ resolve(s, c, next) { seen.push(s); return next(s, c); } });
      await import(${JSON.stringify(join(dist, 'index.js'))});
      await import(${JSON.stringify(join(dist, 'testing', 'index.js'))});
      console.log(JSON.stringify(seen));`;
    const out = execFileSync(process.execPath, ['--input-type=module', '-e', script], {
      encoding: 'utf8',
    });
    const seen = JSON.parse(out) as string[];
    expect(seen).toContain('@ironlb/clock');
    expect(seen.filter((s) => /pino|koffi/.test(s))).toEqual([]);
  });
});
