// The README's examples are real programs: each ```ts block is a file under examples/, byte for
// byte (they import the package by its name; tsconfig paths and the test aliases point the name
// at the source), so the README cannot drift without this test failing; tsc type-checks both
// files, and the parse example runs and prints the README's Output block.
import { readFileSync } from 'node:fs';
import { format } from 'node:util';
import { afterEach, describe, expect, it, vi } from 'vitest';

const dir = new URL('../', import.meta.url);
const readme = readFileSync(new URL('README.md', dir), 'utf8');

/** The first ```lang block after the heading or marker `after`. */
function block(after: string, lang: string): string {
  const start = readme.indexOf(after);
  expect(start, `README has no ${JSON.stringify(after)}`).toBeGreaterThanOrEqual(0);
  const fence = '```' + lang + '\n';
  const open = readme.indexOf(fence, start);
  expect(open, `no ${lang} block after ${JSON.stringify(after)}`).toBeGreaterThan(start);
  const body = open + fence.length;
  return readme.slice(body, readme.indexOf('```', body));
}

const example = (file: string) => readFileSync(new URL(`examples/${file}`, dir), 'utf8');

describe('README examples', () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it('the parse example is examples/parse-config.ts, importing the package by name', () => {
    expect(block('### Example: parse a configuration', 'ts')).toBe(example('parse-config.ts'));
  });

  it('the webhook example is examples/cluster/serve-webhooks.ts, importing the package by name', () => {
    expect(block('### Example: serve the webhooks', 'ts')).toBe(
      example('cluster/serve-webhooks.ts'),
    );
  });

  it('the announce example is examples/announce.ts, importing the package by name', () => {
    expect(block("### Example: the speaker's decisions", 'ts')).toBe(example('announce.ts'));
  });

  it('the announce example prints its block', async () => {
    const lines: string[] = [];
    vi.spyOn(console, 'log').mockImplementation((...args: unknown[]) => {
      lines.push(format(...args));
    });
    await import('../examples/announce.js');
    expect(lines.join('\n') + '\n').toBe(block('Printed:', 'text'));
  });

  it('the parse example prints the Output block', async () => {
    const lines: string[] = [];
    vi.spyOn(console, 'log').mockImplementation((...args: unknown[]) => {
      lines.push(format(...args));
    });
    await import('../examples/parse-config.js');
    expect(lines.join('\n') + '\n').toBe(block('Output:', 'text'));
  });
});
