// The package as a stranger gets it from npm (issue 12): the README's example is the shipped
// examples/two-speakers.ts and prints the README's output; status(), its counters and the metrics
// are exactly what the README lists; the type declarations need no @types/node; importing the
// library never loads pino (only the CLI does).
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { format } from 'node:util';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { MemoryMetrics } from '@ironlb/clock/testing';
import { createBgpSpeaker } from '../src/index.js';
import { MemoryNetwork } from '../src/testing/index.js';

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
  const lines = readme.slice(start).split('\n').slice(1);
  const rows: string[] = [];
  let inTable = false;
  for (const l of lines) {
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

  it('the example is examples/two-speakers.ts (shipped in the tarball) and prints the Output block', async () => {
    const file = readFileSync(join(dir, 'examples', 'two-speakers.ts'), 'utf8');
    expect(block('## Example', 'ts')).toBe(file);
    expect(pkg.files).toContain('examples');
    const lines: string[] = [];
    vi.spyOn(console, 'log').mockImplementation((...args: unknown[]) => {
      lines.push(format(...args));
    });
    await import('../examples/two-speakers.js');
    expect(lines.join('\n') + '\n').toBe(block('Output:', 'text'));
  });

  it('status() returns exactly the fields the README lists, and its counters too', async () => {
    const s = createBgpSpeaker(
      { transport: new MemoryNetwork().transport('198.51.100.1') },
      { localAs: 64512, routerId: '198.51.100.1' },
    );
    await s.addPeer({ address: '198.51.100.2', peerAs: 64513 });
    const st = s.status()[0]!;
    expect(tableNames('### `status()`').sort()).toEqual(Object.keys(st).sort());
    expect(tableNames('`counters`:').sort()).toEqual(Object.keys(st.counters).sort());
    await s.stop();
  });

  it('the metrics table lists every metric the speaker declares', () => {
    const metrics = new MemoryMetrics();
    createBgpSpeaker(
      { metrics, transport: new MemoryNetwork().transport('198.51.100.1') },
      { localAs: 64512, routerId: '198.51.100.1' },
    );
    expect(tableNames('### Metrics').sort()).toEqual([...metrics.names()].sort());
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

  it('importing the library and its testing entry never loads pino', () => {
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
    expect(seen.filter((s) => /pino/.test(s))).toEqual([]);
  });
});
