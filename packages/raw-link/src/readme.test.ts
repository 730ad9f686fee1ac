// The README's example is a real program: its ```ts block is examples/filter.ts byte for byte
// (importing the package by its published name), and running it prints the README's Output block.
import { readFileSync } from 'node:fs';
import { format } from 'node:util';
import { afterEach, expect, it, vi } from 'vitest';

const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
const block = (after: string, lang: string): string => {
  const start = readme.indexOf(after);
  expect(start, `README has no ${after}`).toBeGreaterThanOrEqual(0);
  const open = readme.indexOf('```' + lang + '\n', start) + lang.length + 4;
  return readme.slice(open, readme.indexOf('```', open));
};

afterEach(() => {
  vi.restoreAllMocks();
});

it('the README example is examples/filter.ts and prints its Output block', async () => {
  expect(block('## Example', 'ts')).toBe(
    readFileSync(new URL('../examples/filter.ts', import.meta.url), 'utf8'),
  );
  const lines: string[] = [];
  vi.spyOn(console, 'log').mockImplementation((...args: unknown[]) => {
    lines.push(format(...args));
  });
  await import('../examples/filter.js');
  expect(lines.join('\n') + '\n').toBe(block('Output:', 'text'));
});
