// The README's examples are real programs (npm-page rules, issue 12): each ```ts block is a file in
// examples/ byte for byte, importing the package by its name (resolved to the source here), and
// the in-memory example prints exactly the README's output block. The real-network example runs in
// package.int.test.ts (it needs sockets).
import { readFileSync } from 'node:fs';
import { format } from 'node:util';
import { afterEach, describe, expect, it, vi } from 'vitest';

const dir = new URL('../', import.meta.url);
const readme = readFileSync(new URL('README.md', dir), 'utf8');

/** The first ```lang block after `after`. */
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

  it('shows examples/three-members.ts and examples/real-network.ts as they are', () => {
    expect(block('## Example', 'ts')).toBe(example('three-members.ts'));
    expect(block('### On a real network', 'ts')).toBe(example('real-network.ts'));
    for (const f of ['three-members.ts', 'real-network.ts'])
      expect(example(f)).toMatch(/from '@ironlb\/memberlist'/);
  });

  it('the in-memory example prints the README output block', async () => {
    const lines: string[] = [];
    vi.spyOn(console, 'log').mockImplementation((...args: unknown[]) => {
      lines.push(format(...args));
    });
    await import('../examples/three-members.js');
    expect(lines.join('\n') + '\n').toBe(block('prints', 'text'));
  });

  it('has no relative links that leave the package (npm page)', () => {
    const links = [...readme.matchAll(/\]\(([^)]+)\)/g)].map((m) => m[1] as string);
    for (const l of links) expect(l, l).toMatch(/^(https:\/\/|#)/);
    expect(readme).toMatch(/ESM; works with `require\(\)` on Node ≥ 22\.12/);
    expect(readme).toMatch(/npm install @ironlb\/memberlist/);
  });
});
