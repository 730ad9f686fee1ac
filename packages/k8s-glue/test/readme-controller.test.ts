// The README's controller example is examples/controller-handlers.ts byte for byte (with the
// package import), and prints the Output block that follows it.
import { readFileSync } from 'node:fs';
import { format } from 'node:util';
import { afterEach, describe, expect, it, vi } from 'vitest';

const dir = new URL('../', import.meta.url);
const readme = readFileSync(new URL('README.md', dir), 'utf8');
const HEADING = '### Example: the controller’s decisions';

function block(after: string, lang: string): string {
  const start = readme.indexOf(after);
  expect(start, `README has no ${JSON.stringify(after)}`).toBeGreaterThanOrEqual(0);
  const fence = '```' + lang + '\n';
  const open = readme.indexOf(fence, start);
  const body = open + fence.length;
  return readme.slice(body, readme.indexOf('```', body));
}

describe('README: the controller example', () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it('is examples/controller-handlers.ts, with the package import', () => {
    const file = readFileSync(new URL('examples/controller-handlers.ts', dir), 'utf8').replace(
      "from '../src/index.js';",
      "from '@ironlb/k8s-glue';",
    );
    expect(block(HEADING, 'ts')).toBe(file);
  });

  it('prints its Output block', async () => {
    const lines: string[] = [];
    vi.spyOn(console, 'log').mockImplementation((...args: unknown[]) => {
      lines.push(format(...args));
    });
    await import('../examples/controller-handlers.js');
    expect(lines.join('\n') + '\n').toBe(block(`${HEADING}`, 'text'));
  });
});
