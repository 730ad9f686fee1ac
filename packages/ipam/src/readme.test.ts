// The README's example is a real program: it is examples/quickstart.ts byte for byte (it imports
// the package by its name; tsconfig paths and the test aliases point the name at the source), and
// it prints exactly the output the README shows.
import { readFileSync } from 'node:fs';
import { format } from 'node:util';
import { afterEach, describe, expect, it, vi } from 'vitest';

const dir = new URL('../', import.meta.url);
const readme = readFileSync(new URL('README.md', dir), 'utf8');

function block(after: string, lang: string): string {
  const start = readme.indexOf(after);
  expect(start).toBeGreaterThanOrEqual(0);
  const open = readme.indexOf('```' + lang + '\n', start) + lang.length + 4;
  return readme.slice(open, readme.indexOf('```', open));
}

describe('README example', () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it('is examples/quickstart.ts, importing the package by name', () => {
    const example = readFileSync(new URL('examples/quickstart.ts', dir), 'utf8');
    expect(example).toContain("from '@ironlb/ipam';");
    expect(block('## Example', 'ts')).toBe(example);
  });

  it('prints the output shown in the README', async () => {
    const lines: string[] = [];
    vi.spyOn(console, 'log').mockImplementation((...args: unknown[]) => {
      lines.push(format(...args));
    });
    await import('../examples/quickstart.js');
    expect(lines.join('\n') + '\n').toBe(block('Output:', 'text'));
  });
});
